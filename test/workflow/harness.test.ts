/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// Proves the workflow harness with throwaway nodes against a local HTTP server: real n8n engine,
// real auth headers on the wire, real binary storage, real cancel/timeout, webhook and supplyData contexts.
import { NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
	SupplyData,
} from 'n8n-workflow';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import {
	binaryFilePath,
	binaryStorageDir,
	chain,
	createTriggerHarness,
	NO_OP_NODE_TYPE,
	readBinary,
	runWorkflow,
	startNode,
	startWorkflow,
	supplyData,
	testCredentials,
} from './harness';
import type { BinaryMode, TestNode } from './harness';

// ---------------------------------------------------------------------------------------------
// A local server standing in for the Rivya API: records every request.
// ---------------------------------------------------------------------------------------------

const API_KEY = 'rvya_sk_harness_test';

interface ReceivedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

const received: ReceivedRequest[] = [];
let server: http.Server;
let baseUrl: string;

function reply(res: http.ServerResponse, status: number, body?: unknown) {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(body === undefined ? undefined : JSON.stringify(body));
}

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			received.push(request);
			if (req.headers.authorization !== `Bearer ${API_KEY}`) {
				return reply(res, 401, { error: { code: 'invalid_api_key' } });
			}
			if (request.method === 'POST' && request.url === '/api/v1/webhooks') {
				return reply(res, 201, { id: 'whe_1', secret: 'whsec_test' });
			}
			if (request.method === 'DELETE') return reply(res, 204);
			return reply(res, 200, { credits: 42, path: request.url });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	received.length = 0;
});

const credentials = () => ({ rivyaApi: { apiKey: API_KEY, baseUrl } });

// ---------------------------------------------------------------------------------------------
// Throwaway node types
// ---------------------------------------------------------------------------------------------

const describeNode = (
	name: string,
	extra: Partial<INodeTypeDescription> = {},
): INodeTypeDescription => ({
	displayName: name,
	name,
	group: ['transform'],
	version: 1,
	description: `Harness test node ${name}`,
	defaults: { name },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	properties: [],
	...extra,
});

const rivyaCredential = [{ name: 'rivyaApi', required: true }];

/** GETs `path` (an expression per item) with the rivyaApi credential, like our transport will. */
class ApiCallerNode implements INodeType {
	description = describeNode('apiCaller', {
		credentials: rivyaCredential,
		properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '/api/v1/credits' }],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { baseUrl: apiBase } = await this.getCredentials<{ baseUrl: string }>('rivyaApi');
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const path = this.getNodeParameter('path', i) as string;
			// Throws n8n's NodeApiError on HTTP errors.
			const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'rivyaApi', {
				method: 'GET',
				url: `${apiBase}${path}`,
				json: true,
			})) as IDataObject;
			out.push({ json: { ...response, executionId: this.getExecutionId() }, pairedItem: i });
		}
		return [out];
	}
}

