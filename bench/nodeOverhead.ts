/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// Benchmark 3: 1,000 credit checks through a workflow (1,000 items → Credit > Get Balance) against the
// same 1,000 requests from a plain node:http client, one after the other in both cases (the node
// handles items in turn). Runs alternate (order rotating) and the median of each side is compared.
// n8n-core's HTTP helper builds a new http.Agent for every request (backend-network setAxiosAgents),
// so each request opens a new connection: the comparable plain client does the same (agent: false).
// The ratio against a keep-alive client is printed as well, for information.
// To tell our own cost from n8n's, a bare node makes the same 1,000 requests straight through
// `this.helpers.httpRequestWithAuthentication` (the only way a community node may send an
// authenticated request): "n8n floor" rows. Rivya node ÷ that floor is what this package adds.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../test/emulator';
import { EmulatorClient } from '../test/emulator/client';
import { chain, runWorkflow, startNode, type TestNode } from '../test/workflow/harness';
import { CREDITS_ROUTE, quantile, ratio, RIVYA_NODE_TYPE, type BenchRow } from './shared';

const REQUESTS = 1000;
const ROUNDS = 5;
const TARGET = 1.5;

const BARE_NODE_TYPE = 'bench.bareCreditCheck';

/** The least any node can do: one authenticated GET per item through n8n's helper, nothing else. */
const bareCreditCheckNode: INodeType = {
	description: {
		displayName: 'Bare Credit Check',
		name: 'bareCreditCheck',
		group: ['transform'],
		version: 1,
		description: 'GET /credits per item through n8n’s httpRequestWithAuthentication',
		defaults: { name: 'Bare' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'rivyaApi', required: true }],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('rivyaApi');
		const output: INodeExecutionData[] = [];
		for (let item = 0; item < this.getInputData().length; item++) {
			const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'rivyaApi', {
				method: 'GET',
				url: `${baseUrl}/api/v1/credits`,
				headers: { Accept: 'application/json' },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
			})) as { body: INodeExecutionData['json'] };
			output.push({ json: response.body, pairedItem: { item } });
		}
		return [output];
	},
};

const rivyaNode: TestNode = {
	name: 'Rivya',
	type: RIVYA_NODE_TYPE,
	typeVersion: 1, // Rivya's current_credits, like the bare node (version 2 renames it currentCredits)
	parameters: { resource: 'credit', operation: 'getBalance' },
};
const bareNode: TestNode = { name: 'Rivya', type: BARE_NODE_TYPE };

async function throughWorkflow(emulator: EmulatorHandle, node = rivyaNode): Promise<number> {
	const started = performance.now();
	const result = await runWorkflow({
		nodes: [startNode(), node],
		connections: chain('Start', 'Rivya'),
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
		nodeTypes: { [BARE_NODE_TYPE]: bareCreditCheckNode },
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
		await throughWorkflow(emulator, bareNode);
		await plainClient(emulator, false);
		await plainClient(emulator, true);
		const before = (await client.counters()).requests[CREDITS_ROUTE] ?? 0;
		const workflowMs: number[] = [];
		const floorMs: number[] = [];
		const newConnectionMs: number[] = [];
		const keepAliveMs: number[] = [];
		const sides: Array<[number[], () => Promise<number>]> = [
			[workflowMs, async () => await throughWorkflow(emulator)],
			[floorMs, async () => await throughWorkflow(emulator, bareNode)],
			[newConnectionMs, async () => await plainClient(emulator, false)],
			[keepAliveMs, async () => await plainClient(emulator, true)],
		];
		for (let round = 0; round < ROUNDS; round++) {
			// The order rotates every round, so no side always runs right after the same one.
			for (let turn = 0; turn < sides.length; turn++) {
				const [times, run] = sides[(round + turn) % sides.length];
				times.push(await run());
			}
		}
		const expected = 4 * ROUNDS * REQUESTS;
		const counted = ((await client.counters()).requests[CREDITS_ROUTE] ?? 0) - before;
		const node = quantile(workflowMs, 0.5);
		const floor = quantile(floorMs, 0.5);
		const newConnection = quantile(newConnectionMs, 0.5);
		const perRequest = (total: number) => `${(total / REQUESTS).toFixed(2)} ms/request`;
		const counts = `emulator counted ${counted}/${expected} requests`;
		const row = (
			label: string,
			mine: number,
			theirs: number,
			withTarget: boolean,
			notes: string,
		): BenchRow => ({
			name: `Node overhead: ${REQUESTS} credit checks, ${label}`,
			value: ratio(mine / theirs),
			target: withTarget ? `≤ ${TARGET}×` : 'info',
			met: withTarget ? mine / theirs <= TARGET && counted === expected : undefined,
			notes,
		});
		return [
			row(
				'workflow ÷ plain client (new connection per request, like n8n-core)',
				node,
				newConnection,
				true,
				`median of ${ROUNDS}: workflow ${perRequest(node)}, plain ${perRequest(newConnection)}; ${counts}`,
			),
			row(
				'workflow ÷ plain client (keep-alive)',
				node,
				quantile(keepAliveMs, 0.5),
				false,
				`plain ${perRequest(quantile(keepAliveMs, 0.5))}`,
			),
			row(
				'n8n floor: bare node with n8n’s httpRequestWithAuthentication ÷ plain client (new connection)',
				floor,
				newConnection,
				false,
				`bare node ${perRequest(floor)}: n8n-core’s own per-request cost, which no node can avoid`,
			),
			row(
				'Rivya node ÷ n8n floor (what this package adds)',
				node,
				floor,
				false,
				`Rivya node ${perRequest(node)} vs bare node ${perRequest(floor)}; 1.00× = nothing added beyond n8n`,
			),
		];
	} finally {
		await emulator.close();
	}
}
