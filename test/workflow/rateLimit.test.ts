// Batches bigger than the key's rate limit, through n8n's real engine against the emulator's
// sliding-window limiter (shortened to 2 s so a test sees several windows): every item gets exactly
// one task and one charge, no item fails because of 429s, and the key backs off instead of
// hammering. Counts only; the speed targets are in `npm run bench` (bigbatch, sharedkey).
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { chain, runWorkflow, startNode, type TestNode } from './harness';
import { useEmulatorPerFile } from './emulator-fixture';
import { generationCreateNode } from './rivya-nodes';

const LIMIT = 40;
const WINDOW_MS = 2000;
const fixture = useEmulatorPerFile(
	{ defaultJobMs: 300, rateLimitPerMinute: LIMIT, rateLimitWindowMs: WINDOW_MS, credits: 10_000 },
	'reset',
);

const POLL = 'GET /api/v1/generations/:taskId';

function createNode(credentialId = 'test-rivyaApi', options: IDataObject = {}): TestNode {
	return generationCreateNode(
		{ options },
		{ credentials: { rivyaApi: { id: credentialId, name: credentialId } } },
	);
}

const prompts = (count: number, tag: string) =>
	Array.from({ length: count }, (_, index) => ({ prompt: `${tag} picture ${index}` }));

async function runBatch(items: number, credentialId?: string, tag = 'a', options?: IDataObject) {
	const result = await runWorkflow({
		nodes: [startNode(), createNode(credentialId, options)],
		connections: chain('Start', 'Rivya'),
		credentials: {
			rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
		},
		inputItems: prompts(items, tag),
	});
	expect(result.error).toBeUndefined();
	return result.outputOf('Rivya');
}

function expectAllSucceeded(items: INodeExecutionData[], count: number) {
	expect(items).toHaveLength(count);
	expect(
		items.filter((item) => item.json.status === 'succeeded' && item.binary?.data),
	).toHaveLength(count);
}

async function totals() {
	const counters = (await fixture.client.counters()) as Awaited<
		ReturnType<typeof fixture.client.counters>
	> &
		Record<string, number>;
	const requests = Object.values(counters.requests).reduce((sum, count) => sum + count, 0);
	// Result downloads are not sent with the key (nor counted against it).
	const keyRequests = requests - (counters.requests['GET /media'] ?? 0);
	return { counters, keyRequests, rateLimited: counters.rateLimited ?? 0 };
}

describe('batches at the rate limit', () => {
	it('a batch of 3 windows’ worth of requests: every item succeeds, one task and one charge each, few 429s', async () => {
		const ITEMS = 60;
		const items = await runBatch(ITEMS);
		expectAllSucceeded(items, ITEMS);
		const { counters, keyRequests, rateLimited } = await totals();
		expect(counters.tasksCreated).toBe(ITEMS);
		expect(counters.creditsCharged).toBe(ITEMS);
		// The limiter was reached (else this test proves nothing) ...
		expect(rateLimited).toBeGreaterThan(0);
		// ... and the key backed off: a 429 pauses every request on the key, so only the requests
		// already in flight (at most the Concurrency of 5) are refused per window.
		expect(rateLimited).toBeLessThanOrEqual(5 * Math.ceil(keyRequests / LIMIT));
		// The 300 ms jobs are seen done on their first status call (2.5 s after submit), except for
		// the calls refused with 429.
		expect(counters.requests[POLL]).toBeLessThanOrEqual(ITEMS + rateLimited);
	});

	it('three executions on one key at once, each with its own credential record (as separate workers): no item lost or paid twice', async () => {
		const PER_RUN = 25;
		const runs = await Promise.all(
			['first', 'second', 'third'].map(
				async (name) => await runBatch(PER_RUN, `credential-${name}`, name),
			),
		);
		for (const items of runs) expectAllSucceeded(items, PER_RUN);
		const { counters, keyRequests, rateLimited } = await totals();
		expect(counters.tasksCreated).toBe(3 * PER_RUN);
		expect(counters.creditsCharged).toBe(3 * PER_RUN);
		expect(rateLimited).toBeGreaterThan(0);
		// Each execution pauses on its own 429s and then sends fewer requests at once: with 15
		// requests in flight against a 40-request window, refusals stay a small share (before the
		// per-key gate, each request retried on its own and about 28% were refused).
		expect(rateLimited).toBeLessThanOrEqual(0.2 * keyRequests);
	});

	it('429s do not use up an item’s attempts: it waits them out within its retry-time budget', async () => {
		await fixture.client.addFault({
			route: 'POST /api/v1/generations',
			kind: 'rate_limit_storm',
			retryAfter: 1,
			times: 4,
		});
		// Three attempts would end at the third 429; the storm is four long.
		const items = await runBatch(1, undefined, 'storm', { maxAttempts: 3 });
		expectAllSucceeded(items, 1);
		const { counters } = await totals();
		expect(counters.tasksCreated).toBe(1);
		expect(counters.requests['POST /api/v1/generations']).toBe(5);
	});
});