/** Emits `size` random bytes as binary `data`, from a Buffer or a stream. */
class BinaryWriterNode implements INodeType {
	description = describeNode('binaryWriter', {
		properties: [
			{ displayName: 'Size', name: 'size', type: 'number', default: 1024 },
			{ displayName: 'As Stream', name: 'asStream', type: 'boolean', default: false },
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const bytes = randomBytes(this.getNodeParameter('size', 0) as number);
		const source = this.getNodeParameter('asStream', 0) ? Readable.from([bytes]) : bytes;
		const binary = await this.helpers.prepareBinaryData(source, 'result.png', 'image/png');
		const sha256 = createHash('sha256').update(bytes).digest('hex');
		return [[{ json: { sha256 }, binary: { data: binary } }]];
	}
}

/** Reads binary `data` the way our upload code will: a stream when stored, else the buffer. */
class BinaryReaderNode implements INodeType {
	description = describeNode('binaryReader');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const binary = this.helpers.assertBinaryData(0, 'data');
		let bytes: Buffer;
		if (binary.id) {
			const chunks: Buffer[] = [];
			for await (const chunk of await this.helpers.getBinaryStream(binary.id)) chunks.push(chunk);
			bytes = Buffer.concat(chunks);
		} else {
			bytes = await this.helpers.getBinaryDataBuffer(0, 'data');
		}
		const sha256 = createHash('sha256').update(bytes).digest('hex');
		return [[{ json: { readSha256: sha256, streamed: Boolean(binary.id) } }]];
	}
}

/** What a node throws when it notices the cancel signal (the name is what n8n looks at). */
class ExecutionCancelledError extends Error {
	name = 'ExecutionCancelledError';
}

/** Sleeps `ms` in 50 ms slices; `onCancel` decides how it reacts to the cancel signal. */
class SleeperNode implements INodeType {
	description = describeNode('sleeper', {
		properties: [
			{ displayName: 'Ms', name: 'ms', type: 'number', default: 30_000 },
			{
				displayName: 'On Cancel',
				name: 'onCancel',
				type: 'options',
				options: [
					{ name: 'Throw Cancelled Error', value: 'cancelledError' },
					{ name: 'Throw Node Error', value: 'nodeError' },
					{ name: 'Ignore', value: 'ignore' },
				],
				default: 'cancelledError',
			},
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const deadline = Date.now() + (this.getNodeParameter('ms', 0) as number);
		const signal = this.getExecutionCancelSignal();
		const onCancel = this.getNodeParameter('onCancel', 0) as string;
		while (Date.now() < deadline) {
			if (signal?.aborted && onCancel === 'cancelledError') {
				throw new ExecutionCancelledError('The execution was cancelled');
			}
			if (signal?.aborted && onCancel === 'nodeError') {
				throw new NodeOperationError(this.getNode(), 'Stopped waiting');
			}
			await sleep(50);
		}
		return [[{ json: { slept: true } }]];
	}
}

/** Streams begin/item/end chunks when n8n streaming is on. */
class StreamerNode implements INodeType {
	description = describeNode('streamer');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const streaming = this.isStreaming();
		if (streaming) {
			this.sendChunk('begin', 0);
			this.sendChunk('item', 0, 'Hello');
			this.sendChunk('item', 0, { text: ' world' });
			this.sendChunk('end', 0);
		}
		return [[{ json: { streaming } }]];
	}
}

/** A Rivya-like webhook trigger: registers its URL, verifies HMAC signatures of the raw body. */
class SignedTriggerNode implements INodeType {
	description = describeNode('signedTrigger', {
		group: ['trigger'],
		inputs: [],
		credentials: rivyaCredential,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'rivya' }],
	});

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return this.getWorkflowStaticData('node').endpointId !== undefined;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const { baseUrl: apiBase } = await this.getCredentials<{ baseUrl: string }>('rivyaApi');
				const endpoint = (await this.helpers.httpRequestWithAuthentication.call(this, 'rivyaApi', {
					method: 'POST',
					url: `${apiBase}/api/v1/webhooks`,
					body: { url: this.getNodeWebhookUrl('default') },
					json: true,
				})) as { id: string; secret: string };
				const staticData = this.getWorkflowStaticData('node');
				staticData.endpointId = endpoint.id;
				staticData.secret = endpoint.secret;
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const { baseUrl: apiBase } = await this.getCredentials<{ baseUrl: string }>('rivyaApi');
				const staticData = this.getWorkflowStaticData('node');
				await this.helpers.httpRequestWithAuthentication.call(this, 'rivyaApi', {
					method: 'DELETE',
					url: `${apiBase}/api/v1/webhooks/${staticData.endpointId as string}`,
				});
				delete staticData.endpointId;
				delete staticData.secret;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject() as unknown as { rawBody: Buffer };
		const secret = this.getWorkflowStaticData('node').secret as string;
		const expected = createHmac('sha256', secret).update(request.rawBody).digest('hex');
		if (this.getHeaderData()['x-rivya-signature'] !== expected) {
			this.getResponseObject().status(401).send('invalid signature');
			return { noWebhookResponse: true };
		}
		return { workflowData: [[{ json: this.getBodyData() }]] };
	}
}

