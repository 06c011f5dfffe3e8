/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions -- starts n8n processes */
// The queue-mode n8n cluster: see index.ts for the API and how to use it.
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

import {
	N8nClient,
	createUserFolder,
	installPackageAsCommunityNode,
	installedN8n,
	n8nEnvironment,
	packPackage,
	pollUntil,
	reservePort,
	setUpOwnerAndApiKey,
	tail,
	targetN8n,
	type N8nConnection,
	type PackedPackage,
} from '../n8n-instance';
import {
	isAlive,
	startPostgres,
	startRedis,
	stopPostgres,
	stopRedis,
	type PostgresInfo,
	type RedisInfo,
} from './backing-services';

const LOOPBACK = '127.0.0.1';

export type ClusterRole = 'main' | 'worker' | 'webhook';

export interface ClusterProcess {
	/** `main`, `worker-1`, `worker-2`, ..., `webhook`. */
	name: string;
	role: ClusterRole;
	/** Process group leader (n8n itself; its task runner is in the same group); 0 when not running. */
	pid: number;
	/** HTTP port: N8N_PORT for main and webhook, QUEUE_HEALTH_CHECK_PORT for workers. */
	port: number;
	runnerBrokerPort: number;
	/** Appended to across restarts, so "Worker started execution" lines of earlier runs stay. */
	logFile: string;
}

/** Everything about a running cluster; kept in `<dir>/cluster.json` so other processes can attach. */
export interface QueueClusterInfo {
	dir: string;
	n8nVersion: string;
	connection: N8nConnection;
	/** The round-robin proxy: what users (and `connection.baseUrl`) reach. */
	proxyUrl: string;
	mainUrl: string;
	webhookProcessorUrl: string;
	userFolder: string;
	encryptionKey: string;
	postgres: PostgresInfo;
	redis: RedisInfo;
	processes: ClusterProcess[];
	/** Extra environment every n8n process gets (from QueueClusterOptions.env). */
	env: Record<string, string | undefined>;
}

export interface QueueClusterOptions {
	/** The package to load; default packed now from the current `dist`. */
	packedPackage?: PackedPackage;
	/** Number of `n8n worker` processes; default 2. */
	workers?: number;
	/** `--concurrency` of each worker; default 5. */
	workerConcurrency?: number;
	/** Installed n8n version; default targetN8n() (2.41.1). */
	n8nVersion?: string;
	/** Extra or overriding environment for every n8n process; `undefined` removes a variable. */
	env?: Record<string, string | undefined>;
	startupTimeoutMs?: number;
}

const WORKER_STARTED = /Worker started execution (\w+)/g;

export class QueueCluster extends N8nClient {
	private proxy?: http.Server;

	private constructor(
		readonly stateFile: string,
		private state: QueueClusterInfo,
	) {
		super(state.connection);
	}

	/** Starts Postgres, Redis, main, workers, webhook processor and the proxy; owner + API key set up. */
	static async start(options: QueueClusterOptions = {}): Promise<QueueCluster> {
		const n8nVersion = options.n8nVersion ?? targetN8n().version;
		installedN8n(n8nVersion); // fail early with the install command
		const userFolder = createUserFolder();
		// The postgres user must be able to reach its data folder inside.
		fs.chmodSync(userFolder, 0o755);
		const dir = userFolder;
		installPackageAsCommunityNode(
			userFolder,
			options.packedPackage ?? packPackage(path.join(dir, 'pack')),
		);
		const postgres = await startPostgres(dir);
		let redis: RedisInfo | undefined;
		let cluster: QueueCluster | undefined;
		let startupFailure: Error;
		try {
			redis = await startRedis(dir);
			const proxyPort = await reservePort(undefined, 'the cluster proxy');
			const proxyUrl = `http://${LOOPBACK}:${proxyPort}`;
			const processes: ClusterProcess[] = [];
			const addProcess = async (name: string, role: ClusterRole) =>
				processes.push({
					name,
					role,
					pid: 0,
					port: await reservePort(undefined, `n8n ${name}`),
					runnerBrokerPort: await reservePort(undefined, `the task runner broker of ${name}`),
					logFile: path.join(dir, `${name}.log`),
				});
			await addProcess('main', 'main');
			for (let index = 1; index <= (options.workers ?? 2); index++)
				await addProcess(`worker-${index}`, 'worker');
			await addProcess('webhook', 'webhook');
			const state: QueueClusterInfo = {
				dir,
				n8nVersion,
				connection: { baseUrl: proxyUrl, apiKey: '', cookie: '', n8nVersion },
				proxyUrl,
				mainUrl: `http://${LOOPBACK}:${processes[0].port}`,
				webhookProcessorUrl: `http://${LOOPBACK}:${processes[processes.length - 1].port}`,
				userFolder,
				encryptionKey: randomBytes(24).toString('hex'),
				postgres,
				redis,
				processes,
				env: {
					...options.env,
					RIVYA_E2E_WORKER_CONCURRENCY: String(options.workerConcurrency ?? 5),
				},
			};
			cluster = new QueueCluster(path.join(dir, 'cluster.json'), state);
			cluster.saveState();
			cluster.proxy = await startProxy(proxyPort, state);
			cluster.killAllOnExit();
			const timeoutMs = options.startupTimeoutMs ?? 240_000;
			await cluster.startProcesses(
				processes.map((process) => process.name),
				timeoutMs,
			);
			const connection = await setUpOwnerAndApiKey(state.mainUrl, n8nVersion, timeoutMs);
			cluster.adopt({
				...readState(cluster.stateFile),
				connection: { ...connection, baseUrl: proxyUrl },
			});
			return cluster;
		} catch (error) {
			startupFailure = error as Error;
		}
		if (cluster) await cluster.stop().catch(() => undefined);
		else {
			if (redis) await stopRedis(redis).catch(() => undefined);
			stopPostgres(postgres);
		}
		throw startupFailure;
	}

