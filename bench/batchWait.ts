/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// Benchmark 1: 50 items of 3 s jobs with "Wait for Completion" on. A batch should take about as long as
// its slowest job (submitted and polled together), not the sum of all jobs.
import { performance } from 'node:perf_hooks';

import { startEmulator } from '../test/emulator';
import { EmulatorClient } from '../test/emulator/client';
import { chain, runWorkflow, startNode } from '../test/workflow/harness';
import { CREATE_ROUTE, generationCreateNode, prompts, ratio, type BenchRow } from './shared';

const ITEMS = 50;
const JOB_MS = 3000;
const MODEL = 'z-image';
const TARGET = 1.5;

export async function benchBatchWait(): Promise<BenchRow[]> {
	// No prompt pictures: 50 drawings (~13 ms each) would run on this process's thread, timed as the node's.
	const emulator = await startEmulator({
		port: 0,
		credits: 100_000,
		rateLimitPerMinute: 100_000,
		promptPictures: false,
	});
	try {
		const client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
		await client.setModelBehavior(MODEL, { durationMs: JOB_MS });
		const started = performance.now();
		const result = await runWorkflow({
			nodes: [startNode(), generationCreateNode(MODEL, 'image')],
			connections: chain('Start', 'Rivya'),
			credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
			inputItems: prompts(ITEMS),
		});
		const wallMs = performance.now() - started;
		if (result.status !== 'success')
			throw new Error(`workflow ${result.status}: ${result.error?.message}`);
		const items = result.outputOf('Rivya');
		const succeeded = items.filter(
			(item) => item.json.status === 'succeeded' && item.binary?.data,
		).length;
		const counters = await client.counters();
		const wallRatio = wallMs / JOB_MS;
		return [
			{
				name: `Batch wait: ${ITEMS} items × ${JOB_MS / 1000} s jobs, wall ÷ one job`,
				value: ratio(wallRatio),
				target: `≤ ${TARGET}×`,
				met: wallRatio <= TARGET && succeeded === ITEMS,
				notes: `${succeeded}/${ITEMS} succeeded with binary; ${counters.tasksCreated} tasks, ${counters.requests[CREATE_ROUTE] ?? 0} creates; wall ${(wallMs / 1000).toFixed(2)} s`,
			},
		];
	} finally {
		await emulator.close();
	}
}
