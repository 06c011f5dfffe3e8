/**
 * One rate-limit gate per API key (credential) in this process: every request to Rivya passes it, so
 * all items, operations and executions using one key back off together when Rivya answers 429.
 *
 * Rivya's rate-limit headers are not documented: the gate relies only on 429 and its Retry-After, and
 * uses `RateLimit-Remaining`/`X-RateLimit-Remaining` with a reset header when an answer has them.
 *
 * - A 429 pauses the whole key until its Retry-After (plus a little jitter, so separate processes
 *   sharing the key do not resume in lockstep); without Retry-After the pause doubles from 1 s to 30 s.
 * - Requests in flight on the key are capped by a window that is halved on each pause and grows
 *   back by one per window of successful answers (like TCP's congestion window), so after a pause
 *   only a few requests test the limit again instead of a whole batch. Until the first 429 it is
 *   unbounded: the per-execution Concurrency option is the only cap.
 * - Processes that share a key (queue-mode workers) do not see each other; each backs off on its own
 *   429s, so together they stay near the limit.
 */
import { sleep } from 'n8n-workflow';

import { parseRetryAfterMs } from './retry';
import { ExecutionCancelledError } from './sleep';

export interface RateGateClock {
	now: () => number;
	/** Resolves after about `ms`; the gate re-checks its state afterwards. */
	sleep: (ms: number) => Promise<void>;
	random: () => number;
}

const defaultClock: RateGateClock = {
	now: () => Date.now(),
	sleep: async (ms) => await sleep(ms),
	random: Math.random,
};

/** Longest single wait inside the gate, so a cancelled execution or a freed slot is noticed soon. */
const WAIT_SLICE_MS = 250;
const JITTER_MS = 250;
const FALLBACK_PAUSE_MS = 1000;
const MAX_FALLBACK_PAUSE_MS = 30_000;
/** The in-flight window stops growing here and becomes unbounded again. */
const MAX_WINDOW = 64;

/** A slot taken by `acquire`; give it back with `settle` exactly once. */
export interface GateTicket {
	/** The pause episode the request was sent in: its 429 must not shrink the window twice. */
	episode: number;
}

export interface GateStats {
	/** Answers that were 429. */
	rateLimited: number;
	/** Pauses started (several 429s from one burst count once). */
	pauses: number;
	inFlight: number;
	window: number;
}

function headerText(
	headers: Record<string, unknown> | undefined,
	name: string,
): string | undefined {
	if (!headers) return undefined;
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
}

/**
 * Milliseconds until the quota resets when an answer says none is left (`RateLimit-Remaining: 0` or
 * `X-RateLimit-Remaining: 0`); the reset is read as seconds from now, or as a Unix time when large.
 */
export function exhaustedQuotaResetMs(
	headers: Record<string, unknown> | undefined,
	nowMs: number,
): number | undefined {
	const remaining =
		headerText(headers, 'ratelimit-remaining') ?? headerText(headers, 'x-ratelimit-remaining');
	if (remaining === undefined || Number(remaining) > 0 || !Number.isFinite(Number(remaining))) {
		return undefined;
	}
	const reset = Number(
		headerText(headers, 'ratelimit-reset') ?? headerText(headers, 'x-ratelimit-reset'),
	);
	if (!Number.isFinite(reset) || reset < 0) return undefined;
	const ms = reset > 1e9 ? reset * 1000 - nowMs : reset * 1000;
	return Math.min(Math.max(0, ms), MAX_FALLBACK_PAUSE_MS * 2);
}

export class RateGate {
	private pausedUntil = 0;
	private episode = 0;
	private inFlight = 0;
	private window = Number.POSITIVE_INFINITY;
	private fallbackPauseMs = FALLBACK_PAUSE_MS;
	private readonly stats = { rateLimited: 0, pauses: 0 };

	constructor(private readonly clock: RateGateClock = defaultClock) {}

	/** Waits until the key may send one more request. */
	async acquire(signal?: AbortSignal): Promise<GateTicket> {
		for (;;) {
			if (signal?.aborted) throw new ExecutionCancelledError();
			const now = this.clock.now();
			if (now < this.pausedUntil) {
				await this.clock.sleep(Math.min(WAIT_SLICE_MS, this.pausedUntil - now));
				continue;
			}
			if (this.inFlight >= Math.floor(this.window)) {
				await this.clock.sleep(Math.min(WAIT_SLICE_MS, 10 + this.clock.random() * 20));
				continue;
			}
			this.inFlight++;
			return { episode: this.episode };
		}
	}

	/**
	 * Gives the slot back with the answer's status and headers (status undefined: no answer, e.g. a
	 * network error). Returns true when the answer was a 429: the caller retries after `acquire`.
	 */
	settle(
		ticket: GateTicket,
		status: number | undefined,
		headers?: Record<string, unknown>,
	): boolean {
		this.inFlight = Math.max(0, this.inFlight - 1);
		const now = this.clock.now();
		if (status === 429) {
			this.stats.rateLimited++;
			const retryAfter = parseRetryAfterMs(headerText(headers, 'retry-after'), now);
			this.pause(ticket, now, retryAfter);
			return true;
		}
		if (status === undefined) return false;
		this.fallbackPauseMs = FALLBACK_PAUSE_MS;
		if (Number.isFinite(this.window)) {
			this.window += 1 / this.window;
			if (this.window > MAX_WINDOW) this.window = Number.POSITIVE_INFINITY;
		}
		const resetMs = exhaustedQuotaResetMs(headers, now);
		// Quota used up: wait for the reset instead of spending a 429 to learn it.
		if (resetMs !== undefined && resetMs > 0) {
			this.pausedUntil = Math.max(this.pausedUntil, now + resetMs);
		}
		return false;
	}

	private pause(ticket: GateTicket, now: number, retryAfterMs: number | undefined): void {
		const waitMs = retryAfterMs ?? this.fallbackPauseMs;
		const until = now + waitMs + this.clock.random() * JITTER_MS;
		if (until > this.pausedUntil) this.pausedUntil = until;
		// Several requests of one burst are refused together: that is one pause, one shrink.
		if (ticket.episode !== this.episode) return;
		this.episode++;
		this.stats.pauses++;
		if (retryAfterMs === undefined) {
			this.fallbackPauseMs = Math.min(MAX_FALLBACK_PAUSE_MS, this.fallbackPauseMs * 2);
		}
		const sentTogether = this.inFlight + 1;
		this.window = Math.max(1, Math.floor(Math.min(this.window, sentTogether) / 2));
	}

	/** Milliseconds until the key may be used again (0 when not paused). */
	pausedForMs(): number {
		return Math.max(0, this.pausedUntil - this.clock.now());
	}

	snapshot(): GateStats {
		return { ...this.stats, inFlight: this.inFlight, window: this.window };
	}
}

/** The gates of this process, by credential and base URL (never by the key itself). */
const gates = new Map<string, RateGate>();

export function rateGateFor(credentialId: string, baseUrl: string): RateGate {
	const id = `${credentialId}\n${baseUrl}`;
	let gate = gates.get(id);
	if (!gate) {
		gate = new RateGate();
		gates.set(id, gate);
	}
	return gate;
}
