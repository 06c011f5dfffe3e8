/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// Chat routes (rivya-api.md §7): completions (JSON and SSE), sessions with history, image attachments by
// file id, credits reserved before the turn and settled from token usage. Its control routes (stream
// faults, timing, event names, Studio sessions) are in control/routes.ts with the rest of the control API.
import type * as http from 'node:http';

import type { ModelDefinition } from '../models/catalog';
import {
	type ChatTurnInput,
	type ChatUsage,
	composeReply,
	computeUsage,
	finalCreditsFor,
	reservationFor,
	splitIntoDeltas,
} from './replies';
import { ApiError, delay, errorEnvelope, type RequestContext, type Router } from '../router';
import { sendListPage } from '../schemas';
import { type ChatCompletionRequest, ChatCompletionRequestSchema } from './schemas';
import type { Account, EmulatorState } from '../state';

/** More images than this in one turn is a validation error [assumed]. */
export const MAX_CHAT_ATTACHMENTS = 10;

export interface ChatMessageRecord {
	id: string;
	role: 'user' | 'assistant';
	content: string;
	createdAt: string;
	attachments: Array<{ file_id: string }>;
}

export interface ChatSessionRecord {
	id: string;
	accountId: string;
	model: string;
	/** Sessions started in Rivya Studio exist on the account but cannot be continued through the API. */
	createdVia: 'api' | 'studio';
	createdAt: string;
	updatedAt: string;
	messages: ChatMessageRecord[];
}

export interface ChatStreamTiming {
	/** Interval of `: ping` comments (the contract's 15 s). */
	pingIntervalMs: number;
	/** Pause before each delta, so clients really receive the reply in pieces. */
	deltaDelayMs: number;
}

export interface ChatStreamErrorFault {
	code: string;
	message: string;
	/** The error event replaces the delta with this index (0 = right after start). */
	afterDeltas: number;
	remaining: number;
}

/** SSE event names (contract §7, assumed); the control API can rename them, as a live API might. */
export interface ChatStreamEventNames {
	start: string;
	delta: string;
	done: string;
	error: string;
}

export const DEFAULT_STREAM_EVENT_NAMES: ChatStreamEventNames = {
	start: 'start',
	delta: 'delta',
	done: 'done',
	error: 'error',
};

/** Chat data of one emulator; kept beside EmulatorState so the chat owns its storage. */
export class ChatStore {
	sessions = new Map<string, ChatSessionRecord>();
	streamTiming: ChatStreamTiming = { pingIntervalMs: 15_000, deltaDelayMs: 25 };
	streamEventNames: ChatStreamEventNames = { ...DEFAULT_STREAM_EVENT_NAMES };
	streamErrorFaults: ChatStreamErrorFault[] = [];

	takeStreamErrorFault(): ChatStreamErrorFault | undefined {
		const fault = this.streamErrorFaults.find((candidate) => candidate.remaining > 0);
		if (!fault) return undefined;
		fault.remaining -= 1;
		this.streamErrorFaults = this.streamErrorFaults.filter((candidate) => candidate.remaining > 0);
		return fault;
	}
}

const storesByState = new WeakMap<EmulatorState, ChatStore>();

export function chatStoreFor(state: EmulatorState): ChatStore {
	let store = storesByState.get(state);
	if (!store) {
		store = new ChatStore();
		storesByState.set(state, store);
	}
	return store;
}

/** Seeds a session as if started in Rivya Studio: visible to the account, but a 409 when continued. */
export function addStudioChatSession(
	state: EmulatorState,
	accountId: string,
	model: string,
): ChatSessionRecord {
	return createSession(state, accountId, model, 'studio');
}

function createSession(
	state: EmulatorState,
	accountId: string,
	model: string,
	createdVia: ChatSessionRecord['createdVia'],
): ChatSessionRecord {
	const now = state.now();
	const session: ChatSessionRecord = {
		id: state.newId('chs'),
		accountId,
		model,
		createdVia,
		createdAt: now,
		updatedAt: now,
		messages: [],
	};
	chatStoreFor(state).sessions.set(session.id, session);
	return session;
}

