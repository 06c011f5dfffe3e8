// A chat stream this node cannot fully read must fail on the first turn with the event names that
// arrived and the text received so far (the SSE event names are assumed: Rivya's docs are silent).
// Through the real emulator: test/workflow/chat.test.ts ("stream event names").
import { NodeApiError } from 'n8n-workflow';

import { readChatStream } from './readChatStream';
import { nodeOnlyContext } from './test-node';

const context = nodeOnlyContext;

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** Yields the given chunks, then either ends or never ends (a connection the server keeps open). */
async function* chunks(texts: string[], thenHang = false) {
	for (const text of texts) yield Buffer.from(text);
	if (thenHang) await new Promise(() => undefined);
}

async function failureOf(body: AsyncIterable<Uint8Array>): Promise<NodeApiError> {
	const error: unknown = await readChatStream(context, body, {}).then(
		() => new Error('expected the stream to fail'),
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}

describe('chat stream diagnostics', () => {
	it('a stream without a recognised final event names its events and keeps the text in the error', async () => {
		const error = await failureOf(
			chunks([
				event('start', { id: 'c1', session_id: 's1' }),
				event('delta', { content: 'Hello ' }),
				event('delta', { content: 'world' }),
				event('completed', { whatever: true }),
			]),
		);
		expect(error.message).toContain('events received: start, delta ×2, completed');
		expect(error.description).toContain('The stream closed without its final "done" event.');
		expect(error.description).toContain('11 characters of the reply had arrived');
		expect(error.description).toContain('"Hello world"');
		expect(error.context.receivedText).toBe('Hello world');
	});

	it('a stream of unknown events only ends with an error naming them (never an empty success)', async () => {
		const error = await failureOf(
			chunks([
				event('message', { choices: [{ delta: { content: 'Hi' } }] }),
				event('message', { choices: [{ delta: { content: '!' } }] }),
				'data: [DONE]\n\n',
			]),
		);
		expect(error.message).toContain('events received: message ×3');
		expect(error.description).toMatch(/None of the stream's events is one this node reads/);
		expect(error.description).toContain('No reply text had arrived.');
	});

	it('stops a stream that stays open with nothing but unknown events instead of hanging', async () => {
		const unknown = Array.from({ length: 150 }, (_, index) => event('tick', { index }));
		const error = await failureOf(chunks(unknown, true));
		expect(error.message).toContain('events received: tick ×100');
	});

	it('lists event names sanitised and bounded', async () => {
		const names = Array.from({ length: 30 }, (_, index) => `kind-${index}`);
		const error = await failureOf(
			chunks([...names.map((name) => event(name, {})), event('bad\u0007name', {})]),
		);
		expect(error.message).toContain('kind-0, kind-1');
		expect(error.message).toContain('kind-19, 11 more of other names');
		expect(error.message).not.toContain('\u0007');
	});
});
