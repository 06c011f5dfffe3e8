/**
 * One chat turn with Rivya (what the docs leave open: test/emulator/ASSUMED.md), shared by the Rivya
 * node (Chat > Send Message) and the Rivya Chat Model sub-node: the JSON call, or the SSE stream read
 * incrementally into the same final completion.
 *
 * Rules that must not regress:
 * - A stream that ends before its `done` event is an error, never a shorter reply: the text received so
 *   far is not presented as the answer, but it is kept in the error (description and details).
 * - The SSE event names are assumed (Rivya's docs are silent): a stream without the final event, or
 *   whose events are all unknown, fails with the event names that arrived, so a mismatch with the live
 *   API shows on the first streamed turn (never a hang, never an empty success).
 * - A turn is paid, so it is always sent with an Idempotency-Key: a retried send replays Rivya's answer.
 */
import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readErrorEnvelope, rivyaApiError } from './errors';
import type { RetryPolicy } from './retry';
import { ExecutionCancelledError } from './sleep';
import { SseParser, type SseEvent, type SseOverflow } from './sse';
import { cancelSignalOf, rivyaRequestFull, type RivyaContext } from './transport';

export const CHAT_ROUTE = 'POST /chat/completions';
export const CHAT_STREAM_ROUTE = 'POST /chat/completions/stream';

export interface ChatTurnBody extends IDataObject {
	model: string;
	message: string;
	session_id?: string;
	attachments?: Array<{ file_id: string }>;
	enable_web_search?: boolean;
	reasoning_effort?: string;
	client_request_id?: string;
}

export interface ChatCompletion extends IDataObject {
	id: string;
	object: string;
	session_id: string;
	model: string;
	created_at: string;
	message: { id: string; role: string; content: string };
	usage: { input_tokens: number; output_tokens: number; total_tokens: number };
	credits: { reserved: number; final: number };
}

export interface ChatStreamHandlers {
	/** The stream began (Rivya accepted the turn). */
	onStart?: (start: IDataObject) => void;
	/** The next piece of the reply, in order. */
	onDelta?: (content: string) => void;
}

export interface ChatTurnOptions extends ChatStreamHandlers {
	body: ChatTurnBody;
	idempotencyKey: string;
	stream: boolean;
	itemIndex?: number;
	retry?: Partial<RetryPolicy>;
}

export interface ChatTurnResult {
	completion: ChatCompletion;
	/** Rivya replayed an earlier answer for this Idempotency-Key (nothing new was charged). */
	replayed: boolean;
}

/** HTTP status a mid-stream error code would have had as a normal response (for the error's httpCode). */
const STATUS_FOR_STREAM_ERROR: Record<string, number> = {
	insufficient_credits: 402,
	rate_limited: 429,
	validation_failed: 400,
	chat_session_conflict: 409,
	chat_model_not_supported: 400,
	chat_attachment_not_supported: 400,
	not_found: 404,
	public_api_disabled: 503,
};

export type ChatTurnEvent =
	| { type: 'start'; start: IDataObject }
	| { type: 'delta'; content: string }
	| { type: 'done'; completion: ChatCompletion };

export interface OpenedChatTurn {
	/** The reply as events: the stream's pieces, or just `done` for a non-streaming turn. */
	events: AsyncGenerator<ChatTurnEvent, void, undefined>;
	/** Rivya replayed an earlier answer for this Idempotency-Key (nothing new was charged). */
	replayed: boolean;
}

