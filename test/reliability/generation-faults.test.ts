/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Fault injection: 20-item Generation > Create batches (wait + download on, Continue On Fail) through
 * n8n's real engine against the emulator, with faults on the wire. Whatever breaks, every item ends
 * as a result or a clear per-item error, the emulator holds exactly one task and one charge per item,
 * nothing is emitted twice, and the API key appears nowhere in outputs, errors or run data.
 */
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator';
import { EmulatorClient, type FaultInput } from '../emulator/client';
import {
	chain,
	readBinary,
	reportedErrors,
	runWorkflow,
	startNode,
	startWorkflow,
	type TestNode,
	type WorkflowRunResult,
} from '../workflow/harness';
import {
	BATCH,
	expectEveryItemSettled,
	expectNoSecrets,
	expectOneTaskAndChargePerItem,
	scanRun,
} from './reliability-helpers';

const JOB_MS = 400;
const MODEL = 'z-image';
const RESULT_BYTES = 48 * 1024;
const CREATE = 'POST /api/v1/generations';
const POLL = 'GET /api/v1/generations/:taskId';

let emulator: EmulatorHandle;
let client: EmulatorClient;

beforeAll(async () => {
	emulator = await startEmulator({
		port: 0,
		defaultJobMs: JOB_MS,
		credits: 10_000,
		rateLimitPerMinute: 100_000,
		resultBytes: { image: RESULT_BYTES },
	});
	client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
});

afterAll(async () => {
	await emulator?.close();
});

beforeEach(async () => {
	await client.reset();
	await client.settings({ rateLimitPerMinute: 100_000 });
});

function createNode(options: IDataObject = {}): TestNode {
	return {
		name: 'Rivya',
		type: 'n8n-nodes-rivya.rivya',
		onError: 'continueRegularOutput',
		parameters: {
			resource: 'generation',
			operation: 'create',
			category: 'image',
			model: { __rl: true, mode: 'id', value: MODEL },
			prompt: '={{ $json.prompt }}',
			options: { maxAttempts: 8, ...options },
		},
	};
}

const batchInput = () =>
	Array.from({ length: BATCH }, (_, index) => ({ prompt: `reliability item ${index}` }));

function workflowOptions(apiKey: string, options: IDataObject = {}) {
	return {
		nodes: [startNode(), createNode(options)],
		connections: chain('Start', 'Rivya'),
		credentials: { rivyaApi: { apiKey, baseUrl: emulator.baseUrl } },
		inputItems: batchInput(),
	};
}

async function runBatch(faults: FaultInput[], options: IDataObject = {}) {
	for (const fault of faults) await client.addFault(fault);
	const reportedFrom = reportedErrors.length;
	const result = await runWorkflow(workflowOptions(emulator.apiKey, options));
	return { result, reportedFrom };
}

async function requestsTo(route: string): Promise<number> {
	return (await client.counters()).requests[route] ?? 0;
}

/** The promises every scenario keeps; returns the summary for scenario-specific checks. */
async function expectBatchKeptItsPromises(
	result: WorkflowRunResult,
	reportedFrom: number,
	expectedTasks = BATCH,
) {
	expect(result.status).toBe('success');
	const summary = expectEveryItemSettled(result.outputOf('Rivya'));
	await expectOneTaskAndChargePerItem(client, summary, expectedTasks);
	const scanned = scanRun(result, reportedFrom);
	// The scan really covers the outputs (so a leak there would be seen).
	expect(scanned).toContain(summary.taskIds[0]);
	expectNoSecrets(scanned, { apiKey: emulator.apiKey });
	return summary;
}