	/** A cluster another process started (e.g. the e2e global setup), from its state file. */
	static attach(stateFile: string): QueueCluster {
		return new QueueCluster(stateFile, readState(stateFile));
	}

	get info(): QueueClusterInfo {
		return this.state;
	}

	/** Current processes (re-read from the state file, which restarts by any process update). */
	processes(): ClusterProcess[] {
		this.adopt(readState(this.stateFile));
		return this.state.processes;
	}

	workerNames(): string[] {
		return this.processes()
			.filter((process) => process.role === 'worker')
			.map((process) => process.name);
	}

	/** Execution ids each worker started, from the workers' logs ("Worker started execution <id>"). */
	executionsByWorker(): Record<string, string[]> {
		const byWorker: Record<string, string[]> = {};
		for (const worker of this.processes().filter((process) => process.role === 'worker')) {
			const log = fs.existsSync(worker.logFile) ? fs.readFileSync(worker.logFile, 'utf8') : '';
			byWorker[worker.name] = [...log.matchAll(WORKER_STARTED)].map((match) => match[1]);
		}
		return byWorker;
	}

	/** Name of the worker(s) that started an execution (several if it was started again after a crash). */
	workersThatRan(executionId: string | number): string[] {
		return Object.entries(this.executionsByWorker())
			.filter(([, ids]) => ids.includes(String(executionId)))
			.map(([name]) => name);
	}

	/** The worker that started an execution, or undefined if none (yet). */
	workerThatRan(executionId: string | number): string | undefined {
		return this.workersThatRan(executionId)[0];
	}

	async waitForWorkerThatRan(executionId: string | number, timeoutMs = 30_000): Promise<string> {
		let worker: string | undefined;
		await pollUntil(`a worker log to start execution ${executionId}`, timeoutMs, async () => {
			worker = this.workerThatRan(executionId);
			return worker !== undefined;
		});
		return worker as string;
	}

	/** SIGKILL to a worker and its task runner (a crash: no graceful shutdown). Returns the killed pid. */
	async killWorker(name = 'worker-1'): Promise<number> {
		const worker = this.process(name);
		if (worker.role !== 'worker') throw new Error(`${name} is not a worker`);
		const pid = worker.pid;
		signalGroup(pid, 'SIGKILL');
		await pollUntil(`${name} (pid ${pid}) to die`, 10_000, async () => !isRunning(pid));
		this.updateProcess(name, { pid: 0 });
		return pid;
	}

	/** Starts processes that are not running (e.g. a killed worker) and waits until they are ready. */
	async startProcesses(names: string[], timeoutMs = 240_000): Promise<void> {
		const order: ClusterRole[] = ['main', 'worker', 'webhook'];
		const wanted = names.map((name) => this.process(name));
		// Main first: it runs the database migrations the others expect.
		const main = wanted.filter((process) => process.role === 'main');
		for (const process of main) await this.startOne(process, timeoutMs);
		const others = wanted
			.filter((process) => process.role !== 'main')
			.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
		await Promise.all(others.map(async (process) => await this.startOne(process, timeoutMs)));
	}