/** Sends one chat turn and returns its reply as events, read incrementally when streaming. */
export async function openChatTurn(
	this: RivyaContext,
	options: Omit<ChatTurnOptions, keyof ChatStreamHandlers>,
): Promise<OpenedChatTurn> {
	const response = await rivyaRequestFull.call(this, {
		method: 'POST',
		path: options.stream ? '/chat/completions/stream' : '/chat/completions',
		body: options.body,
		idempotencyKey: options.idempotencyKey,
		encoding: options.stream ? 'stream' : 'json',
		itemIndex: options.itemIndex,
		retry: options.retry,
		// Long replies stream for a while; pings every 15 s keep the connection from idling out.
		timeoutMs: 300_000,
		errorContext: { requiredScope: 'chat:create' },
	});
	const { itemIndex } = options;
	const contentType = String(response.headers['content-type'] ?? '');
	const isEventStream = options.stream && !/application\/json/i.test(contentType);
	const events = isEventStream
		? chatStreamEvents(
				this,
				response.body as unknown as AsyncIterable<Uint8Array | string>,
				itemIndex,
			)
		: completionOnly(this, response.body, options.stream, itemIndex);
	return { events, replayed: response.replayed };
}

/** A whole JSON answer (non-streaming, or a stream route that answered with JSON) as one `done`. */
async function* completionOnly(
	context: RivyaContext,
	body: unknown,
	bodyIsStream: boolean,
	itemIndex?: number,
): AsyncGenerator<ChatTurnEvent, void, undefined> {
	const json: unknown = bodyIsStream ? JSON.parse(await readAll(body)) : body;
	yield { type: 'done', completion: requireCompletion(context, json, itemIndex) };
}

/** Sends one chat turn; with `stream`, reads the SSE reply incrementally and reports its deltas. */
export async function sendChatTurn(
	this: RivyaContext,
	options: ChatTurnOptions,
): Promise<ChatTurnResult> {
	const { events, replayed } = await openChatTurn.call(this, options);
	return {
		completion: await collectCompletion(this, events, options, options.itemIndex),
		replayed,
	};
}

/** Passes the pieces to the handlers and returns the final completion. */
async function collectCompletion(
	context: RivyaContext,
	events: AsyncIterable<ChatTurnEvent>,
	handlers: ChatStreamHandlers,
	itemIndex?: number,
): Promise<ChatCompletion> {
	for await (const event of events) {
		if (event.type === 'start') handlers.onStart?.(event.start);
		else if (event.type === 'delta') handlers.onDelta?.(event.content);
		else return event.completion;
	}
	// The event readers end with `done` or throw; this is only reached if that contract breaks.
	throw incompleteReplyError(context, new StreamTally(), itemIndex);
}

async function readAll(body: unknown): Promise<string> {
	if (typeof body === 'string') return body;
	const chunks: Buffer[] = [];
	for await (const chunk of body as AsyncIterable<Buffer | string>) {
		chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
	}
	return Buffer.concat(chunks).toString('utf8');
}

function requireCompletion(
	context: RivyaContext,
	body: unknown,
	itemIndex?: number,
): ChatCompletion {
	const candidate = body as Partial<ChatCompletion> | undefined;
	if (
		!candidate ||
		typeof candidate !== 'object' ||
		typeof candidate.session_id !== 'string' ||
		!candidate.message ||
		typeof candidate.message.content !== 'string'
	) {
		throw new NodeApiError(context.getNode(), { code: 'unexpected_response' } as JsonObject, {
			message: 'Rivya answered the chat turn without a reply message',
			description:
				'The answer had no session_id or message content. Check the session with Chat > Get Session before sending the message again.',
			itemIndex,
		});
	}
	return candidate as ChatCompletion;
}

/** The SSE events this reader knows (assumed names: test/emulator/ASSUMED.md, chat stream). */
const KNOWN_STREAM_EVENTS = ['start', 'delta', 'done', 'error'];
/** A stream whose first events are all unknown is not going to become readable: stop, do not hang. */
const MAX_UNKNOWN_EVENTS_FIRST = 100;
/** Distinct event names listed in an error; more are summed up. */
const MAX_LISTED_EVENT_NAMES = 20;
/** Text quoted in the error description; the whole text is in the error's details. */
const MAX_QUOTED_TEXT = 2000;

/** What a stream carried so far: event names in order of first arrival with counts, and the text. */
class StreamTally {
	private readonly counts = new Map<string, number>();
	private otherNames = 0;
	text = '';
	recognised = 0;
	unknown = 0;

