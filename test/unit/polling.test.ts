/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
import { pollDelayMs, POLL_SCHEDULES, scheduleFor } from '../../nodes/Rivya/helpers/polling';

describe('poll schedule', () => {
	it('first polls 2.5 s after submit, as Rivya advises (2-3 s)', () => {
		for (const kind of ['image', 'video', 'audio'] as const) {
			expect(pollDelayMs(0, scheduleFor(kind))).toBe(2500);
		}
	});

	it('backs off towards 10 s for images and stays there', () => {
		const delays = Array.from({ length: 12 }, (_, index) =>
			pollDelayMs(index, POLL_SCHEDULES.image),
		);
		for (let index = 1; index < delays.length; index++) {
			expect(delays[index]).toBeGreaterThanOrEqual(delays[index - 1]);
		}
		expect(delays[1]).toBeGreaterThan(2500);
		expect(delays.at(-1)).toBe(10_000);
		expect(Math.max(...delays)).toBe(10_000);
	});

	it('polls video and audio less often than images, up to 20 s and 15 s', () => {
		expect(pollDelayMs(50, POLL_SCHEDULES.video)).toBe(20_000);
		expect(pollDelayMs(50, POLL_SCHEDULES.audio)).toBe(15_000);
		for (let index = 2; index < 10; index++) {
			expect(pollDelayMs(index, POLL_SCHEDULES.video)).toBeGreaterThanOrEqual(
				pollDelayMs(index, POLL_SCHEDULES.image),
			);
		}
	});

	it('never sleeps past the deadline', () => {
		expect(pollDelayMs(5, POLL_SCHEDULES.video, 1234)).toBe(1234);
		expect(pollDelayMs(0, POLL_SCHEDULES.image, -50)).toBe(0);
	});

	it('uses the patient video schedule for an unknown kind', () => {
		expect(scheduleFor(undefined)).toBe(POLL_SCHEDULES.video);
		expect(scheduleFor('hologram')).toBe(POLL_SCHEDULES.video);
	});
});
