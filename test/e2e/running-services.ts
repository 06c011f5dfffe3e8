/* eslint-disable @n8n/community-nodes/no-restricted-globals */
// Services the global setup started; jest runs globalSetup and globalTeardown in the same process, so a
// process-wide list is enough to stop them.
interface RunningService {
	name: string;
	stop: () => Promise<void> | void;
}

const registryKey = Symbol.for('rivya.e2e.runningServices');
const globalRegistry = globalThis as unknown as Record<symbol, RunningService[] | undefined>;

function services(): RunningService[] {
	globalRegistry[registryKey] ??= [];
	return globalRegistry[registryKey];
}

export function keepForTeardown(service: RunningService): void {
	services().push(service);
}

/** Stops services in reverse start order; reports failures after trying all of them. */
export async function stopAll(): Promise<void> {
	const failures: string[] = [];
	for (const service of services().splice(0).reverse()) {
		try {
			await service.stop();
		} catch (error) {
			failures.push(`${service.name}: ${(error as Error).message}`);
		}
	}
	if (failures.length > 0) throw new Error(`stopping e2e services failed: ${failures.join('; ')}`);
}
