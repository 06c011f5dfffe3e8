/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// The emulator's tiny HTTP framework. Every route gets, in this order: a request id (X-Request-Id on
// every response), route counters, fault injection, the public-API switch, auth + scope, the per-key
// rate limit, idempotency (capture + replay) and the error envelope of rivya-api.md §2.
import { createHash, randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import type { z } from 'zod/v4';
import type { Account, EmulatorState, Fault } from './state';

export const ALL_SCOPES = [
	'models:read',
	'generations:create',
	'generations:read',
	'files:create',
	'files:read',
	'credits:read',
	'webhooks:manage',
	'chat:create',
	'chat:read',
] as const;

export type Scope = (typeof ALL_SCOPES)[number];

export class ApiError extends Error {
	constructor(
		public status: number,
		public code: string,
		message: string,
		public headers?: Record<string, string>,
	) {
		super(message);
		this.name = 'ApiError';
	}
}

export interface RequestContext {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	params: Record<string, string>;
	query: URLSearchParams;
	requestId: string;
	state: EmulatorState;
	/** Set when the route's auth is 'key'. */
	account: Account;
	/** The route name used for counters, faults and idempotency, e.g. "POST /api/v1/generations". */
	routeName: string;
	/** The whole body (JSON routes only; multipart streams `req` itself). */
	rawBody(): Promise<Buffer>;
	/** Parse + validate; throws ApiError 400 validation_failed naming the field. */
	json<T>(schema: z.ZodType<T>): Promise<T>;
	/** JSON response with X-Request-Id. */
	send(status: number, body: unknown, headers?: Record<string, string>): void;
	/**
	 * Streaming-body routes (`bodyFingerprint: 'handler'`) call this once they have read the body, with a
	 * digest of its meaning (not its bytes: multipart boundaries differ per attempt). It throws to replay
	 * or to reject a reused key; JSON routes never need it, the router fingerprints the raw body.
	 */
	idempotencyCheckpoint(fingerprint: string): void;
}

export interface RouteOptions {
	auth: 'public' | 'key';
	scope?: Scope;
	idempotent?: boolean;
	name?: string;
	/** How an idempotent route's body is compared: raw bytes (default) or a digest the handler reports. */
	bodyFingerprint?: 'raw' | 'handler';
	/** Short text for the OpenAPI document. */
	summary?: string;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

export interface RouteDefinition {
	method: string;
	pattern: string;
	name: string;
	options: RouteOptions;
	handler: RouteHandler;
	segments: string[];
}

const CONTROL_PREFIX = '/_emulator/';
const MAX_JSON_BODY_BYTES = 5 * 1024 * 1024;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export function newRequestId(): string {
	return `req_${randomBytes(12).toString('hex')}`;
}

export function errorEnvelope(code: string, message: string, requestId: string) {
	return { error: { code, message, requestId } };
}

/** Human field path for validation messages: ['params', 'items', 0, 'url'] → "params.items[0].url". */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
	let text = '';
	for (const part of path) {
		if (typeof part === 'number') text += `[${part}]`;
		else text += text ? `.${String(part)}` : String(part);
	}
	return text || 'body';
}

/** Thrown inside a handler to make the router answer with a stored idempotent response instead. */
class IdempotentReplay {
	constructor(public record: IdempotencyRecord) {}
}

export interface IdempotencyRecord {
	inFlight: boolean;
	fingerprint?: string;
	status?: number;
	headers?: http.OutgoingHttpHeaders;
	body?: Buffer;
	storedAtMs: number;
}

/**
 * Wraps a response's writeHead/write/end so the framework can capture what a handler writes (JSON or
 * SSE, for idempotent replays), hide it from the client (drop_after_response), or cut it short (cut_stream).
 */
class ResponseTap {
	captured: Buffer[] | null = null;
	suppressed = false;
	cutAfterBytes: number | null = null;
	bodyBytes = 0;
	ended = false;
	private endListeners: Array<() => void> = [];

	constructor(private res: http.ServerResponse) {
		// A connection that closes mid-response never ends: wake waiters anyway (ended stays false).
		res.once('close', () => {
			for (const listener of this.endListeners.splice(0)) listener();
		});
		const originalWriteHead = res.writeHead.bind(res) as (status: number) => http.ServerResponse;
		const originalWrite = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
		const originalEnd = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;

		res.writeHead = ((status: number, ...rest: unknown[]) => {
			// Fold any header argument into setHeader so getHeaders() always shows the full set.
			const headers = rest.find((arg) => arg !== null && typeof arg === 'object');
			if (headers && !Array.isArray(headers)) {
				for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
					if (value !== undefined) res.setHeader(name, value as string);
				}
			}
			res.statusCode = status;
			if (this.suppressed) return res;
			return originalWriteHead(status);
		}) as typeof res.writeHead;

		res.write = ((chunk: unknown, ...rest: unknown[]) => {
			const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
			const buffer = toBuffer(chunk, rest);
			if (this.captured) this.captured.push(buffer);
			if (this.suppressed) {
				if (callback) process.nextTick(callback);
				return true;
			}
			return this.forward(buffer, (part) => originalWrite(part), callback);
		}) as typeof res.write;

		res.end = ((...args: unknown[]) => {
			const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
			const chunk = args[0];
			const hasChunk = chunk !== undefined && chunk !== null && typeof chunk !== 'function';
			const buffer = hasChunk ? toBuffer(chunk, args.slice(1)) : null;
			if (buffer && this.captured) this.captured.push(buffer);
			this.ended = true;
			for (const listener of this.endListeners.splice(0)) listener();
			if (this.suppressed) {
				if (callback) process.nextTick(callback);
				return res;
			}
			if (buffer && this.cutAfterBytes !== null) {
				const proceed = this.forward(buffer, (part) => originalWrite(part));
				if (!proceed && res.destroyed) return res;
				return originalEnd(callback);
			}
			if (buffer) this.bodyBytes += buffer.length;
			return buffer ? originalEnd(buffer, callback) : originalEnd(callback);
		}) as typeof res.end;
	}

	/** Writes through, unless a cut_stream fault says the connection dies after N body bytes. */
	private forward(
		buffer: Buffer,
		write: (part: Buffer) => boolean,
		callback?: () => void,
	): boolean {
		if (this.cutAfterBytes !== null && this.bodyBytes + buffer.length > this.cutAfterBytes) {
			const allowed = Math.max(0, this.cutAfterBytes - this.bodyBytes);
			this.bodyBytes += allowed;
			if (allowed > 0) write(buffer.subarray(0, allowed));
			// Give the partial bytes a moment to leave, then kill the connection mid-body.
			setImmediate(() => this.res.destroy());
			return false;
		}
		this.bodyBytes += buffer.length;
		const result = write(buffer);
		if (callback) process.nextTick(callback);
		return result;
	}

	/** Resolves when the handler has ended the response or the connection has closed. */
	whenEnded(): Promise<void> {
		if (this.ended || this.res.destroyed) return Promise.resolve();
		return new Promise((resolve) => this.endListeners.push(resolve));
	}
}

