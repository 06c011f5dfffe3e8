import { NodeApiError } from 'n8n-workflow';

import type { ChatCompletion } from '../../nodes/shared/chat';
import { rivyaCodeOf } from '../../nodes/shared/errors';
import {
	MAX_SSE_LINE_LENGTH,
	parseSseText,
	SseParser,
	type SseEvent,
} from '../../nodes/shared/sse';
import { readChatStream } from './readChatStream';
import { nodeOnlyContext } from './test-node';

/** Feeds `bytes` to a fresh parser cut at the given offsets; returns the events and the end state. */
function parseInPieces(bytes: Buffer, cuts: number[]) {
	const events: SseEvent[] = [];
	const comments: string[] = [];
	const parser = new SseParser({
		onEvent: (event) => events.push(event),
		onComment: (text) => comments.push(text),
	});
	let start = 0;
	for (const cut of [...cuts, bytes.length]) {
		parser.push(bytes.subarray(start, cut));
		start = cut;
	}
	return { events, comments, ...parser.end() };
}

function everyOffset(length: number): number[] {
	return Array.from({ length: Math.max(0, length - 1) }, (_, index) => index + 1);
}

/** A small deterministic PRNG, so a failing random split can be reproduced from its seed. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

function randomCuts(length: number, seed: number): number[] {
	const random = seededRandom(seed);
	const cuts = new Set<number>();
	const count = Math.floor(random() * Math.min(length, 40));
	for (let index = 0; index < count; index++) cuts.add(1 + Math.floor(random() * (length - 1)));
	return [...cuts].sort((a, b) => a - b);
}

const completion: ChatCompletion = {
	id: 'chatcmpl_1',
	object: 'chat.completion',
	session_id: 'chs_1',
	model: 'gpt-5-2-chat',
	created_at: '2026-05-11T00:00:00.000Z',
	message: { id: 'msg_2', role: 'assistant', content: 'Grüße 👋 — 你好!' },
	usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 },
	credits: { reserved: 6, final: 3 },
};

/** A realistic Rivya chat stream, with a ping, multibyte text and the given line ending. */
function chatStream(lineEnding: string, { withDone = true } = {}): string {
	const lines = [
		': ping',
		'',
		'event: start',
		'data: {"id":"chatcmpl_1","session_id":"chs_1","model":"gpt-5-2-chat"}',
		'',
		'event: delta',
		'data: {"content":"Grüße 👋 "}',
		'',
		': ping',
		'event: delta',
		'data: {"content":"— 你好!"}',
		'',
	];
	lines.push(...(withDone ? ['event: done', `data: ${JSON.stringify(completion)}`, '', ''] : ['']));
	return lines.join(lineEnding);
}

function expectChatEvents(events: SseEvent[]) {
	expect(events.map((event) => event.event)).toEqual(['start', 'delta', 'delta', 'done']);
	const text = events
		.filter((event) => event.event === 'delta')
		.map((event) => (JSON.parse(event.data) as { content: string }).content)
		.join('');
	expect(text).toBe(completion.message.content);
	expect(JSON.parse(events[3].data)).toEqual(completion);
}

