// Chat of rivya-api.md §7 through real HTTP: turns and sessions, attachments, validation, credits, and
// the SSE stream (parsed here by a small independent parser, read chunk by chunk as it arrives).
import {
	apiCaller,
	type ApiCall,
	createAccount,
	type JsonBody,
	uploadFile,
} from '../chat-webhooks-test-helpers';
import { composeReply, countTokens, splitIntoDeltas } from './replies';
import { type EmulatorHandle, startEmulator } from '../index';
import {
	ChatCompletionSchema,
	ChatSessionSchema,
	ChatSessionWithMessagesSchema,
	ChatStreamDeltaSchema,
	ChatStreamStartSchema,
} from './schemas';
import { listSchema } from '../schemas';

const CHAT_MODEL = 'gpt-5-2-chat';
const TEXT_ONLY_CHAT_MODEL = 'claude-sonnet-4-6-chat';

let emulator: EmulatorHandle;
let control: ApiCall;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
	control = apiCaller(emulator.baseUrl, null);
});

afterAll(async () => {
	await emulator.close();
});

interface TestAccount {
	call: ApiCall;
	apiKey: string;
	accountId: string;
}

async function freshAccount(
	input: { credits?: number; scopes?: string[] } = {},
): Promise<TestAccount> {
	const { accountId, apiKey } = await createAccount(emulator.baseUrl, { credits: 1000, ...input });
	return { call: apiCaller(emulator.baseUrl, apiKey), apiKey, accountId };
}

async function balance(account: TestAccount): Promise<number> {
	return (await account.call('GET', '/api/v1/credits')).body.current_credits as number;
}

function expectError(
	answer: { status: number; body: JsonBody },
	status: number,
	code: string,
): void {
	expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
}

// ---- a small SSE reader --------------------------------------------------------------------------------

interface StreamedEvent {
	event: string;
	data: JsonBody;
}

interface StreamAnswer {
	status: number;
	headers: Headers;
	/** Every network read, with its arrival time. */
	chunks: Array<{ text: string; atMs: number }>;
	raw: string;
	events: StreamedEvent[];
	comments: string[];
}

/** Splits an event-stream into events and comment lines (blank line = end of an event). */
function parseEventStream(raw: string): { events: StreamedEvent[]; comments: string[] } {
	const events: StreamedEvent[] = [];
	const comments: string[] = [];
	for (const block of raw.split('\n\n')) {
		let eventName = 'message';
		const dataLines: string[] = [];
		for (const line of block.split('\n')) {
			if (line.startsWith(':')) comments.push(line.slice(1).trim());
			else if (line.startsWith('event:')) eventName = line.slice('event:'.length).trim();
			else if (line.startsWith('data:')) dataLines.push(line.slice('data:'.length).trimStart());
		}
		if (dataLines.length > 0)
			events.push({ event: eventName, data: JSON.parse(dataLines.join('\n')) as JsonBody });
	}
	return { events, comments };
}