function toBuffer(chunk: unknown, rest: unknown[]): Buffer {
	if (Buffer.isBuffer(chunk)) return chunk;
	if (chunk instanceof Uint8Array)
		return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	const encoding = rest.find((arg) => typeof arg === 'string') as BufferEncoding | undefined;
	return Buffer.from(String(chunk), encoding ?? 'utf8');
}

function defaultCodeForStatus(status: number): string {
	const codes: Record<number, string> = {
		400: 'validation_failed',
		401: 'api_key_invalid',
		402: 'insufficient_credits',
		403: 'api_scope_denied',
		404: 'not_found',
		409: 'idempotency_conflict',
		413: 'file_too_large',
		415: 'unsupported_media_type',
		429: 'rate_limited',
		503: 'public_api_disabled',
	};
	return codes[status] ?? 'internal_error';
}

export class Router {
	readonly routes: RouteDefinition[] = [];

	constructor(private state: EmulatorState) {}

	add(method: string, pattern: string, options: RouteOptions, handler: RouteHandler): void {
		const upper = method.toUpperCase();
		this.routes.push({
			method: upper,
			pattern,
			name: options.name ?? `${upper} ${pattern}`,
			options,
			handler,
			segments: splitPath(pattern),
		});
	}

	private match(method: string, pathname: string) {
		const segments = splitPath(pathname);
		let pathMatched = false;
		for (const route of this.routes) {
			const params = matchSegments(route.segments, segments);
			if (!params) continue;
			pathMatched = true;
			if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
				return { route, params, pathMatched };
			}
		}
		return { route: undefined, params: {}, pathMatched };
	}

	/** The http.Server 'request' listener. Must run synchronously up to its first await (see files). */
	handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
		const requestId = newRequestId();
		res.setHeader('X-Request-Id', requestId);
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const method = (req.method ?? 'GET').toUpperCase();
		const { route, params, pathMatched } = this.match(method, url.pathname);
		const tap = new ResponseTap(res);
		const ctx = this.createContext(req, res, requestId, url, params, route);
		let dropAfterResponse = false;
		let handler = route?.handler;
		try {
			if (!route) {
				throw pathMatched
					? new ApiError(404, 'not_found', `Method ${method} is not allowed on ${url.pathname}`)
					: new ApiError(404, 'not_found', `No route for ${method} ${url.pathname}`);
			}
			const isControl = url.pathname.startsWith(CONTROL_PREFIX);
			if (!isControl) {
				this.state.counters.countRequest(route.name);
				const fault = this.state.takeFault(route.name, method, url.pathname);
				if (fault) {
					if (fault.kind === 'reset_before') {
						req.socket.destroy();
						return;
					}
					applyFault(fault);
					if (fault.kind === 'delay') handler = delayed(route.handler, fault.delayMs ?? 1000);
					dropAfterResponse = fault.kind === 'drop_after_response';
					if (dropAfterResponse) tap.suppressed = true;
					if (fault.kind === 'cut_stream') tap.cutAfterBytes = fault.afterBytes ?? 0;
				}
				if (url.pathname.startsWith('/api/') && !this.state.publicApiEnabled) {
					throw new ApiError(503, 'public_api_disabled', 'The public API is disabled');
				}
				const apiKey = bearerKey(req);
				if (route.options.auth === 'key') {
					ctx.account = this.state.authenticate(apiKey, route.options.scope);
				}
				this.state.checkRateLimit(apiKey ?? `ip:${req.socket.remoteAddress ?? 'unknown'}`);
			}
			const idempotencyKey = headerValue(req, 'idempotency-key');
			if (route.options.idempotent && idempotencyKey !== undefined && ctx.account) {
				await this.runIdempotent(ctx, route, handler!, idempotencyKey, tap);
			} else {
				await handler!(ctx);
			}
		} catch (error) {
			if (error instanceof IdempotentReplay) replay(ctx, error.record);
			else sendError(ctx, error);
		} finally {
			if (dropAfterResponse) {
				// The work is done (task created, credits charged); the client only sees a reset.
				await Promise.race([tap.whenEnded(), delay(30_000)]);
				req.socket.destroy();
			}
		}
	};

	private async runIdempotent(
		ctx: RequestContext,
		route: RouteDefinition,
		handler: RouteHandler,
		key: string,
		tap: ResponseTap,
	): Promise<void> {
		if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
			throw new ApiError(
				400,
				'validation_failed',
				`Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
			);
		}
		const store = this.state.idempotency;
		const storeKey = [ctx.account.id, route.name, key].join('\n');
		let previous = store.get(storeKey);
		if (
			previous &&
			!previous.inFlight &&
			this.state.nowMs() - previous.storedAtMs > IDEMPOTENCY_TTL_MS
		) {
			store.delete(storeKey);
			previous = undefined;
		}
		if (previous?.inFlight) {
			throw new ApiError(
				409,
				'idempotency_conflict',
				'A request with this Idempotency-Key is still in flight; retry after it completes',
			);
		}
		const own: IdempotencyRecord = { inFlight: true, storedAtMs: this.state.nowMs() };
		if (!previous) store.set(storeKey, own);

		ctx.idempotencyCheckpoint = (fingerprint: string) => {
			if (previous) {
				if (previous.fingerprint === fingerprint) throw new IdempotentReplay(previous);
				throw new ApiError(
					409,
					'idempotency_conflict',
					'This Idempotency-Key was already used with a different request body',
				);
			}
			own.fingerprint = fingerprint;
		};

		if (previous) {
			// A repeat: only compare, never run the work again.
			if (route.options.bodyFingerprint === 'handler') await handler(ctx);
			else ctx.idempotencyCheckpoint(sha256(await ctx.rawBody()));
			return;
		}

		tap.captured = [];
		const release = () => {
			if (store.get(storeKey) === own && own.inFlight) store.delete(storeKey);
		};
		ctx.res.once('close', release);
		try {
			if (route.options.bodyFingerprint !== 'handler') {
				ctx.idempotencyCheckpoint(sha256(await ctx.rawBody()));
			}
			await handler(ctx);
		} catch (error) {
			sendError(ctx, error);
		}
		await tap.whenEnded();
		const status = ctx.res.statusCode;
		if (tap.ended && status >= 200 && status < 300 && own.fingerprint !== undefined) {
			own.inFlight = false;
			own.status = status;
			own.headers = { ...ctx.res.getHeaders() };
			own.body = Buffer.concat(tap.captured ?? []);
			own.storedAtMs = this.state.nowMs();
		} else {
			// Only successes are remembered: a failed attempt may be retried with the same key.
			release();
		}
		tap.captured = null;
	}

	private createContext(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		requestId: string,
		url: URL,
		params: Record<string, string>,
		route: RouteDefinition | undefined,
	): RequestContext {
		let bodyPromise: Promise<Buffer> | undefined;
		const state = this.state;
		const ctx: RequestContext = {
			req,
			res,
			params,
			query: url.searchParams,
			requestId,
			state,
			account: undefined as unknown as Account,
			routeName: route?.name ?? `${req.method} ${url.pathname}`,
			rawBody() {
				bodyPromise ??= readBody(req, MAX_JSON_BODY_BYTES);
				return bodyPromise;
			},
			async json<T>(schema: z.ZodType<T>): Promise<T> {
				const raw = await ctx.rawBody();
				const data = parseJsonBody(raw);
				const parsed = schema.safeParse(data);
				if (!parsed.success) {
					const issue = parsed.error.issues[0];
					const field = fieldPath(issue.path);
					throw new ApiError(400, 'validation_failed', `${field}: ${issue.message}`);
				}
				return parsed.data;
			},
			send(status: number, body: unknown, headers?: Record<string, string>) {
				if (res.headersSent || res.writableEnded) return;
				const payload = Buffer.from(JSON.stringify(body));
				for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
				res.setHeader('Content-Type', 'application/json; charset=utf-8');
				res.setHeader('Content-Length', String(payload.length));
				res.writeHead(status);
				res.end(req.method === 'HEAD' ? undefined : payload);
			},
			idempotencyCheckpoint() {
				// Replaced by the router for idempotent requests that carry a key.
			},
		};
		return ctx;
	}
}

/** A delay fault holds the handler itself, after auth and idempotency bookkeeping (so retries see it in flight). */
function delayed(handler: RouteHandler, ms: number): RouteHandler {
	return async (ctx) => {
		await delay(ms);
		await handler(ctx);
	};
}

/** Faults that answer instead of the handler. */
function applyFault(fault: Fault): void {
	if (fault.kind === 'status') {
		const status = fault.status ?? 500;
		const headers =
			fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : undefined;
		throw new ApiError(
			status,
			fault.code ?? defaultCodeForStatus(status),
			'Injected fault',
			headers,
		);
	}
	if (fault.kind === 'rate_limit_storm') {
		throw new ApiError(429, 'rate_limited', 'Too many requests (injected)', {
			'Retry-After': String(fault.retryAfter ?? 1),
		});
	}
}

function replay(ctx: RequestContext, record: IdempotencyRecord): void {
	const { res } = ctx;
	for (const [name, value] of Object.entries(record.headers ?? {})) {
		if (value !== undefined && name.toLowerCase() !== 'x-request-id') res.setHeader(name, value);
	}
	res.setHeader('Idempotent-Replayed', 'true');
	res.writeHead(record.status ?? 200);
	res.end(record.body);
}

function sendError(ctx: RequestContext, error: unknown): void {
	const apiError =
		error instanceof ApiError
			? error
			: new ApiError(500, 'internal_error', 'Internal emulator error');
	if (!(error instanceof ApiError)) console.error('[rivya-emulator]', error);
	if (ctx.res.headersSent) {
		// Too late for an envelope (a stream had begun): the client sees a broken connection.
		ctx.res.destroy();
		return;
	}
	ctx.send(
		apiError.status,
		errorEnvelope(apiError.code, apiError.message, ctx.requestId),
		apiError.headers,
	);
}

const INVALID_JSON = Symbol('invalid JSON');

function parseJsonBody(raw: Buffer): unknown {
	let data: unknown = INVALID_JSON;
	try {
		data = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
	} catch {
		// Reported below, outside the catch.
	}
	if (data === INVALID_JSON) {
		throw new ApiError(400, 'validation_failed', 'Request body must be valid JSON');
	}
	return data;
}

function splitPath(path: string): string[] {
	return path.split('/').filter((segment) => segment.length > 0);
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
	if (pattern.length !== actual.length) return undefined;
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) {
		if (pattern[i].startsWith(':')) {
			try {
				params[pattern[i].slice(1)] = decodeURIComponent(actual[i]);
			} catch {
				return undefined;
			}
		} else if (pattern[i] !== actual[i]) return undefined;
	}
	return params;
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

export function bearerKey(req: http.IncomingMessage): string | undefined {
	const header = headerValue(req, 'authorization');
	const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
	return match ? match[1] : undefined;
}

export function sha256(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Reads a whole body, refusing more than `limit` bytes (413) without reading the rest. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				req.pause();
				reject(new ApiError(413, 'file_too_large', `Request body exceeds ${limit} bytes`));
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}