/** A chat-model-like sub-node: supplies an object whose `invoke` calls the API with the credential. */
class ChatModelNode implements INodeType {
	description = describeNode('chatModel', {
		group: ['transform'],
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		credentials: rivyaCredential,
		properties: [{ displayName: 'Model', name: 'model', type: 'string', default: 'rivya-chat' }],
	});

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const model = this.getNodeParameter('model', itemIndex) as string;
		const { baseUrl: apiBase } = await this.getCredentials<{ baseUrl: string }>('rivyaApi');
		const invoke = async (prompt: string) =>
			(await this.helpers.httpRequestWithAuthentication.call(this, 'rivyaApi', {
				method: 'GET',
				url: `${apiBase}/api/v1/chat?model=${model}&prompt=${encodeURIComponent(prompt)}`,
				json: true,
			})) as IDataObject;
		return { response: { model, invoke } };
	}
}

const nodeTypes = {
	'test.apiCaller': new ApiCallerNode(),
	'test.binaryWriter': new BinaryWriterNode(),
	'test.binaryReader': new BinaryReaderNode(),
	'test.sleeper': new SleeperNode(),
	'test.streamer': new StreamerNode(),
	'test.signedTrigger': new SignedTriggerNode(),
	'test.chatModel': new ChatModelNode(),
};

const sleeperWorkflow = (parameters: IDataObject = {}) => ({
	nodes: [startNode(), { name: 'Sleep', type: 'test.sleeper', parameters }] as TestNode[],
	connections: chain('Start', 'Sleep'),
	nodeTypes,
});

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('runWorkflow: real engine, real credentials', () => {
	it('sends the Bearer key from the credential type, resolves expressions, returns the output', async () => {
		const result = await runWorkflow({
			nodes: [
				startNode(),
				{ name: 'Call', type: 'test.apiCaller', parameters: { path: '=/api/v1/{{ $json.what }}' } },
			],
			connections: chain('Start', 'Call'),
			nodeTypes,
			credentials: credentials(),
			inputItems: [{ what: 'credits' }, { what: 'models' }],
		});

		expect(result.status).toBe('success');
		expect(result.executedNodes).toEqual(['Start', 'Call']);
		expect(received.map((r) => [r.url, r.headers.authorization])).toEqual([
			['/api/v1/credits', `Bearer ${API_KEY}`],
			['/api/v1/models', `Bearer ${API_KEY}`],
		]);
		expect(result.outputOf('Call').map((item) => item.json)).toEqual([
			{ credits: 42, path: '/api/v1/credits', executionId: result.executionId },
			{ credits: 42, path: '/api/v1/models', executionId: result.executionId },
		]);
	});

	it('gives every run a new execution id, and reuses a fixed one when asked (retry)', async () => {
		const workflow = {
			nodes: [startNode(), { name: 'Call', type: 'test.apiCaller' }],
			connections: chain('Start', 'Call'),
			nodeTypes,
			credentials: credentials(),
		};
		const first = await runWorkflow(workflow);
		const second = await runWorkflow(workflow);
		const retried = await runWorkflow({ ...workflow, executionId: first.executionId });

		expect(first.executionId).toMatch(/^\d+$/);
		expect(second.executionId).not.toBe(first.executionId);
		expect(retried.executionId).toBe(first.executionId);
		expect(retried.outputOf('Call')[0].json.executionId).toBe(first.executionId);
	});

	it('reports a failing node as an execution error', async () => {
		const result = await runWorkflow({
			nodes: [startNode(), { name: 'Call', type: 'test.apiCaller' }],
			connections: chain('Start', 'Call'),
			nodeTypes,
			credentials: { rivyaApi: { apiKey: 'rvya_sk_wrong', baseUrl } },
		});

		expect(result.status).toBe('error');
		// Serialized the way n8n stores it: a plain object with the error's fields.
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '401',
			message: 'Authorization failed - please check your credentials',
			node: { name: 'Call' },
		});
		expect(() => result.outputOf('Call')).toThrow(/Call" failed/);
	});

	it('runs the credential type test request (RivyaApi from credentials/)', async () => {
		const ok = await testCredentials('rivyaApi', {
			apiKey: API_KEY,
			baseUrl: `${baseUrl}/api/v1/`,
		});
		const rejected = await testCredentials('rivyaApi', { apiKey: 'rvya_sk_wrong', baseUrl });

		expect(ok).toMatchObject({ status: 'OK', statusCode: 200 });
		expect(rejected).toMatchObject({ status: 'Error', statusCode: 401 });
		expect(received.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
			['GET', '/api/v1/credits', `Bearer ${API_KEY}`],
			['GET', '/api/v1/credits', 'Bearer rvya_sk_wrong'],
		]);
	});
});