// ---- one turn -------------------------------------------------------------------------------------

/** A validated, paid-for turn: the reply is known up front (it is deterministic), only settling remains. */
interface PreparedTurn {
	account: Account;
	model: ModelDefinition;
	session: ChatSessionRecord;
	userMessage: ChatMessageRecord;
	completionId: string;
	createdAt: string;
	reply: string;
	usage: ChatUsage;
	reserved: number;
	settled: boolean;
}

async function prepareTurn(ctx: RequestContext): Promise<PreparedTurn> {
	const { state, account } = ctx;
	const body = await ctx.json(ChatCompletionRequestSchema);
	const model = chatModel(state, body.model);
	validateTurnOptions(model, body);
	const attachments = attachmentFileIds(ctx, model, body.attachments);
	const existingSession =
		body.session_id === undefined ? undefined : continuableSession(ctx, body.session_id, model);
	const turnInput: ChatTurnInput = {
		message: body.message,
		history: existingSession?.messages ?? [],
		attachmentFileIds: attachments,
		enableWebSearch: body.enable_web_search ?? false,
		reasoningEffort: body.reasoning_effort ?? 'default',
	};
	const reserved = reservationFor(model.base_credits, turnInput);
	// Reserve before creating anything: a 402 leaves no empty session behind.
	state.reserveCredits(account, reserved);
	const session = existingSession ?? createSession(state, account.id, model.id, 'api');
	const createdAt = state.now();
	const reply = composeReply(turnInput);
	return {
		account,
		model,
		session,
		userMessage: {
			id: state.newId('msg'),
			role: 'user',
			content: body.message,
			createdAt,
			attachments: attachments.map((fileId) => ({ file_id: fileId })),
		},
		completionId: state.newId('chatcmpl'),
		createdAt,
		reply,
		usage: computeUsage(turnInput, reply),
		reserved,
		settled: false,
	};
}

function chatModel(state: EmulatorState, modelId: string): ModelDefinition {
	const model = state.findModel(modelId);
	if (
		!model ||
		model.category !== 'chat' ||
		model.api_status !== 'available' ||
		!model.chat_capabilities
	) {
		throw new ApiError(
			400,
			'chat_model_not_supported',
			`model: ${modelId} is not a chat model available through the API`,
		);
	}
	return model;
}

function validateTurnOptions(model: ModelDefinition, body: ChatCompletionRequest): void {
	const capabilities = model.chat_capabilities;
	if (model.max_prompt_length !== null && body.message.length > model.max_prompt_length) {
		throw new ApiError(
			400,
			'validation_failed',
			`message: longer than ${model.max_prompt_length} characters for ${model.id}`,
		);
	}
	const effort = body.reasoning_effort;
	if (
		effort !== undefined &&
		effort !== 'default' &&
		!capabilities?.reasoning_efforts.includes(effort)
	) {
		throw new ApiError(
			400,
			'validation_failed',
			`reasoning_effort: ${effort} is not supported by ${model.id}`,
		);
	}
	if (body.enable_web_search && !capabilities?.web_search) {
		throw new ApiError(
			400,
			'validation_failed',
			`enable_web_search: ${model.id} has no web search`,
		);
	}
}

