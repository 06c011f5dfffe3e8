import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../emulator';
import { EmulatorClient } from '../emulator/client';

export interface EmulatorFixture {
	emulator: EmulatorHandle;
	client: EmulatorClient;
}

/**
 * One emulator per test file on a free port: started before the file's tests, closed after them, and
 * before each test either reset to its seeded state or only cleared of injected faults.
 */
export function useEmulatorPerFile(
	options: EmulatorOptions,
	beforeEachTest: 'reset' | 'clearFaults',
): EmulatorFixture {
	const fixture = {} as EmulatorFixture;
	beforeAll(async () => {
		fixture.emulator = await startEmulator({ port: 0, ...options });
		fixture.client = new EmulatorClient(fixture.emulator.baseUrl, fixture.emulator.apiKey);
	});
	afterAll(async () => {
		await fixture.emulator?.close();
	});
	beforeEach(async () => {
		if (beforeEachTest === 'reset') await fixture.client.reset();
		else await fixture.client.clearFaults();
	});
	return fixture;
}