describe.each<BinaryMode>(['default', 'filesystem'])('binary data in %s mode', (binaryMode) => {
	it.each([false, true])(
		'round-trips bytes through n8n helpers (stream input: %s)',
		async (asStream) => {
			const result = await runWorkflow({
				nodes: [
					startNode(),
					{ name: 'Write', type: 'test.binaryWriter', parameters: { size: 300_000, asStream } },
					{ name: 'Read', type: 'test.binaryReader' },
				],
				connections: chain('Start', 'Write', 'Read'),
				nodeTypes,
				binaryMode,
			});

			expect(result.status).toBe('success');
			const [written] = result.outputOf('Write');
			const bytes = await readBinary(written, 'data');
			expect(bytes.length).toBe(300_000);
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(written.json.sha256);
			expect(result.outputOf('Read')[0].json).toEqual({
				readSha256: written.json.sha256,
				streamed: binaryMode === 'filesystem',
			});
			expect(written.binary?.data).toMatchObject({
				mimeType: 'image/png',
				fileName: 'result.png',
				bytes: 300_000,
			});

			const file = await binaryFilePath(written, 'data');
			if (binaryMode === 'filesystem') {
				// The item carries only a storage marker; the bytes live on disk.
				expect(written.binary?.data.data).toBe('filesystem-v2');
				expect(written.binary?.data.id).toMatch(/^filesystem-v2:/);
				expect(file?.startsWith(await binaryStorageDir())).toBe(true);
				expect(existsSync(file as string)).toBe(true);
				expect(readFileSync(file as string).equals(bytes)).toBe(true);
			} else {
				expect(written.binary?.data.id).toBeUndefined();
				expect(Buffer.from(written.binary?.data.data as string, 'base64').equals(bytes)).toBe(true);
				expect(file).toBeUndefined();
			}
		},
	);
});

describe('cancel and timeout', () => {
	it('cancel() stops a node that honours the cancel signal within a couple of seconds', async () => {
		const started = Date.now();
		const run = startWorkflow(sleeperWorkflow());
		await sleep(300);
		run.cancel();
		const result = await run.done;

		expect(Date.now() - started).toBeLessThan(2_000);
		expect(result.status).toBe('canceled');
		expect(result.error).toMatchObject({ name: 'ExecutionCancelledError' });
		expect(result.timedOut).toBe(false);
	});

	it('an aborted signal cancels the execution too', async () => {
		const abort = new AbortController();
		setTimeout(() => abort.abort(), 200);
		const started = Date.now();
		const result = await runWorkflow({ ...sleeperWorkflow(), signal: abort.signal });

		expect(Date.now() - started).toBeLessThan(2_000);
		expect(result.status).toBe('canceled');
	});

	it('cancel waits for a node that ignores the signal (so ignoring it is detectable)', async () => {
		const started = Date.now();
		const run = startWorkflow(sleeperWorkflow({ ms: 1_200, onCancel: 'ignore' }));
		await sleep(100);
		run.cancel();
		const result = await run.done;

		expect(Date.now() - started).toBeGreaterThanOrEqual(1_150);
		expect(result.status).toBe('canceled');
	});

	it('timeoutMs behaves like n8n workflow timeout', async () => {
		const started = Date.now();
		const result = await runWorkflow({ ...sleeperWorkflow(), timeoutMs: 400 });

		expect(Date.now() - started).toBeLessThan(2_000);
		expect(result.status).toBe('canceled');
		expect(result.timedOut).toBe(true);
	});

	it('a node error thrown on cancel makes n8n report "error", not "canceled"', async () => {
		const run = startWorkflow(sleeperWorkflow({ onCancel: 'nodeError' }));
		await sleep(200);
		run.cancel();
		const result = await run.done;

		// n8n only treats errors named *Cancelled* (or saying "canceled") as a cancellation.
		expect(result.status).toBe('error');
		expect(result.error).toMatchObject({ name: 'NodeOperationError', message: 'Stopped waiting' });
	});
});

