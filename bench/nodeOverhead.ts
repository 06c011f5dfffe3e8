/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// Benchmark 3: 1,000 credit checks through a workflow (1,000 items → Credit > Get Balance) against the
// same 1,000 requests from a plain node:http client, one after the other in both cases (the node
// handles items in turn). Runs alternate and the median of each side is compared.
// n8n-core's HTTP helper builds a new http.Agent for every request (backend-network setAxiosAgents),
// so each request opens a new connection: the comparable plain client does the same (agent: false).
// The ratio against a keep-alive client is printed as well, for information.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

import { startEmulator, type EmulatorHandle } from '../test/emulator';
import { EmulatorClient } from '../test/emulator/client';
import { chain, runWorkflow, startNode } from '../test/workflow/harness';
import { CREDITS_ROUTE, quantile, ratio, RIVYA_NODE_TYPE, type BenchRow } from './shared';

const REQUESTS = 1000;
const ROUNDS = 3;
const TARGET = 1.5;

async function throughWorkflow(emulator: EmulatorHandle): Promise<number> {
	const started = performance.now();
	const result = await runWorkflow({
		nodes: [
			startNode(),
			{
				name: 'Rivya',
				type: RIVYA_NODE_TYPE,
				parameters: { resource: 'credit', operation: 'getBalance' },
			},
		],
		connections: chain('Start', 'Rivya'),
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
		inputItems: Array.from({ length: REQUESTS }, (_, index) => ({ index })),
	});
	const elapsed = performance.now() - started;
	const items = result.outputOf('Rivya');
	const ok = items.filter((item) => typeof item.json.current_credits === 'number').length;
	if (result.status !== 'success' || ok !== REQUESTS) {
		throw new Error(
			`workflow ${result.status}: ${ok}/${REQUESTS} balances (${result.error?.message ?? ''})`,
		);
	}
	return elapsed;
}

function getJson(agent: http.Agent | false, url: URL, apiKey: string): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const req = http.get(
			url,
			{ agent, headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
					else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
				});
			},
		);
		req.on('error', reject);
	});
}

async function plainClient(emulator: EmulatorHandle, keepAlive: boolean): Promise<number> {
	const agent = new http.Agent({ keepAlive, maxSockets: 1 });
	const url = new URL('/api/v1/credits', emulator.baseUrl);
	const started = performance.now();
	try {
		for (let index = 0; index < REQUESTS; index++) {
			const body = (await getJson(keepAlive ? agent : false, url, emulator.apiKey)) as {
				current_credits?: unknown;
			};
			if (body.current_credits === undefined) throw new Error('no current_credits in the answer');
		}
		return performance.now() - started;
	} finally {
		agent.destroy();
	}
}

export async function benchNodeOverhead(): Promise<BenchRow[]> {
	const emulator = await startEmulator({ port: 0, rateLimitPerMinute: 1_000_000 });
	try {
		const client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
		// Warm-up: module loading and JIT must not count against either side.
		await throughWorkflow(emulator);
		await plainClient(emulator, false);
		await plainClient(emulator, true);
		const before = (await client.counters()).requests[CREDITS_ROUTE] ?? 0;
		const workflowMs: number[] = [];
		const newConnectionMs: number[] = [];
		const keepAliveMs: number[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			workflowMs.push(await throughWorkflow(emulator));
			newConnectionMs.push(await plainClient(emulator, false));
			keepAliveMs.push(await plainClient(emulator, true));
		}
		const expected = 3 * ROUNDS * REQUESTS;
		const counted = ((await client.counters()).requests[CREDITS_ROUTE] ?? 0) - before;
		const node = quantile(workflowMs, 0.5);
		const perRequest = (total: number) => `${(total / REQUESTS).toFixed(2)} ms/request`;
		const row = (label: string, plainTimes: number[], withTarget: boolean): BenchRow => {
			const plain = quantile(plainTimes, 0.5);
			const overhead = node / plain;
			return {
				name: `Node overhead: ${REQUESTS} credit checks, workflow ÷ plain client (${label})`,
				value: ratio(overhead),
				target: withTarget ? `≤ ${TARGET}×` : 'info',
				met: withTarget ? overhead <= TARGET && counted === expected : undefined,
				notes: `median of ${ROUNDS}: workflow ${perRequest(node)}, plain ${perRequest(plain)}; emulator counted ${counted}/${expected} requests`,
			};
		};
		return [
			row('new connection per request, like n8n-core', newConnectionMs, true),
			row('keep-alive', keepAliveMs, false),
		];
	} finally {
		await emulator.close();
	}
}