async function streamTurn(
	apiKey: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<StreamAnswer> {
	const response = await fetch(`${emulator.baseUrl}/api/v1/chat/completions/stream`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	const chunks: StreamAnswer['chunks'] = [];
	const decoder = new TextDecoder();
	const reader = response.body!.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push({ text: decoder.decode(value, { stream: true }), atMs: Date.now() });
	}
	const raw = chunks.map((chunk) => chunk.text).join('');
	return {
		status: response.status,
		headers: response.headers,
		chunks,
		raw,
		...parseEventStream(raw),
	};
}

// ---- the pure reply model ------------------------------------------------------------------------------

describe('chat reply model', () => {
	it('counts about four characters per token, never zero', () => {
		expect(countTokens('')).toBe(1);
		expect(countTokens('abcd')).toBe(1);
		expect(countTokens('abcde')).toBe(2);
	});

	it('splits replies into several deltas that join back exactly', () => {
		const reply = composeReply({
			message: 'tell me about lighthouses',
			history: [
				{ role: 'user', content: 'hi' },
				{ role: 'assistant', content: 'hello' },
			],
			attachmentFileIds: [],
			enableWebSearch: false,
			reasoningEffort: 'default',
		});
		const deltas = splitIntoDeltas(reply);
		expect(deltas.length).toBeGreaterThanOrEqual(4);
		expect(deltas.join('')).toBe(reply);
		expect(splitIntoDeltas('  ')).toEqual(['  ']);
	});
});

// ---- completions ------------------------------------------------------------------------------------

describe('POST /api/v1/chat/completions', () => {
	it('answers a turn with the §7 shape, deterministic content, usage and settled credits', async () => {
		const account = await freshAccount();
		const before = await balance(account);

		const answer = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'hello rivya',
		});
		expect(answer.status).toBe(200);
		const completion = answer.body;
		expect(ChatCompletionSchema.strict().parse(completion)).toEqual(completion);
		expect(Object.keys(completion).sort()).toEqual(
			['id', 'object', 'session_id', 'model', 'created_at', 'message', 'usage', 'credits'].sort(),
		);
		expect(completion).toMatchObject({
			object: 'chat.completion',
			model: CHAT_MODEL,
			message: { role: 'assistant' },
		});
		expect(completion.id).toMatch(/^chatcmpl_/);
		expect(completion.session_id).toMatch(/^chs_/);
		expect(completion.message.content).toMatch(/^Echo \(turn 1\): hello rivya\n/);
		expect(completion.message.content).toContain('first turn');

		const { usage, credits } = completion;
		expect(usage.input_tokens).toBe(countTokens('hello rivya'));
		expect(usage.output_tokens).toBe(countTokens(completion.message.content));
		expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
		expect(credits.final).toBeGreaterThan(0);
		expect(credits.final).toBeLessThanOrEqual(credits.reserved);
		expect(credits.reserved).toBeGreaterThan(credits.final);
		expect(await balance(account)).toBe(before - credits.final);

		const again = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'hello rivya',
		});
		expect(again.body.message.content).toBe(completion.message.content);
		expect(again.body.session_id).not.toBe(completion.session_id);
	});

	it('continues a session: the reply knows the earlier turns and input tokens grow', async () => {
		const account = await freshAccount();
		const first = (
			await account.call('POST', '/api/v1/chat/completions', {
				model: CHAT_MODEL,
				message: 'first question',
			})
		).body;
		const second = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'second question',
			session_id: first.session_id,
		});
		expect(second.status).toBe(200);
		expect(second.body.session_id).toBe(first.session_id);
		expect(second.body.message.content).toMatch(/^Echo \(turn 2\): second question\n/);
		expect(second.body.message.content).toContain(
			'Earlier turns: 1; previous message: "first question"',
		);
		expect(second.body.usage.input_tokens).toBeGreaterThan(first.usage.input_tokens);

		const third = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'third',
			session_id: first.session_id,
		});
		expect(third.body.message.content).toContain('Echo (turn 3): third');
		expect(third.body.message.content).toContain(
			'Earlier turns: 2; previous message: "second question"',
		);
	});

	it('mentions web search and reasoning effort, and validates them against the model', async () => {
		const account = await freshAccount();
		const answer = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'search please',
			enable_web_search: true,
			reasoning_effort: 'high',
		});
		expect(answer.status).toBe(200);
		expect(answer.body.message.content).toContain('Web search: enabled.');
		expect(answer.body.message.content).toContain('Reasoning effort: high.');

		const unknownEffort = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'x',
			reasoning_effort: 'extreme',
		});
		expectError(unknownEffort, 400, 'validation_failed');
		expect(unknownEffort.body.error.message).toContain('reasoning_effort');
		const noSearch = await account.call('POST', '/api/v1/chat/completions', {
			model: TEXT_ONLY_CHAT_MODEL,
			message: 'x',
			enable_web_search: true,
		});
		expectError(noSearch, 400, 'validation_failed');
		expect(noSearch.body.error.message).toContain('enable_web_search');
	});

	it('documented defaults: enable_web_search false and reasoning_effort "default", on every chat model', async () => {
		const account = await freshAccount();
		for (const model of [CHAT_MODEL, TEXT_ONLY_CHAT_MODEL]) {
			const omitted = await account.call('POST', '/api/v1/chat/completions', {
				model,
				message: 'defaults',
			});
			const explicit = await account.call('POST', '/api/v1/chat/completions', {
				model,
				message: 'defaults',
				enable_web_search: false,
				reasoning_effort: 'default',
			});
			expect({ model, status: explicit.status }).toEqual({ model, status: 200 });
			expect(explicit.body.message.content).toBe(omitted.body.message.content);
			expect(omitted.body.message.content).not.toMatch(/Web search|Reasoning effort/);
		}
		const efforts = ['default', 'minimal', 'low', 'medium', 'high', 'xhigh'];
		for (const reasoning_effort of efforts) {
			const answer = await account.call('POST', '/api/v1/chat/completions', {
				model: CHAT_MODEL,
				message: 'effort',
				reasoning_effort,
			});
			expect({ reasoning_effort, status: answer.status }).toEqual({
				reasoning_effort,
				status: 200,
			});
		}
	});

	it('refuses sessions of another model, another account, Studio, or unknown ids with 409', async () => {
		const owner = await freshAccount();
		const stranger = await freshAccount();
		const started = (
			await owner.call('POST', '/api/v1/chat/completions', { model: CHAT_MODEL, message: 'hi' })
		).body;

		const otherModel = await owner.call('POST', '/api/v1/chat/completions', {
			model: 'gemini-2-5-flash-chat',
			message: 'hi',
			session_id: started.session_id,
		});
		expectError(otherModel, 409, 'chat_session_conflict');
		const otherAccount = await stranger.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'hi',
			session_id: started.session_id,
		});
		expectError(otherAccount, 409, 'chat_session_conflict');
		const unknown = await owner.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'hi',
			session_id: 'chs_does_not_exist',
		});
		expectError(unknown, 409, 'chat_session_conflict');

		const studio = await control('POST', '/_emulator/chat/sessions', {
			accountId: owner.accountId,
			model: CHAT_MODEL,
		});
		expect(studio.status).toBe(201);
		const studioTurn = await owner.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'hi',
			session_id: studio.body.id,
		});
		expectError(studioTurn, 409, 'chat_session_conflict');
		expect(studioTurn.body.error.message).toContain('not created through the API');
	});

	it('rejects models that are not chat models and invalid bodies', async () => {
		const account = await freshAccount();
		for (const model of ['z-image', 'veo4-preview', 'no-such-model']) {
			const answer = await account.call('POST', '/api/v1/chat/completions', {
				model,
				message: 'hi',
			});
			expectError(answer, 400, 'chat_model_not_supported');
		}
		const invalidBodies: Array<[unknown, string]> = [
			[{ message: 'hi' }, 'model'],
			[{ model: CHAT_MODEL }, 'message'],
			[{ model: CHAT_MODEL, message: '' }, 'message'],
			[{ model: CHAT_MODEL, message: 'x'.repeat(20_001) }, 'message'],
			[{ model: CHAT_MODEL, message: 'hi', enable_web_search: 'yes' }, 'enable_web_search'],
			[{ model: CHAT_MODEL, message: 'hi', attachments: 'file_1' }, 'attachments'],
			[{ model: CHAT_MODEL, messages: [{ role: 'user', content: 'hi' }] }, 'message'],
		];
		for (const [body, field] of invalidBodies) {
			const answer = await account.call('POST', '/api/v1/chat/completions', body);
			expectError(answer, 400, 'validation_failed');
			expect(answer.body.error.message).toContain(field);
		}
	});

	it('takes uploaded image files as attachments and rejects URLs, other kinds and foreign files', async () => {
		const account = await freshAccount();
		const stranger = await freshAccount();
		const image = await uploadFile(emulator.baseUrl, account.apiKey, 'image', 'png');
		const audio = await uploadFile(emulator.baseUrl, account.apiKey, 'audio', 'mp3');
		const foreignImage = await uploadFile(emulator.baseUrl, stranger.apiKey, 'image', 'jpeg');

		const answer = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'what is in this picture?',
			attachments: [{ file_id: image.id }],
		});
		expect(answer.status).toBe(200);
		expect(answer.body.message.content).toContain(`Attachments seen: ${image.id}.`);
		const session = await account.call('GET', `/api/v1/chat/sessions/${answer.body.session_id}`);
		expect(session.body.messages[0].attachments).toEqual([{ file_id: image.id }]);
		expect(session.body.messages[1].attachments).toEqual([]);

		const rejected: unknown[] = [
			[{ url: 'https://example.com/cat.png' }],
			['https://example.com/cat.png'],
			[{ file_id: image.id, url: 'https://example.com/cat.png' }],
			[{ file_id: audio.id }],
			[{ file_id: foreignImage.id }],
			[{ file_id: 'file_missing' }],
		];
		for (const attachments of rejected) {
			const refused = await account.call('POST', '/api/v1/chat/completions', {
				model: CHAT_MODEL,
				message: 'look',
				attachments,
			});
			expectError(refused, 400, 'chat_attachment_not_supported');
		}
		const textOnly = await account.call('POST', '/api/v1/chat/completions', {
			model: TEXT_ONLY_CHAT_MODEL,
			message: 'look',
			attachments: [{ file_id: image.id }],
		});
		expectError(textOnly, 400, 'chat_attachment_not_supported');
	});

	it('answers 402 insufficient_credits before doing anything when the reservation does not fit', async () => {
		const poor = await freshAccount({ credits: 1 });
		const answer = await poor.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'hi',
		});
		expectError(answer, 402, 'insufficient_credits');
		expect(await balance(poor)).toBe(1);
		expect((await poor.call('GET', '/api/v1/chat/sessions')).body.data).toEqual([]);
	});

	it('needs chat:create for turns and chat:read for sessions', async () => {
		const readOnly = await freshAccount({ scopes: ['chat:read'] });
		expectError(
			await readOnly.call('POST', '/api/v1/chat/completions', { model: CHAT_MODEL, message: 'hi' }),
			403,
			'api_scope_denied',
		);
		const writeOnly = await freshAccount({ scopes: ['chat:create'] });
		expect(
			(
				await writeOnly.call('POST', '/api/v1/chat/completions', {
					model: CHAT_MODEL,
					message: 'hi',
				})
			).status,
		).toBe(200);
		expectError(await writeOnly.call('GET', '/api/v1/chat/sessions'), 403, 'api_scope_denied');
		const anonymous = apiCaller(emulator.baseUrl, null);
		expectError(
			await anonymous('POST', '/api/v1/chat/completions', { model: CHAT_MODEL, message: 'hi' }),
			401,
			'api_key_missing',
		);
	});

	it('replays an Idempotency-Key without a second charge or turn', async () => {
		const account = await freshAccount();
		const before = await balance(account);
		const body = { model: CHAT_MODEL, message: 'only once' };
		const first = await account.call('POST', '/api/v1/chat/completions', body, {
			'Idempotency-Key': 'chat-turn-1',
		});
		const replayed = await account.call('POST', '/api/v1/chat/completions', body, {
			'Idempotency-Key': 'chat-turn-1',
		});
		expect(replayed.status).toBe(200);
		expect(replayed.headers.get('idempotent-replayed')).toBe('true');
		expect(replayed.body).toEqual(first.body);
		expect(await balance(account)).toBe(before - first.body.credits.final);
		const session = await account.call('GET', `/api/v1/chat/sessions/${first.body.session_id}`);
		expect(session.body.message_count).toBe(2);
		const otherBody = await account.call(
			'POST',
			'/api/v1/chat/completions',
			{ ...body, message: 'something else' },
			{ 'Idempotency-Key': 'chat-turn-1' },
		);
		expectError(otherBody, 409, 'idempotency_conflict');
	});
});

