// The shared transport through n8n's real engine (real IExecuteFunctions, credential helper and HTTP
// client) against the Rivya emulator: retries, Retry-After, idempotent POSTs, error mapping, secrecy.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { rivyaRequestFull } from '../../nodes/shared/transport';
import type { FaultInput } from '../emulator/client';
import { chain, runWorkflow, startNode, type NodeTypeMap } from './harness';
import { useEmulatorPerFile } from './emulator-fixture';

/** Sends one request through the transport; parameters mirror RivyaRequest. */
class TransportCallerNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transport Caller',
		name: 'transportCaller',
		group: ['transform'],
		version: 1,
		description: 'Test node: one request through the Rivya transport',
		usableAsTool: true,
		defaults: { name: 'Transport Caller' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'rivyaApi', required: true }],
		properties: [
			{ displayName: 'Method', name: 'method', type: 'string', default: 'GET' },
			{ displayName: 'Path', name: 'path', type: 'string', default: '/credits' },
			{ displayName: 'Body', name: 'body', type: 'json', default: '{}' },
			{ displayName: 'Idempotency Key', name: 'idempotencyKey', type: 'string', default: '' },
			{ displayName: 'Required Scope', name: 'requiredScope', type: 'string', default: '' },
			{ displayName: 'Max Attempts', name: 'maxAttempts', type: 'number', default: 4 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const method = this.getNodeParameter('method', 0) as 'GET' | 'POST';
		const body = JSON.parse(this.getNodeParameter('body', 0) as string) as IDataObject;
		const idempotencyKey = (this.getNodeParameter('idempotencyKey', 0) as string) || undefined;
		const requiredScope = (this.getNodeParameter('requiredScope', 0) as string) || undefined;
		const response = await rivyaRequestFull.call(this, {
			method,
			path: this.getNodeParameter('path', 0) as string,
			body: method === 'GET' ? undefined : body,
			idempotencyKey,
			retry: {
				maxAttempts: this.getNodeParameter('maxAttempts', 0) as number,
				baseDelayMs: 50,
				maxDelayMs: 200,
			},
			itemIndex: 0,
			errorContext: { requiredScope },
		});
		return [
			[
				{
					json: {
						status: response.status,
						body: response.body,
						replayed: response.replayed,
						attempts: response.attempts,
					},
					pairedItem: { item: 0 },
				},
			],
		];
	}
}

const nodeTypes: NodeTypeMap = { 'test.transportCaller': new TransportCallerNode() };

const fixture = useEmulatorPerFile({}, 'clearFaults');

async function call(
	parameters: INodeParameters,
	apiKey = fixture.emulator.apiKey,
	baseUrl = fixture.emulator.baseUrl,
) {
	return await runWorkflow({
		nodes: [startNode(), { name: 'Call', type: 'test.transportCaller', parameters }],
		connections: chain('Start', 'Call'),
		nodeTypes,
		credentials: { rivyaApi: { apiKey, baseUrl } },
	});
}

/** The emulator answers the next `times` requests to `route` with `status` (and `extra`'s fields). */
async function failNext(
	route: string,
	status: number,
	times: number,
	extra: Partial<FaultInput> = {},
): Promise<void> {
	await fixture.client.addFault({ route, kind: 'status', status, times, ...extra });
}

async function requestsTo(route: string): Promise<number> {
	return (await fixture.client.counters()).requests[route] ?? 0;
}

const generationBody = JSON.stringify({ model: 'z-image', prompt: 'a lighthouse at dusk' });

