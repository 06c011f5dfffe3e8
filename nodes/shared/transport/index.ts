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
import { rateGateFor, type RateGate } from '../rateLimit';
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

interface CredentialFacts {
	baseUrl: string;
	/** Only for redacting it from anything a server echoes back; never sent by this module itself. */
	apiKey: string;
}

/**
 * Credential facts per execution context (one node run, one webhook call, ...): credentials do not
 * change within one, and n8n's getCredentials is not free (checks, decryption, expression resolving),
 * so a 1,000-item run looks them up once instead of once per request.
 */
const credentialsByContext = new WeakMap<object, Promise<CredentialFacts>>();

async function getCredentialFacts(this: RivyaContext): Promise<CredentialFacts> {
	let facts = credentialsByContext.get(this);
	if (!facts) {
		facts = this.getCredentials(CREDENTIAL_NAME).then((credentials) => ({
			baseUrl: normalizeBaseUrl(credentials.baseUrl),
			apiKey: typeof credentials.apiKey === 'string' ? credentials.apiKey : '',
		}));
		credentialsByContext.set(this, facts);
		// A failed lookup is not remembered: the next request asks again.
		facts.catch(() => credentialsByContext.delete(this));
	}
	return await facts;
}

export async function getBaseUrl(this: RivyaContext): Promise<string> {
	return (await getCredentialFacts.call(this)).baseUrl;
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

/** Most of an error answer read from a streamed request: an envelope is small, a hostile body is not. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The start of a streamed error body (at most MAX_ERROR_BODY_BYTES); the rest is not read. */
async function readStreamText(body: unknown): Promise<string> {
	if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
		return typeof body === 'string' ? body.slice(0, MAX_ERROR_BODY_BYTES) : '';
	}
	const chunks: Buffer[] = [];
	let length = 0;
	// Leaving the loop early closes the stream, and with it the connection.
	for await (const chunk of body as AsyncIterable<Buffer | string>) {
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		chunks.push(bytes);
		length += bytes.length;
		if (length >= MAX_ERROR_BODY_BYTES) break;
	}
	return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}

