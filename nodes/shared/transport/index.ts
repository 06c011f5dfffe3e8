/**
 * The one place that talks HTTP to Rivya: base URL, auth (through n8n's credential helper), error
 * envelopes, retries with backoff, rate limits and idempotency keys.
 *
 * Rules that must not regress:
 * - A POST is retried only when it carries an Idempotency-Key (or Rivya refused it with 429 before doing
 *   anything): a blind retry of a paid POST could start and charge a second task.
 * - Errors carry Rivya's envelope only, never the request options, which hold the API key.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	ISupplyDataFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { NodeOperationError } from 'n8n-workflow';

import {
	readErrorEnvelope,
	rivyaApiError,
	rivyaNetworkError,
	type RivyaErrorContext,
} from '../errors';
import {
	DEFAULT_RETRY_POLICY,
	isRetryableNetworkError,
	isRetryableStatus,
	nextRetryDelayMs,
	parseRetryAfterMs,
	type RetryPolicy,
} from '../retry';
import { cancellableSleep, ExecutionCancelledError } from '../sleep';

export const CREDENTIAL_NAME = 'rivyaApi';
export const API_PREFIX = '/api/v1';

export type RivyaContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions
	| ISupplyDataFunctions;

export interface RivyaRequest {
	method: IHttpRequestMethods;
	/** Path below /api/v1, e.g. "/generations". */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	headers?: IDataObject;
	/** Sent as Idempotency-Key; makes a POST safe to retry. */
	idempotencyKey?: string;
	/** "json" (default) or "stream" for SSE and large bodies. */
	encoding?: 'json' | 'stream';
	retry?: Partial<RetryPolicy>;
	/** Per-attempt timeout in milliseconds. */
	timeoutMs?: number;
	itemIndex?: number;
	/** Turns an error code into a concrete fix in the message. */
	errorContext?: RivyaErrorContext;
	/**
	 * For streamed uploads: do not follow redirects. Redirect support (follow-redirects in axios)
	 * keeps a copy of the whole request body in memory, to resend it after a redirect.
	 */
	disableFollowRedirect?: boolean;
}

export interface RivyaResponse {
	status: number;
	/** Parsed JSON; for encoding "stream" the response stream (cast it). */
	body: IDataObject;
	headers: Record<string, string | string[] | undefined>;
	/** Rivya replayed an earlier answer for this Idempotency-Key. */
	replayed: boolean;
	requestId?: string;
	attempts: number;
}

/** Accepts "https://rivya.ai", "https://rivya.ai/" or "https://rivya.ai/api/v1". */
export function normalizeBaseUrl(baseUrl: unknown): string {
	const text = typeof baseUrl === 'string' && baseUrl.trim() ? baseUrl.trim() : 'https://rivya.ai';
	return text.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

/**
 * Base URL per execution context (one node run, one webhook call, ...): credentials do not change
 * within one, and n8n's getCredentials is not free (checks, decryption, expression resolving), so a
 * 1,000-item run looks it up once instead of once per request.
 */
const baseUrlByContext = new WeakMap<object, Promise<string>>();

export async function getBaseUrl(this: RivyaContext): Promise<string> {
	let baseUrl = baseUrlByContext.get(this);
	if (!baseUrl) {
		baseUrl = this.getCredentials(CREDENTIAL_NAME).then((credentials) =>
			normalizeBaseUrl(credentials.baseUrl),
		);
		baseUrlByContext.set(this, baseUrl);
		// A failed lookup is not remembered: the next request asks again.
		baseUrl.catch(() => baseUrlByContext.delete(this));
	}
	return await baseUrl;
}

export function cancelSignalOf(context: RivyaContext): AbortSignal | undefined {
	const candidate = context as { getExecutionCancelSignal?: () => AbortSignal | undefined };
	return typeof candidate.getExecutionCancelSignal === 'function'
		? candidate.getExecutionCancelSignal()
		: undefined;
}

/** One response header as text (first value of a repeated one), by its name in any case. */
export function headerValue(
	headers: IDataObject | RivyaResponse['headers'] | undefined,
	name: string,
): string | undefined {
	const value = headers?.[name] ?? headers?.[name.toLowerCase()];
	return Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
}

async function readStreamText(body: unknown): Promise<string> {
	if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
		return typeof body === 'string' ? body : '';
	}
	const chunks: Buffer[] = [];
	for await (const chunk of body as AsyncIterable<Buffer | string>) {
		chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** True when a 409 says the same key is still being processed: worth waiting for, not a real conflict. */
function isInFlightConflict(status: number, body: unknown): boolean {
	if (status !== 409) return false;
	const envelope = readErrorEnvelope(body);
	return (
		envelope?.code === 'idempotency_conflict' &&
		/in[ -]?(flight|progress)|still (being )?process/i.test(envelope.message)
	);
}

/** Sends one request with retries; returns status, body and headers of the final 2xx answer. */
export async function rivyaRequestFull(
	this: RivyaContext,
	request: RivyaRequest,
): Promise<RivyaResponse> {
	const baseUrl = await getBaseUrl.call(this);
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...request.retry };
	const signal = cancelSignalOf(this);
	const method = request.method;
	const safeToRepeat = method !== 'POST' || request.idempotencyKey !== undefined;
	const startedAt = Date.now();

	const options: IHttpRequestOptions = {
		method,
		url: `${baseUrl}${API_PREFIX}${request.path}`,
		qs: request.qs,
		headers: {
			Accept:
				request.encoding === 'stream' ? 'text/event-stream, application/json' : 'application/json',
			...(request.idempotencyKey ? { 'Idempotency-Key': request.idempotencyKey } : {}),
			...request.headers,
		},
		body: request.body,
		json: request.encoding !== 'stream' && !Buffer.isBuffer(request.body),
		encoding: request.encoding === 'stream' ? 'stream' : undefined,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: request.timeoutMs ?? 60_000,
		abortSignal: signal,
		...(request.disableFollowRedirect ? { disableFollowRedirect: true } : {}),
	};

	for (let attempt = 1; ; attempt++) {
		let response: { statusCode: number; body: unknown; headers: RivyaResponse['headers'] };
		try {
			response = await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_NAME,
				options,
			);
		} catch (error) {
			if (signal?.aborted)
				throw new NodeOperationError(this.getNode(), new ExecutionCancelledError());
			const delay = safeToRepeat ? nextRetryDelayMs(attempt, policy, startedAt) : undefined;
			if (delay !== undefined && isRetryableNetworkError(error)) {
				await cancellableSleep(delay, signal);
				continue;
			}
			throw rivyaNetworkError(this.getNode(), error, attempt, request.itemIndex);
		}

		const status = response.statusCode;
		const headers = response.headers ?? {};
		if (status >= 200 && status < 300) {
			return {
				status,
				body: response.body as IDataObject,
				headers,
				replayed: headerValue(headers, 'idempotent-replayed') === 'true',
				requestId: headerValue(headers, 'x-request-id'),
				attempts: attempt,
			};
		}

		const errorBody =
			request.encoding === 'stream' ? await readStreamText(response.body) : response.body;
		// 429 means Rivya refused before doing anything, so even a POST without a key may repeat it.
		const retryable =
			(safeToRepeat || status === 429) &&
			(isRetryableStatus(status) || isInFlightConflict(status, errorBody));
		const delay = retryable
			? nextRetryDelayMs(
					attempt,
					policy,
					startedAt,
					parseRetryAfterMs(headerValue(headers, 'retry-after')),
				)
			: undefined;
		if (delay !== undefined) {
			await cancellableSleep(delay, signal);
			continue;
		}
		throw await buildApiError.call(this, status, errorBody, request);
	}
}