describe('streaming', () => {
	const streamerWorkflow = {
		nodes: [startNode(), { name: 'Stream', type: 'test.streamer' }],
		connections: chain('Start', 'Stream'),
		nodeTypes,
	};

	it('captures the chunks a node sends when streaming is on', async () => {
		const result = await runWorkflow({ ...streamerWorkflow, streaming: true });

		expect(result.outputOf('Stream')[0].json).toEqual({ streaming: true });
		expect(result.chunks.map((c) => [c.type, c.content, c.metadata.nodeName])).toEqual([
			['begin', undefined, 'Stream'],
			['item', 'Hello', 'Stream'],
			['item', JSON.stringify({ text: ' world' }), 'Stream'],
			['end', undefined, 'Stream'],
		]);
	});

	it('is off by default', async () => {
		const result = await runWorkflow(streamerWorkflow);

		expect(result.outputOf('Stream')[0].json).toEqual({ streaming: false });
		expect(result.chunks).toEqual([]);
	});
});

describe('webhook trigger', () => {
	const sign = (raw: string, secret = 'whsec_test') =>
		createHmac('sha256', secret).update(raw).digest('hex');

	it('registers, verifies signed deliveries, runs the workflow and deregisters', async () => {
		const trigger = await createTriggerHarness({
			node: { name: 'Trigger', type: 'test.signedTrigger' },
			nodes: [{ name: 'After', type: NO_OP_NODE_TYPE }],
			connections: chain('Trigger', 'After'),
			nodeTypes,
			credentials: credentials(),
			webhookBaseUrl: 'https://n8n.example.com/webhook',
		});

		expect(await trigger.webhookMethod('checkExists')).toBe(false);
		expect(await trigger.webhookMethod('create')).toBe(true);
		expect(await trigger.webhookMethod('checkExists')).toBe(true);
		expect(trigger.staticData()).toEqual({ endpointId: 'whe_1', secret: 'whsec_test' });
		const registration = received[0];
		expect(registration.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(JSON.parse(registration.body)).toEqual({ url: trigger.webhookUrl() });
		expect(trigger.webhookUrl()).toBe(
			`https://n8n.example.com/webhook/${trigger.node.webhookId}/rivya`,
		);

		// Signature over the exact bytes: whitespace that JSON.parse would drop still counts.
		const raw = '{ "type": "generation.succeeded", "taskId": "t_1" }';
		const good = await trigger.deliver({
			rawBody: raw,
			headers: { 'X-Rivya-Signature': sign(raw) },
		});
		expect(good.result.workflowData).toEqual([
			[{ json: { type: 'generation.succeeded', taskId: 't_1' } }],
		]);

		const forged = await trigger.deliver({
			rawBody: raw,
			headers: { 'X-Rivya-Signature': sign(raw, 'nope') },
		});
		expect(forged.result).toEqual({ noWebhookResponse: true });
		expect(forged.response).toMatchObject({
			statusCode: 401,
			body: 'invalid signature',
			ended: true,
		});

		const run = await trigger.runFromTrigger(good);
		expect(run.status).toBe('success');
		expect(run.outputOf('After').map((item) => item.json)).toEqual([
			{ type: 'generation.succeeded', taskId: 't_1' },
		]);

		expect(await trigger.webhookMethod('delete')).toBe(true);
		expect(received.at(-1)).toMatchObject({ method: 'DELETE', url: '/api/v1/webhooks/whe_1' });
		expect(await trigger.webhookMethod('checkExists')).toBe(false);
	});
});

describe('AI sub-node supplyData', () => {
	it('calls supplyData with a real SupplyDataContext whose helpers use the credential', async () => {
		const supplied = await supplyData({
			node: { name: 'Model', type: 'test.chatModel', parameters: { model: '={{ $json.model }}' } },
			nodeTypes,
			credentials: credentials(),
			inputItems: [{ model: 'rivya-pro' }],
		});
		const { model, invoke } = supplied.response as {
			model: string;
			invoke: (prompt: string) => Promise<IDataObject>;
		};

		expect(model).toBe('rivya-pro');
		expect(await invoke('hi there')).toMatchObject({ credits: 42 });
		expect(received[0]).toMatchObject({ url: '/api/v1/chat?model=rivya-pro&prompt=hi%20there' });
		expect(received[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
		await supplied.close();
	});
});
