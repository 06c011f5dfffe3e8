// Hostile or broken servers, through n8n's real engine: a local server on 127.0.0.1 in front of the
// Rivya emulator answers chosen requests itself (redirects, HTML, cut-off bodies, echoed keys) and
// records what reached it. Nothing may leak the key, lose a paid task or loop.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { useEmulatorPerFile } from './emulator-fixture';
import { chain, runWorkflow, startNode, testCredentials, type TestNode } from './harness';
import { generationCreateNode, rivyaNode } from './rivya-nodes';
import { answerCutOff, startHostileServer, type HostileServer } from './hostile-server';
import { MultipartBody, multipartBoundary } from '../../nodes/shared/multipart';

const fixture = useEmulatorPerFile({ defaultJobMs: 200 }, 'reset');
const CREATE = 'POST /api/v1/generations';

let front: HostileServer;
let elsewhere: HostileServer;
beforeAll(async () => {
	front = await startHostileServer(fixture.emulator.baseUrl);
	elsewhere = await startHostileServer();
});
afterAll(async () => {
	await front?.close();
	await elsewhere?.close();
});
beforeEach(() => {
	front.intercept = undefined;
	front.seen.length = 0;
	elsewhere.intercept = undefined;
	elsewhere.seen.length = 0;
});

const balanceNode = () => rivyaNode({ resource: 'credit', operation: 'getBalance' });

async function run(
	node: TestNode,
	inputItems: IDataObject[] = [{ prompt: 'a lighthouse' }],
	baseUrl = front.baseUrl,
) {
	return await runWorkflow({
		nodes: [startNode(), node],
		connections: chain('Start', node.name),
		credentials: { rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl } },
		inputItems,
	});
}

const jsonOf = (items: INodeExecutionData[]) => items.map((item) => item.json);

async function requestsTo(route: string): Promise<number> {
	return (await fixture.client.counters()).requests[route] ?? 0;
}

function redirectTo(location: string, status = 302) {
	return (_: unknown, res: import('node:http').ServerResponse) => {
		res.writeHead(status, { Location: location, 'Content-Type': 'text/plain' });
		res.end('moved');
		return true;
	};
}

describe('redirects: the API key never leaves the Base URL origin', () => {
	it('a cross-origin 302 on GET /credits is an error naming the address; nothing reaches the other host', async () => {
		elsewhere.intercept = (_, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"current_credits": 999999}');
			return true;
		};
		front.intercept = redirectTo(`${elsewhere.baseUrl}/api/v1/credits`);
		const result = await run(balanceNode());
		expect(result.error).toBeDefined();
		expect(result.error?.message).toContain(elsewhere.baseUrl);
		expect(result.error?.description).toMatch(/Base URL/);
		expect(elsewhere.seen).toHaveLength(0);
		expect(JSON.stringify(result.error)).not.toContain(fixture.emulator.apiKey);
	});

	it('a 307 on POST /generations is never followed, even to the same origin', async () => {
		elsewhere.intercept = redirectTo(`${front.baseUrl}/api/v1/generations`, 307);
		front.intercept = (request, res) =>
			request.method === 'POST' && request.url === '/api/v1/generations'
				? redirectTo(`${elsewhere.baseUrl}/api/v1/generations`, 307)(request, res)
				: false;
		const result = await run(generationCreateNode());
		expect(result.error).toBeDefined();
		expect(result.error?.message).toContain(elsewhere.baseUrl);
		expect(elsewhere.seen).toHaveLength(0);

		front.intercept = (request, res) =>
			request.method === 'POST' && request.url === '/api/v1/generations'
				? redirectTo('/api/v1/generations-elsewhere', 307)(request, res)
				: false;
		const sameOrigin = await run(generationCreateNode());
		expect(sameOrigin.error?.message).toMatch(/redirect/i);
		expect(front.seen.filter((request) => request.url.includes('generations-elsewhere'))).toEqual(
			[],
		);
		expect(await requestsTo(CREATE)).toBe(0);
	});

	it('a same-origin redirect of a GET is followed with the key', async () => {
		front.intercept = (request, res) =>
			request.url === '/api/v1/credits'
				? redirectTo('/api/v1/credits?moved=1')(request, res)
				: false;
		const result = await runWorkflow({
			nodes: [startNode(), balanceNode()],
			connections: chain('Start', 'Rivya'),
			credentials: {
				rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: front.baseUrl },
			},
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputOf('Rivya'))[0]).toHaveProperty('currentCredits', 1000); // node version 2's name
		expect(front.seen.map((request) => [request.url, request.headers.authorization])).toEqual([
			['/api/v1/credits', `Bearer ${fixture.emulator.apiKey}`],
			['/api/v1/credits?moved=1', `Bearer ${fixture.emulator.apiKey}`],
		]);
	});

	it('the credential test does not follow a redirect to another host', async () => {
		front.intercept = redirectTo(`${elsewhere.baseUrl}/api/v1/credits`);
		const result = await testCredentials('rivyaApi', {
			apiKey: fixture.emulator.apiKey,
			baseUrl: front.baseUrl,
		});
		expect(elsewhere.seen).toHaveLength(0);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Base URL/);
	});
});

