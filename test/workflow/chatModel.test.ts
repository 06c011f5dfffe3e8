// Rivya Chat Model sub-node: n8n's real SupplyDataContext, the real @n8n/ai-node-sdk (its LangChain
// adapter is what the AI Agent calls), against the emulator.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator';
import { supplyData, type TestNode } from './harness';
import { startHostileServer } from './hostile-server';

let emulator: EmulatorHandle;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
	await fetch(`${emulator.baseUrl}/_emulator/chat/stream-timing`, {
		method: 'PUT',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ deltaDelayMs: 2 }),
	});
});

afterAll(async () => {
	await emulator?.close();
});

/** The slice of LangChain's chat model interface these tests use (the SDK's adapter implements it). */
interface LangChainChatModel {
	invoke(messages: Array<[string, string]>): Promise<{
		content: unknown;
		text: string;
		usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number };
		response_metadata?: IDataObject;
	}>;
	stream(messages: Array<[string, string]>): Promise<AsyncIterable<{ text: string }>>;
	bindTools?: unknown;
}

function modelNode(model: string, options: INodeParameters = {}): TestNode {
	return {
		name: 'Rivya Chat Model',
		type: 'n8n-nodes-rivya.rivyaChatModel',
		parameters: { model: { __rl: true, mode: 'id', value: model }, options },
	};
}

async function supplied(
	model = 'gpt-5-2-chat',
	options: INodeParameters = {},
	executionId?: string,
) {
	const result = await supplyData({
		node: modelNode(model, options),
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
		executionId,
	});
	return { ...result, model: result.response as LangChainChatModel };
}

async function counters(): Promise<IDataObject> {
	return (await (await fetch(`${emulator.baseUrl}/_emulator/counters`)).json()) as IDataObject;
}

const conversation: Array<[string, string]> = [
	['system', 'You are a terse assistant.'],
	['human', 'My name is Ada.'],
	['ai', 'Nice to meet you, Ada.'],
	['human', 'What is my name?'],
];

describe('Rivya Chat Model', () => {
	it('answers an agent-style conversation in one composed turn that carries the history', async () => {
		const { model, close } = await supplied();
		expect(typeof model.bindTools).toBe('function');
		const reply = await model.invoke(conversation);
		// A new session per call: Rivya sees turn 1, whose one message holds the whole conversation.
		expect(reply.text).toContain('Echo (turn 1): Instructions:\nYou are a terse assistant.');
		expect(reply.text).toContain('User: My name is Ada.\n\nAssistant: Nice to meet you, Ada.');
		expect(reply.text).toContain("Reply to the user's latest message:\nWhat is my name?");
		expect(reply.usage_metadata).toEqual({
			input_tokens: expect.any(Number),
			output_tokens: expect.any(Number),
			total_tokens: expect.any(Number),
		});
		expect(reply.response_metadata).toMatchObject({ model: 'gpt-5-2-chat', provider: 'rivya' });
		await close();
	});

	it('sends a lone prompt unchanged (what a Basic LLM Chain sends)', async () => {
		const { model, close } = await supplied();
		const reply = await model.invoke([['human', 'Write a haiku about rain.']]);
		expect(reply.text).toMatch(/^Echo \(turn 1\): Write a haiku about rain\.\n/);
		await close();
	});

	it('streams the same text as it generates, in several pieces', async () => {
		const { model, close } = await supplied();
		const whole = await model.invoke(conversation);
		const pieces: string[] = [];
		for await (const chunk of await model.stream(conversation)) pieces.push(chunk.text);
		expect(pieces.filter((piece) => piece.length > 0).length).toBeGreaterThan(3);
		expect(pieces.join('')).toBe(whole.text);
		await close();
	});

	it('identical calls are separate turns (e.g. one per item), each answered and charged', async () => {
		const { model, close } = await supplied('gpt-5-2-chat', {}, 'execution-identical-1');
		const before = (await counters()).creditsCharged as number;
		const replies = [];
		for (let call = 0; call < 3; call++)
			replies.push(await model.invoke([['human', 'Same prompt.']]));
		const ids = replies.map((reply) => reply.response_metadata?.sessionId);
		expect(new Set(ids).size).toBe(3);
		expect((await counters()).creditsCharged as number).toBeGreaterThan(before);
		const afterThree = (await counters()).creditsCharged as number;
		// The same calls in parallel (an agent with batching) are separate turns too.
		const parallel = await Promise.all(
			[0, 1].map(async () => await model.invoke([['human', 'Parallel prompt.']])),
		);
		expect(parallel[0].response_metadata?.sessionId).not.toBe(
			parallel[1].response_metadata?.sessionId,
		);
		expect((await counters()).creditsCharged as number).toBeGreaterThan(afterThree);
		await close();
	});

	it('a call whose answer was lost is retried with the same key and replays, charged once', async () => {
		// In front of Rivya: the first chat call reaches Rivya (and is charged), but its answer is lost.
		const front = await startHostileServer(emulator.baseUrl);
		let lost = false;
		front.intercept = async (request, res) => {
			if (lost || request.url !== '/api/v1/chat/completions') return false;
			lost = true;
			await fetch(`${emulator.baseUrl}${request.url}`, {
				method: 'POST',
				headers: request.headers as Record<string, string>,
				body: new Uint8Array(request.body),
			});
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<html>proxy error</html>');
			return true;
		};
		const result = await supplyData({
			node: modelNode('gpt-5-2-chat'),
			credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: front.baseUrl } },
			executionId: 'execution-lost-answer-1',
		});
		const model = result.response as LangChainChatModel;
		const before = (await counters()).creditsCharged as number;
		await expect(model.invoke([['human', 'Lost answer.']])).rejects.toThrow();
		const chargedByLostCall = ((await counters()).creditsCharged as number) - before;
		expect(chargedByLostCall).toBeGreaterThan(0);
		const retried = await model.invoke([['human', 'Lost answer.']]);
		expect(retried.text).toMatch(/Lost answer/);
		expect(((await counters()).creditsCharged as number) - before).toBe(chargedByLostCall);
		const keys = front.seen
			.filter((request) => request.url === '/api/v1/chat/completions')
			.map((request) => request.headers['idempotency-key']);
		expect(keys).toHaveLength(2);
		expect(keys[0]).toBe(keys[1]);
		await result.close();
		await front.close();
	});

	it('passes web search and reasoning effort to Rivya', async () => {
		const { model, close } = await supplied('gpt-5-2-chat', {
			enableWebSearch: true,
			reasoningEffort: 'low',
		});
		const reply = await model.invoke([['human', 'News?']]);
		expect(reply.text).toContain('Web search: enabled.');
		expect(reply.text).toContain('Reasoning effort: low.');
		await close();
	});

	it('refuses a media model and unsupported options when the agent starts, before any call', async () => {
		await expect(supplied('nano-banana-2')).rejects.toThrow(
			/"nano-banana-2" is an image model, not a chat model/,
		);
		await expect(supplied('claude-sonnet-4-6-chat', { enableWebSearch: true })).rejects.toThrow(
			/does not support web search/,
		);
	});

	it('reports Rivya’s errors to the agent in plain words', async () => {
		await fetch(`${emulator.baseUrl}/_emulator/chat/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({
				kind: 'stream_error',
				code: 'insufficient_credits',
				message: 'Not enough credits',
			}),
		});
		const { model, close } = await supplied();
		const consume = async () => {
			for await (const chunk of await model.stream([['human', 'Hello there, tell me a story.']])) {
				void chunk;
			}
		};
		await expect(consume()).rejects.toThrow(/Not enough credits \[insufficient_credits\]/);
		await close();
	});
});
