import { createLimiter, mapSettled } from '../../nodes/Rivya/helpers/concurrency';

/** A promise the test settles by hand, so nothing here depends on timing. */
function deferred<T = void>() {
	let resolve!: (value: T) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

const flush = async () => {
	for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('createLimiter', () => {
	it('runs at most N tasks at once and starts queued ones in order as slots free up', async () => {
		const limit = createLimiter(2);
		const gates = Array.from({ length: 5 }, () => deferred());
		const started: number[] = [];
		let running = 0;
		let peak = 0;
		const all = gates.map(
			async (gate, index) =>
				await limit(async () => {
					started.push(index);
					running++;
					peak = Math.max(peak, running);
					await gate.promise;
					running--;
					return index;
				}),
		);
		await flush();
		expect(started).toEqual([0, 1]);
		gates[1].resolve();
		await flush();
		expect(started).toEqual([0, 1, 2]);
		gates[0].resolve();
		gates[2].resolve();
		await flush();
		expect(started).toEqual([0, 1, 2, 3, 4]);
		gates[3].resolve();
		gates[4].resolve();
		expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4]);
		expect(peak).toBe(2);
	});

	it('frees the slot when a task fails', async () => {
		const limit = createLimiter(1);
		await expect(
			limit(async () => {
				throw new Error('boom');
			}),
		).rejects.toThrow('boom');
		expect(await limit(async () => 'next')).toBe('next');
	});

	it('never lets a newcomer overtake the queue when a slot is handed over', async () => {
		const limit = createLimiter(1);
		const first = deferred();
		let running = 0;
		let peak = 0;
		const track = async (gate?: Promise<void>) => {
			running++;
			peak = Math.max(peak, running);
			if (gate) await gate;
			await Promise.resolve();
			running--;
		};
		const a = limit(async () => await track(first.promise));
		const b = limit(async () => await track());
		await flush();
		first.resolve();
		const c = limit(async () => await track());
		await Promise.all([a, b, c]);
		expect(peak).toBe(1);
	});

	it('treats a bad limit as 1', async () => {
		const limit = createLimiter(0);
		const gate = deferred();
		const started: number[] = [];
		const a = limit(async () => {
			started.push(1);
			await gate.promise;
		});
		const b = limit(async () => {
			started.push(2);
		});
		await flush();
		expect(started).toEqual([1]);
		gate.resolve();
		await Promise.all([a, b]);
		expect(started).toEqual([1, 2]);
	});
});

describe('mapSettled', () => {
	it('keeps input order and reports failures per entry', async () => {
		const results = await mapSettled([3, 0, 5], createLimiter(2), async (value) => {
			if (value === 0) throw new Error('zero');
			return value * 2;
		});
		expect(results[0]).toEqual({ ok: true, value: 6 });
		expect(results[1].ok).toBe(false);
		expect(!results[1].ok && results[1].error.message).toBe('zero');
		expect(results[2]).toEqual({ ok: true, value: 10 });
	});
});
