/**
 * Incremental, push-based parser for Server-Sent Events (the WHATWG "event stream" format).
 *
 * Pure: no I/O. Feed it network chunks as they arrive (`push`), then call `end()` when the connection
 * closes. It copes with anything a network can do to a stream:
 * - events, lines and even UTF-8 characters split across chunks at any byte;
 * - CRLF, LF and lone CR line endings, including a CRLF split between two chunks;
 * - multi-line `data:` (joined with "\n"), comment lines (": ping"), `id:` and `retry:` fields;
 * - a leading byte order mark.
 * An event is dispatched only when its terminating blank line arrives: a stream that stops mid-event
 * never produces a half event (`end()` reports whether anything was left unfinished).
 */

export interface SseEvent {
	/** The `event:` field; "message" when the event named none. */
	event: string;
	/** The `data:` lines joined with "\n". */
	data: string;
	/** The last `id:` seen so far in the stream (per the spec, ids persist across events). */
	id?: string;
	/** A `retry:` reconnection time in milliseconds, when this event carried one. */
	retry?: number;
}

export interface SseHandlers {
	onEvent: (event: SseEvent) => void;
	/** Comment lines (": ping" keep-alives), without the leading colon. */
	onComment?: (text: string) => void;
}

export interface SseEndState {
	/** Bytes or fields arrived after the last complete event: the stream stopped mid-event. */
	unfinishedEvent: boolean;
}

const LINE_BREAK = /[\r\n]/;

/** Longest line accepted (characters): a stream that never ends its line must not fill the memory. */
export const MAX_SSE_LINE_LENGTH = 1024 * 1024;
/** Most data one event may carry (all its data lines together). */
export const MAX_SSE_EVENT_DATA_LENGTH = 4 * MAX_SSE_LINE_LENGTH;

/** What exceeded its cap, once the parser stopped reading because of it. */
export interface SseOverflow {
	what: 'line' | 'event';
	limit: number;
	message: string;
}

export class SseParser {
	private readonly decoder = new TextDecoder('utf-8');
	/** Text of the current line received so far (no line ending yet). */
	private partialLine = '';
	/** The previous chunk ended in CR: a LF that starts the next chunk belongs to that line ending. */
	private skipLeadingLineFeed = false;
	private atStreamStart = true;
	private eventType = '';
	private dataLines: string[] = [];
	private dataLength = 0;
	private hasFields = false;
	private lastEventId: string | undefined;
	private retryMs: number | undefined;
	private ended = false;
	/** Set when a line or an event exceeded its cap: the parser then ignores everything after it. */
	overflow: SseOverflow | undefined;

	constructor(private readonly handlers: SseHandlers) {}

	/** Feeds the next network chunk (bytes or already-decoded text). */
	push(chunk: Uint8Array | string): void {
		if (this.ended) throw new Error('SseParser: push() after end()');
		if (this.overflow) return;
		const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		this.consumeText(text);
	}

	/** The connection closed. Returns whether an event was left unfinished (never dispatched). */
	end(): SseEndState {
		if (!this.ended) {
			this.ended = true;
			const rest = this.decoder.decode();
			if (rest) this.consumeText(rest);
		}
		return { unfinishedEvent: this.partialLine.length > 0 || this.hasFields };
	}

	private consumeText(input: string): void {
		let text = input;
		if (this.atStreamStart && text.length > 0) {
			this.atStreamStart = false;
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
		}
		let position = 0;
		if (this.skipLeadingLineFeed && text.length > 0) {
			this.skipLeadingLineFeed = false;
			if (text[0] === '\n') position = 1;
		}
		const lineBreak = new RegExp(LINE_BREAK.source, 'g');
		while (position < text.length) {
			lineBreak.lastIndex = position;
			const found = lineBreak.exec(text);
			if (!found) {
				this.partialLine += text.slice(position);
				if (this.partialLine.length > MAX_SSE_LINE_LENGTH) this.overflowed('line');
				return;
			}
			const line = this.partialLine + text.slice(position, found.index);
			this.partialLine = '';
			if (line.length > MAX_SSE_LINE_LENGTH) return this.overflowed('line');
			position = found.index + 1;
			if (found[0] === '\r') {
				if (position < text.length) {
					if (text[position] === '\n') position += 1;
				} else {
					this.skipLeadingLineFeed = true;
				}
			}
			this.processLine(line);
			if (this.overflow) return;
		}
	}

	private overflowed(what: SseOverflow['what']): void {
		const limit = what === 'line' ? MAX_SSE_LINE_LENGTH : MAX_SSE_EVENT_DATA_LENGTH;
		this.overflow = {
			what,
			limit,
			message: `An event-stream ${what} exceeded ${limit} characters`,
		};
		this.partialLine = '';
		this.dataLines = [];
		this.hasFields = false;
	}

	private processLine(line: string): void {
		if (line === '') {
			this.dispatch();
			return;
		}
		if (line.startsWith(':')) {
			this.handlers.onComment?.(line.slice(1).replace(/^ /, ''));
			return;
		}
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
		switch (field) {
			case 'event':
				this.eventType = value;
				this.hasFields = true;
				break;
			case 'data':
				this.dataLength += value.length + 1;
				if (this.dataLength > MAX_SSE_EVENT_DATA_LENGTH) {
					this.overflowed('event');
					return;
				}
				this.dataLines.push(value);
				this.hasFields = true;
				break;
			case 'id':
				// The spec ignores ids containing NUL.
				if (!value.includes('\u0000')) this.lastEventId = value;
				break;
			case 'retry':
				if (/^\d+$/.test(value)) this.retryMs = Number(value);
				break;
			default:
				// Unknown fields are ignored, as the spec requires.
				break;
		}
	}

	private dispatch(): void {
		const hadData = this.dataLines.length > 0;
		const event: SseEvent = {
			event: this.eventType || 'message',
			data: this.dataLines.join('\n'),
			...(this.lastEventId !== undefined ? { id: this.lastEventId } : {}),
			...(this.retryMs !== undefined ? { retry: this.retryMs } : {}),
		};
		this.eventType = '';
		this.dataLines = [];
		this.dataLength = 0;
		this.hasFields = false;
		this.retryMs = undefined;
		// Per the spec an event without data is not dispatched (e.g. a lone "event:" line).
		if (hadData) this.handlers.onEvent(event);
	}
}

/** Parses a whole SSE text at once; for tests and small bodies. */
export function parseSseText(text: string | Uint8Array): { events: SseEvent[]; complete: boolean } {
	const events: SseEvent[] = [];
	const parser = new SseParser({ onEvent: (event) => events.push(event) });
	parser.push(text);
	return { events, complete: !parser.end().unfinishedEvent };
}
