import {
	hasFailed,
	isTerminal,
	pollDelayMs,
	POLL_SCHEDULES,
	scheduleFor,
	type PollSchedule,
} from '../../nodes/Rivya/helpers/polling';

const KINDS = ['image', 'video', 'audio'] as const;

/** When each poll happens (ms after submit), with no time spent in the requests themselves. */
function pollTimes(schedule: PollSchedule, untilMs: number): number[] {
	const times: number[] = [];
	let now = 0;
	for (let index = 0; now < untilMs; index++) {
		now += pollDelayMs(index, schedule);
		times.push(now);
	}
	return times;
}

/** Status calls until a job of `jobMs` is seen finished, and when that poll happens. */
function pollsToSee(schedule: PollSchedule, jobMs: number): { polls: number; seenAtMs: number } {
	const times = pollTimes(schedule, jobMs);
	return { polls: times.length, seenAtMs: times[times.length - 1] };
}

describe('poll schedule', () => {
	it('first polls 2.5 s after submit, as Rivya advises (2-3 s)', () => {
		for (const kind of KINDS) {
			expect(pollDelayMs(0, scheduleFor(kind))).toBe(2500);
		}
	});

	it('sees a 3 s job within a second of it finishing, with two status calls', () => {
		for (const kind of KINDS) {
			const { polls, seenAtMs } = pollsToSee(scheduleFor(kind), 3000);
			expect(polls).toBe(2);
			expect(seenAtMs).toBeGreaterThanOrEqual(3000);
			expect(seenAtMs).toBeLessThanOrEqual(4000);
		}
	});

	it('needs at most 12 status calls for a 60 s job, for every category', () => {
		for (const kind of KINDS) {
			const { polls, seenAtMs } = pollsToSee(scheduleFor(kind), 60_000);
			expect(polls).toBeLessThanOrEqual(12);
			// ...and still notices it within one capped interval of finishing.
			expect(seenAtMs - 60_000).toBeLessThanOrEqual(scheduleFor(kind).maxMs);
		}
	});

	it('ramps up gradually, never shrinking and never jumping more than the factor', () => {
		for (const kind of KINDS) {
			const schedule = scheduleFor(kind);
			const delays = Array.from({ length: 30 }, (_, index) => pollDelayMs(index + 1, schedule));
			for (let index = 1; index < delays.length; index++) {
				expect(delays[index]).toBeGreaterThanOrEqual(delays[index - 1]);
				expect(delays[index]).toBeLessThanOrEqual(delays[index - 1] * schedule.factor + 1e-6);
			}
			expect(delays[0]).toBeLessThan(1000);
			expect(delays.at(-1)).toBe(schedule.maxMs);
		}
	});

	it('caps at 10 s for images, and polls video and audio less often (20 s and 15 s)', () => {
		expect(pollDelayMs(50, POLL_SCHEDULES.image)).toBe(10_000);
		expect(pollDelayMs(50, POLL_SCHEDULES.video)).toBe(20_000);
		expect(pollDelayMs(50, POLL_SCHEDULES.audio)).toBe(15_000);
		for (let index = 0; index < 30; index++) {
			expect(pollDelayMs(index, POLL_SCHEDULES.video)).toBeGreaterThanOrEqual(
				pollDelayMs(index, POLL_SCHEDULES.image),
			);
		}
		expect(pollsToSee(POLL_SCHEDULES.video, 600_000).polls).toBeLessThan(
			pollsToSee(POLL_SCHEDULES.image, 600_000).polls,
		);
	});

	it('never sleeps past the deadline', () => {
		expect(pollDelayMs(12, POLL_SCHEDULES.video, 1234)).toBe(1234);
		expect(pollDelayMs(0, POLL_SCHEDULES.image, -50)).toBe(0);
	});

	it('uses the patient video schedule for an unknown kind', () => {
		expect(scheduleFor(undefined)).toBe(POLL_SCHEDULES.video);
		expect(scheduleFor('hologram')).toBe(POLL_SCHEDULES.video);
	});
});

describe('terminal statuses', () => {
	it('stops at succeeded and failed, and tolerates other end states the live API may add', () => {
		for (const status of ['succeeded', 'failed', 'canceled', 'cancelled', 'expired', 'error']) {
			expect(isTerminal({ status })).toBe(true);
		}
		for (const status of ['queued', 'processing', 'running', undefined]) {
			expect(isTerminal({ status })).toBe(false);
		}
		expect(hasFailed({ status: 'succeeded' })).toBe(false);
		expect(hasFailed({ status: 'cancelled' })).toBe(true);
	});
});