describe('create answers: a paid task is never lost', () => {
	const answerCreate =
		(answer: (res: import('node:http').ServerResponse) => true) =>
		(request: { method: string; url: string }, res: import('node:http').ServerResponse) =>
			request.method === 'POST' && request.url === '/api/v1/generations' ? answer(res) : false;

	it('a 202 without an id is an error that says a task may exist, with wait off and on', async () => {
		front.intercept = answerCreate((res) => {
			res.writeHead(202, { 'Content-Type': 'application/json' });
			res.end('{"status":"queued"}');
			return true;
		});
		for (const waitForCompletion of [false, true]) {
			const result = await run(
				generationCreateNode({ waitForCompletion, options: { idempotencyKey: '' } }),
			);
			expect(result.error).toBeDefined();
			expect(result.error?.message).toMatch(/task ID/i);
			expect(result.error?.description).toMatch(/may have been created/i);
			expect(front.seen.some((request) => request.url.includes('undefined'))).toBe(false);
		}
	});

	it('a 202 that is not JSON is never a success', async () => {
		front.intercept = answerCreate((res) => {
			res.writeHead(202, { 'Content-Type': 'text/html' });
			res.end('<html>accepted</html>');
			return true;
		});
		const result = await run(generationCreateNode({ waitForCompletion: false }));
		expect(result.error).toBeDefined();
	});

	it('a cut-off create answer is retried with the same Idempotency-Key: one task, one charge', async () => {
		let cutOnce = false;
		front.intercept = async (request, res) => {
			if (cutOnce || request.method !== 'POST' || request.url !== '/api/v1/generations')
				return false;
			cutOnce = true;
			// Forward to Rivya (which creates the task), then cut its answer short.
			const upstream = await fetch(`${fixture.emulator.baseUrl}${request.url}`, {
				method: 'POST',
				headers: request.headers as Record<string, string>,
				body: new Uint8Array(request.body),
			});
			const text = await upstream.text();
			return answerCutOff(res, upstream.status, text.slice(0, 20), text.length);
		};
		const result = await run(generationCreateNode({ waitForCompletion: false }));
		expect(result.error).toBeUndefined();
		const [item] = jsonOf(result.outputOf('Rivya'));
		expect(typeof item.taskId).toBe('string');
		expect((await fixture.client.counters()).tasksCreated).toBe(1);
		const keys = front.seen
			.filter((request) => request.url === '/api/v1/generations')
			.map((request) => request.headers['idempotency-key']);
		expect(keys).toHaveLength(2);
		expect(keys[0]).toBe(keys[1]);
	});
});

describe('non-JSON answers', () => {
	it('an HTML page on GET /credits is an error saying the Base URL does not look like Rivya', async () => {
		front.intercept = (_, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<!doctype html><html><body>Welcome to nginx</body></html>');
			return true;
		};
		const result = await run(balanceNode());
		expect(result.error).toBeDefined();
		expect(result.error?.message).toMatch(/does not look like Rivya/i);
		expect(result.error?.description).toMatch(/Base URL/);
	});

	it('an HTML page on GET /credits does not pass the credits pre-check', async () => {
		front.intercept = (request, res) => {
			if (request.url !== '/api/v1/credits') return false;
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<html>portal</html>');
			return true;
		};
		const result = await run(generationCreateNode({ waitForCompletion: false }));
		expect(result.error?.message).toMatch(/does not look like Rivya/i);
		expect(await requestsTo(CREATE)).toBe(0);
	});
});