describe('Reliability: Generation > Create batch of 20 under faults', () => {
	it('dropped responses after create: retries replay the same task (no second task, no second charge)', async () => {
		const { result, reportedFrom } = await runBatch([
			{ route: CREATE, kind: 'drop_after_response', times: 6 },
		]);
		const summary = await expectBatchKeptItsPromises(result, reportedFrom);
		expect(summary.succeeded).toHaveLength(BATCH);
		// The 6 dropped answers were asked again with the same Idempotency-Key.
		expect(await requestsTo(CREATE)).toBe(BATCH + 6);
	});

	it('500s on create and on polling: every item still ends with its one result', async () => {
		const { result, reportedFrom } = await runBatch([
			{ route: CREATE, kind: 'status', status: 500, times: 5 },
			{ route: POLL, kind: 'status', status: 503, times: 8 },
		]);
		const summary = await expectBatchKeptItsPromises(result, reportedFrom);
		expect(summary.succeeded).toHaveLength(BATCH);
		expect(await requestsTo(CREATE)).toBe(BATCH + 5);
		expect(await requestsTo(POLL)).toBeGreaterThanOrEqual(BATCH + 8);
	});

	it('a 429 storm with Retry-After on create: items wait their turn, no duplicate tasks', async () => {
		const { result, reportedFrom } = await runBatch([
			{ route: CREATE, kind: 'rate_limit_storm', retryAfter: 1, times: 15 },
		]);
		const summary = await expectBatchKeptItsPromises(result, reportedFrom);
		expect(summary.succeeded).toHaveLength(BATCH);
		expect(await requestsTo(CREATE)).toBe(BATCH + 15);
	});

	it('connection resets while polling: polls are repeated, results arrive', async () => {
		const { result, reportedFrom } = await runBatch([
			{ route: 'GET /api/v1/generations/', kind: 'reset_before', times: 10 },
		]);
		const summary = await expectBatchKeptItsPromises(result, reportedFrom);
		expect(summary.succeeded).toHaveLength(BATCH);
		expect(await requestsTo(CREATE)).toBe(BATCH);
	});

	it('connections cut mid-download: no truncated binary passes as a result', async () => {
		const { result, reportedFrom } = await runBatch([
			{ route: 'GET /media', kind: 'cut_stream', afterBytes: 4096, times: 6 },
		]);
		const summary = await expectBatchKeptItsPromises(result, reportedFrom);
		for (const item of summary.succeeded) {
			expect((await readBinary(item, 'data')).length).toBe(RESULT_BYTES);
		}
		for (const item of summary.failed) {
			// A failed download names its task, so the paid result can be fetched again.
			expect(String(item.json.error)).toContain(String(item.json.taskId));
		}
		expect(summary.succeeded.length + summary.failed.length).toBe(BATCH);
		// Downloads are plain GETs and safe to repeat: the cuts should cost nothing.
		expect(summary.succeeded).toHaveLength(BATCH);
		expect(await requestsTo('GET /media')).toBe(BATCH + 6);
	});

	it('the key revoked mid-batch: items fail one by one with a clear error, no task is lost or paid twice', async () => {
		const { accountId } = await client.reset();
		const { apiKey } = await client.createKey({ accountId });
		// Slow, one-at-a-time creates so the revocation lands in the middle of the batch.
		await client.addFault({ route: CREATE, kind: 'delay', delayMs: 80, times: BATCH });
		const reportedFrom = reportedErrors.length;
		const run = startWorkflow(workflowOptions(apiKey, { concurrency: 1 }));
		for (let attempt = 0; attempt < 2000; attempt++) {
			if ((await client.counters()).tasksCreated >= BATCH / 2) break;
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		await client.revokeKey(apiKey);
		const result = await run.done;

		expect(result.status).toBe('success');
		const summary = expectEveryItemSettled(result.outputOf('Rivya'));
		const created = (await client.counters()).tasksCreated;
		expect(created).toBeGreaterThanOrEqual(BATCH / 2);
		expect(created).toBeLessThan(BATCH);
		// Tasks created before the revocation keep running in Rivya; their items say so by task id.
		await new Promise((resolve) => setTimeout(resolve, JOB_MS + 100));
		await expectOneTaskAndChargePerItem(client, summary, created);
		expect(summary.failed.length).toBeGreaterThanOrEqual(BATCH - created);
		for (const item of summary.failed) expect(String(item.json.error)).toMatch(/revoked/i);
		expectNoSecrets(scanRun(result, reportedFrom), { apiKey, seededKey: emulator.apiKey });
	});
});