// ---- the stream -----------------------------------------------------------------------------------

describe('POST /api/v1/chat/completions/stream', () => {
	afterEach(async () => {
		await control('PUT', '/_emulator/chat/stream-timing', {
			pingIntervalMs: 15_000,
			deltaDelayMs: 25,
		});
	});

	it('streams start, several deltas and done, incrementally, with done equal to the JSON shape', async () => {
		const account = await freshAccount();
		const before = await balance(account);
		const streamed = await streamTurn(account.apiKey, {
			model: CHAT_MODEL,
			message: 'stream this answer please',
		});

		expect(streamed.status).toBe(200);
		expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
		expect(streamed.headers.get('x-request-id')).toMatch(/^req_/);
		const names = streamed.events.map((event) => event.event);
		expect(names[0]).toBe('start');
		expect(names[names.length - 1]).toBe('done');
		const deltas = streamed.events.filter((event) => event.event === 'delta');
		expect(deltas.length).toBeGreaterThanOrEqual(4);
		expect(names).toEqual(['start', ...deltas.map(() => 'delta'), 'done']);

		const start = ChatStreamStartSchema.strict().parse(streamed.events[0].data);
		const done = ChatCompletionSchema.strict().parse(streamed.events[names.length - 1].data);
		for (const delta of deltas) ChatStreamDeltaSchema.strict().parse(delta.data);
		expect(deltas.map((delta) => delta.data.content).join('')).toBe(done.message.content);
		expect(start).toEqual({
			id: done.id,
			session_id: done.session_id,
			model: CHAT_MODEL,
			created_at: done.created_at,
		});
		expect(done.message.content).toMatch(/^Echo \(turn 1\): stream this answer please/);
		expect(await balance(account)).toBe(before - done.credits.final);

		// Incremental: the reply came in several network reads spread over time, not one buffered body.
		expect(streamed.chunks.length).toBeGreaterThan(2);
		const lastChunk = streamed.chunks[streamed.chunks.length - 1];
		expect(lastChunk.atMs - streamed.chunks[0].atMs).toBeGreaterThanOrEqual(
			25 * (deltas.length - 1),
		);

		// The JSON route gives the same shape and, for the same input, the same content.
		const json = await account.call('POST', '/api/v1/chat/completions', {
			model: CHAT_MODEL,
			message: 'stream this answer please',
		});
		expect(Object.keys(json.body).sort()).toEqual(Object.keys(done).sort());
		expect(json.body.message.content).toBe(done.message.content);
		expect(json.body.usage).toEqual(done.usage);
	});

	it('continues a session over the stream', async () => {
		const account = await freshAccount();
		const first = (
			await account.call('POST', '/api/v1/chat/completions', { model: CHAT_MODEL, message: 'one' })
		).body;
		const streamed = await streamTurn(account.apiKey, {
			model: CHAT_MODEL,
			message: 'two',
			session_id: first.session_id,
		});
		const done = streamed.events[streamed.events.length - 1].data;
		expect(done.session_id).toBe(first.session_id);
		expect(done.message.content).toContain('Earlier turns: 1; previous message: "one"');
	});

	it('sends ": ping" comments at the configured interval', async () => {
		const defaults = await control('PUT', '/_emulator/chat/stream-timing', {});
		expect(defaults.body).toEqual({ pingIntervalMs: 15_000, deltaDelayMs: 25 });
		await control('PUT', '/_emulator/chat/stream-timing', { pingIntervalMs: 10, deltaDelayMs: 40 });

		const account = await freshAccount();
		const streamed = await streamTurn(account.apiKey, {
			model: CHAT_MODEL,
			message: 'slow answer with pings',
		});
		expect(streamed.comments.filter((comment) => comment === 'ping').length).toBeGreaterThan(2);
		expect(streamed.raw).toContain(': ping\n\n');
		expect(streamed.events[streamed.events.length - 1].event).toBe('done');
	});

	it('answers errors before the stream as JSON', async () => {
		const account = await freshAccount();
		const response = await fetch(`${emulator.baseUrl}/api/v1/chat/completions/stream`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${account.apiKey}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ model: 'z-image', message: 'hi' }),
		});
		expect(response.status).toBe(400);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(((await response.json()) as JsonBody).error.code).toBe('chat_model_not_supported');

		const poor = await freshAccount({ credits: 0 });
		const refused = await streamTurn(poor.apiKey, { model: CHAT_MODEL, message: 'hi' });
		expect(refused.status).toBe(402);
		expect(JSON.parse(refused.raw).error.code).toBe('insufficient_credits');
	});

	it('ends with an error event on an injected mid-stream fault, refunds, and lets the key be retried', async () => {
		const account = await freshAccount();
		const before = await balance(account);
		const fault = await control('POST', '/_emulator/chat/faults', {
			kind: 'stream_error',
			afterDeltas: 1,
			code: 'internal_error',
		});
		expect(fault.status).toBe(200);

		const body = { model: CHAT_MODEL, message: 'this one breaks' };
		const broken = await streamTurn(account.apiKey, body, { 'Idempotency-Key': 'stream-retry-1' });
		expect(broken.status).toBe(200);
		expect(broken.events.map((event) => event.event)).toEqual(['start', 'delta', 'error']);
		const envelope = broken.events[2].data;
		expect(envelope.error.code).toBe('internal_error');
		expect(envelope.error.message).toEqual(expect.any(String));
		expect(envelope.error.requestId).toBe(broken.headers.get('x-request-id'));
		expect(await balance(account)).toBe(before);
		const session = await account.call(
			'GET',
			`/api/v1/chat/sessions/${broken.events[0].data.session_id}`,
		);
		expect(session.body.message_count).toBe(0);

		const retried = await streamTurn(account.apiKey, body, { 'Idempotency-Key': 'stream-retry-1' });
		expect(retried.headers.get('idempotent-replayed')).toBeNull();
		const done = retried.events[retried.events.length - 1];
		expect(done.event).toBe('done');
		expect(await balance(account)).toBe(before - done.data.credits.final);
	});

	it('replays a finished stream for the same Idempotency-Key without charging again', async () => {
		const account = await freshAccount();
		const before = await balance(account);
		const body = { model: CHAT_MODEL, message: 'stream once' };
		const first = await streamTurn(account.apiKey, body, { 'Idempotency-Key': 'stream-once' });
		const replayed = await streamTurn(account.apiKey, body, { 'Idempotency-Key': 'stream-once' });
		expect(replayed.headers.get('idempotent-replayed')).toBe('true');
		expect(replayed.headers.get('content-type')).toMatch(/^text\/event-stream/);
		expect(replayed.events).toEqual(first.events);
		expect(await balance(account)).toBe(
			before - first.events[first.events.length - 1].data.credits.final,
		);
	});
});

