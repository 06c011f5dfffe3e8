/* eslint-disable @n8n/community-nodes/no-restricted-globals */
// The per-key rate-limit gate, on a fake clock: every wait is counted in simulated milliseconds, so
// the assertions are about what the gate allows, not about how fast this machine is.
import { exhaustedQuotaResetMs, RateGate, type RateGateClock } from '../../nodes/shared/rateLimit';

function fakeClock(): RateGateClock & { slept: number } {
	const clock = {
		time: 1_000_000,
		slept: 0,
		now: () => clock.time,
		sleep: async (ms: number) => {
			clock.time += ms;
			clock.slept += ms;
			// A real turn of the event loop, so waiters cannot spin on microtasks.
			await new Promise((resolve) => setImmediate(resolve));
		},
		random: () => 0,
	};
	return clock;
}

describe('RateGate', () => {
	it('lets every request through at once until Rivya answers 429', async () => {
		const clock = fakeClock();
		const gate = new RateGate(clock);
		const tickets = await Promise.all(Array.from({ length: 100 }, () => gate.acquire()));
		expect(tickets).toHaveLength(100);
		expect(clock.slept).toBe(0);
		for (const ticket of tickets) expect(gate.settle(ticket, 200)).toBe(false);
		expect(gate.snapshot()).toMatchObject({ rateLimited: 0, pauses: 0, inFlight: 0 });
	});

	it("pauses the whole key for 429's Retry-After: no request is let through before it", async () => {
		const clock = fakeClock();
		const gate = new RateGate(clock);
		const ticket = await gate.acquire();
		const refusedAt = clock.now();
		expect(gate.settle(ticket, 429, { 'retry-after': '3' })).toBe(true);
		const next = await gate.acquire();
		expect(clock.now() - refusedAt).toBeGreaterThanOrEqual(3000);
		gate.settle(next, 200);
		expect(gate.snapshot()).toMatchObject({ rateLimited: 1, pauses: 1, inFlight: 0 });
	});

	it('counts the 429s of one burst as one pause and halves the requests in flight once', async () => {
		const clock = fakeClock();
		const gate = new RateGate(clock);
		const burst = await Promise.all(Array.from({ length: 8 }, () => gate.acquire()));
		for (const ticket of burst) gate.settle(ticket, 429, { 'Retry-After': '1' });
		expect(gate.snapshot()).toMatchObject({ rateLimited: 8, pauses: 1, window: 4 });

		// After the pause at most 4 are in flight: a fifth waits until one of them is answered.
		const four = await Promise.all(Array.from({ length: 4 }, () => gate.acquire()));
		let fifthIn = false;
		const fifth = gate.acquire().then((ticket) => {
			fifthIn = true;
			return ticket;
		});
		for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
		expect(fifthIn).toBe(false);
		gate.settle(four[0], 200);
		gate.settle(await fifth, 200);
		expect(fifthIn).toBe(true);
	});

	it('without Retry-After waits 1 s, then 2 s, doubling while 429s go on', async () => {
		const clock = fakeClock();
		const gate = new RateGate(clock);
		const waits: number[] = [];
		for (let round = 1; round <= 3; round++) {
			const ticket = await gate.acquire();
			gate.settle(ticket, 429, {});
			const refusedAt = clock.now();
			gate.settle(await gate.acquire(), 200);
			waits.push(clock.now() - refusedAt);
		}
		// A success in between resets the fallback: each round waits the first step again.
		expect(waits).toEqual([1000, 1000, 1000]);

		const first = await gate.acquire();
		gate.settle(first, 429, {});
		const start = clock.now();
		const second = await gate.acquire();
		gate.settle(second, 429, {});
		await gate.acquire();
		expect(clock.now() - start).toBeGreaterThanOrEqual(1000 + 2000);
	});

	it('waits for the reset when an answer says the quota is used up, without spending a 429', async () => {
		const clock = fakeClock();
		const gate = new RateGate(clock);
		const ticket = await gate.acquire();
		gate.settle(ticket, 200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' });
		const answeredAt = clock.now();
		await gate.acquire();
		expect(clock.now() - answeredAt).toBeGreaterThanOrEqual(2000);
		expect(gate.snapshot().rateLimited).toBe(0);
	});

	it('ignores absent or unreadable rate-limit headers', () => {
		expect(exhaustedQuotaResetMs(undefined, 0)).toBeUndefined();
		expect(exhaustedQuotaResetMs({ 'ratelimit-remaining': '5', 'ratelimit-reset': '3' }, 0)).toBe(
			undefined,
		);
		expect(exhaustedQuotaResetMs({ 'ratelimit-remaining': '0' }, 0)).toBeUndefined();
		expect(exhaustedQuotaResetMs({ 'ratelimit-remaining': 'x', 'ratelimit-reset': '3' }, 0)).toBe(
			undefined,
		);
		expect(exhaustedQuotaResetMs({ 'RateLimit-Remaining': '0', 'RateLimit-Reset': '3' }, 0)).toBe(
			3000,
		);
		// A Unix time in seconds.
		expect(
			exhaustedQuotaResetMs(
				{ 'ratelimit-remaining': '0', 'ratelimit-reset': '2000000005' },
				2_000_000_000_000,
			),
		).toBe(5000);
	});

	it('stops waiting when the execution is cancelled', async () => {
		const clock = fakeClock();
		const gate = new RateGate(clock);
		gate.settle(await gate.acquire(), 429, { 'retry-after': '60' });
		const controller = new AbortController();
		controller.abort();
		await expect(gate.acquire(controller.signal)).rejects.toThrow('cancelled');
	});
});
