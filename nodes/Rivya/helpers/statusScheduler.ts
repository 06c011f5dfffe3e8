/**
 * One status scheduler per node run: it waits for all of the run's tasks together, so a batch of
 * 1,000 tasks costs about one status call per task instead of each task polling on its own.
 *
 * - Each task keeps the per-task ideal schedule of polling.ts (2.5 s, then 0.75 s ×1.6 to the cap):
 *   no task is ever polled more often than that.
 * - The first poll waits at least as long as tasks of the same model have been taking in this run
 *   (learned from the finished ones), so a batch of 3 s jobs is not polled at 2.5 s.
 * - At most `concurrency` status calls are in flight, and each free slot goes to the task that is
 *   most overdue, i.e. the most likely to be done; when Rivya answers 429 every call waits for the
 *   key's pause (the transport's rate-limit gate), so overdue tasks pile up and are served oldest
 *   first when the key is usable again.
 *
 * Rules that must not regress (as in polling.ts): a failed poll never loses the task, it is polled
 * again on its schedule until the deadline; "Stop" ends the wait promptly.
 */
import type { IDataObject } from 'n8n-workflow';

import { rivyaCodeOf } from '../../shared/errors';
import { cancellableSleep, ExecutionCancelledError } from '../../shared/sleep';
import type { Limiter } from './concurrency';
import {
	isTerminal,
	PERMANENT_POLL_CODES,
	pollDelayMs,
	scheduleFor,
	type PollSchedule,
	type TaskToWatch,
	type WaitOutcome,
} from './polling';

export interface StatusSchedulerOptions {
	/** One status call for the task (through the transport, so the key's rate-limit gate applies). */
	fetchStatus: (task: TaskToWatch) => Promise<IDataObject>;
	/** The run's request limiter (Concurrency option), shared with submissions and downloads. */
	limit: Limiter;
	/** Status calls in flight at most (the Concurrency option). */
	concurrency: number;
	signal?: AbortSignal;
	/** Per-kind schedules; tests use short ones. */
	scheduleFor?: (kind: TaskToWatch['kind']) => PollSchedule;
	now?: () => number;
	/** Longest single sleep while nothing is due, so new tasks and "Stop" are noticed soon. */
	idleSliceMs?: number;
}

interface Watched {
	task: TaskToWatch;
	schedule: PollSchedule;
	deadline: number;
	generation: IDataObject;
	/** Status calls made for this task so far. */
	polls: number;
	/** When the task's next poll is due on its own schedule. */
	dueAt: number;
	polling: boolean;
	consecutiveFailures: number;
	lastError?: Error;
	resolve: (outcome: WaitOutcome) => void;
	reject: (error: Error) => void;
}

/** Durations kept per model: enough for a stable median, small for a long run. */
const DURATIONS_KEPT = 32;

/** How long a finished task took, from Rivya's own timestamps (so clocks do not matter). */
function serverDurationMs(generation: IDataObject): number | undefined {
	const created = Date.parse(String(generation.created_at ?? ''));
	const updated = Date.parse(
		String(generation.completed_at ?? generation.finished_at ?? generation.updated_at ?? ''),
	);
	const duration = updated - created;
	return Number.isFinite(duration) && duration >= 0 ? duration : undefined;
}

export class StatusScheduler {
	private readonly waiting = new Set<Watched>();
	private readonly durations = new Map<string, number[]>();
	private workers = 0;
	private calls = 0;
	private readonly now: () => number;
	private readonly scheduleOf: (kind: TaskToWatch['kind']) => PollSchedule;
	private readonly idleSliceMs: number;

	constructor(private readonly options: StatusSchedulerOptions) {
		this.now = options.now ?? (() => Date.now());
		this.scheduleOf = options.scheduleFor ?? scheduleFor;
		this.idleSliceMs = options.idleSliceMs ?? 500;
	}

	/** Status calls made so far (all tasks). */
	get statusCalls(): number {
		return this.calls;
	}

	/** Resolves when the task is terminal, the deadline (a Date.now() time) passed, or polling cannot go on. */
	async watch(task: TaskToWatch, deadline: number): Promise<WaitOutcome> {
		if (isTerminal(task.generation)) return { done: true, generation: task.generation };
		const schedule = this.scheduleOf(task.kind);
		const now = this.now();
		const submittedAt = task.submittedAtMs ?? now;
		return await new Promise<WaitOutcome>((resolve, reject) => {
			this.waiting.add({
				task,
				schedule,
				deadline,
				generation: task.generation,
				polls: 0,
				// Time since submit counts towards the first delay (creating a big batch takes a while).
				dueAt: submittedAt + pollDelayMs(0, schedule, Math.max(0, deadline - submittedAt)),
				polling: false,
				consecutiveFailures: 0,
				resolve,
				reject,
			});
			this.startWorkers();
		});
	}

