/** A function that runs tasks with at most `max` of them in flight at once. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Bounded concurrency without a dependency: queued tasks start in order as running ones settle. */
export function createLimiter(max: number): Limiter {
	const limit = Math.max(1, Math.floor(Number.isFinite(max) ? max : 1));
	let running = 0;
	const waiting: Array<() => void> = [];

	// A finishing task hands its slot straight to the next waiting one, so no newcomer can slip in.
	const release = () => {
		const next = waiting.shift();
		if (next) next();
		else running--;
	};

	return async <T>(task: () => Promise<T>): Promise<T> => {
		if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
		else running++;
		try {
			return await task();
		} finally {
			release();
		}
	};
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Runs `worker` over every entry with bounded concurrency; results keep the input order. */
export async function mapSettled<I, O>(
	entries: I[],
	limit: Limiter,
	worker: (entry: I, index: number) => Promise<O>,
): Promise<Array<Settled<O>>> {
	return await Promise.all(
		entries.map(async (entry, index) => {
			try {
				return { ok: true as const, value: await limit(async () => await worker(entry, index)) };
			} catch (error) {
				return { ok: false as const, error: error as Error };
			}
		}),
	);
}