	add(name: string): void {
		if (KNOWN_STREAM_EVENTS.includes(name)) this.recognised++;
		else this.unknown++;
		// Names come from the network: printable ASCII only, bounded.
		const clean = name.replace(/[^\x21-\x7e]/g, '?').slice(0, 64);
		if (this.counts.has(clean) || this.counts.size < MAX_LISTED_EVENT_NAMES) {
			this.counts.set(clean, (this.counts.get(clean) ?? 0) + 1);
		} else {
			this.otherNames++;
		}
	}

	/** e.g. `start, delta ×12` or `none`. */
	names(): string {
		const listed = [...this.counts].map(([name, count]) =>
			count > 1 ? `${name} ×${count}` : name,
		);
		if (this.otherNames) listed.push(`${this.otherNames} more of other names`);
		return listed.join(', ') || 'none';
	}
}

function incompleteReplyError(
	context: RivyaContext,
	tally: StreamTally,
	itemIndex: number | undefined,
	cause?: unknown,
): NodeApiError {
	// The cause goes in the description: n8n replaces a message that names a network code (ECONNRESET).
	const failure = (cause as { code?: string; message?: string } | undefined) ?? {};
	const allUnknown = tally.recognised === 0 && tally.unknown > 0;
	const reason = cause
		? `The connection broke (${failure.code ?? failure.message ?? 'network error'}).`
		: allUnknown
			? `None of the stream's events is one this node reads (${KNOWN_STREAM_EVENTS.join(', ')}): Rivya's stream format may differ from what this node expects (it is not documented). Turn off Stream under Options to use the non-streaming call, and report the event names to the node maintainers.`
			: 'The stream closed without its final "done" event.';
	const events = `Events received: ${tally.names()}.`;
	const text = tally.text;
	const quoted =
		text.length > MAX_QUOTED_TEXT
			? `"${text.slice(0, MAX_QUOTED_TEXT)}…" (first ${MAX_QUOTED_TEXT}; all of it is in the error details, receivedText)`
			: `"${text}"`;
	const received = text
		? `${text.length} characters of the reply had arrived; they are not returned as the answer: ${quoted}.`
		: 'No reply text had arrived.';
	const error = new NodeApiError(
		context.getNode(),
		{
			code: 'stream_incomplete',
			message: reason,
			eventNames: tally.names(),
			receivedText: text,
		} as JsonObject,
		{
			message: `The chat reply from Rivya was incomplete: the stream ended before Rivya finished (events received: ${tally.names()})`,
			description: `${reason} ${events} ${received} The turn may already be stored in the session: check it with Chat > Get Session, or run again (n8n's Retry On Fail re-sends the same Idempotency-Key, so Rivya replays its answer instead of charging twice).`,
			itemIndex,
		},
	);
	error.context.receivedText = text;
	error.context.eventNames = tally.names();
	return error;
}

function oversizedStreamError(
	context: RivyaContext,
	overflow: SseOverflow,
	itemIndex?: number,
): NodeApiError {
	return new NodeApiError(
		context.getNode(),
		{ code: 'stream_too_large', message: overflow.message } as JsonObject,
		{
			message: 'Rivya sent a chat stream line or event too large to read; reading stopped',
			description: `${overflow.message} (the limit keeps a broken or hostile server from filling n8n's memory). Check the Base URL in the Rivya credential, or turn off Stream under Options.`,
			itemIndex,
		},
	);
}

function malformedEventError(
	context: RivyaContext,
	event: SseEvent,
	itemIndex?: number,
): NodeApiError {
	return new NodeApiError(
		context.getNode(),
		{ code: 'stream_malformed', message: `event ${event.event}` } as JsonObject,
		{
			message: `Rivya sent a chat stream event that could not be read ("${event.event}")`,
			description:
				'Its data was not the expected JSON. Turn off Stream under Options to use the non-streaming call.',
			itemIndex,
		},
	);
}