	/** Graceful stop (SIGTERM, SIGKILL after `timeoutMs`) of the named n8n processes. */
	async stopProcesses(names: string[], timeoutMs = 30_000): Promise<void> {
		await Promise.all(
			names.map(async (name) => {
				const pid = this.process(name).pid;
				if (pid) await stopGroup(pid, timeoutMs);
				this.updateProcess(name, { pid: 0 });
			}),
		);
	}

	/** Restarts every n8n process (main, workers, webhook processor); data and the owner session stay. */
	async restartAll(timeoutMs = 240_000): Promise<void> {
		const names = this.processes().map((process) => process.name);
		await this.stopProcesses(names);
		await this.startProcesses(names, timeoutMs);
	}

	/** Stops everything: n8n processes, the proxy (if this process runs it), Redis, Postgres. */
	async stop(): Promise<void> {
		const failures: string[] = [];
		const attempt = async (what: string, work: () => Promise<void> | void) => {
			try {
				await work();
			} catch (error) {
				failures.push(`${what}: ${(error as Error).message}`);
			}
		};
		await attempt('n8n', async () => {
			await this.stopProcesses(this.processes().map((process) => process.name));
		});
		await attempt('proxy', async () => {
			if (this.proxy) await new Promise<void>((resolve) => this.proxy?.close(() => resolve()));
			this.proxy?.closeAllConnections();
		});
		await attempt('redis', async () => await stopRedis(this.state.redis));
		await attempt('postgres', () => stopPostgres(this.state.postgres));
		// The database is the bulk of the folder; logs stay for a look after a failure.
		await attempt('cleanup', () =>
			fs.rmSync(this.state.postgres.dataDir, { recursive: true, force: true }),
		);
		if (failures.length > 0) throw new Error(`stopping the cluster: ${failures.join('; ')}`);
	}

	/** The last lines of every n8n process's log, for failure messages. */
	logTails(lines = 20): string {
		return this.processes()
			.map(
				(process) =>
					`--- ${process.name} (${process.logFile}) ---\n${tail(process.logFile, lines)}`,
			)
			.join('\n');
	}

	private process(name: string): ClusterProcess {
		const found = this.processes().find((process) => process.name === name);
		if (!found) throw new Error(`no cluster process "${name}" (have ${this.describeNames()})`);
		return found;
	}

	private describeNames(): string {
		return this.state.processes.map((process) => process.name).join(', ');
	}

	private async startOne(process: ClusterProcess, timeoutMs: number): Promise<void> {
		if (process.pid && isRunning(process.pid)) return;
		const { node, n8n } = installedN8n(this.state.n8nVersion);
		const concurrency = this.state.env.RIVYA_E2E_WORKER_CONCURRENCY ?? '5';
		const args =
			process.role === 'main'
				? ['start']
				: process.role === 'worker'
					? ['worker', `--concurrency=${concurrency}`]
					: ['webhook'];
		const log = fs.openSync(process.logFile, 'a');
		fs.writeSync(log, `\n=== ${new Date().toISOString()} starting n8n ${args.join(' ')} ===\n`);
		const child = spawn(node, [n8n, ...args], {
			cwd: this.state.userFolder,
			env: this.environmentOf(process),
			detached: true, // own process group: n8n plus its task runner
			stdio: ['ignore', log, log],
		});
		fs.closeSync(log);
		child.unref();
		const pid = child.pid as number;
		this.updateProcess(process.name, { pid });
		const readinessUrl = `http://${LOOPBACK}:${process.port}/healthz/readiness`;
		const failure = await pollUntil(
			`${process.name} at ${readinessUrl} to be ready`,
			timeoutMs,
			async () => {
				if (!isRunning(pid)) throw new Error(`${process.name} exited while starting`);
				try {
					const response = await fetch(readinessUrl);
					await response.arrayBuffer();
					return response.ok;
				} catch {
					return false; // not listening yet
				}
			},
		).then(
			() => undefined,
			(error: Error) => error,
		);
		if (failure) {
			throw new Error(
				`${failure.message}\n--- ${process.logFile} ---\n${tail(process.logFile, 30)}`,
			);
		}
	}

