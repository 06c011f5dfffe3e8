// The real-n8n matrix: which n8n runs how, and which e2e test files run on it. Read by
// jest.e2e.config.js (file selection for the current target) and scripts/test-all.mjs (one jest run per
// entry). The target of a run comes from RIVYA_E2E_N8N_VERSION, RIVYA_E2E_NODE_MAJOR and RIVYA_E2E_MODE
// (default: n8n 2.41.1 on Node 24, one process).
//
// Where tests run:
//   - n8n 2.41.1, one process, SQLite: every *.e2e.test.ts except the queue-only ones (editor included).
//   - n8n 2.41.1 queue mode: the files in CROSS_DEPLOYMENT plus every *.queue.e2e.test.ts (queue-only;
//     queue-mode.queue.e2e.test.ts, run last, checks that a worker started every execution of the run).
//   - n8n 1.123.81 on Node 22, one process, SQLite: the files in CROSS_DEPLOYMENT.
// A new test file runs on 2.41.1 only unless it is added to CROSS_DEPLOYMENT or named *.queue.e2e.test.ts.

/** What users do with the package on every n8n we support: files under test/e2e/. */
const CROSS_DEPLOYMENT = [
	'package-loading.e2e.test.ts', // the package loads; credential test passes and fails as it should
	'credit-balance.e2e.test.ts', // credit workflow
	'examples.e2e.test.ts', // generation with a binary (image) result; the example workflows import
	'file-upload.e2e.test.ts', // binary in, File > Upload
	'chat.e2e.test.ts', // chat turns, streaming to the webhook caller
	'chat-model.e2e.test.ts', // Rivya Chat Model in a chain (2.x); on 1.x it loads and says it needs 2.16
	'trigger.e2e.test.ts', // trigger lifecycle, signed and badly signed deliveries
	'retry.e2e.test.ts', // n8n's Retry of a failed execution replays what it paid for
];

const QUEUE_ONLY = '.queue.e2e.test.ts';
/** The queue run's final check: sorted after every other file of its run. */
const RUN_LAST = ['queue-mode.queue.e2e.test.ts'];

const TARGETS = [
	{
		id: 'n8n-2.41.1',
		label: 'n8n 2.41.1 on Node 24 (one process, SQLite)',
		env: { RIVYA_E2E_N8N_VERSION: '2.41.1', RIVYA_E2E_NODE_MAJOR: '24', RIVYA_E2E_MODE: 'single' },
	},
	{
		id: 'n8n-2.41.1-queue',
		label:
			'n8n 2.41.1 on Node 24 in queue mode (Postgres, Redis, main, 2 workers, webhook processor)',
		env: { RIVYA_E2E_N8N_VERSION: '2.41.1', RIVYA_E2E_NODE_MAJOR: '24', RIVYA_E2E_MODE: 'queue' },
	},
	{
		id: 'n8n-1.123.81',
		label: 'n8n 1.123.81 on Node 22 (one process, SQLite)',
		env: {
			RIVYA_E2E_N8N_VERSION: '1.123.81',
			RIVYA_E2E_NODE_MAJOR: '22',
			RIVYA_E2E_MODE: 'single',
		},
	},
];

function currentTarget(env = process.env) {
	const version = env.RIVYA_E2E_N8N_VERSION || '2.41.1';
	return {
		version,
		mode: env.RIVYA_E2E_MODE === 'queue' ? 'queue' : 'single',
		isV1: version.split('.')[0] === '1',
	};
}

/** Jest testMatch / testPathIgnorePatterns for the current target. */
function jestSelection(env = process.env) {
	const target = currentTarget(env);
	const named = (files) => files.map((file) => `<rootDir>/test/e2e/${file}`);
	if (target.mode === 'queue') {
		return {
			testMatch: [...named(CROSS_DEPLOYMENT), `**/*${QUEUE_ONLY}`],
			testPathIgnorePatterns: [],
		};
	}
	if (target.isV1) return { testMatch: named(CROSS_DEPLOYMENT), testPathIgnorePatterns: [] };
	return { testMatch: ['**/*.e2e.test.ts'], testPathIgnorePatterns: [`\\${QUEUE_ONLY}$`] };
}

module.exports = { CROSS_DEPLOYMENT, QUEUE_ONLY, RUN_LAST, TARGETS, currentTarget, jestSelection };