describe('secrets echoed by a server', () => {
	it('a key echoed in the error message, code or request id is redacted everywhere', async () => {
		front.intercept = (request, res) => {
			const echoed = String(request.headers.authorization ?? '');
			res.writeHead(401, { 'Content-Type': 'application/json' });
			res.end(
				JSON.stringify({
					error: {
						code: 'api_key_invalid',
						message: `The key in "${echoed}" (${echoed.replace('Bearer ', '')}) is not valid`,
						requestId: `req_${echoed.replace('Bearer ', '')}`,
					},
				}),
			);
			return true;
		};
		const result = await run(balanceNode());
		expect(result.error?.message).toMatch(/\[redacted\]/);
		expect(JSON.stringify(result.error)).not.toContain(fixture.emulator.apiKey);
		expect(JSON.stringify(result.run)).not.toContain(fixture.emulator.apiKey);
	});

	it('a key that does not look like a Rivya key is redacted too', async () => {
		// Not Rivya-shaped: only the credential's own value can be matched.
		const oddKey = ['custom', 'proxy', 'credential', '1234567890'].join('-');
		front.intercept = (request, res) => {
			res.writeHead(403, { 'Content-Type': 'application/json' });
			res.end(
				JSON.stringify({
					error: { code: 'api_scope_denied', message: `token ${oddKey} lacks a scope` },
				}),
			);
			return true;
		};
		const result = await runWorkflow({
			nodes: [startNode(), balanceNode()],
			connections: chain('Start', 'Rivya'),
			credentials: { rivyaApi: { apiKey: oddKey, baseUrl: front.baseUrl } },
		});
		expect(result.error?.message).toMatch(/\[redacted\]/);
		expect(JSON.stringify(result.run)).not.toContain(oddKey);
	});
});

describe('bounded loops', () => {
	it('a 402 from GET /credits during the balance lookup ends the lookup (at most one request)', async () => {
		const insufficient = (_: unknown, res: import('node:http').ServerResponse) => {
			res.writeHead(402, { 'Content-Type': 'application/json' });
			res.end('{"error":{"code":"insufficient_credits","message":"Not enough credits"}}');
			return true;
		};
		front.intercept = (request, res) =>
			request.url.startsWith('/api/v1/credits') ||
			(request.method === 'POST' && request.url === '/api/v1/generations')
				? insufficient(request, res)
				: false;
		const result = await run(
			generationCreateNode({ waitForCompletion: false, options: { checkCredits: false } }),
		);
		expect(result.error?.message).toMatch(/insufficient_credits/);
		expect(front.seen.filter((request) => request.url.startsWith('/api/v1/credits'))).toHaveLength(
			1,
		);

		front.seen.length = 0;
		const balance = await run(balanceNode());
		expect(balance.error?.message).toMatch(/insufficient_credits/);
		expect(front.seen.filter((request) => request.url.startsWith('/api/v1/credits'))).toHaveLength(
			1,
		);
	});

	it('Return All stops with a clear error when the cursor does not advance', async () => {
		front.intercept = (request, res) => {
			if (!request.url.startsWith('/api/v1/webhooks')) return false;
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"object":"list","data":[{"id":"whend_same"}],"has_more":true}');
			return true;
		};
		const result = await run(
			rivyaNode({ resource: 'webhook', operation: 'getAll', returnAll: true }),
		);
		expect(result.error?.message).toMatch(/did not advance/);
		expect(front.seen.length).toBeLessThanOrEqual(3);
	});
});

