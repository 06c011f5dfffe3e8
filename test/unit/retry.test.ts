import {
	backoffDelayMs,
	DEFAULT_RETRY_POLICY,
	isRetryableNetworkError,
	isRetryableStatus,
	nextRetryDelayMs,
	parseRetryAfterMs,
	type RetryPolicy,
} from '../../nodes/shared/retry';

const policy: RetryPolicy = {
	maxAttempts: 10,
	maxRetryTimeMs: 600_000,
	baseDelayMs: 1_000,
	maxDelayMs: 30_000,
};

describe('backoffDelayMs', () => {
	it('doubles the step each attempt and keeps each delay between half and all of it', () => {
		for (let attempt = 1; attempt <= 5; attempt++) {
			const step = 1_000 * 2 ** (attempt - 1);
			expect(backoffDelayMs(attempt, policy, undefined, () => 0)).toBe(step / 2);
			expect(backoffDelayMs(attempt, policy, undefined, () => 0.999999)).toBe(Math.round(step));
		}
	});

	it('never exceeds the maximum step, however many attempts', () => {
		for (const attempt of [6, 10, 50, 1000]) {
			const delay = backoffDelayMs(attempt, policy, undefined, () => 0.999999);
			expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
			expect(delay).toBeGreaterThanOrEqual(policy.maxDelayMs / 2);
		}
	});

	it('spreads retries of a batch (jitter) instead of retrying in lockstep', () => {
		const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, policy)));
		expect(delays.size).toBeGreaterThan(5);
		for (const delay of delays) {
			expect(delay).toBeGreaterThanOrEqual(2_000);
			expect(delay).toBeLessThanOrEqual(4_000);
		}
	});

	it("honours a server's Retry-After as given (plus at most 250 ms of jitter), even beyond the max step", () => {
		expect(backoffDelayMs(1, policy, 5_000, () => 0)).toBe(5_000);
		expect(backoffDelayMs(1, policy, 5_000, () => 0.999999)).toBe(5_250);
		expect(backoffDelayMs(1, policy, 90_000, () => 0)).toBe(90_000);
		expect(backoffDelayMs(4, policy, 0, () => 0)).toBe(0);
	});

	it('has sane defaults: a few attempts, a bounded total wait', () => {
		expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThan(1);
		expect(DEFAULT_RETRY_POLICY.maxRetryTimeMs).toBeGreaterThan(0);
		expect(DEFAULT_RETRY_POLICY.baseDelayMs).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxDelayMs);
	});
});

describe('parseRetryAfterMs', () => {
	const now = Date.parse('2026-05-11T12:00:00.000Z');

	it('reads whole and fractional seconds', () => {
		expect(parseRetryAfterMs('3', now)).toBe(3_000);
		expect(parseRetryAfterMs('0', now)).toBe(0);
		expect(parseRetryAfterMs('1.5', now)).toBe(1_500);
		expect(parseRetryAfterMs(7, now)).toBe(7_000);
	});

	it('reads an HTTP date relative to now, and a past date as zero', () => {
		expect(parseRetryAfterMs('Mon, 11 May 2026 12:00:10 GMT', now)).toBe(10_000);
		expect(parseRetryAfterMs('Mon, 11 May 2026 11:59:00 GMT', now)).toBe(0);
	});

	it('takes the first value of a repeated header', () => {
		expect(parseRetryAfterMs(['2', '9'], now)).toBe(2_000);
	});

	it('treats negative seconds as zero', () => {
		expect(parseRetryAfterMs('-5', now)).toBe(0);
	});

	it('returns undefined when absent or unreadable', () => {
		expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
		expect(parseRetryAfterMs(null, now)).toBeUndefined();
		expect(parseRetryAfterMs('', now)).toBeUndefined();
		expect(parseRetryAfterMs('soon', now)).toBeUndefined();
	});
});

describe('isRetryableStatus', () => {
	it.each([429, 408, 500, 502, 503, 504, 599])('retries %i', (status) => {
		expect(isRetryableStatus(status)).toBe(true);
	});

	it.each([200, 201, 400, 401, 402, 403, 404, 409, 413, 415, 422])(
		'does not retry %i',
		(status) => {
			expect(isRetryableStatus(status)).toBe(false);
		},
	);
});

describe('isRetryableNetworkError', () => {
	it.each([
		'ECONNRESET',
		'ECONNREFUSED',
		'ETIMEDOUT',
		'EPIPE',
		'EAI_AGAIN',
		'ECONNABORTED',
		'UND_ERR_SOCKET',
	])('retries code %s', (code) => {
		expect(isRetryableNetworkError(Object.assign(new Error('boom'), { code }))).toBe(true);
	});

	it('recognises socket hang-ups and timeouts by message', () => {
		expect(isRetryableNetworkError(new Error('socket hang up'))).toBe(true);
		expect(isRetryableNetworkError(new Error('timeout of 60000ms exceeded'))).toBe(true);
	});

	it('looks through wrapped causes', () => {
		const inner = Object.assign(new Error('read'), { code: 'ECONNRESET' });
		const outer = new Error('request failed', { cause: inner });
		expect(isRetryableNetworkError(outer)).toBe(true);
	});

	it('does not retry programming errors, empty values or unknown codes', () => {
		expect(isRetryableNetworkError(new TypeError('x is not a function'))).toBe(false);
		expect(
			isRetryableNetworkError(Object.assign(new Error('nope'), { code: 'ERR_INVALID_ARG_TYPE' })),
		).toBe(false);
		expect(isRetryableNetworkError(undefined)).toBe(false);
		expect(isRetryableNetworkError('ECONNRESET')).toBe(false);
	});

	it('does not loop on an error that is its own cause', () => {
		const error = new Error('odd') as Error & { cause?: unknown };
		error.cause = error;
		expect(isRetryableNetworkError(error)).toBe(false);
	});
});

describe('nextRetryDelayMs', () => {
	const tight: RetryPolicy = {
		maxAttempts: 3,
		maxRetryTimeMs: 5_000,
		baseDelayMs: 1_000,
		maxDelayMs: 30_000,
	};

	it('gives the backoff delay while attempts and the time budget last', () => {
		const delay = nextRetryDelayMs(1, tight, 0, undefined, 0);
		expect(delay).toBeGreaterThanOrEqual(500);
		expect(delay).toBeLessThanOrEqual(1_000);
	});

	it('gives none once the attempts are used up', () => {
		expect(nextRetryDelayMs(3, tight, 0, undefined, 0)).toBeUndefined();
		expect(nextRetryDelayMs(4, tight, 0, undefined, 0)).toBeUndefined();
	});

	it('gives none when the wait would overrun the budget counted from the first attempt', () => {
		// 2 s spent + a 2 s Retry-After (plus ≤ 250 ms jitter) fits in 5 s; 4 s spent + 2 s does not.
		const fits = nextRetryDelayMs(1, tight, 0, 2_000, 2_000);
		expect(fits).toBeGreaterThanOrEqual(2_000);
		expect(fits).toBeLessThanOrEqual(2_250);
		expect(nextRetryDelayMs(1, tight, 0, 2_000, 4_000)).toBeUndefined();
		expect(nextRetryDelayMs(1, tight, 1_000, 2_000, 5_000)).toBeUndefined();
	});
});