/** The rate-limit gate of the credential this context uses (shared by every execution in this process). */
function rateGateOf(context: RivyaContext, baseUrl: string): RateGate {
	const node = (
		context as { getNode?: () => { credentials?: Record<string, { id?: string | null }> } }
	).getNode?.();
	const credentialId = node?.credentials?.[CREDENTIAL_NAME]?.id ?? 'default';
	return rateGateFor(String(credentialId), baseUrl);
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
	const unsafeSegment = request.path
		.split('/')
		.slice(1)
		.find((segment) => !SAFE_PATH_SEGMENT.test(segment));
	if (unsafeSegment !== undefined) {
		// IDs are checked where they are read; this also stops one a server sent back (e.g. "..").
		throw new NodeOperationError(
			this.getNode(),
			`"${unsafeSegment.slice(0, 60)}" is not a Rivya ID, so ${request.method} ${API_PREFIX}${request.path.slice(0, 120)} was not sent`,
			{
				description:
					'Rivya IDs hold only letters, digits, "_" and "-". Check where this ID came from.',
				itemIndex: request.itemIndex,
			},
		);
	}
	const { baseUrl, apiKey } = await getCredentialFacts.call(this);
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...request.retry };
	const signal = cancelSignalOf(this);
	const method = request.method;
	const safeToRepeat = method !== 'POST' || request.idempotencyKey !== undefined;
	const gate = rateGateOf(this, baseUrl);
	let startedAt: number | undefined;
	let rateLimitedAnswers = 0;

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
		// Redirects are followed here, not by the HTTP client: only a GET, only within the Base URL's
		// origin, so the API key (and a prompt) never reaches another host. The second flag guards n8n
		// versions that would follow anyway.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
	};
	let redirects = 0;

	for (let attempt = 1; ; attempt++) {
		let response: { statusCode: number; body: unknown; headers: RivyaResponse['headers'] };
		// Waiting for the key's turn is not retrying: the retry budget starts with the first send.
		const ticket = await gate.acquire(signal).catch((error: Error) => {
			throw new NodeOperationError(this.getNode(), error);
		});
		startedAt ??= Date.now();
		try {
			response = await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_NAME,
				options,
			);
		} catch (error) {
			gate.settle(ticket, undefined);
			if (signal?.aborted)
				throw new NodeOperationError(this.getNode(), new ExecutionCancelledError());
			const delay = safeToRepeat ? nextRetryDelayMs(attempt, policy, startedAt) : undefined;
			if (delay !== undefined && isRetryableNetworkError(error)) {
				await cancellableSleep(delay, signal);
				continue;
			}
			throw rivyaNetworkError(this.getNode(), error, attempt, request.itemIndex, [apiKey], baseUrl);
		}

		const status = response.statusCode;
		const headers = response.headers ?? {};
		const rateLimited = gate.settle(ticket, status, headers);
		if (status >= 300 && status < 400) {
			const target = redirectTarget(options.url, headerValue(headers, 'location'));
			if (
				method === 'GET' &&
				target !== undefined &&
				new URL(target).origin === new URL(baseUrl).origin &&
				redirects < MAX_REDIRECTS
			) {
				redirects++;
				options.url = target;
				options.qs = undefined;
				attempt--;
				continue;
			}
			throw redirectError(this, request, status, target, baseUrl);
		}
		if (status >= 200 && status < 300) {
			let body = response.body;
			if (options.json && (body === '' || body === undefined) && status === 204) body = {};
			if (options.json && !isJsonObject(body)) {
				const delay =
					safeToRepeat && looksCutOff(headers, body)
						? nextRetryDelayMs(attempt, policy, startedAt)
						: undefined;
				if (delay !== undefined) {
					await cancellableSleep(delay, signal);
					continue;
				}
				throw notRivyaAnswerError(this, request, status, headers, baseUrl);
			}
			return {
				status,
				body: body as IDataObject,
				headers,
				replayed: headerValue(headers, 'idempotent-replayed') === 'true',
				requestId: headerValue(headers, 'x-request-id'),
				attempts: attempt + rateLimitedAnswers,
			};
		}

		const errorBody =
			request.encoding === 'stream' ? await readStreamText(response.body) : response.body;
		const retryAfterMs = parseRetryAfterMs(headerValue(headers, 'retry-after'));
		if (rateLimited) {
			// 429 means Rivya refused before doing anything, so even a POST without a key may repeat
			// it. The gate pauses the whole key for Retry-After; a refusal does not use up one of the
			// request's attempts (a big batch at the limit sees several), only its retry-time budget.
			rateLimitedAnswers++;
			const budgetAttempt = policy.maxAttempts > 1 ? 1 : attempt;
			if (nextRetryDelayMs(budgetAttempt, policy, startedAt, retryAfterMs) !== undefined) {
				attempt--;
				continue;
			}
			throw await buildApiError.call(this, status, errorBody, request, apiKey);
		}
		const retryable =
			safeToRepeat && (isRetryableStatus(status) || isInFlightConflict(status, errorBody));
		const delay = retryable
			? nextRetryDelayMs(attempt, policy, startedAt, retryAfterMs)
			: undefined;
		if (delay !== undefined) {
			await cancellableSleep(delay, signal);
			continue;
		}
		throw await buildApiError.call(this, status, errorBody, request, apiKey);
	}
}

/** One segment of a request path: a route word or an ID, never "", "." or "..". */
const SAFE_PATH_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Same-origin GET redirects followed in a row before giving up. */
const MAX_REDIRECTS = 5;

function redirectTarget(from: string, location: string | undefined): string | undefined {
	if (!location) return undefined;
	try {
		return new URL(location, from).toString();
	} catch {
		return undefined;
	}
}

function isJsonObject(body: unknown): boolean {
	return (
		typeof body === 'object' && body !== null && !Array.isArray(body) && !Buffer.isBuffer(body)
	);
}