async function buildApiError(
	this: RivyaContext,
	status: number,
	body: unknown,
	request: RivyaRequest,
) {
	const context: RivyaErrorContext & { itemIndex?: number } = {
		...request.errorContext,
		itemIndex: request.itemIndex,
	};
	if (readErrorEnvelope(body)?.code === 'insufficient_credits' && context.balance === undefined) {
		context.balance = await fetchBalanceQuietly.call(this);
	}
	return rivyaApiError(this.getNode(), status, body, context);
}

/** Balance for an error hint; a failure here must not hide the original error. */
async function fetchBalanceQuietly(this: RivyaContext): Promise<number | undefined> {
	try {
		const response = await rivyaRequestFull.call(this, {
			method: 'GET',
			path: '/credits',
			retry: { maxAttempts: 1 },
		});
		const credits = Number(response.body.current_credits);
		return Number.isFinite(credits) ? credits : undefined;
	} catch {
		return undefined;
	}
}

/** Like rivyaRequestFull, returning only the body. */
export async function rivyaRequest(
	this: RivyaContext,
	request: RivyaRequest,
): Promise<IDataObject> {
	const response = await rivyaRequestFull.call(this, request);
	return response.body;
}

export interface PageOptions {
	returnAll: boolean;
	/** Upper bound when returnAll is false. */
	limit: number;
	itemIndex?: number;
	pageSize?: number;
	/** Retry policy for every page request (the list's Options). */
	retry?: Partial<RetryPolicy>;
}

/**
 * Reads a `{data, has_more}` list page by page (cursor `after` = last id), stopping at the limit.
 * Lists without has_more are read as a single page.
 */
export async function rivyaPaginate(
	this: RivyaContext,
	path: string,
	qs: IDataObject,
	{ returnAll, limit, itemIndex, pageSize = 100, retry }: PageOptions,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	let after: string | undefined;
	for (;;) {
		const wanted = returnAll ? pageSize : Math.min(pageSize, limit - results.length);
		const page = await rivyaRequest.call(this, {
			method: 'GET',
			path,
			qs: { ...qs, limit: wanted, ...(after ? { after } : {}) },
			itemIndex,
			retry,
		});
		const data = Array.isArray(page.data) ? (page.data as IDataObject[]) : [];
		results.push(...data);
		const lastId = data.length ? data[data.length - 1].id : undefined;
		const more = page.has_more === true && typeof lastId === 'string' && data.length > 0;
		if (!more || (!returnAll && results.length >= limit)) break;
		after = lastId as string;
	}
	return returnAll ? results : results.slice(0, limit);
}