function parseEventJson(context: RivyaContext, event: SseEvent, itemIndex?: number): IDataObject {
	try {
		const parsed: unknown = JSON.parse(event.data);
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
			return parsed as IDataObject;
	} catch {
		// Reported below with the event's name.
	}
	throw malformedEventError(context, event, itemIndex);
}

/**
 * Reads Rivya's chat SSE stream (`start`, `delta`..., then `done` or `error`) incrementally. Ends after
 * `done`; throws for an `error` event and for a stream that ends (or breaks) before `done`.
 */
export async function* chatStreamEvents(
	context: RivyaContext,
	body: AsyncIterable<Uint8Array | string>,
	itemIndex?: number,
): AsyncGenerator<ChatTurnEvent, void, undefined> {
	const signal = cancelSignalOf(context);
	const pending: SseEvent[] = [];
	const parser = new SseParser({ onEvent: (event) => pending.push(event) });
	const iterator = body[Symbol.asyncIterator]();
	const tally = new StreamTally();

	const toTurnEvent = (event: SseEvent): ChatTurnEvent | undefined => {
		tally.add(event.event);
		switch (event.event) {
			case 'start':
				return { type: 'start', start: parseEventJson(context, event, itemIndex) };
			case 'delta': {
				const content = parseEventJson(context, event, itemIndex).content;
				if (typeof content !== 'string' || content.length === 0) return undefined;
				tally.text += content;
				return { type: 'delta', content };
			}
			case 'done':
				return {
					type: 'done',
					completion: requireCompletion(
						context,
						parseEventJson(context, event, itemIndex),
						itemIndex,
					),
				};
			case 'error': {
				const envelope = readErrorEnvelope(event.data);
				const status = envelope ? (STATUS_FOR_STREAM_ERROR[envelope.code] ?? 500) : 500;
				throw rivyaApiError(context.getNode(), status, event.data, { itemIndex });
			}
			default:
				// Unknown events may be added by Rivya at any time; they carry nothing we need. But a
				// stream of nothing else is one this node cannot read: stop instead of waiting.
				if (tally.recognised === 0 && tally.unknown >= MAX_UNKNOWN_EVENTS_FIRST) {
					throw incompleteReplyError(context, tally, itemIndex);
				}
				return undefined;
		}
	};

	try {
		let ended = false;
		while (!ended) {
			let next: IteratorResult<Uint8Array | string>;
			try {
				next = await iterator.next();
			} catch (error) {
				if (signal?.aborted) {
					throw new NodeOperationError(context.getNode(), new ExecutionCancelledError(), {
						itemIndex,
					});
				}
				throw incompleteReplyError(context, tally, itemIndex, error);
			}
			if (next.done) {
				ended = true;
				parser.end();
			} else {
				parser.push(next.value);
			}
			if (parser.overflow) throw oversizedStreamError(context, parser.overflow, itemIndex);
			for (const event of pending.splice(0)) {
				const turnEvent = toTurnEvent(event);
				if (!turnEvent) continue;
				yield turnEvent;
				if (turnEvent.type === 'done') return;
			}
		}
		throw incompleteReplyError(context, tally, itemIndex);
	} finally {
		// Closes the connection when reading stops early (done received, an error event, or the
		// consumer stopped listening).
		await iterator.return?.();
	}
}

/** Reads a whole chat SSE stream into the final completion, reporting its pieces on the way. */
export async function readChatStream(
	context: RivyaContext,
	body: AsyncIterable<Uint8Array | string>,
	options: ChatStreamHandlers & { itemIndex?: number },
): Promise<ChatCompletion> {
	const events = chatStreamEvents(context, body, options.itemIndex);
	return await collectCompletion(context, events, options, options.itemIndex);
}

/** The compact shape most workflows want. */
export function simplifyCompletion(completion: ChatCompletion): IDataObject {
	return {
		text: completion.message.content,
		sessionId: completion.session_id,
		model: completion.model,
		messageId: completion.message.id,
		usage: completion.usage,
		credits: completion.credits,
		completionId: completion.id,
	};
}