describe('SseParser', () => {
	it.each([
		['LF', '\n'],
		['CRLF', '\r\n'],
		['CR', '\r'],
	])('parses a whole chat stream with %s line endings', (_name, lineEnding) => {
		const result = parseInPieces(Buffer.from(chatStream(lineEnding)), []);
		expectChatEvents(result.events);
		expect(result.comments).toEqual(['ping', 'ping']);
		expect(result.unfinishedEvent).toBe(false);
	});

	it.each([
		['LF', '\n'],
		['CRLF', '\r\n'],
		['CR', '\r'],
	])('gives the same events when fed byte by byte (%s)', (_name, lineEnding) => {
		const bytes = Buffer.from(chatStream(lineEnding));
		const result = parseInPieces(bytes, everyOffset(bytes.length));
		expectChatEvents(result.events);
		expect(result.comments).toEqual(['ping', 'ping']);
	});

	it('gives the same events for 300 random splits of a CRLF stream', () => {
		const bytes = Buffer.from(chatStream('\r\n'));
		for (let seed = 1; seed <= 300; seed++) {
			const result = parseInPieces(bytes, randomCuts(bytes.length, seed));
			expect({ seed, events: result.events }).toEqual({
				seed,
				events: parseInPieces(bytes, []).events,
			});
		}
	});

	it('treats a CRLF split between two chunks as one line ending, not two', () => {
		const bytes = Buffer.from('data: one\r\ndata: two\r\n\r\n');
		const cutInsideEveryCrLf = [9, 10, 20, 21, 22].filter((cut) => bytes[cut - 1] === 0x0d);
		expect(cutInsideEveryCrLf.length).toBeGreaterThan(0);
		const result = parseInPieces(bytes, cutInsideEveryCrLf);
		// A CR then a separate LF read as two endings would end the event after "one".
		expect(result.events).toEqual([{ event: 'message', data: 'one\ntwo' }]);
	});

	it('decodes UTF-8 characters split across chunks at every byte', () => {
		const text = 'data: 👋€ü你\n\n';
		const bytes = Buffer.from(text);
		const emojiStart = bytes.indexOf(Buffer.from('👋'));
		for (let cut = emojiStart + 1; cut < bytes.length - 2; cut++) {
			const { events } = parseInPieces(bytes, [cut]);
			expect(events).toEqual([{ event: 'message', data: '👋€ü你' }]);
		}
	});

	it('joins multi-line data with newlines and keeps empty data lines', () => {
		const { events } = parseSseText('event: delta\ndata: first\ndata:\ndata:  indented\n\n');
		expect(events).toEqual([{ event: 'delta', data: 'first\n\n indented' }]);
	});

	it('ignores comments, unknown fields and events without data; keeps id and retry', () => {
		const { events } = parseSseText(
			': keep-alive\nfoo: bar\nevent: lonely\n\nid: 7\nretry: 1500\ndata\n\nid: 8\ndata: x\n\n',
		);
		expect(events).toEqual([
			{ event: 'message', data: '', id: '7', retry: 1500 },
			{ event: 'message', data: 'x', id: '8' },
		]);
	});

	it('strips a leading byte order mark, even when it arrives alone', () => {
		const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: a\n\n')]);
		expect(parseInPieces(bytes, [1, 2, 3]).events).toEqual([{ event: 'message', data: 'a' }]);
	});

	it('never dispatches a half event when the stream stops in the middle of one', () => {
		const stream = chatStream('\n', { withDone: false }) + 'event: done\ndata: {"id":"chatc';
		const result = parseInPieces(Buffer.from(stream), []);
		expect(result.events.map((event) => event.event)).toEqual(['start', 'delta', 'delta']);
		expect(result.unfinishedEvent).toBe(true);
		// Fields without their blank line are unfinished too.
		expect(parseSseText('data: complete line\n').complete).toBe(false);
		expect(parseSseText('data: done\n\n').complete).toBe(true);
	});

	it('rejects pushes after end', () => {
		const parser = new SseParser({ onEvent: () => undefined });
		parser.end();
		expect(() => parser.push('data: x\n\n')).toThrow('after end');
	});
});

