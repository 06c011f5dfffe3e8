/**
 * Waiting for generation tasks, following Rivya's polling guidance: first look 2–3 s after submit,
 * then back off towards 10 s (images) or slower for video and audio, stop at a terminal status.
 *
 * The waiting itself (all tasks of a run together) is statusScheduler.ts; this file holds the
 * per-task ideal schedule it follows, the end states and the status call.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { MediaKind } from '../../shared/catalog';
import type { RetryPolicy } from '../../shared/retry';
import { rivyaRequest } from '../../shared/transport';

export interface PollSchedule {
	/** Delay before the first poll after submit (Rivya: 2–3 s). */
	firstMs: number;
	/** Delay before the second poll: short, so quick jobs are seen soon after they finish. */
	nextMs: number;
	/** Each later delay is the previous one times this, so long jobs are polled less and less. */
	factor: number;
	/** Delays never grow beyond this. */
	maxMs: number;
}

/**
 * A poll at 2.5 s, then delays of 0.75 s growing ×1.6 up to the category's cap: polls at about
 * 2.5, 3.25, 4.45, 6.4, 9.4, 14.4, 22 s, ... so a 3 s job is seen at 3.25 s and a 10 s one at 14 s,
 * while a 60 s job needs 11 status calls (image, 10 s cap) or 10 (audio and video, slower caps).
 * test/unit/polling.test.ts holds these bounds.
 */
export const POLL_SCHEDULES: Record<MediaKind, PollSchedule> = {
	image: { firstMs: 2500, nextMs: 750, factor: 1.6, maxMs: 10_000 },
	audio: { firstMs: 2500, nextMs: 750, factor: 1.6, maxMs: 15_000 },
	video: { firstMs: 2500, nextMs: 750, factor: 1.6, maxMs: 20_000 },
};

/** Unknown kind (e.g. a model that left the catalog): the patient video schedule. */
export function scheduleFor(kind: MediaKind | string | undefined): PollSchedule {
	return POLL_SCHEDULES[kind as MediaKind] ?? POLL_SCHEDULES.video;
}

/**
 * Delay before poll number `pollIndex` (0 = the first poll after submit), never past the deadline:
 * `remainingMs` is the time left, so the last poll lands exactly on the deadline.
 */
export function pollDelayMs(
	pollIndex: number,
	schedule: PollSchedule,
	remainingMs = Number.POSITIVE_INFINITY,
): number {
	const grown =
		pollIndex <= 0 ? schedule.firstMs : schedule.nextMs * Math.pow(schedule.factor, pollIndex - 1);
	return Math.max(0, Math.min(grown, schedule.maxMs, remainingMs));
}

/**
 * The contract names `failed` only; the others are tolerated because the live API may add end states,
 * and polling a task that can never succeed until the timeout would only waste the user's time.
 */
export const FAILED_STATUSES = ['failed', 'canceled', 'cancelled', 'expired', 'error'];
export const TERMINAL_STATUSES = ['succeeded', ...FAILED_STATUSES];

export function isTerminal(generation: IDataObject): boolean {
	return TERMINAL_STATUSES.includes(String(generation.status));
}

export function hasFailed(generation: IDataObject): boolean {
	return FAILED_STATUSES.includes(String(generation.status));
}

/** Poll errors that will not heal by waiting: the task is gone or the key cannot read it. */
export const PERMANENT_POLL_CODES = [
	'not_found',
	'api_key_missing',
	'api_key_invalid',
	'api_key_revoked',
	'api_key_expired',
	'api_scope_denied',
];

export interface TaskToWatch {
	taskId: string;
	kind?: MediaKind | string;
	itemIndex: number;
	/** The latest known state (from create or an earlier read). */
	generation: IDataObject;
	/** When the task was submitted (Date.now()): the first poll comes `firstMs` after this. */
	submittedAtMs?: number;
}

export type WaitOutcome =
	| { done: true; generation: IDataObject }
	| {
			done: false;
			/** Latest known state: still queued or processing. */
			generation: IDataObject;
			/** Polls that failed in a row at the end, with the last error, when polling itself was failing. */
			consecutiveFailures: number;
			lastError?: Error;
	  }
	| { done: false; generation: IDataObject; fatal: Error; consecutiveFailures: number };

/** One status call for a task, through the transport (retries, the key's rate-limit gate). */
export async function fetchGenerationStatus(
	this: IExecuteFunctions,
	task: TaskToWatch,
	retry?: Partial<RetryPolicy>,
): Promise<IDataObject> {
	return await rivyaRequest.call(this, {
		method: 'GET',
		path: `/generations/${encodeURIComponent(task.taskId)}`,
		itemIndex: task.itemIndex,
		retry,
		errorContext: {
			requiredScope: 'generations:read',
			resourceLabel: `The generation ${task.taskId}`,
		},
	});
}
