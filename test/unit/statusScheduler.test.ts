/* eslint-disable @n8n/community-nodes/no-restricted-globals */
// The run-wide status scheduler with a stand-in status call and short schedules. Assertions count
// status calls and outcomes (never durations): a slow machine only delays polls, which can only
// lower the counts checked here.
import type { IDataObject } from 'n8n-workflow';

import { createLimiter } from '../../nodes/Rivya/helpers/concurrency';
import {
	pollDelayMs,
	type PollSchedule,
	type TaskToWatch,
} from '../../nodes/Rivya/helpers/polling';
import { StatusScheduler } from '../../nodes/Rivya/helpers/statusScheduler';

const SCHEDULE: PollSchedule = { firstMs: 25, nextMs: 10, factor: 1.6, maxMs: 60 };

/** Status calls the per-task ideal schedule makes until it sees a job of `jobMs` finished. */
function idealPolls(jobMs: number): number {
	let at = 0;
	let polls = 0;
	while (at < jobMs) at += pollDelayMs(polls++, SCHEDULE);
	return polls;
}

interface FakeTask {
	id: string;
	submittedAtMs: number;
	jobMs: number;
	fail?: 'permanent' | number;
}

/** A stand-in for Rivya: a task is done `jobMs` after submit and says so with its own timestamps. */
function fakeRivya(options: { withTimestamps?: boolean; delayMs?: number } = {}) {
	const tasks = new Map<string, FakeTask>();
	const calls = new Map<string, number>();
	let inFlight = 0;
	let maxInFlight = 0;
	const fetchStatus = async (task: TaskToWatch): Promise<IDataObject> => {
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		try {
			await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 1));
			const fake = tasks.get(task.taskId)!;
			calls.set(fake.id, (calls.get(fake.id) ?? 0) + 1);
			if (fake.fail === 'permanent') {
				throw Object.assign(new Error('The generation is gone'), { rivyaCode: 'not_found' });
			}
			if (typeof fake.fail === 'number' && fake.fail > 0) {
				fake.fail--;
				throw new Error('HTTP 500');
			}
			const done = Date.now() - fake.submittedAtMs >= fake.jobMs;
			return {
				id: fake.id,
				model: 'm',
				status: done ? 'succeeded' : 'processing',
				...(options.withTimestamps !== false
					? {
							created_at: new Date(fake.submittedAtMs).toISOString(),
							updated_at: new Date(fake.submittedAtMs + (done ? fake.jobMs : 0)).toISOString(),
						}
					: {}),
			};
		} finally {
			inFlight--;
		}
	};
	const submit = (id: string, jobMs: number, fail?: FakeTask['fail']): TaskToWatch => {
		const submittedAtMs = Date.now();
		tasks.set(id, { id, submittedAtMs, jobMs, fail });
		return {
			taskId: id,
			kind: 'image',
			itemIndex: 0,
			generation: { id, model: 'm', status: 'queued' },
			submittedAtMs,
		};
	};
	return {
		fetchStatus,
		submit,
		calls,
		totalCalls: () => [...calls.values()].reduce((sum, count) => sum + count, 0),
		maxInFlight: () => maxInFlight,
	};
}