describe('every item is checked before the first paid request', () => {
	const continueOnFail = { onError: 'continueRegularOutput' as const };

	it('Generation > Create: a Client Request ID over 128 characters in item 1 stops the batch before item 0 is paid', async () => {
		const inputs = [
			{ prompt: 'a lighthouse', trace: 'ok' },
			{ prompt: 'a harbour', trace: 'x'.repeat(129) },
		];
		const node = (extra: Partial<TestNode> = {}) =>
			generationCreateNode(
				{ waitForCompletion: false, options: { clientRequestId: '={{ $json.trace }}' } },
				extra,
			);
		const result = await run(node(), inputs);
		expect(result.error?.message).toMatch(/Item 2: Options > Client Request ID/);
		expect(await requestsTo(CREATE)).toBe(0);

		const continued = await run(node(continueOnFail), inputs);
		const [first, second] = jsonOf(continued.outputOf('Rivya'));
		expect(typeof first.taskId).toBe('string');
		expect(String(second.error)).toMatch(/Client Request ID/);
		expect(await requestsTo(CREATE)).toBe(1);
	});

	it('Generation > Create: an invalid own Idempotency Key in item 1 stops the batch before item 0 is paid', async () => {
		const result = await run(
			generationCreateNode({
				waitForCompletion: false,
				options: { idempotencyKey: '={{ $json.key }}' },
			}),
			[
				{ prompt: 'a lighthouse', key: 'good-key-1' },
				{ prompt: 'a harbour', key: 'bad key with spaces' },
			],
		);
		expect(result.error?.message).toMatch(/Item 2: the Idempotency Key is not valid/);
		expect(await requestsTo(CREATE)).toBe(0);
	});

	it("Chat > Send Message: item 2's empty message stops the batch before items 0 and 1 are paid", async () => {
		const chatNode = (extra: Partial<TestNode> = {}) =>
			rivyaNode(
				{
					resource: 'chat',
					operation: 'sendMessage',
					model: { __rl: true, mode: 'id', value: 'gpt-5-2-chat' },
					message: '={{ $json.text }}',
				},
				extra,
			);
		const inputs = [{ text: 'hello' }, { text: 'hi again' }, { text: '' }];
		const result = await run(chatNode(), inputs);
		expect(result.error?.message).toMatch(/Item 3: "Message" is empty/);
		expect(await requestsTo('POST /api/v1/chat/completions')).toBe(0);

		const continued = await run(chatNode(continueOnFail), inputs);
		const output = jsonOf(continued.outputOf('Rivya'));
		expect(output.map((entry) => typeof entry.error)).toEqual(['undefined', 'undefined', 'string']);
		expect(await requestsTo('POST /api/v1/chat/completions')).toBe(2);
	});
});

describe('uploads', () => {
	const png = Buffer.from(
		'89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5b5e30000000049454e44ae426082',
		'hex',
	);
	const itemWith = (bytes: Buffer) => ({
		json: {},
		binary: {
			data: { data: bytes.toString('base64'), mimeType: 'image/png', fileName: 'pixel.png' },
		},
	});
	const uploadNode = () => rivyaNode({ resource: 'file', operation: 'upload', kind: 'image' });

	it('a zero-byte file is caught before anything is uploaded, also in a later item', async () => {
		const result = await run(uploadNode(), [itemWith(png), itemWith(Buffer.alloc(0))] as never);
		expect(result.error?.message).toMatch(/Item 2: .*is empty \(0 bytes\)/);
		expect(await requestsTo('POST /api/v1/files')).toBe(0);
	});
});

describe('IDs that go into a path', () => {
	it.each([
		['webhook', 'get', 'endpointId', '.'],
		['webhook', 'rotateSecret', 'endpointId', '..'],
		['webhook', 'delete', 'endpointId', '..'],
		['webhook', 'getDeliveries', 'endpointId', 'whend_a/../..'],
		['generation', 'get', 'taskId', '..'],
		['file', 'get', 'fileId', '.'],
		['chat', 'getSession', 'sessionId', '..'],
	])(
		'%s > %s with %s "%s" is an input error and sends nothing',
		async (resource, operation, field, id) => {
			const result = await run(rivyaNode({ resource, operation, [field]: id }));
			expect(result.error?.message).toMatch(/is not a Rivya ID/);
			// Only the free catalog lookup (Generation > Get reads model categories) may happen.
			const sent = front.seen.filter((request) => !request.url.startsWith('/api/v1/models'));
			expect(sent).toEqual([]);
		},
	);

	it('an ID without its documented prefix is refused too', async () => {
		const result = await run(
			rivyaNode({ resource: 'webhook', operation: 'delete', endpointId: 'credits' }),
		);
		expect(result.error?.message).toMatch(/must start with whend_/);
		expect(front.seen).toEqual([]);
	});

	it('a task id a server sends back is checked before it goes into a path', async () => {
		front.intercept = (request, res) => {
			if (request.method !== 'POST' || request.url !== '/api/v1/generations') return false;
			res.writeHead(202, { 'Content-Type': 'application/json' });
			res.end('{"id":"..","status":"queued"}');
			return true;
		};
		const result = await run(generationCreateNode({ waitForCompletion: true }));
		expect(result.error?.message).toMatch(/no usable task ID/);
		expect(
			front.seen.filter(
				(request) => request.method === 'GET' && request.url.startsWith('/api/v1/generations'),
			),
		).toEqual([]);
	});
});