/** Attachments must be `{file_id}` of the account's uploaded images, for a model that reads images. */
function attachmentFileIds(
	ctx: RequestContext,
	model: ModelDefinition,
	attachments: unknown[] | undefined,
): string[] {
	if (!attachments || attachments.length === 0) return [];
	const reject = (message: string) => new ApiError(400, 'chat_attachment_not_supported', message);
	if (!model.chat_capabilities?.attachments.includes('image')) {
		throw reject(`attachments: ${model.id} does not accept attachments`);
	}
	if (attachments.length > MAX_CHAT_ATTACHMENTS) {
		throw new ApiError(
			400,
			'validation_failed',
			`attachments: at most ${MAX_CHAT_ATTACHMENTS} images per turn`,
		);
	}
	return attachments.map((attachment, index) => {
		const fileId = (attachment as { file_id?: unknown } | null)?.file_id;
		if (
			typeof attachment !== 'object' ||
			typeof fileId !== 'string' ||
			'url' in (attachment ?? {})
		) {
			throw reject(
				`attachments[${index}]: only {"file_id": "file_..."} of an uploaded image is accepted, not URLs`,
			);
		}
		const file = ctx.state.files.get(fileId, ctx.account.id);
		if (!file) throw reject(`attachments[${index}].file_id: no uploaded file ${fileId}`);
		if (file.kind !== 'image')
			throw reject(`attachments[${index}].file_id: ${fileId} is ${file.kind}, not an image`);
		return fileId;
	});
}

/** A session the API may continue: this account's, this model's, started through the API. */
function continuableSession(
	ctx: RequestContext,
	sessionId: string,
	model: ModelDefinition,
): ChatSessionRecord {
	const session = chatStoreFor(ctx.state).sessions.get(sessionId);
	const conflict = (why: string) =>
		new ApiError(409, 'chat_session_conflict', `session_id: ${why}`);
	// Unknown and foreign sessions answer alike, so ids of other accounts cannot be probed.
	if (!session || session.accountId !== ctx.account.id)
		throw conflict(`${sessionId} is not a session of this account`);
	if (session.createdVia !== 'api') throw conflict(`${sessionId} was not created through the API`);
	if (session.model !== model.id)
		throw conflict(`${sessionId} belongs to model ${session.model}, not ${model.id}`);
	return session;
}

/** Charges the turn from its token usage, records both messages, and returns the chat.completion. */
function completeTurn(state: EmulatorState, turn: PreparedTurn) {
	const final = finalCreditsFor(turn.model.base_credits, turn.usage, turn.reserved);
	state.settleCredits(turn.account, turn.reserved, final);
	turn.settled = true;
	const now = state.now();
	const assistantMessage: ChatMessageRecord = {
		id: state.newId('msg'),
		role: 'assistant',
		content: turn.reply,
		createdAt: now,
		attachments: [],
	};
	turn.session.messages.push(turn.userMessage, assistantMessage);
	turn.session.updatedAt = now;
	return {
		id: turn.completionId,
		object: 'chat.completion' as const,
		session_id: turn.session.id,
		model: turn.model.id,
		created_at: turn.createdAt,
		message: { id: assistantMessage.id, role: 'assistant' as const, content: turn.reply },
		usage: turn.usage,
		credits: { reserved: turn.reserved, final },
	};
}

/** A turn that did not complete costs nothing and leaves the session unchanged. */
function refundTurn(state: EmulatorState, turn: PreparedTurn): void {
	if (turn.settled) return;
	state.settleCredits(turn.account, turn.reserved, 0);
	turn.settled = true;
}

// ---- server-sent events ---------------------------------------------------------------------------

class EventStream {
	private pingTimer: NodeJS.Timeout;
	private clientGone = false;

	constructor(
		private res: http.ServerResponse,
		pingIntervalMs: number,
	) {
		res.socket?.setNoDelay(true);
		res.on('close', () => {
			this.clientGone = !res.writableFinished;
			clearInterval(this.pingTimer);
		});
		res.writeHead(200, {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-cache, no-transform',
			Connection: 'keep-alive',
			'X-Accel-Buffering': 'no',
		});
		this.pingTimer = setInterval(() => this.write(': ping\n\n'), pingIntervalMs);
		this.pingTimer.unref();
	}

	get open(): boolean {
		return !this.clientGone && !this.res.writableEnded;
	}

