// A queue-mode n8n for tests, deployed the way users scale n8n: Postgres 15 and Redis from Debian's
// packages (own data folders under the OS temp dir, 127.0.0.1, free ports; Postgres runs as the
// `postgres` user when we are root), one main (`n8n start`), two workers (`n8n worker --concurrency=5`),
// one webhook processor (`n8n webhook`), all sharing one user folder (this package installed as a
// community package) and one encryption key, behind a small round-robin HTTP proxy.
//
// Start one yourself (e.g. in a test file's beforeAll; ~1 min, ~2 GB):
//
//     const cluster = await QueueCluster.start({ packedPackage });   // options: QueueClusterOptions
//     ...
//     await cluster.stop();                                          // n8n, proxy, Redis, Postgres
//
// or, in the e2e suite's queue-mode run (RIVYA_E2E_MODE=queue; `npm run test:all` runs it), use the one
// the global setup started:
//
//     const { n8n, emulator } = connectE2e();   // as in every e2e file: n8n.baseUrl is the proxy
//     const cluster = connectCluster();         // from ../e2e-env; throws outside queue mode
//
// Test files named `*.queue.e2e.test.ts` run only in that queue-mode run (../matrix.js);
// `queue-mode.queue.e2e.test.ts` runs last and checks that a worker started every execution n8n
// recorded in the run, so leave no execution that no worker ever started (e.g. one n8n marked crashed
// before any worker picked it up) or delete it at the end of your test.
//
// A QueueCluster is an N8nClient (../n8n-instance) whose base URL is the proxy, with the owner's cookie
// and a public API key: importWorkflow, activate, callWebhook, webhookUrl, executions, ... all work as
// with a single n8n, and webhook URLs registered with outside services point at the proxy.
//
// The proxy: `/webhook/`, `/webhook-waiting/`, `/form/`, `/form-waiting/` alternate between main and the
// webhook processor (strictly round robin, starting with main); everything else goes to main. Every
// answer carries the header `x-rivya-proxy-backend: main|webhook`.
//
// Cluster operations (work from any process: state lives in `<info.dir>/cluster.json`):
//   cluster.workerNames()                  ['worker-1', 'worker-2']
//   cluster.workerThatRan(executionId)     which worker started it (its log line "Worker started
//                                          execution <id>"), or undefined; workersThatRan() lists all
//                                          (several when a job was started again after a crash)
//   cluster.waitForWorkerThatRan(id)       the same, polling until a worker logs it
//   cluster.executionsByWorker()           { 'worker-1': ['3', '5'], 'worker-2': ['4'] }
//   cluster.killWorker('worker-1')         SIGKILL to the worker and its task runner (a crash)
//   cluster.startProcesses(['worker-1'])   (re)starts stopped/killed processes and waits until ready
//   cluster.stopProcesses(names)           graceful SIGTERM stop of some processes
//   cluster.restartAll()                   graceful stop and start of main, workers, webhook processor
//                                          (same ports, database, key: the session and API key stay)
//   cluster.processes()                    name, role, pid, port, logFile of each n8n process
//   cluster.logTails()                     the last log lines of every process, for failure messages
//   cluster.info                           ports, URLs (proxyUrl, mainUrl, webhookProcessorUrl), folders
//
// Executions: queue mode sets OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true, so every execution runs on a
// worker; binary data uses queue mode's default (database). n8n's public executions list can leave out
// executions main still counts as running: fetch missing ids one by one when counting.
export { QueueCluster } from './queue-cluster';
export type {
	ClusterProcess,
	ClusterRole,
	QueueClusterInfo,
	QueueClusterOptions,
} from './queue-cluster';
