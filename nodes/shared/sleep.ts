import { sleep } from 'n8n-workflow';

/** Longest single sleep, so a cancelled execution is noticed within about this long. */
const SLICE_MS = 500;

export class ExecutionCancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'ExecutionCancelledError';
	}
}

/**
 * Waits in short slices and stops early when the execution is cancelled.
 * `sleep` only honours a signal on newer hosts, so slicing keeps cancellation prompt everywhere.
 */
export async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	const end = Date.now() + ms;
	for (;;) {
		if (signal?.aborted) throw new ExecutionCancelledError();
		const remaining = end - Date.now();
		if (remaining <= 0) return;
		await sleep(Math.min(SLICE_MS, remaining));
	}
}