describe('readChatStream', () => {
	const context = nodeOnlyContext;

	async function* chunksOf(text: string, cuts: number[], failWith?: Error) {
		const bytes = Buffer.from(text);
		let start = 0;
		for (const cut of [...cuts, bytes.length]) {
			yield bytes.subarray(start, cut);
			start = cut;
		}
		if (failWith) throw failWith;
	}

	it('returns the done completion and reports every delta in order, whatever the chunking', async () => {
		const stream = chatStream('\r\n');
		for (const cuts of [[], everyOffset(Buffer.byteLength(stream)), randomCuts(stream.length, 7)]) {
			const deltas: string[] = [];
			const starts: unknown[] = [];
			const result = await readChatStream(context, chunksOf(stream, cuts), {
				onStart: (start) => starts.push(start.session_id),
				onDelta: (delta) => deltas.push(delta),
			});
			expect(result).toEqual(completion);
			expect(deltas.join('')).toBe(completion.message.content);
			expect(starts).toEqual(['chs_1']);
		}
	});

	it('turns an error event mid-stream into a NodeApiError with Rivya’s code', async () => {
		const stream =
			chatStream('\n', { withDone: false }) +
			'event: error\ndata: {"error":{"code":"insufficient_credits","message":"Balance too low","requestId":"req_9"}}\n\n';
		const error = await readChatStream(context, chunksOf(stream, [17, 90]), {}).catch(
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(rivyaCodeOf(error)).toBe('insufficient_credits');
		expect((error as NodeApiError).message).toContain('Balance too low');
		expect((error as NodeApiError).httpCode).toBe('402');
	});

	it('says the reply was incomplete when the stream ends before done', async () => {
		const error = await readChatStream(
			context,
			chunksOf(chatStream('\n', { withDone: false }), [5]),
			{},
		).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/incomplete/);
		expect((error as NodeApiError).description).toMatch(/not returned as the answer/);
	});

	it('says the reply was incomplete when the connection breaks mid-stream', async () => {
		const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const error = await readChatStream(
			context,
			chunksOf(chatStream('\n', { withDone: false }), [], reset),
			{},
		).catch((caught: unknown) => caught);
		expect((error as NodeApiError).message).toMatch(/incomplete/);
		expect((error as NodeApiError).description).toMatch(/ECONNRESET/);
	});

	it('reports a done event whose data is cut inside the JSON as incomplete, not as malformed', async () => {
		const stream = chatStream('\n').slice(0, -30);
		const error = await readChatStream(context, chunksOf(stream, []), {}).catch(
			(caught: unknown) => caught,
		);
		expect((error as NodeApiError).message).toMatch(/incomplete/);
	});

	it('rejects a malformed delta instead of guessing', async () => {
		const error = await readChatStream(
			context,
			chunksOf('event: delta\ndata: not json\n\n', []),
			{},
		).catch((caught: unknown) => caught);
		expect((error as NodeApiError).message).toMatch(/could not be read/);
	});
});

describe('caps', () => {
	it('stops at a line longer than MAX_SSE_LINE_LENGTH, even split across chunks', () => {
		const parser = new SseParser({ onEvent: () => undefined });
		parser.push('data: ');
		const chunk = 'x'.repeat(64 * 1024);
		for (let index = 0; index < 20; index++) parser.push(chunk);
		expect(parser.overflow).toMatchObject({ what: 'line', limit: MAX_SSE_LINE_LENGTH });
	});

	it('stops at an event whose data lines together exceed the event cap, dispatching nothing', () => {
		const events: SseEvent[] = [];
		const parser = new SseParser({ onEvent: (event) => events.push(event) });
		const line = `data: ${'y'.repeat(MAX_SSE_LINE_LENGTH - 10)}\n`;
		for (let index = 0; index < 5; index++) parser.push(line);
		parser.push('\n');
		expect(parser.overflow).toMatchObject({ what: 'event' });
		expect(events).toEqual([]);
	});

	it('accepts a line just under the cap', () => {
		const events: string[] = [];
		const parser = new SseParser({ onEvent: (event) => events.push(event.data) });
		parser.push(`data: ${'z'.repeat(MAX_SSE_LINE_LENGTH - 10)}\n\n`);
		expect(events[0]).toHaveLength(MAX_SSE_LINE_LENGTH - 10);
		expect(parser.overflow).toBeUndefined();
	});
});
