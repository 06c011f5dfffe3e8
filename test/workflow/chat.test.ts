// Chat resource through n8n's real engine against the Rivya emulator: sessions, attachments, streaming
// (SSE into the same final output, deltas into n8n's response stream), and the checks made before paying.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { randomUUID } from 'node:crypto';

import { startEmulator, type EmulatorHandle } from '../emulator';
import { generateMedia } from '../emulator/generations/media';
import { chain, runWorkflow, startNode, type TestNode, type WorkflowRunResult } from './harness';

let emulator: EmulatorHandle;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
});

afterAll(async () => {
	await emulator?.close();
});

beforeEach(async () => {
	await control('DELETE', '/_emulator/faults');
	// Short pauses between deltas keep the tests quick while still delivering the reply in pieces.
	await control('PUT', '/_emulator/chat/stream-timing', { deltaDelayMs: 2 });
});

async function control(method: string, path: string, body?: unknown): Promise<IDataObject> {
	const response = await fetch(`${emulator.baseUrl}${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
	return text ? (JSON.parse(text) as IDataObject) : {};
}

async function chatTurnRequests(): Promise<number> {
	const counters = await control('GET', '/_emulator/counters');
	return Object.entries(counters.requests as Record<string, number>)
		.filter(([route]) => route.includes('/chat/completions'))
		.reduce((sum, [, count]) => sum + count, 0);
}

const CHAT_MODEL = 'gpt-5-2-chat';

function chatNode(name: string, parameters: IDataObject): TestNode {
	return {
		name,
		type: 'n8n-nodes-rivya.rivya',
		parameters: {
			resource: 'chat',
			operation: 'sendMessage',
			model: { __rl: true, mode: 'id', value: CHAT_MODEL },
			...parameters,
		},
	};
}

async function run(
	nodes: TestNode[],
	extra: Partial<Parameters<typeof runWorkflow>[0]> = {},
): Promise<WorkflowRunResult> {
	return await runWorkflow({
		nodes: [startNode(), ...nodes],
		connections: chain('Start', ...nodes.map((node) => node.name)),
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
		...extra,
	});
}

const jsonOf = (items: INodeExecutionData[]) => items.map((item) => item.json);

describe('Chat > Send Message', () => {
	it('continues a session: the second turn sees the first one', async () => {
		const result = await run([
			chatNode('First', { message: 'My name is Ada.' }),
			chatNode('Second', {
				message: 'What is my name?',
				session: 'continue',
				sessionId: '={{ $json.sessionId }}',
			}),
		]);
		expect(result.error).toBeUndefined();
		const [first] = jsonOf(result.outputOf('First'));
		const [second] = jsonOf(result.outputOf('Second'));
		expect(first).toEqual({
			text: expect.stringContaining('Echo (turn 1): My name is Ada.'),
			sessionId: expect.stringMatching(/^chs_/),
			model: CHAT_MODEL,
			messageId: expect.any(String),
			usage: {
				input_tokens: expect.any(Number),
				output_tokens: expect.any(Number),
				total_tokens: expect.any(Number),
			},
			credits: { reserved: expect.any(Number), final: expect.any(Number) },
			completionId: expect.stringMatching(/^chatcmpl_/),
		});
		expect(second.sessionId).toBe(first.sessionId);
		// The emulator's reply quotes the previous user message of the session: history reached the model.
		expect(second.text).toContain('Echo (turn 2): What is my name?');
		expect(second.text).toContain('previous message: "My name is Ada."');

		const session = await run([
			{
				name: 'Get',
				type: 'n8n-nodes-rivya.rivya',
				parameters: {
					resource: 'chat',
					operation: 'getSession',
					sessionId: String(first.sessionId),
				},
			},
		]);
		const [stored] = jsonOf(session.outputOf('Get'));
		expect((stored.messages as IDataObject[]).map((message) => message.role)).toEqual([
			'user',
			'assistant',
			'user',
			'assistant',
		]);
		expect((stored.messages as IDataObject[])[3].content).toBe(second.text);

		const list = await run([
			{
				name: 'List',
				type: 'n8n-nodes-rivya.rivya',
				parameters: { resource: 'chat', operation: 'getAllSessions', returnAll: true },
			},
		]);
		expect(jsonOf(list.outputOf('List')).map((entry) => entry.id)).toContain(first.sessionId);

		// Listing sessions follows the retry Options too: Max Attempts 1 means a 503 is final.
		await control('POST', '/_emulator/faults', {
			route: 'GET /api/v1/chat/sessions',
			kind: 'status',
			status: 503,
			times: 1,
		});
		const once = await run([
			{
				name: 'List',
				type: 'n8n-nodes-rivya.rivya',
				parameters: {
					resource: 'chat',
					operation: 'getAllSessions',
					returnAll: true,
					options: { maxAttempts: 1 },
				},
			},
		]);
		expect(once.status).toBe('error');
		expect(once.error?.message).toContain('Injected fault');
	});

	it('uploads an image from a binary property and attaches it to the turn', async () => {
		const png = await bytesOf('png', 2048);
		const result = await run(
			[chatNode('Chat', { message: 'Describe it', options: { imageBinaryProperties: 'photo' } })],
			{
				inputItems: [
					{
						json: {},
						binary: {
							photo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'cat.png' },
						},
					},
				],
			},
		);
		expect(result.error).toBeUndefined();
		const [output] = jsonOf(result.outputOf('Chat'));
		const [fileId] = output.uploadedFileIds as string[];
		expect(fileId).toMatch(/^file_/);
		expect(output.text).toContain(`Attachments seen: ${fileId}.`);
	});

	it('sends a non-streaming turn as documented: attachments [{file_id}], defaults left to Rivya, an Idempotency-Key', async () => {
		const png = await bytesOf('png', 2048);
		const keysBefore = new Set(emulator.state.idempotency.keys());
		const result = await run(
			[chatNode('Chat', { message: 'Look', options: { imageBinaryProperties: 'photo' } })],
			{
				inputItems: [
					{
						json: {},
						binary: { photo: { data: png.toString('base64'), mimeType: 'image/png' } },
					},
				],
			},
		);
		expect(result.error).toBeUndefined();
		const [output] = jsonOf(result.outputOf('Chat'));
		const [fileId] = output.uploadedFileIds as string[];
		// enable_web_search (default false) and reasoning_effort (default "default") were left at Rivya's defaults.
		expect(String(output.text)).not.toMatch(/Web search|Reasoning effort/);
		const session = await fetch(
			`${emulator.baseUrl}/api/v1/chat/sessions/${String(output.sessionId)}`,
			{ headers: { Authorization: `Bearer ${emulator.apiKey}` } },
		);
		const { messages } = (await session.json()) as { messages: IDataObject[] };
		expect(messages[0].attachments).toEqual([{ file_id: fileId }]);
		const keyedRoutes = [...emulator.state.idempotency.keys()]
			.filter((key) => !keysBefore.has(key))
			.map((key) => key.split('\n')[1]);
		expect(keyedRoutes).toEqual(['POST /api/v1/files', 'POST /api/v1/chat/completions']);
	});

	it('gives the same final output streaming and not streaming', async () => {
		const message = 'Tell me three short facts about otters, please.';
		const plain = await run([chatNode('Chat', { message })]);
		const streamed = await run([chatNode('Chat', { message, options: { stream: true } })]);
		expect(plain.error).toBeUndefined();
		expect(streamed.error).toBeUndefined();
		const [a] = jsonOf(plain.outputOf('Chat'));
		const [b] = jsonOf(streamed.outputOf('Chat'));
		const withoutIds = ({ sessionId, messageId, completionId, ...rest }: IDataObject) => {
			expect([sessionId, messageId, completionId].every((id) => typeof id === 'string')).toBe(true);
			return rest;
		};
		expect(withoutIds(b)).toEqual(withoutIds(a));
		expect(String(b.text).length).toBeGreaterThan(40);
	});

	it('sends the reply pieces to n8n’s response stream as they arrive', async () => {
		const result = await run(
			[
				chatNode('Chat', {
					message: 'Stream this reply to the chat window, word by word.',
					options: { stream: true },
				}),
			],
			{ streaming: true, mode: 'manual' },
		);
		expect(result.error).toBeUndefined();
		const [output] = jsonOf(result.outputOf('Chat'));
		const types = result.chunks.map((chunk) => chunk.type);
		expect(types[0]).toBe('begin');
		expect(types[types.length - 1]).toBe('end');
		const items = result.chunks.filter((chunk) => chunk.type === 'item');
		expect(items.length).toBeGreaterThan(3);
		expect(items.map((chunk) => chunk.content).join('')).toBe(output.text);
		expect(result.chunks.every((chunk) => chunk.metadata.nodeName === 'Chat')).toBe(true);
	});

	it('sends no chunks when streaming is off in the node, and returns the same shape', async () => {
		const result = await run([chatNode('Chat', { message: 'Hello' })], {
			streaming: true,
			mode: 'manual',
		});
		expect(result.error).toBeUndefined();
		expect(result.chunks).toEqual([]);
	});

	it('raw output returns Rivya’s whole completion', async () => {
		const result = await run([chatNode('Chat', { message: 'Hi', simplify: false })]);
		const [output] = jsonOf(result.outputOf('Chat'));
		expect(output).toMatchObject({
			object: 'chat.completion',
			message: { role: 'assistant', content: expect.stringContaining('Hi') },
		});
	});

	it('reports chat_session_conflict when a session is continued with another model', async () => {
		const result = await run([
			chatNode('First', { message: 'Hello' }),
			{
				...chatNode('Other', {
					message: 'Hello again',
					session: 'continue',
					sessionId: '={{ $json.sessionId }}',
				}),
				parameters: {
					...chatNode('x', {}).parameters,
					message: 'Hello again',
					session: 'continue',
					sessionId: '={{ $json.sessionId }}',
					model: { __rl: true, mode: 'id', value: 'gemini-2-5-flash-chat' },
				},
			},
		]);
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '409' });
		expect(result.error?.message).toContain('[chat_session_conflict]');
		expect(result.error?.description).toMatch(/Start a new session or use the session's own model/);
	});

	describe('rejects bad input before any paid call', () => {
		async function expectRejected(parameters: IDataObject, pattern: RegExp) {
			const before = await chatTurnRequests();
			const result = await run([chatNode('Chat', parameters)]);
			expect(result.error).toMatchObject({ name: 'NodeOperationError' });
			expect(result.error?.message).toMatch(pattern);
			expect(await chatTurnRequests()).toBe(before);
		}

		it('a media model', async () => {
			await expectRejected(
				{ message: 'Hi', model: { __rl: true, mode: 'id', value: 'nano-banana-2' } },
				/"nano-banana-2" is an image model, not a chat model/,
			);
		});

		it('an external URL as attachment', async () => {
			await expectRejected(
				{ message: 'Hi', options: { attachmentFileIds: 'https://example.com/cat.png' } },
				/contains a URL .*accepts only images uploaded through its Files API/,
			);
		});

		it('an attachment for a model without image input, and web search it lacks', async () => {
			const claude = { __rl: true, mode: 'id', value: 'claude-sonnet-4-6-chat' };
			await expectRejected(
				{ message: 'Hi', model: claude, options: { attachmentFileIds: 'file_1' } },
				/does not accept image attachments/,
			);
			await expectRejected(
				{ message: 'Hi', model: claude, options: { enableWebSearch: true } },
				/does not support web search/,
			);
		});

		it('an unsupported reasoning effort, an empty message, a missing session ID', async () => {
			await expectRejected(
				{ message: 'Hi', options: { reasoningEffort: 'extreme' } },
				/does not support the reasoning effort "extreme"/,
			);
			await expectRejected({ message: '   ' }, /"Message" is empty/);
			// n8n itself refuses an empty required field; an expression that resolves to nothing is ours to catch.
			await expectRejected(
				{ message: 'Hi', session: 'continue', sessionId: '={{ $json.noSuchField }}' },
				/"Session ID" is empty/,
			);
			await expectRejected({ message: 'x'.repeat(20001) }, /accepts at most 20000/);
		});
	});

	it('passes web search and reasoning effort on to Rivya', async () => {
		const result = await run([
			chatNode('Chat', {
				message: 'Latest news?',
				options: { enableWebSearch: true, reasoningEffort: 'high', clientRequestId: 'trace-1' },
			}),
		]);
		const [output] = jsonOf(result.outputOf('Chat'));
		expect(output.text).toContain('Web search: enabled.');
		expect(output.text).toContain('Reasoning effort: high.');
	});

	it('fails clearly when the stream is cut mid-way, and a rerun gets the whole reply, paid once', async () => {
		const charged = async () =>
			Number((await control('GET', '/_emulator/counters')).creditsCharged);
		const chargedBefore = await charged();
		await control('POST', '/_emulator/faults', {
			route: 'POST /api/v1/chat/completions/stream',
			kind: 'cut_stream',
			afterBytes: 300,
		});
		const executionId = randomUUID();
		// The same node ID and execution ID: what n8n has when it re-runs the same execution.
		const nodes = [
			{
				...chatNode('Chat', {
					message: 'A reply long enough to be cut.',
					options: { stream: true },
				}),
				id: randomUUID(),
			},
		];
		const cut = await run(nodes, { executionId });
		expect(cut.error).toMatchObject({ name: 'NodeApiError' });
		expect(cut.error?.message).toMatch(/reply from Rivya was incomplete/);
		expect(cut.error?.description).toMatch(/not returned as the answer/);
		expect(() => cut.outputOf('Chat')).toThrow();

		const rerun = await run(nodes, { executionId });
		expect(rerun.error).toBeUndefined();
		const [output] = jsonOf(rerun.outputOf('Chat'));
		expect(output.text).toContain('Echo (turn 1): A reply long enough to be cut.');
		// Whether Rivya kept the cut turn (replayed) or dropped it (refunded), one turn is paid in total.
		expect(await charged()).toBe(chargedBefore + (output.credits as { final: number }).final);
	});

	describe('stream event names other than the contract’s (they are not documented)', () => {
		afterEach(async () => {
			await control('PUT', '/_emulator/chat/stream-event-names', {});
		});

		it('no recognised final event: an error naming the events, with the text that arrived', async () => {
			await control('PUT', '/_emulator/chat/stream-event-names', { done: 'response.completed' });
			const result = await run([
				chatNode('Chat', { message: 'Name the events', options: { stream: true } }),
			]);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(
				/incomplete.*events received: start, delta ×\d+, response\.completed\)/,
			);
			expect(result.error?.description).toContain('Echo (turn 1): Name the events');
			expect(result.error?.description).toContain('not returned as the answer');
		});

		it('only unknown events: an error naming them, never an empty success', async () => {
			await control('PUT', '/_emulator/chat/stream-event-names', {
				start: 'message_start',
				delta: 'content_block_delta',
				done: 'message_stop',
				error: 'failure',
			});
			const result = await run([
				chatNode('Chat', { message: 'Anyone there?', options: { stream: true } }),
			]);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(
				/events received: message_start, content_block_delta ×\d+, message_stop\)/,
			);
			expect(result.error?.description).toMatch(
				/None of the stream's events is one this node reads/,
			);
		});
	});

	it('turns an error event in the middle of the stream into Rivya’s error', async () => {
		await control('POST', '/_emulator/chat/faults', {
			kind: 'stream_error',
			code: 'internal_error',
			message: 'The model stopped unexpectedly (injected)',
			afterDeltas: 2,
		});
		const result = await run(
			[chatNode('Chat', { message: 'This one fails half way.', options: { stream: true } })],
			{ streaming: true, mode: 'manual' },
		);
		expect(result.error).toMatchObject({ name: 'NodeApiError' });
		expect(result.error?.message).toContain('[internal_error]');
		// Two pieces, then n8n's own error chunk for the failed node: no end, nothing passed off as whole.
		expect(result.chunks.map((chunk) => chunk.type)).toEqual(['begin', 'item', 'item', 'error']);
	});
});

async function bytesOf(format: 'png', size: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of generateMedia(format, size).stream()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