describe('multipart field injection', () => {
	it('a Client Request ID that would start a new form part is refused before uploading', async () => {
		const idempotencyKey = 'known-key-1';
		const boundary = multipartBoundary(idempotencyKey);
		const forged = `trace\r\n--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nevil-model`;
		const png = Buffer.from(
			'89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5b5e30000000049454e44ae426082',
			'hex',
		);
		const result = await run(
			rivyaNode({
				resource: 'file',
				operation: 'upload',
				kind: 'image',
				options: { clientRequestId: forged, idempotencyKey },
			}),
			[
				{
					json: {},
					binary: {
						data: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'a.png' },
					},
				},
			] as never,
		);
		expect(result.error?.message).toMatch(/Client Request ID.*line break/);
		expect(front.seen.filter((request) => request.url === '/api/v1/files')).toEqual([]);
	});

	it('MultipartBody itself refuses a field value with a line break or the boundary', () => {
		const file = {
			name: 'file',
			fileName: 'a.png',
			contentType: 'image/png',
			size: 0,
			content: Buffer.alloc(0),
		};
		expect(() => new MultipartBody({ kind: 'image\r\nX: y' }, file, 'b0undary')).toThrow(
			/line break/,
		);
		expect(() => new MultipartBody({ kind: 'image--b0undary' }, file, 'b0undary')).toThrow(
			/line break/,
		);
		expect(() => new MultipartBody({ kind: 'image' }, file, 'b0undary')).not.toThrow();
	});
});

describe('bounded reads', () => {
	/** Writes `chunk` over and over until the client goes away or `maxBytes` were written. */
	function endless(
		res: import('node:http').ServerResponse,
		head: string,
		chunk: string,
		maxBytes: number,
		written: { bytes: number },
	) {
		res.write(head);
		const pump = () => {
			while (written.bytes < maxBytes && !res.destroyed) {
				written.bytes += chunk.length;
				if (!res.write(chunk)) return void res.once('drain', pump);
			}
			if (!res.destroyed) res.end();
		};
		res.on('close', () => undefined);
		pump();
	}

	const chatStreamNode = () =>
		rivyaNode({
			resource: 'chat',
			operation: 'sendMessage',
			model: { __rl: true, mode: 'id', value: 'gpt-5-2-chat' },
			message: 'hello',
			options: { stream: true },
		});

	it('one endless SSE line stops with a clear error, long before the server is done', async () => {
		const written = { bytes: 0 };
		front.intercept = (request, res) => {
			if (request.url !== '/api/v1/chat/completions/stream') return false;
			res.writeHead(200, { 'Content-Type': 'text/event-stream' });
			endless(res, 'event: delta\ndata: ', 'x'.repeat(64 * 1024), 64 * 1024 * 1024, written);
			return true;
		};
		const result = await run(chatStreamNode());
		expect(result.error?.message).toMatch(/too large to read/);
		expect(written.bytes).toBeLessThan(16 * 1024 * 1024);
	});

	it('a huge error body of a stream request is read only up to its cap', async () => {
		const written = { bytes: 0 };
		front.intercept = (request, res) => {
			if (request.url !== '/api/v1/chat/completions/stream') return false;
			res.writeHead(400, { 'Content-Type': 'application/json' });
			endless(
				res,
				'{"error":{"code":"validation_failed","message":"',
				'y'.repeat(64 * 1024),
				64 * 1024 * 1024,
				written,
			);
			return true;
		};
		const result = await run(chatStreamNode());
		expect(result.error).toBeDefined();
		expect(written.bytes).toBeLessThan(16 * 1024 * 1024);
	});
});

describe('Timeout (Seconds) covers downloads', () => {
	it('a result download still running at the timeout ends with the task and its URLs (On Timeout: return) or an error (throw)', async () => {
		await fixture.client.addFault({ route: 'GET /media', kind: 'delay', delayMs: 8000, times: 20 });
		const returned = await run(generationCreateNode({ options: { timeout: 2 } }));
		expect(returned.error).toBeUndefined();
		const [item] = returned.outputOf('Rivya');
		expect(item.json).toMatchObject({
			timedOut: true,
			downloadTimedOut: true,
			status: 'succeeded',
		});
		expect((item.json.resultUrls as string[]).length).toBeGreaterThan(0);
		expect(item.binary).toBeUndefined();

		const thrown = await run(generationCreateNode({ options: { timeout: 2, onTimeout: 'throw' } }));
		expect(thrown.error?.message).toMatch(
			/did not finish downloading within the timeout \(2 seconds\)/,
		);
		expect(thrown.error?.description).toMatch(/not lost/);
	});
});