describe('retries', () => {
	it('retries a GET on 500 until it succeeds', async () => {
		const before = await requestsTo('GET /api/v1/credits');
		await failNext('GET /api/v1/credits', 500, 2);
		const result = await call({ method: 'GET', path: '/credits' });
		expect(result.error).toBeUndefined();
		expect(result.outputOf('Call')[0].json).toMatchObject({ status: 200, attempts: 3 });
		expect(await requestsTo('GET /api/v1/credits')).toBe(before + 3);
	});

	it("waits for 429's Retry-After before the next attempt", async () => {
		const before = await requestsTo('GET /api/v1/credits');
		await failNext('GET /api/v1/credits', 429, 1, { code: 'rate_limited', retryAfter: 1 });
		const startedAt = Date.now();
		const result = await call({ method: 'GET', path: '/credits' });
		expect(result.outputOf('Call')[0].json).toMatchObject({ status: 200, attempts: 2 });
		// The policy's own backoff here is at most 200 ms: only Retry-After explains a 1 s wait.
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
		expect(await requestsTo('GET /api/v1/credits')).toBe(before + 2);
	});

	it('gives up after the configured attempts with the last error', async () => {
		const before = await requestsTo('GET /api/v1/credits');
		await failNext('GET /api/v1/credits', 503, 5);
		const result = await call({ method: 'GET', path: '/credits', maxAttempts: 2 });
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '503' });
		expect(await requestsTo('GET /api/v1/credits')).toBe(before + 2);
	});

	it('never repeats a POST without an Idempotency-Key after a 500 (it may have started a task)', async () => {
		const before = await fixture.client.counters();
		await failNext('POST /api/v1/generations', 500, 1);
		const result = await call({ method: 'POST', path: '/generations', body: generationBody });
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '500' });
		const after = await fixture.client.counters();
		expect(
			after.requests['POST /api/v1/generations'] -
				(before.requests['POST /api/v1/generations'] ?? 0),
		).toBe(1);
		expect(after.tasksCreated).toBe(before.tasksCreated);
	});

	it('retries a POST with an Idempotency-Key after a 500 and creates exactly one task', async () => {
		const before = await fixture.client.counters();
		await failNext('POST /api/v1/generations', 500, 1);
		const result = await call({
			method: 'POST',
			path: '/generations',
			body: generationBody,
			idempotencyKey: `transport-500-${Date.now()}`,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputOf('Call')[0].json).toMatchObject({ attempts: 2, replayed: false });
		const after = await fixture.client.counters();
		expect(after.tasksCreated - before.tasksCreated).toBe(1);
	});

	it('replays the first answer when the answer to a keyed POST is lost', async () => {
		const before = await fixture.client.counters();
		await fixture.client.addFault({
			route: 'POST /api/v1/generations',
			kind: 'drop_after_response',
			times: 1,
		});
		const result = await call({
			method: 'POST',
			path: '/generations',
			body: generationBody,
			idempotencyKey: `transport-drop-${Date.now()}`,
		});
		expect(result.error).toBeUndefined();
		const output = result.outputOf('Call')[0].json;
		expect(output).toMatchObject({ attempts: 2, replayed: true });
		const after = await fixture.client.counters();
		expect(after.tasksCreated - before.tasksCreated).toBe(1);
		expect(after.creditsReserved - before.creditsReserved).toBe(1);
		const tasks = (await fixture.client.tasks()).tasks;
		expect(tasks.filter((task) => task.id === (output.body as IDataObject).id)).toHaveLength(1);
	});
});

describe('errors', () => {
	/** Everything n8n keeps of a failed execution, as text. */
	const serialized = (result: Awaited<ReturnType<typeof call>>) =>
		JSON.stringify(result.error) + JSON.stringify(result.run);

	it('maps 401 to the key hint, without the key anywhere', async () => {
		const badKey = ['rvya', 'sk', 'not', 'a', 'real', 'key', '0123456789'].join('_');
		const result = await call({ method: 'GET', path: '/credits' }, badKey);
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '401' });
		expect(result.error?.message).toMatch(/\[api_key_invalid\]/);
		expect(result.error?.description).toMatch(/rvya_sk_/);
		expect(result.error?.description).toMatch(/request ID: req_/);
		expect(serialized(result)).not.toContain(badKey);
	});

	it('maps 403 to the missing scope', async () => {
		const { apiKey } = await fixture.client.createAccount({ credits: 10, scopes: ['models:read'] });
		const result = await call(
			{ method: 'GET', path: '/credits', requiredScope: 'credits:read' },
			apiKey,
		);
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '403' });
		expect(result.error?.message).toMatch(/\[api_scope_denied\]/);
		expect(result.error?.description).toMatch(/lacks the "credits:read" scope/);
		expect(serialized(result)).not.toContain(apiKey);
	});

	it('maps 404 to not found', async () => {
		const result = await call({ method: 'GET', path: '/generations/task_doesnotexist' });
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '404' });
		expect(result.error?.message).toMatch(/\[not_found\]/);
		expect(serialized(result)).not.toContain(fixture.emulator.apiKey);
	});

	it('maps 402 to the balance and says nothing was charged', async () => {
		const { apiKey } = await fixture.client.createAccount({ credits: 0 });
		const before = await fixture.client.counters();
		const result = await call(
			{
				method: 'POST',
				path: '/generations',
				body: generationBody,
				idempotencyKey: `transport-402-${Date.now()}`,
			},
			apiKey,
		);
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '402' });
		expect(result.error?.message).toMatch(/\[insufficient_credits\]/);
		expect(result.error?.description).toMatch(/Your balance is 0 credits/);
		expect(result.error?.description).toMatch(/nothing was charged/i);
		expect((await fixture.client.counters()).tasksCreated).toBe(before.tasksCreated);
		expect(serialized(result)).not.toContain(apiKey);
	});

	it('keeps the key out of network errors too', async () => {
		// Nothing listens on port 9 (discard) on a test machine: the connection is refused.
		const result = await call({ maxAttempts: 1 }, fixture.emulator.apiKey, 'http://127.0.0.1:9');
		expect(result.error).toMatchObject({ name: 'NodeApiError' });
		expect(result.error?.description).toMatch(/Base URL/);
		expect(serialized(result)).not.toContain(fixture.emulator.apiKey);
	});
});