// ---- sessions ---------------------------------------------------------------------------------------

describe('chat sessions', () => {
	it('lists the account’s sessions newest first with paging', async () => {
		const account = await freshAccount();
		const sessionIds: string[] = [];
		for (const message of ['a', 'b', 'c']) {
			sessionIds.push(
				(await account.call('POST', '/api/v1/chat/completions', { model: CHAT_MODEL, message }))
					.body.session_id,
			);
		}
		const page = await account.call('GET', '/api/v1/chat/sessions?limit=2');
		expect(page.status).toBe(200);
		expect(listSchema(ChatSessionSchema.strict()).parse(page.body)).toEqual(page.body);
		expect(page.body.data.map((session: JsonBody) => session.id)).toEqual([
			sessionIds[2],
			sessionIds[1],
		]);
		expect(page.body.has_more).toBe(true);
		expect(page.body.data[0]).toMatchObject({
			object: 'chat.session',
			model: CHAT_MODEL,
			message_count: 2,
		});

		const rest = await account.call('GET', `/api/v1/chat/sessions?limit=2&after=${sessionIds[1]}`);
		expect(rest.body.data.map((session: JsonBody) => session.id)).toEqual([sessionIds[0]]);
		expect(rest.body.has_more).toBe(false);
		expectError(
			await account.call('GET', '/api/v1/chat/sessions?limit=500'),
			400,
			'validation_failed',
		);

		const stranger = await freshAccount();
		expect((await stranger.call('GET', '/api/v1/chat/sessions')).body.data).toEqual([]);
	});

	it('returns one session with its messages; other accounts get 404', async () => {
		const account = await freshAccount();
		const first = (
			await account.call('POST', '/api/v1/chat/completions', {
				model: CHAT_MODEL,
				message: 'question one',
			})
		).body;
		const second = (
			await account.call('POST', '/api/v1/chat/completions', {
				model: CHAT_MODEL,
				message: 'question two',
				session_id: first.session_id,
			})
		).body;

		const answer = await account.call('GET', `/api/v1/chat/sessions/${first.session_id}`);
		expect(answer.status).toBe(200);
		const session = ChatSessionWithMessagesSchema.parse(answer.body);
		expect(session).toMatchObject({
			id: first.session_id,
			object: 'chat.session',
			model: CHAT_MODEL,
			message_count: 4,
		});
		expect(session.messages.map((message) => [message.role, message.content])).toEqual([
			['user', 'question one'],
			['assistant', first.message.content],
			['user', 'question two'],
			['assistant', second.message.content],
		]);
		expect(session.messages[1].id).toBe(first.message.id);
		expect(Date.parse(session.updated_at)).toBeGreaterThanOrEqual(Date.parse(session.created_at));

		const stranger = await freshAccount();
		expectError(
			await stranger.call('GET', `/api/v1/chat/sessions/${first.session_id}`),
			404,
			'not_found',
		);
		expectError(await account.call('GET', '/api/v1/chat/sessions/chs_missing'), 404, 'not_found');
	});
});
