/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * Fault injection on webhooks: 20 generations finish while the emulator delivers their signed events
 * duplicated and out of order to the Rivya Trigger (through a local relay standing where n8n's webhook
 * URL would be). Each event starts exactly one execution, nothing runs twice, every task is charged
 * once, and neither the API key nor the signing secret appears in any output, error or run data.
 */
import { startEmulator, type EmulatorHandle } from '../emulator';
import { EmulatorClient } from '../emulator/client';
import {
	chain,
	createTriggerHarness,
	NO_OP_NODE_TYPE,
	processedData,
	reportedErrors,
	type TriggerHarness,
	type WebhookDelivery,
	type WorkflowRunResult,
} from '../workflow/harness';
import { startWebhookRelay, type WebhookRelay } from '../workflow/webhook-relay';
import { BATCH, expectNoSecrets, serializeForScan } from './reliability-helpers';

let emulator: EmulatorHandle;
let client: EmulatorClient;
let relay: WebhookRelay;
let trigger: TriggerHarness | undefined;

interface Received {
	eventId: string;
	status: number;
	delivery: WebhookDelivery;
	run?: WorkflowRunResult;
}
const received: Received[] = [];
const pending = new Set<Promise<void>>();

/** Hands each delivery to the trigger, runs the workflow when it says so, answers with its status. */
async function handle(headers: Record<string, string>, rawBody: Buffer): Promise<number> {
	if (!trigger) return 404;
	const delivery = await trigger.deliver({ headers, rawBody });
	const status = delivery.result.noWebhookResponse ? delivery.response.statusCode : 200;
	const entry: Received = { eventId: headers['webhook-id'], status, delivery };
	received.push(entry);
	if (delivery.result.workflowData) entry.run = await trigger.runFromTrigger(delivery);
	return status;
}

beforeAll(async () => {
	emulator = await startEmulator({
		port: 0,
		allowLocalWebhooks: true,
		defaultJobMs: 300,
		credits: 10_000,
		rateLimitPerMinute: 100_000,
		webhookRetryScheduleMs: [50, 50, 50],
	});
	client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
	relay = await startWebhookRelay(({ headers, rawBody }, res) => {
		const work = handle(headers, rawBody)
			.then((status) => void res.writeHead(status).end())
			.catch((error: Error) => {
				console.error('relay: trigger threw', error);
				res.writeHead(500).end();
			})
			.finally(() => pending.delete(work));
		pending.add(work);
	});
});

afterAll(async () => {
	await emulator?.close();
	await relay?.close();
});

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
	for (let attempt = 0; attempt < 1500; attempt++) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`timed out waiting for ${what}`);
}

describe('Reliability: Rivya Trigger under duplicate and out-of-order deliveries', () => {
	it('20 generations, duplicated and reordered deliveries: one execution per event, none twice', async () => {
		await client.reset();
		received.length = 0;
		const reportedFrom = reportedErrors.length;
		trigger = await createTriggerHarness({
			node: { name: 'Rivya Trigger', type: 'n8n-nodes-rivya.rivyaTrigger', parameters: {} },
			nodes: [{ name: 'After', type: NO_OP_NODE_TYPE }],
			connections: chain('Rivya Trigger', 'After'),
			credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
			webhookBaseUrl: `${relay.baseUrl}/webhook`,
		});
		if (!(await trigger.webhookMethod('checkExists'))) await trigger.webhookMethod('create');
		const signingSecret = trigger.staticData().signingSecret as string;
		expect(typeof signingSecret).toBe('string');

		await client.addWebhookFault({ kind: 'duplicate', times: 6 });
		await client.addWebhookFault({ kind: 'out_of_order', times: 4 });
		// Every fifth job fails, so both event types travel.
		await client.setModelBehavior('seedream-3-0', { outcome: 'fail' });
		const taskIds: string[] = [];
		for (let index = 0; index < BATCH; index++) {
			const model = index % 5 === 4 ? 'seedream-3-0' : 'z-image';
			const created = await client.createGeneration({ model, prompt: `webhook item ${index}` });
			expect(created.status).toBe(202);
			taskIds.push(created.body.id as string);
		}

		// Duplicates are extra deliveries: wait for all of them, then for the trigger to finish.
		await until('every delivery, duplicates included', async () => {
			const counters = await client.counters();
			return (
				counters.deliveriesDuplicated === 6 &&
				counters.deliveriesReordered === 4 &&
				received.filter((entry) => entry.status === 200).length >= BATCH + 6
			);
		});
		await Promise.all([...pending]);

		// Every copy starts a run; the trigger lets one run per event past it (the others stop there).
		expect(received.filter((entry) => entry.run?.status !== 'success')).toEqual([]);
		const started = received.filter((entry) => (entry.run?.runData.After?.length ?? 0) > 0);
		const startedEventIds = started.map((entry) => entry.eventId);
		expect(new Set(startedEventIds).size).toBe(startedEventIds.length);
		expect(started).toHaveLength(BATCH);
		const startedTaskIds = started.map((entry) => {
			const [item] = entry.run!.outputOf('After');
			return String((item.json.generation as { id: string }).id);
		});
		expect([...startedTaskIds].sort()).toEqual([...taskIds].sort());
		expect(received.filter((entry) => entry.status !== 200)).toEqual([]);

		const counters = await client.counters();
		expect(counters.tasksCreated).toBe(BATCH);
		expect(counters.creditsCharged).toBe((BATCH - BATCH / 5) * 1);

		const scanned = serializeForScan(
			received.map((entry) => [entry.delivery, entry.run?.runData, entry.run?.error]),
			processedData.snapshot(),
			reportedErrors.slice(reportedFrom),
		);
		// The scan really covers the outputs (so a leak there would be seen).
		expect(scanned).toContain(startedTaskIds[0]);
		expectNoSecrets(scanned, { apiKey: emulator.apiKey, signingSecret });
	});
});
