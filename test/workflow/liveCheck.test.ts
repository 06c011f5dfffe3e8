// `npm run live-check` against the emulator: the same run a user makes against the live API with a key.
// Against the contract every field and event the nodes rely on is found; a drifted API shows up as
// MISSING lines; the run creates no task and spends at most MAX_CHAT_CREDITS.
import { runLiveCheck, MAX_CHAT_CREDITS } from '../../scripts/live-check';
import { useEmulatorPerFile } from './emulator-fixture';

const fixture = useEmulatorPerFile({}, 'reset');

afterEach(async () => {
	await fixture.client.setChatStreamEventNames({});
});

describe('npm run live-check', () => {
	it('finds every field and event the nodes rely on, read-only, spending at most 2 credits', async () => {
		const before = (await fixture.client.getCredits()).body.current_credits as number;
		const result = await runLiveCheck({
			apiKey: fixture.emulator.apiKey,
			baseUrl: fixture.emulator.baseUrl,
		});
		expect(result.problems).toEqual([]);
		expect(result.missing).toEqual([]);
		expect(result.report).toContain('All ');
		expect(result.report).toContain('the live API matches what the nodes expect');
		const items = result.lines.map((line) => `${line.area} ${line.item}`);
		for (const expected of [
			'GET /api/v1/models data[].url_input_supported',
			'GET /api/v1/credits current_credits',
			'POST /api/v1/files duration_token',
			'POST /api/v1/chat/completions/stream (gemini-2-5-flash-chat) event: done',
			'POST /api/v1/chat/completions/stream (gemini-2-5-flash-chat) delta.content',
			'GET /api/v1/webhooks has_more',
			'error envelope (GET /api/v1/generations/{missing}) error.requestId',
		]) {
			expect(items).toContain(expected);
		}
		expect(result.report).not.toContain(fixture.emulator.apiKey);

		const counters = await fixture.client.counters();
		expect(counters.tasksCreated).toBe(0);
		const after = (await fixture.client.getCredits()).body.current_credits as number;
		expect(before - after).toBeLessThanOrEqual(MAX_CHAT_CREDITS);
		expect(before - after).toBeGreaterThan(0);
		// The calls the nodes make (the chat node also reads the catalog and the balance first).
		expect(counters.requests).toMatchObject({
			'POST /api/v1/files': 1,
			'POST /api/v1/chat/completions/stream': 1,
			'GET /api/v1/webhooks': 1,
		});
		expect(counters.requests['GET /api/v1/models']).toBeGreaterThanOrEqual(1);
		expect(counters.requests['GET /api/v1/credits']).toBeGreaterThanOrEqual(1);
		expect(counters.requests['POST /api/v1/generations'] ?? 0).toBe(0);
	});

	it('reports drift: stream events under other names are MISSING, and the node’s error is a problem', async () => {
		await fixture.client.setChatStreamEventNames({ done: 'message_stop' });
		const result = await runLiveCheck({
			apiKey: fixture.emulator.apiKey,
			baseUrl: fixture.emulator.baseUrl,
		});
		expect(result.missing.map((line) => line.item)).toEqual(
			expect.arrayContaining(['event: done', 'done.session_id', 'done.message.content']),
		);
		expect(result.problems.join('\n')).toContain('events the nodes do not read: message_stop');
		expect(result.problems.join('\n')).toMatch(/Chat > Send Message \(streamed\): .*message_stop/);
		expect(result.report).toMatch(/MISSING {2}event: done/);
		expect(result.report).toMatch(/missing.*the live API differs/);
	});
});