	private startWorkers(): void {
		const wanted = Math.max(1, Math.floor(this.options.concurrency));
		while (this.workers < wanted) {
			this.workers++;
			void this.work().finally(() => this.workers--);
		}
	}

	private modelKey(entry: Watched): string {
		return String(entry.generation.model ?? entry.task.kind ?? '');
	}

	/** The median duration of this model's finished tasks in this run, if any finished yet. */
	private typicalDurationMs(entry: Watched): number | undefined {
		const seen = this.durations.get(this.modelKey(entry));
		if (!seen || seen.length === 0) return undefined;
		const sorted = [...seen].sort((a, b) => a - b);
		return sorted[Math.floor((sorted.length - 1) / 2)];
	}

	private learn(entry: Watched): void {
		const duration =
			serverDurationMs(entry.generation) ??
			(entry.task.submittedAtMs !== undefined ? this.now() - entry.task.submittedAtMs : undefined);
		if (duration === undefined) return;
		const key = this.modelKey(entry);
		const seen = this.durations.get(key) ?? [];
		seen.push(duration);
		if (seen.length > DURATIONS_KEPT) seen.shift();
		this.durations.set(key, seen);
	}

	/** When the task should next be polled: its own schedule, and not before others of its model took. */
	private effectiveDueAt(entry: Watched): number {
		if (entry.polls > 0 || entry.task.submittedAtMs === undefined) return entry.dueAt;
		const typical = this.typicalDurationMs(entry);
		if (typical === undefined) return entry.dueAt;
		return Math.min(Math.max(entry.dueAt, entry.task.submittedAtMs + typical), entry.deadline);
	}

	/** The due task that is most overdue (the most likely to be done), or the wait until one is due. */
	private nextDue(now: number): { entry?: Watched; waitMs: number } {
		let best: Watched | undefined;
		let bestDue = Number.POSITIVE_INFINITY;
		for (const entry of this.waiting) {
			if (entry.polling) continue;
			const due = this.effectiveDueAt(entry);
			if (due < bestDue) {
				best = entry;
				bestDue = due;
			}
		}
		if (!best) return { waitMs: this.idleSliceMs };
		return bestDue <= now ? { entry: best, waitMs: 0 } : { waitMs: bestDue - now };
	}

	private finish(entry: Watched, outcome: WaitOutcome): void {
		this.waiting.delete(entry);
		entry.resolve(outcome);
	}

	private failAll(error: Error): void {
		for (const entry of [...this.waiting]) {
			this.waiting.delete(entry);
			entry.reject(error);
		}
	}

	private async work(): Promise<void> {
		const { signal } = this.options;
		try {
			while (this.waiting.size > 0) {
				if (signal?.aborted) throw new ExecutionCancelledError();
				const { waitMs } = this.nextDue(this.now());
				if (waitMs > 0) {
					await cancellableSleep(Math.min(waitMs, this.idleSliceMs), signal);
					continue;
				}
				// The task is chosen when the request slot is free, not before: the most overdue then.
				await this.options.limit(async () => {
					const { entry } = this.nextDue(this.now());
					if (entry) await this.poll(entry);
				});
			}
		} catch (error) {
			this.failAll(signal?.aborted ? new ExecutionCancelledError() : (error as Error));
		}
	}

	private async poll(entry: Watched): Promise<void> {
		entry.polling = true;
		this.calls++;
		try {
			entry.generation = await this.options.fetchStatus(entry.task);
			entry.consecutiveFailures = 0;
			entry.lastError = undefined;
		} catch (error) {
			entry.consecutiveFailures++;
			entry.lastError = error as Error;
		} finally {
			entry.polling = false;
			entry.polls++;
		}
		if (this.options.signal?.aborted) throw new ExecutionCancelledError();
		const { generation, consecutiveFailures, lastError } = entry;
		if (lastError && PERMANENT_POLL_CODES.includes(rivyaCodeOf(lastError) ?? '')) {
			this.finish(entry, { done: false, generation, fatal: lastError, consecutiveFailures });
			return;
		}
		if (isTerminal(generation)) {
			this.learn(entry);
			this.finish(entry, { done: true, generation });
			return;
		}
		const now = this.now();
		const remaining = entry.deadline - now;
		if (remaining <= 0) {
			this.finish(entry, { done: false, generation, consecutiveFailures, lastError });
			return;
		}
		entry.dueAt = now + pollDelayMs(entry.polls, entry.schedule, remaining);
	}
}