	private environmentOf(process: ClusterProcess): NodeJS.ProcessEnv {
		const { state } = this;
		const env = n8nEnvironment({
			n8nVersion: state.n8nVersion,
			userFolder: state.userFolder,
			port: process.role === 'worker' ? state.processes[0].port : process.port,
			runnerBrokerPort: process.runnerBrokerPort,
			baseUrl: state.proxyUrl,
			overrides: {
				N8N_ENCRYPTION_KEY: state.encryptionKey,
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: state.redis.host,
				QUEUE_BULL_REDIS_PORT: String(state.redis.port),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: state.postgres.host,
				DB_POSTGRESDB_PORT: String(state.postgres.port),
				DB_POSTGRESDB_DATABASE: state.postgres.database,
				DB_POSTGRESDB_USER: state.postgres.user,
				DB_POSTGRESDB_PASSWORD: '',
				// Deliveries and webhook URLs go through the proxy, as they would through a load balancer.
				WEBHOOK_URL: `${state.proxyUrl}/`,
				N8N_WEBHOOK_URL: `${state.proxyUrl}/`,
				// Manual runs on workers too, so every execution is a worker's (the future n8n default).
				OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
				// Queue mode's default (database) is what users get; filesystem is per machine.
				N8N_DEFAULT_BINARY_DATA_MODE: undefined,
				...(process.role === 'worker'
					? {
							QUEUE_HEALTH_CHECK_ACTIVE: 'true',
							QUEUE_HEALTH_CHECK_PORT: String(process.port),
							N8N_WORKER_SERVER_ADDRESS: LOOPBACK,
						}
					: {}),
				...state.env,
			},
		});
		delete env.RIVYA_E2E_WORKER_CONCURRENCY;
		return env;
	}

	private updateProcess(name: string, change: Partial<ClusterProcess>): void {
		this.adopt(readState(this.stateFile));
		this.state.processes = this.state.processes.map((process) =>
			process.name === name ? { ...process, ...change } : process,
		);
		this.saveState();
	}

	private adopt(state: QueueClusterInfo): void {
		this.state = state;
		Object.assign(this.connection, state.connection);
		this.saveState();
	}

	private saveState(): void {
		fs.writeFileSync(this.stateFile, JSON.stringify(this.state, null, 2), { mode: 0o600 });
	}

	/** If this process dies without stop(), its cluster's n8n processes must not outlive it. */
	private killAllOnExit(): void {
		process.once('exit', () => {
			try {
				for (const child of readState(this.stateFile).processes) {
					if (child.pid) signalGroup(child.pid, 'SIGKILL');
				}
			} catch {
				// state file gone: nothing to do
			}
		});
	}
}

function readState(stateFile: string): QueueClusterInfo {
	return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as QueueClusterInfo;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

/** Alive and not a zombie (a killed child whose parent is gone may linger unreaped). */
function isRunning(pid: number): boolean {
	if (!isAlive(pid)) return false;
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

async function stopGroup(pid: number, timeoutMs: number): Promise<void> {
	signalGroup(pid, 'SIGTERM');
	try {
		await pollUntil(`pid ${pid} to exit`, timeoutMs, async () => !isRunning(pid));
	} catch {
		signalGroup(pid, 'SIGKILL');
		await pollUntil(`pid ${pid} to exit after SIGKILL`, 10_000, async () => !isRunning(pid));
	}
	signalGroup(pid, 'SIGKILL'); // a task runner that outlived its n8n
}

/**
 * Stands in for a load balancer: webhook traffic alternates between main and the webhook processor;
 * everything else (editor, REST, public API, test webhooks) goes to main. Each answer carries
 * `x-rivya-proxy-backend: main|webhook`.
 */
async function startProxy(port: number, state: QueueClusterInfo): Promise<http.Server> {
	const main = { name: 'main', port: state.processes[0].port };
	const webhookProcessor = {
		name: 'webhook',
		port: state.processes[state.processes.length - 1].port,
	};
	let nextWebhookBackend = 0;
	const server = http.createServer((request, response) => {
		const isProductionWebhook = /^\/(webhook|webhook-waiting|form|form-waiting)\//.test(
			request.url ?? '',
		);
		const backend = isProductionWebhook ? [main, webhookProcessor][nextWebhookBackend++ % 2] : main;
		const upstream = http.request(
			{
				host: LOOPBACK,
				port: backend.port,
				method: request.method,
				path: request.url,
				headers: request.headers,
			},
			(upstreamResponse) => {
				response.writeHead(upstreamResponse.statusCode ?? 502, {
					...upstreamResponse.headers,
					'x-rivya-proxy-backend': backend.name,
				});
				upstreamResponse.pipe(response);
			},
		);
		upstream.on('error', (error) => {
			if (!response.headersSent) {
				response.writeHead(502, {
					'content-type': 'text/plain',
					'x-rivya-proxy-backend': backend.name,
				});
			}
			response.end(`proxy: ${backend.name} unreachable: ${error.message}`);
		});
		request.pipe(upstream);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, LOOPBACK, () => resolve());
	});
	return server;
}
