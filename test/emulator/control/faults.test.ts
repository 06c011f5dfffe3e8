// Rate limits (§3) and the control API's faults through real HTTP.
import { expectError, useEmulator } from '../core-test-setup';

const emulator = useEmulator();
const body = { model: 'z-image', prompt: 'x' };

describe('rate limits', () => {
	it('answers 429 rate_limited with Retry-After in whole seconds, per key', async () => {
		const { api } = emulator;
		await api.settings({ rateLimitPerMinute: 3 });
		for (let i = 0; i < 3; i++) expect((await api.getCredits()).status).toBe(200);
		const limited = await api.getCredits();
		expectError(limited, 429, 'rate_limited');
		const retryAfter = String(limited.headers['retry-after']);
		expect(retryAfter).toMatch(/^\d+$/);
		expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
		expect(Number(retryAfter)).toBeLessThanOrEqual(60);
		const { apiKey } = await api.createAccount();
		expect((await api.withKey(apiKey).getCredits()).status).toBe(200);
		await api.settings({ advanceClockMs: 61_000 });
		expect((await api.getCredits()).status).toBe(200);
	});

	it('defaults to 600 requests a minute', () => {
		expect(emulator.handle.state.options.rateLimitPerMinute).toBe(600);
	});
});

describe('faults', () => {
	it('status: answers the injected status and code N times, then normally', async () => {
		const { api } = emulator;
		await api.addFault({
			route: 'GET /api/v1/credits',
			kind: 'status',
			status: 500,
			code: 'internal_error',
			times: 2,
		});
		expectError(await api.getCredits(), 500, 'internal_error');
		expectError(await api.getCredits(), 500, 'internal_error');
		expect((await api.getCredits()).status).toBe(200);
	});

	it('matches faults by method and path prefix too', async () => {
		const { api } = emulator;
		await api.addFault({
			route: 'GET /api/v1/generations/',
			kind: 'status',
			status: 503,
			code: 'public_api_disabled',
		});
		expect((await api.getCredits()).status).toBe(200);
		expectError(await api.getGeneration('task_x'), 503, 'public_api_disabled');
	});

	it('drop_after_response: the task exists and is charged, the client sees a reset, a retry replays', async () => {
		const { api } = emulator;
		await api.addFault({ route: 'POST /api/v1/generations', kind: 'drop_after_response' });
		await expect(api.createGeneration(body, { idempotencyKey: 'dropped' })).rejects.toThrow(
			/socket hang up|ECONNRESET/,
		);
		const { tasks } = await api.tasks();
		expect(tasks).toHaveLength(1);
		expect((await api.getCredits()).body.current_credits).toBe(999);
		const retry = await api.createGeneration(body, { idempotencyKey: 'dropped' });
		expect(retry.status).toBe(202);
		expect(retry.headers['idempotent-replayed']).toBe('true');
		expect(retry.body.id).toBe(tasks[0].id);
		expect((await api.counters()).tasksCreated).toBe(1);
	});

	it('reset_before: the socket dies before any work', async () => {
		const { api } = emulator;
		await api.addFault({ route: 'POST /api/v1/generations', kind: 'reset_before' });
		await expect(api.createGeneration(body)).rejects.toThrow(/socket hang up|ECONNRESET/);
		expect((await api.counters()).tasksCreated).toBe(0);
		expect((await api.createGeneration(body)).status).toBe(202);
	});

	it('delay: holds the response for delayMs', async () => {
		const { api } = emulator;
		await api.addFault({ route: 'GET /api/v1/credits', kind: 'delay', delayMs: 300 });
		const started = Date.now();
		expect((await api.getCredits()).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
	});

	it('rate_limit_storm: the next N requests get 429 with Retry-After', async () => {
		const { api } = emulator;
		await api.addFault({ kind: 'rate_limit_storm', times: 2, retryAfter: 7 });
		const first = await api.getCredits();
		expectError(first, 429, 'rate_limited');
		expect(first.headers['retry-after']).toBe('7');
		expectError(await api.listModels(), 429, 'rate_limited');
		expect((await api.getCredits()).status).toBe(200);
	});

	it('cut_stream: a download breaks after afterBytes', async () => {
		const { api } = emulator;
		await api.setModelBehavior('z-image', { resultBytes: 2_000_000 });
		const done = await api.waitForGeneration((await api.createGeneration(body)).body.id);
		await api.addFault({ route: 'GET /media', kind: 'cut_stream', afterBytes: 100_000 });
		const cut = await api.download(done.body.result.primary_url);
		expect(cut.status).toBe(200);
		expect(Number(cut.headers['content-length'])).toBe(2_000_000);
		expect(cut.bytes).toBeLessThanOrEqual(100_000);
		expect(cut.error).toBeDefined();
		const whole = await api.download(done.body.result.primary_url);
		expect(whole.bytes).toBe(2_000_000);
	});

	it('DELETE /_emulator/faults clears pending faults; reset clears everything', async () => {
		const { api } = emulator;
		await api.addFault({ kind: 'status', status: 500, times: 5 });
		await api.clearFaults();
		expect((await api.getCredits()).status).toBe(200);
		await api.createGeneration(body);
		await api.reset();
		expect((await api.counters()).tasksCreated).toBe(0);
		expect((await api.getCredits()).body.current_credits).toBe(1000);
	});
});
