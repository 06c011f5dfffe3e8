/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// Rivya Trigger on a single-process n8n (SQLite), restarted in the middle: signed events, copies
// delivered at the same moment, sequential replays and badly signed deliveries, then n8n restarted and
// earlier events replayed. The node after the trigger must run exactly once per unique valid event.
// This file starts its own n8n (the shared one must not be restarted under other files).
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { EmulatorClient } from '../emulator/client';
import { accountWithCredential } from './e2e-accounts';
import { settledExecutions, someNodeOutput } from './execution-data';
import {
	pollUntil,
	reservePort,
	startN8n,
	type ExecutionRecord,
	type RunningN8n,
} from './n8n-instance';
import {
	AFTER_NODE,
	TRIGGER_NODE,
	deliver,
	downstreamRunsByEvent,
	newEventId,
	rivyaEndpoints,
	signedDelivery,
	triggerSecret,
	triggerWorkflow,
	waitForTriggerServed,
} from './rivya-deliveries';

describe('Rivya Trigger exactly once on a single n8n process, across a restart', () => {
	const webhookId = randomUUID();
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-rivya-e2e', 'once-'));
	const encryptionKey = randomBytes(24).toString('hex');
	let port: number;
	let n8n: RunningN8n | undefined;
	let api: EmulatorClient;
	let workflowId: string;
	let secret: string;
	let webhookUrl: string;

	const start = async () =>
		await startN8n({ port, userFolder, env: { N8N_ENCRYPTION_KEY: encryptionKey } });

	const activeEndpoints = async () =>
		(await rivyaEndpoints(api)).filter((endpoint) => endpoint.status === 'active');
	// n8n registers its webhooks after it is ready.
	const webhookServed = async () => await waitForTriggerServed(webhookUrl, secret);

	beforeAll(async () => {
		fs.mkdirSync(path.dirname(userFolder), { recursive: true });
		port = await reservePort(undefined, 'the exactly-once n8n');
		n8n = await start();
		const account = await accountWithCredential('exactly once', 100, n8n);
		api = account.api;
		workflowId = (
			await n8n.importWorkflow(
				triggerWorkflow('E2E: Rivya Trigger exactly once', webhookId, account.credential),
			)
		).id;
		await n8n.activate(workflowId);
		secret = await triggerSecret(n8n, workflowId);
		webhookUrl = `${n8n.baseUrl}/webhook/${webhookId}/webhook`;
		await webhookServed();
	});

	afterAll(async () => {
		if (n8n) {
			await n8n.deactivate(workflowId).catch(() => undefined);
			await n8n.stop();
		}
	});

	const unique = Array.from({ length: 16 }, () => newEventId('once'));
	const badlySigned = Array.from({ length: 3 }, () => newEventId('bad'));

	it('copies at the same moment, sequential replays and bad signatures: the next node runs once per valid event', async () => {
		const statuses: number[] = [];
		const badStatuses: number[] = [];
		await Promise.all([
			// 4 events delivered twice at the same moment.
			...unique.slice(0, 4).flatMap((eventId) => {
				const copy = signedDelivery(secret, eventId);
				return [deliver(webhookUrl, copy), deliver(webhookUrl, copy)].map(async (answer) =>
					statuses.push((await answer).status),
				);
			}),
			// 4 events replayed once their first delivery was answered.
			...unique.slice(4, 8).map(async (eventId) => {
				statuses.push((await deliver(webhookUrl, signedDelivery(secret, eventId))).status);
				statuses.push((await deliver(webhookUrl, signedDelivery(secret, eventId))).status);
			}),
			// The rest once each.
			...unique.slice(8).map(async (eventId) => {
				statuses.push((await deliver(webhookUrl, signedDelivery(secret, eventId))).status);
			}),
			...badlySigned.map(async (eventId) => {
				badStatuses.push(
					(await deliver(webhookUrl, signedDelivery(secret, eventId, { badSignature: true })))
						.status,
				);
			}),
		]);
		expect(statuses).toHaveLength(24);
		expect(new Set(statuses)).toEqual(new Set([200]));
		expect(badStatuses).toEqual([401, 401, 401]);

		const executions = await settledExecutions(n8n!, workflowId, 60_000);
		// Every accepted copy started a run (answered before the run decides); duplicates stop at the trigger.
		expect(executions).toHaveLength(24);
		expect(executions.every((execution) => execution.status === 'success')).toBe(true);
		const runs = downstreamRunsByEvent(executions);
		expect(Object.fromEntries(runs)).toEqual(
			Object.fromEntries(unique.map((eventId) => [eventId, 1])),
		);
	});

	it('a production and a "Listen for test event" endpoint receiving the same real event both run it', async () => {
		// What the editor's "Listen for test event" does: n8n registers the test webhook, and the trigger
		// a second Rivya endpoint at the /webhook-test/ URL.
		const listening = await n8n!.rest<{ waitingForWebhook?: boolean }>(
			'POST',
			`/workflows/${workflowId}/run`,
			{ triggerToStartFrom: { name: TRIGGER_NODE } },
		);
		expect(listening.waitingForWebhook).toBe(true);
		const testUrl = `${n8n!.baseUrl}/webhook-test/${webhookId}/webhook`;
		await pollUntil('the test endpoint to be registered', 30_000, async () =>
			(await activeEndpoints()).some((endpoint) => endpoint.url === testUrl),
		);

		// A real generation: Rivya (the emulator) delivers its event to both endpoints, each signed with
		// that endpoint's own secret.
		const created = await api.createGeneration({ model: 'z-image', prompt: 'a lighthouse' });
		const taskId = String(created.body.id);
		let executions: ExecutionRecord[] = [];
		const forTask = (execution: ExecutionRecord) =>
			someNodeOutput(
				execution,
				AFTER_NODE,
				(json) => (json.generation as { id?: string } | undefined)?.id === taskId,
			);
		await pollUntil('a production and a test run of the event', 60_000, async () => {
			executions = (await settledExecutions(n8n!, workflowId, 60_000)).filter(forTask);
			return executions.length >= 2;
		});
		expect(executions.map((execution) => execution.mode).sort()).toEqual(['manual', 'webhook']);
		// n8n removes the test webhook after its run, and the trigger its Rivya endpoint.
		await pollUntil('the test endpoint to be revoked', 30_000, async () =>
			(await activeEndpoints()).every((endpoint) => endpoint.url !== testUrl),
		);
	});

	it('after a restart, replays of earlier events still stop at the trigger and a new event runs', async () => {
		await n8n!.stop();
		n8n = await start();
		await webhookServed();

		const fresh = newEventId('after_restart');
		const answers = await Promise.all([
			...unique
				.slice(0, 6)
				.map(async (eventId) => await deliver(webhookUrl, signedDelivery(secret, eventId))),
			deliver(webhookUrl, signedDelivery(secret, fresh)),
		]);
		expect(answers.map((answer) => answer.status)).toEqual(Array(7).fill(200));

		const executions = await settledExecutions(n8n, workflowId, 60_000);
		// 24 before, 2 runs of the production/test pair, 7 now.
		expect(executions).toHaveLength(24 + 2 + 7);
		const runs = downstreamRunsByEvent(executions);
		for (const eventId of [...unique, fresh])
			expect([eventId, runs.get(eventId)]).toEqual([eventId, 1]);
		// The restart reused the registered endpoint: still exactly one.
		const endpoints = await activeEndpoints();
		expect(endpoints).toHaveLength(1);
		expect(endpoints[0].url).toBe(webhookUrl);
	});
});