/** A JSON answer that ends too early (a cut connection), as opposed to a page that is not JSON at all. */
function looksCutOff(headers: RivyaResponse['headers'], body: unknown): boolean {
	const contentType = headerValue(headers, 'content-type') ?? '';
	return (
		/json/i.test(contentType) &&
		(body === undefined || body === '' || (typeof body === 'string' && /^\s*[[{]/.test(body)))
	);
}

/** For a paid POST that may have been done although its answer was unusable. */
function paidRequestNote(request: RivyaRequest): string {
	if (request.method !== 'POST') return '';
	return request.idempotencyKey
		? ` Rivya may have done this request (and charged it): running again with the same Idempotency-Key (${request.idempotencyKey}) replays its answer instead of paying twice.`
		: ' Rivya may have done this request (and charged it): check your Rivya account before running again.';
}

function redirectError(
	context: RivyaContext,
	request: RivyaRequest,
	status: number,
	target: string | undefined,
	baseUrl: string,
): NodeOperationError {
	const address = target ? redactUrlQuery(target) : '(no Location header)';
	const crossOrigin = target !== undefined && new URL(target).origin !== new URL(baseUrl).origin;
	const message = crossOrigin
		? `Rivya's Base URL redirected ${request.method} ${API_PREFIX}${request.path} to another address: ${address}`
		: `Rivya's Base URL answered ${request.method} ${API_PREFIX}${request.path} with a redirect (HTTP ${status}) to ${address}`;
	return new NodeOperationError(context.getNode(), message, {
		description:
			`Fix the Base URL in the Rivya credential: use the address the API really answers at (e.g. https://rivya.ai, without /api/v1). ` +
			`The API key is only ever sent to the Base URL's origin (${new URL(baseUrl).origin}), and a POST never follows a redirect, so nothing was sent to ${address}.` +
			paidRequestNote(request),
		itemIndex: request.itemIndex,
	});
}

function notRivyaAnswerError(
	context: RivyaContext,
	request: RivyaRequest,
	status: number,
	headers: RivyaResponse['headers'],
	baseUrl: string,
): NodeOperationError {
	const contentType = headerValue(headers, 'content-type') ?? 'no content type';
	return new NodeOperationError(
		context.getNode(),
		`The answer to ${request.method} ${API_PREFIX}${request.path} does not look like Rivya's API (HTTP ${status}, ${contentType.split(';')[0]}, not a JSON object)`,
		{
			description:
				`Check the Base URL in the Rivya credential (now ${baseUrl}): it must be Rivya's API root, e.g. https://rivya.ai without /api/v1, not a website, login page or proxy error page.` +
				paidRequestNote(request),
			itemIndex: request.itemIndex,
		},
	);
}

/** An address without query string or fragment, which may carry tokens. */
function redactUrlQuery(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return url.split(/[?#]/)[0];
	}
}

async function buildApiError(
	this: RivyaContext,
	status: number,
	body: unknown,
	request: RivyaRequest,
	apiKey: string,
) {
	const context: RivyaErrorContext & { itemIndex?: number; secrets?: string[] } = {
		...request.errorContext,
		itemIndex: request.itemIndex,
		secrets: [apiKey],
	};
	// Never for /credits itself: a 402 there would look the balance up again, and again.
	if (
		readErrorEnvelope(body)?.code === 'insufficient_credits' &&
		context.balance === undefined &&
		request.path !== '/credits'
	) {
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

/** Pages read by one Return All at most (100,000 entries at the default page size). */
export const MAX_PAGES = 1000;

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
	const cursorsSeen = new Set<string>();
	for (let pages = 1; ; pages++) {
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
		// A list that keeps saying "more" without moving on would be read forever.
		if (cursorsSeen.has(lastId) || pages >= MAX_PAGES) {
			throw new NodeOperationError(
				this.getNode(),
				cursorsSeen.has(lastId)
					? `Rivya's list ${API_PREFIX}${path} did not advance: page ${pages + 1} would start after "${lastId}" again`
					: `Rivya's list ${API_PREFIX}${path} still had more after ${MAX_PAGES} pages`,
				{
					description:
						'Reading stopped to avoid an endless loop. Turn off Return All and set a Limit, and check that the Base URL in the Rivya credential points at Rivya.',
					itemIndex,
				},
			);
		}
		cursorsSeen.add(lastId);
		after = lastId;
	}
	return returnAll ? results : results.slice(0, limit);
}
