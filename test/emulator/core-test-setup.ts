/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers loosely; the zod schemas and assertions check their shape */
// Shared jest setup for the core emulator tests: one emulator per test file on a free port.
import { EmulatorClient } from './client';
import { startEmulator, type EmulatorHandle } from './index';
import type { EmulatorOptions } from './state';

export interface TestEmulator {
	handle: EmulatorHandle;
	/** Client with the seeded key (all scopes). */
	api: EmulatorClient;
}

/** Starts an emulator before the file's tests, resets it before each test and closes it after all. */
export function useEmulator(options: EmulatorOptions = {}): TestEmulator {
	const context = {} as TestEmulator;
	beforeAll(async () => {
		context.handle = await startEmulator({ port: 0, defaultJobMs: 150, ...options });
		context.api = new EmulatorClient(context.handle.baseUrl, context.handle.apiKey);
	});
	beforeEach(async () => {
		await context.api.reset();
	});
	afterAll(async () => {
		await context.handle.close();
	});
	return context;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The error envelope of rivya-api.md §2, with X-Request-Id equal to its requestId. */
export function expectError(
	response: { status: number; body: any; requestId?: string },
	status: number,
	code: string,
) {
	expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
	expect(typeof response.body.error.message).toBe('string');
	expect(response.body.error.requestId).toMatch(/^req_/);
	expect(response.requestId).toBe(response.body.error.requestId);
}