	send(event: string, data: unknown): void {
		this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
	}

	private write(text: string): void {
		if (this.open) this.res.write(text);
	}

	end(): void {
		clearInterval(this.pingTimer);
		if (!this.res.writableEnded) this.res.end();
	}
}

async function streamTurn(ctx: RequestContext, turn: PreparedTurn): Promise<void> {
	const { state, res } = ctx;
	const store = chatStoreFor(state);
	const stream = new EventStream(res, store.streamTiming.pingIntervalMs);
	const fault = store.takeStreamErrorFault();
	const names = store.streamEventNames;
	try {
		stream.send(names.start, {
			id: turn.completionId,
			session_id: turn.session.id,
			model: turn.model.id,
			created_at: turn.createdAt,
		});
		const deltas = splitIntoDeltas(turn.reply);
		for (const [index, content] of deltas.entries()) {
			await delay(store.streamTiming.deltaDelayMs);
			if (!stream.open) break;
			if (fault && index === Math.min(fault.afterDeltas, deltas.length - 1)) {
				stream.send(names.error, errorEnvelope(fault.code, fault.message, ctx.requestId));
				break;
			}
			stream.send(names.delta, { content });
		}
		if (stream.open && !fault) stream.send(names.done, completeTurn(state, turn));
	} finally {
		if (!turn.settled) {
			refundTurn(state, turn);
			// The stream began with 200, but this attempt failed: a non-2xx status here tells the framework
			// not to keep it as the idempotent answer, so the client may retry with the same key.
			res.statusCode = 500;
		}
		stream.end();
	}
}

// ---- routes ---------------------------------------------------------------------------------------

export function sessionView(session: ChatSessionRecord) {
	return {
		id: session.id,
		object: 'chat.session' as const,
		model: session.model,
		created_at: session.createdAt,
		updated_at: session.updatedAt,
		message_count: session.messages.length,
	};
}

function messageView(message: ChatMessageRecord) {
	return {
		id: message.id,
		role: message.role,
		content: message.content,
		created_at: message.createdAt,
		attachments: message.attachments,
	};
}

export function register(router: Router, state: EmulatorState): void {
	state.events.on('reset', () => storesByState.delete(state));
	const turnRoute = { auth: 'key', scope: 'chat:create', idempotent: true } as const;
	const readRoute = { auth: 'key', scope: 'chat:read' } as const;

	router.add(
		'POST',
		'/api/v1/chat/completions',
		{ ...turnRoute, summary: 'Send a chat turn' },
		async (ctx) => {
			const turn = await prepareTurn(ctx);
			ctx.send(200, completeTurn(state, turn));
		},
	);

	router.add(
		'POST',
		'/api/v1/chat/completions/stream',
		{ ...turnRoute, summary: 'Send a chat turn and stream the reply (text/event-stream)' },
		async (ctx) => {
			// Everything that can fail before the first byte fails as a normal JSON error.
			const turn = await prepareTurn(ctx);
			await streamTurn(ctx, turn);
		},
	);

	router.add(
		'GET',
		'/api/v1/chat/sessions',
		{ ...readRoute, summary: 'List chat sessions' },
		(ctx) => {
			const sessions = [...chatStoreFor(state).sessions.values()].filter(
				(session) => session.accountId === ctx.account.id,
			);
			sendListPage(ctx, sessions, sessionView);
		},
	);

	router.add(
		'GET',
		'/api/v1/chat/sessions/:sessionId',
		{ ...readRoute, summary: 'Get a chat session with its messages' },
		(ctx) => {
			const session = chatStoreFor(state).sessions.get(ctx.params.sessionId);
			if (!session || session.accountId !== ctx.account.id) {
				throw new ApiError(404, 'not_found', `No chat session ${ctx.params.sessionId}`);
			}
			ctx.send(200, { ...sessionView(session), messages: session.messages.map(messageView) });
		},
	);
}
