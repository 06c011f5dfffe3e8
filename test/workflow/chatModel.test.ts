// Rivya Chat Model sub-node: n8n's real SupplyDataContext, the real @n8n/ai-node-sdk (its LangChain
// adapter is what the AI Agent calls), against the emulator.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator';
import { supplyData, type TestNode } from './harness';

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

	it('a repeated identical call in one execution replays Rivya’s answer instead of paying again', async () => {
		const { model, close } = await supplied('gpt-5-2-chat', {}, 'execution-replay-1');
		const first = await model.invoke([['human', 'Count to three.']]);
		const charged = (await counters()).creditsCharged;
		const again = await model.invoke([['human', 'Count to three.']]);
		expect(again.text).toBe(first.text);
		expect((await counters()).creditsCharged).toBe(charged);
		await close();
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