function scheduler(rivya: ReturnType<typeof fakeRivya>, concurrency = 5, signal?: AbortSignal) {
	return new StatusScheduler({
		fetchStatus: rivya.fetchStatus,
		limit: createLimiter(concurrency),
		concurrency,
		signal,
		scheduleFor: () => SCHEDULE,
		idleSliceMs: 20,
	});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StatusScheduler', () => {
	it('sees every task of a big batch finish, never polling one more often than its own schedule', async () => {
		const rivya = fakeRivya();
		const waiter = scheduler(rivya, 5);
		const jobs = Array.from({ length: 300 }, (_, index) => 20 + (index % 7) * 15);
		const outcomes = await Promise.all(
			jobs.map(
				async (jobMs, index) =>
					await waiter.watch(rivya.submit(`t${index}`, jobMs), Date.now() + 60_000),
			),
		);
		expect(outcomes.every((outcome) => outcome.done)).toBe(true);
		for (const [index, jobMs] of jobs.entries()) {
			expect(rivya.calls.get(`t${index}`)).toBeLessThanOrEqual(idealPolls(jobMs));
		}
		expect(waiter.statusCalls).toBe(rivya.totalCalls());
		// The budget of concurrent status calls is the Concurrency option.
		expect(rivya.maxInFlight()).toBeLessThanOrEqual(5);
	});

	it('learns how long the jobs take: later tasks of the same model cost one status call each', async () => {
		const rivya = fakeRivya();
		const waiter = scheduler(rivya, 5);
		const jobMs = 80; // the ideal schedule needs 4 calls for it: 25, 35, 51, 76.6... then 102
		expect(idealPolls(jobMs)).toBeGreaterThan(2);
		const first = await Promise.all(
			Array.from({ length: 10 }, async (_, index) =>
				waiter.watch(rivya.submit(`a${index}`, jobMs), Date.now() + 60_000),
			),
		);
		expect(first.every((outcome) => outcome.done)).toBe(true);
		const before = rivya.totalCalls();
		const second = await Promise.all(
			Array.from({ length: 100 }, async (_, index) =>
				waiter.watch(rivya.submit(`b${index}`, jobMs), Date.now() + 60_000),
			),
		);
		expect(second.every((outcome) => outcome.done)).toBe(true);
		expect(rivya.totalCalls() - before).toBe(100);
	});

	it('learns from when tasks were seen done when Rivya sends no timestamps', async () => {
		const rivya = fakeRivya({ withTimestamps: false });
		const waiter = scheduler(rivya, 5);
		await Promise.all(
			Array.from({ length: 10 }, async (_, index) =>
				waiter.watch(rivya.submit(`a${index}`, 80), Date.now() + 60_000),
			),
		);
		const before = rivya.totalCalls();
		await Promise.all(
			Array.from({ length: 50 }, async (_, index) =>
				waiter.watch(rivya.submit(`b${index}`, 80), Date.now() + 60_000),
			),
		);
		expect(rivya.totalCalls() - before).toBe(50);
	});

	it('keeps polling through failed status calls, stops at errors that cannot heal', async () => {
		const rivya = fakeRivya();
		const waiter = scheduler(rivya, 2);
		const [healed, gone] = await Promise.all([
			waiter.watch(rivya.submit('flaky', 30, 3), Date.now() + 60_000),
			waiter.watch(rivya.submit('gone', 30, 'permanent'), Date.now() + 60_000),
		]);
		expect(healed).toMatchObject({ done: true, generation: { status: 'succeeded' } });
		expect(rivya.calls.get('flaky')).toBeGreaterThanOrEqual(4);
		expect(gone).toMatchObject({ done: false, fatal: expect.any(Error) });
		expect(rivya.calls.get('gone')).toBe(1);
	});

	it('gives up at the deadline with the latest known state, after at least one look', async () => {
		const rivya = fakeRivya();
		const waiter = scheduler(rivya, 2);
		const outcome = await waiter.watch(rivya.submit('slow', 60_000), Date.now() + 100);
		expect(outcome).toMatchObject({ done: false, generation: { status: 'processing' } });
		expect(rivya.calls.get('slow')).toBeGreaterThanOrEqual(1);
		expect(rivya.calls.get('slow')).toBeLessThanOrEqual(idealPolls(100) + 1);
	});

	it('serves the most overdue task first when status calls are scarce', async () => {
		const rivya = fakeRivya({ delayMs: 5 });
		const waiter = scheduler(rivya, 1);
		const order: string[] = [];
		const watch = (id: string) =>
			waiter.watch(rivya.submit(id, 0), Date.now() + 60_000).then(() => order.push(id));
		const early = watch('early');
		await sleep(15);
		const late = watch('late');
		await Promise.all([early, late]);
		expect(order).toEqual(['early', 'late']);
	});

	it('"Stop" ends every wait with a cancellation', async () => {
		const rivya = fakeRivya();
		const controller = new AbortController();
		const waiter = scheduler(rivya, 2, controller.signal);
		const waits = Array.from({ length: 20 }, async (_, index) =>
			waiter.watch(rivya.submit(`c${index}`, 60_000), Date.now() + 60_000),
		);
		await sleep(40);
		controller.abort();
		for (const wait of waits) await expect(wait).rejects.toThrow('cancelled');
	});
});
