// Benchmark: 1,000 items at the rate limit. Rivya's limit is per key over a sliding minute; to see
// many windows in seconds the emulator keeps the default 600 requests per window but shortens the
// window to 6 s (100 requests a second). The bound the limit sets: each item needs at least two
// requests on the key (create + one status call), so 1,000 items need ≥ 2,000 ÷ 100/s = 20 s.
// Runs in a child process (bigBatchChild.ts), so RSS is the node's and n8n's, not the emulator's.

import { startEmulator } from '../test/emulator';
import { EmulatorClient } from '../test/emulator/client';
import { CREATE_ROUTE, mb, POLL_ROUTE, ratio, runChild, type BenchRow } from './shared';

const ITEMS = 1000;
const JOB_MS = 3000;
const MODEL = 'z-image';
const LIMIT = 600;
const WINDOW_MS = 6000;
const MIN_REQUESTS_PER_ITEM = 2;
const WALL_TARGET = 1.2;
const RATE_LIMITED_TARGET = 0.05;
const RSS_TARGET_BYTES = 128 * 1024 * 1024;

interface ChildResult {
	wallMs: number;
	results: number;
	onDisk: number;
	baseline: number;
	peak: number;
}

async function scenario(executions: number): Promise<{ rows: BenchRow[]; child: ChildResult }> {
	const emulator = await startEmulator({
		port: 0,
		credits: 100_000,
		rateLimitPerMinute: LIMIT,
		rateLimitWindowMs: WINDOW_MS,
		// 1,000 distinct prompts would be 1,000 drawings (~13 s of the emulator's CPU in this process).
		promptPictures: false,
	});
	try {
		const client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
		await client.setModelBehavior(MODEL, { durationMs: JOB_MS });
		const child = await runChild<ChildResult>('bigBatchChild.ts', 'RIVYA_BENCH_BATCH', {
			baseUrl: emulator.baseUrl,
			apiKey: emulator.apiKey,
			model: MODEL,
			items: ITEMS,
			executions,
		});
		// The warm-up item is in the counters too: take it out.
		const counters = (await client.counters()) as Awaited<ReturnType<typeof client.counters>> &
			Record<string, unknown>;
		const tasks = counters.tasksCreated - 1;
		const charged = counters.creditsCharged - 1;
		const requests = Object.values(counters.requests).reduce((sum, count) => sum + count, 0);
		const keyRequests = requests - (counters.requests['GET /media'] ?? 0);
		const limited = Number(counters.rateLimited ?? 0);
		const limitedWithoutKey = Number(counters.rateLimitedWithoutKey ?? 0);
		const boundMs = ((ITEMS * MIN_REQUESTS_PER_ITEM) / LIMIT) * WINDOW_MS;
		const wallRatio = child.wallMs / boundMs;
		const limitedShare = (limited + limitedWithoutKey) / requests;
		const label =
			executions === 1
				? `Big batch: ${ITEMS} items × ${JOB_MS / 1000} s jobs, one execution`
				: `Big batch: ${executions} executions × ${ITEMS / executions} items on one key, at once`;
		const counts = `${child.results}/${ITEMS} results, ${tasks} tasks, ${charged} charged`;
		const countsMet = child.results === ITEMS && tasks === ITEMS && charged === ITEMS;
		return {
			child,
			rows: [
				{
					name: `${label}: wall ÷ rate-limit bound`,
					value: ratio(wallRatio),
					target: `≤ ${WALL_TARGET}×`,
					met: wallRatio <= WALL_TARGET && countsMet,
					notes: `wall ${(child.wallMs / 1000).toFixed(1)} s, bound ${(boundMs / 1000).toFixed(0)} s (${ITEMS * MIN_REQUESTS_PER_ITEM} requests at ${LIMIT} per ${WINDOW_MS / 1000} s); ${counts}`,
				},
				{
					name: `${label}: 429 answers ÷ all requests`,
					value: `${(limitedShare * 100).toFixed(1)}%`,
					target: `≤ ${RATE_LIMITED_TARGET * 100}%`,
					met: limitedShare <= RATE_LIMITED_TARGET && countsMet,
					notes: `${limited + limitedWithoutKey} of ${requests} (${limited} on the key, ${limitedWithoutKey} downloads); key requests ${keyRequests}: ${counters.requests[CREATE_ROUTE] ?? 0} creates, ${counters.requests[POLL_ROUTE] ?? 0} status calls`,
				},
			],
		};
	} finally {
		await emulator.close();
	}
}

export async function benchBigBatch(): Promise<BenchRow[]> {
	const { rows, child } = await scenario(1);
	const growth = child.peak - child.baseline;
	rows.push({
		name: `Big batch: ${ITEMS} items into filesystem binary, peak RSS growth`,
		value: mb(growth),
		target: `≤ ${mb(RSS_TARGET_BYTES)}`,
		met: growth <= RSS_TARGET_BYTES && child.onDisk === ITEMS,
		notes: `RSS ${mb(child.baseline)} → peak ${mb(child.peak)}; ${child.onDisk} results in binary storage`,
	});
	return rows;
}

export async function benchSharedKey(): Promise<BenchRow[]> {
	return (await scenario(4)).rows;
}
