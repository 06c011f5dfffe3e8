/**
 * First-contact diagnosis in the Rivya Trigger (issue: Rivya's docs do not describe webhook signatures).
 * A delivery without the expected signature headers is still refused, and the refusal names the header
 * NAMES that arrived and those expected — in the 401 body, and in a warning logged once per endpoint.
 */
import { createHmac } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator';
import { createTriggerHarness, harnessLogger, type TriggerHarness } from './harness';

let emulator: EmulatorHandle;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0, allowLocalWebhooks: true });
});

afterAll(async () => {
	await emulator?.close();
});

afterEach(() => {
	jest.restoreAllMocks();
});

async function activeTrigger(): Promise<TriggerHarness> {
	const trigger = await createTriggerHarness({
		node: { name: 'Rivya Trigger', type: 'n8n-nodes-rivya.rivyaTrigger', parameters: {} },
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
	});
	if (!(await trigger.webhookMethod('checkExists'))) await trigger.webhookMethod('create');
	return trigger;
}

const event = (id: string): IDataObject => ({
	id,
	type: 'generation.succeeded',
	api_version: '2026-05-11',
	created_at: new Date().toISOString(),
	data: { id: 'task_diag', status: 'succeeded', model: 'z-image', final_credits: 1 },
});

/** A delivery signed some other way than the contract assumes (names and values made up). */
function otherlySigned(id: string, secret: string) {
	const rawBody = Buffer.from(JSON.stringify(event(id)));
	const signature = createHmac('sha256', secret).update(rawBody).digest('hex');
	return {
		rawBody,
		headers: {
			'content-type': 'application/json',
			'user-agent': 'Rivya-Webhooks',
			'x-rivya-signature': `sha256=${signature}`,
			'x-rivya-event-id': id,
		},
	};
}

describe('Rivya Trigger: a delivery without the expected signature headers', () => {
	it('is refused with 401 naming the header names that arrived and those expected, never values', async () => {
		const trigger = await activeTrigger();
		const secret = String(trigger.staticData().signingSecret);
		const request = otherlySigned('evt_diag_1', secret);
		const delivered = await trigger.deliver(request);

		expect(delivered.response.statusCode).toBe(401);
		expect(delivered.result).toEqual({ noWebhookResponse: true });
		expect(delivered.result.workflowData).toBeUndefined();
		const body = String(delivered.response.body);
		expect(body).toMatch(
			/^Unauthorized: the delivery has no webhook-id, webhook-timestamp, webhook-signature headers/,
		);
		expect(body).toContain(
			'Expected the signature headers webhook-id, webhook-timestamp, webhook-signature',
		);
		expect(body).toContain(
			'Header names that arrived: content-length, content-type, user-agent, x-rivya-event-id, x-rivya-signature.',
		);
		for (const value of Object.values(request.headers)) {
			if (value !== 'application/json') expect(body).not.toContain(value);
		}
		expect(body).not.toContain(secret);
		expect(trigger.staticData().recentEventIds).toBeUndefined();
	});

	it('names only the missing one when some signature headers arrived', async () => {
		const trigger = await activeTrigger();
		const delivered = await trigger.deliver({
			rawBody: JSON.stringify(event('evt_diag_2')),
			headers: { 'webhook-id': 'evt_diag_2', 'webhook-timestamp': '1700000000' },
		});
		expect(delivered.response.statusCode).toBe(401);
		expect(String(delivered.response.body)).toMatch(
			/^Unauthorized: the delivery has no webhook-signature header\. /,
		);
	});

	it('logs the same text as a warning once per endpoint, later refusals only at debug level', async () => {
		const warn = jest.spyOn(harnessLogger, 'warn');
		const debug = jest.spyOn(harnessLogger, 'debug');
		const first = await activeTrigger();
		const second = await activeTrigger();
		const secret = String(first.staticData().signingSecret);

		const bodies: string[] = [];
		for (const trigger of [first, first, first, second]) {
			const delivered = await trigger.deliver(otherlySigned(`evt_diag_${bodies.length}`, secret));
			bodies.push(String(delivered.response.body));
		}
		const linesOf = (spy: jest.SpyInstance) =>
			spy.mock.calls.map((call: unknown[]) => String(call[0]));
		const warnings = linesOf(warn);
		const diagnoses = warnings.filter((line) => line.includes('Header names that arrived'));
		// One warning for each endpoint (the two triggers registered two), not one per delivery.
		expect(diagnoses).toHaveLength(2);
		expect(diagnoses[0]).toBe(
			`Rivya Trigger rejected a webhook delivery: ${bodies[0].replace(/^Unauthorized: /, '')}`,
		);
		expect(linesOf(debug).filter((line) => line.includes('Header names'))).toHaveLength(2);
		expect(warnings.join('\n')).not.toContain(secret);
	});
});
