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
import type { IDataObject } from 'n8n-workflow';

import {
	chatStreamEvents,
	requireCompletion,
	streamEndedEarlyError,
	type ChatTurnEvent,
} from './chatStream';
import type { RetryPolicy } from './retry';
import { readStreamText, rivyaRequestFull, type RivyaContext } from './transport';

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
	const json: unknown = bodyIsStream ? JSON.parse(await readStreamText(body)) : body;
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
	throw streamEndedEarlyError(context, itemIndex);
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
