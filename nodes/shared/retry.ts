/** Retry policy for calls to Rivya: pure functions, so the schedule can be unit-tested. */

export interface RetryPolicy {
	/** Total attempts, the first included. */
	maxAttempts: number;
	/** Budget for all waiting between attempts, in milliseconds. */
	maxRetryTimeMs: number;
	/** First backoff step; doubles each attempt. */
	baseDelayMs: number;
	/** Ceiling for one backoff step. */
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 6,
	maxRetryTimeMs: 120_000,
	baseDelayMs: 1_000,
	maxDelayMs: 30_000,
};

/** Status codes worth another attempt: rate limits and transient server faults. */
export function isRetryableStatus(status: number): boolean {
	return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ENOTFOUND',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
]);

/** True when an error thrown by the HTTP client means the request may not have reached Rivya, or its answer was lost. */
export function isRetryableNetworkError(error: unknown): boolean {
	if (!error || typeof error !== 'object') return false;
	const candidate = error as { code?: unknown; cause?: unknown; message?: unknown };
	if (typeof candidate.code === 'string' && RETRYABLE_NETWORK_CODES.has(candidate.code))
		return true;
	if (
		typeof candidate.message === 'string' &&
		/socket hang up|network|timeout|stream has been aborted|premature close/i.test(
			candidate.message,
		)
	) {
		return true;
	}
	return candidate.cause !== undefined && candidate.cause !== error
		? isRetryableNetworkError(candidate.cause)
		: false;
}

/**
 * Reads a Retry-After header (whole seconds or an HTTP date) into milliseconds.
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number = Date.now()): number | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (raw === undefined || raw === null || raw === '') return undefined;
	const seconds = Number(raw);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const dateMs = Date.parse(String(raw));
	return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

const RETRY_AFTER_JITTER_MS = 250;

/**
 * Delay before attempt number `attempt + 1` (attempt counts from 1).
 * Exponential backoff with "equal jitter" keeps retries from a batch from hitting Rivya in lockstep;
 * a server's Retry-After is honoured as given, plus a little jitter for the same reason.
 */
export function backoffDelayMs(
	attempt: number,
	policy: RetryPolicy,
	retryAfterMs?: number,
	random: () => number = Math.random,
): number {
	if (retryAfterMs !== undefined)
		return Math.round(retryAfterMs + random() * RETRY_AFTER_JITTER_MS);
	const exponential = Math.min(
		policy.maxDelayMs,
		policy.baseDelayMs * 2 ** Math.max(0, attempt - 1),
	);
	return Math.round(exponential / 2 + random() * (exponential / 2));
}

/**
 * The wait before the next attempt, or undefined when the policy allows none: attempts used up, or
 * the wait would overrun the retry-time budget counted from `startedAtMs`.
 */
export function nextRetryDelayMs(
	attempt: number,
	policy: RetryPolicy,
	startedAtMs: number,
	retryAfterMs?: number,
	nowMs: number = Date.now(),
): number | undefined {
	if (attempt >= policy.maxAttempts) return undefined;
	const delay = backoffDelayMs(attempt, policy, retryAfterMs);
	return nowMs - startedAtMs + delay <= policy.maxRetryTimeMs ? delay : undefined;
}
