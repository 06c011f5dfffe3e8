/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// Runs the big-batch scenario in a fresh process (started by bigBatch.ts): `executions` workflows at
// once, each Generation > Create over its share of the items, in filesystem binary mode, sampling
// RSS. Each execution uses its own credential record (same API key), so each has its own rate-limit
// gate, as separate n8n processes (queue-mode workers) would. The emulator lives in the parent.
// Input: env RIVYA_BENCH_BATCH = JSON {baseUrl, apiKey, model, items, executions}.
// Output: last stdout line `RESULT <json>`.
import { performance } from 'node:perf_hooks';

import { chain, runWorkflow, startNode } from '../test/workflow/harness';
import { generationCreateNode, prompts } from './shared';

interface Config {
	baseUrl: string;
	apiKey: string;
	model: string;
	items: number;
	executions: number;
}

const config = JSON.parse(process.env.RIVYA_BENCH_BATCH ?? '{}') as Config;
const gc = (globalThis as { gc?: () => void }).gc;

async function run(items: number, credentialId: string) {
	const node = generationCreateNode(config.model, 'image');
	node.credentials = { rivyaApi: { id: credentialId, name: `Rivya ${credentialId}` } };
	const result = await runWorkflow({
		nodes: [startNode(), node],
		connections: chain('Start', 'Rivya'),
		credentials: { rivyaApi: { apiKey: config.apiKey, baseUrl: config.baseUrl } },
		binaryMode: 'filesystem',
		inputItems: prompts(items),
	});
	if (result.status !== 'success')
		throw new Error(`workflow ${result.status}: ${result.error?.message}`);
	const output = result.outputOf('Rivya');
	return {
		results: output.filter((item) => item.json.status === 'succeeded' && item.binary?.data).length,
		onDisk: output.filter((item) => item.binary?.data?.id).length,
	};
}

async function main() {
	// Warm-up: loads n8n-core, compiles our node from source, sets up the binary store.
	await run(1, 'warm-up');
	gc?.();
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, 20);
	const started = performance.now();
	const share = Math.ceil(config.items / config.executions);
	const runs = await Promise.all(
		Array.from({ length: config.executions }, async (_, index) =>
			run(Math.min(share, config.items - index * share), `execution-${index + 1}`),
		),
	);
	const wallMs = performance.now() - started;
	clearInterval(timer);
	peak = Math.max(peak, process.memoryUsage().rss);
	console.log(
		`RESULT ${JSON.stringify({
			wallMs,
			results: runs.reduce((sum, entry) => sum + entry.results, 0),
			onDisk: runs.reduce((sum, entry) => sum + entry.onDisk, 0),
			baseline,
			peak,
		})}`,
	);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
