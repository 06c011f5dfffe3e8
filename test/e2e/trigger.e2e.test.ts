// Rivya Trigger in a real n8n against the emulator's real outgoing webhooks: publishing registers one
// endpoint at n8n's production webhook URL; a finished generation is delivered signed and recorded as an
// execution with the event; a badly signed delivery starts nothing (its correctly signed retry starts
// one execution); of a duplicated delivery's two executions one stops at the trigger; unpublishing
// revokes the endpoint.
import { randomUUID } from 'crypto';

import type { EmulatorClient } from '../emulator/client';
import { accountWithCredential } from './e2e-accounts';
import { connectE2e, emulatorControl } from './e2e-env';
import { nodeOutputJson, settledExecutions, someNodeOutput } from './execution-data';
import { pollUntil, type ExecutionRecord } from './n8n-instance';
import { RIVYA_CREDENTIAL_TYPE, RIVYA_TRIGGER_NODE_TYPE } from './workflows';

const { n8n } = connectE2e();

const TRIGGER_NODE = 'Rivya Trigger';
const IMAGE_MODEL = 'z-image';

interface Endpoint {
	id: string;
	url: string;
	status: string;
	event_types: string[];
}

interface Delivery {
	event_id: string;
	attempt: number;
	status: string;
	response_status: number | null;
}

describe('Rivya Trigger through n8n', () => {
	const webhookId = randomUUID();
	let api: EmulatorClient;
	let workflowId: string;
	let published = false;
	let endpoint: Endpoint;

	async function endpoints(): Promise<Endpoint[]> {
		const response = await api.request('GET', '/api/v1/webhooks?limit=100');
		expect(response.status).toBe(200);
		return response.body.data as Endpoint[];
	}

	async function deliveriesOfEvent(eventId: string): Promise<Delivery[]> {
		const response = await api.request(
			'GET',
			`/api/v1/webhooks/${endpoint.id}/deliveries?limit=100`,
		);
		expect(response.status).toBe(200);
		return (response.body.data as Delivery[]).filter((delivery) => delivery.event_id === eventId);
	}

	/** Creates a generation with the trigger's account and waits until Rivya has finished it. */
	async function finishedGeneration(prompt: string): Promise<string> {
		const created = await api.createGeneration({ model: IMAGE_MODEL, prompt });
		expect(created.status).toBeLessThan(300);
		const taskId = String(created.body.id);
		const finished = await api.waitForGeneration(taskId, { timeoutMs: 30_000, intervalMs: 200 });
		expect(finished.body.status).toBe('succeeded');
		return taskId;
	}

	/** The id of the webhook event Rivya published for the task. */
	async function eventIdFor(taskId: string): Promise<string> {
		let eventId: string | undefined;
		await pollUntil(`the webhook event of task ${taskId}`, 15_000, async () => {
			const response = await api.request('GET', '/api/v1/webhook-events?limit=100');
			const events = response.body.data as Array<{ id: string; data: { id: string } }>;
			eventId = events.find((event) => event.data.id === taskId)?.id;
			return eventId !== undefined;
		});
		return eventId as string;
	}

	/** Waits until every delivery of the event has a final outcome (no retry pending) and returns them. */
	async function settledDeliveries(eventId: string, count: number): Promise<Delivery[]> {
		let deliveries: Delivery[] = [];
		await pollUntil(`${count} settled deliveries of ${eventId}`, 30_000, async () => {
			deliveries = await deliveriesOfEvent(eventId);
			return (
				deliveries.length === count && deliveries.every((delivery) => delivery.status !== 'pending')
			);
		});
		return deliveries;
	}

	/**
	 * Finished executions of the trigger workflow whose trigger output is this task's event; waits until
	 * at least one is there (n8n answers a delivery before its execution has finished).
	 */
	async function executionsForTask(taskId: string): Promise<ExecutionRecord[]> {
		const isForTask = (execution: ExecutionRecord) =>
			someNodeOutput(
				execution,
				TRIGGER_NODE,
				(json) => (json.generation as { id?: string } | undefined)?.id === taskId,
			);
		let executions: ExecutionRecord[] = [];
		await pollUntil(`an execution for task ${taskId}`, 30_000, async () => {
			executions = (await settledExecutions(n8n, workflowId)).filter(isForTask);
			return executions.length > 0;
		});
		return executions;
	}

	beforeAll(async () => {
		// Generations are created below with this same account's key, so its events reach this trigger.
		const account = await accountWithCredential('trigger test', 500);
		api = account.api;
		const credential = account.credential;
		const workflow = {
			name: 'E2E: Rivya Trigger',
			nodes: [
				{
					name: TRIGGER_NODE,
					type: RIVYA_TRIGGER_NODE_TYPE,
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					parameters: { events: ['generation.succeeded', 'generation.failed'] },
					credentials: { [RIVYA_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		};
		workflowId = (await n8n.importWorkflow(workflow)).id;
		expect(await endpoints()).toEqual([]);
		await n8n.activate(workflowId);
		published = true;
	});

	afterAll(async () => {
		await emulatorControl('DELETE', '/webhooks/faults');
		if (published) await n8n.deactivate(workflowId);
	});

	async function activeEndpoints(): Promise<Endpoint[]> {
		return (await endpoints()).filter((candidate) => candidate.status === 'active');
	}

	it('registers exactly one active endpoint at n8n’s production webhook URL on publish', async () => {
		// n8n may finish activating the trigger (its create hook) after the publish call has answered.
		await pollUntil('the trigger to register its endpoint', 30_000, async () => {
			return (await activeEndpoints()).length > 0;
		});
		const active = await activeEndpoints();
		expect(active).toHaveLength(1);
		endpoint = active[0];
		expect(endpoint.url).toBe(`${n8n.baseUrl}/webhook/${webhookId}/webhook`);
		expect([...endpoint.event_types].sort()).toEqual(['generation.failed', 'generation.succeeded']);
	});

	it('records an execution with the event when a generation succeeds', async () => {
		const taskId = await finishedGeneration('A lighthouse at dawn');
		const eventId = await eventIdFor(taskId);

		const [delivery] = await settledDeliveries(eventId, 1);
		expect(delivery).toMatchObject({ status: 'succeeded', response_status: 200, attempt: 1 });

		const executions = await executionsForTask(taskId);
		expect(executions).toHaveLength(1);
		expect(executions[0]).toMatchObject({ status: 'success', mode: 'webhook' });
		const [event] = nodeOutputJson(executions[0], TRIGGER_NODE);
		expect(event).toMatchObject({
			eventId,
			eventType: 'generation.succeeded',
			test: false,
			generation: { id: taskId, status: 'succeeded', model: IMAGE_MODEL },
		});
		expect((event.generation as { resultUrls: string[] }).resultUrls.length).toBeGreaterThan(0);
	});

	it('rejects a badly signed delivery and runs once for its correctly signed retry', async () => {
		const countersBefore = await api.counters();
		await emulatorControl('POST', '/webhooks/faults', { kind: 'bad_signature', times: 1 });

		const taskId = await finishedGeneration('A lighthouse at dusk');
		const eventId = await eventIdFor(taskId);

		// The first attempt got a 401; Rivya's retry (5 s later) is signed correctly and accepted.
		const [delivery] = await settledDeliveries(eventId, 1);
		expect(delivery).toMatchObject({ status: 'succeeded', response_status: 200, attempt: 2 });
		const countersAfter = await api.counters();
		expect(countersAfter.deliveriesBadlySigned).toBe(
			(countersBefore.deliveriesBadlySigned as number) + 1,
		);
		expect(countersAfter.deliveryAttemptsFailed).toBe(
			(countersBefore.deliveryAttemptsFailed as number) + 1,
		);

		const executions = await executionsForTask(taskId);
		expect(executions).toHaveLength(1);
		expect(executions[0].status).toBe('success');
	});

	describe('when the same event is delivered twice at once (emulator fault "duplicate")', () => {
		let eventId: string;
		let executions: ExecutionRecord[];
		let stoppedAtTrigger: ExecutionRecord[];

		beforeAll(async () => {
			await emulatorControl('POST', '/webhooks/faults', { kind: 'duplicate', times: 1 });
			const taskId = await finishedGeneration('A lighthouse at night');
			eventId = await eventIdFor(taskId);
			// Both copies are answered with 200 (accepted, or acknowledged as a duplicate): no retries.
			const deliveries = await settledDeliveries(eventId, 2);
			expect(deliveries.map((delivery) => delivery.status)).toEqual(['succeeded', 'succeeded']);
			executions = await executionsForTask(taskId);
			// The copy's execution: the trigger found the event already handled and output nothing.
			await pollUntil('the copy’s execution', 30_000, async () => {
				stoppedAtTrigger = (await settledExecutions(n8n, workflowId)).filter(
					(execution) =>
						execution.data?.resultData.runData[TRIGGER_NODE] !== undefined &&
						nodeOutputJson(execution, TRIGGER_NODE).length === 0,
				);
				return stoppedAtTrigger.length > 0;
			});
		});

		it('acknowledges both copies and records the event', () => {
			expect(executions.length).toBeGreaterThanOrEqual(1);
			for (const execution of executions) {
				expect(execution.status).toBe('success');
				expect(nodeOutputJson(execution, TRIGGER_NODE)[0]).toMatchObject({ eventId });
			}
		});

		// Both copies start an execution; the trigger's claim in n8n's database lets exactly one continue.
		it('runs past the trigger exactly once; the other execution stops at the trigger', () => {
			expect(executions).toHaveLength(1);
			expect(stoppedAtTrigger).toHaveLength(1);
			expect(stoppedAtTrigger[0].status).toBe('success');
		});
	});

	it('refuses a delivery without signature headers with 401 naming the header names that arrived', async () => {
		const response = await fetch(endpoint.url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'X-Other-Signature': 'sha256=not-shown' },
			body: JSON.stringify({ id: 'evt_unsigned', type: 'generation.succeeded', data: {} }),
		});
		expect(response.status).toBe(401);
		const body = await response.text();
		expect(body).toMatch(
			/^Unauthorized: the delivery has no webhook-id, webhook-timestamp, webhook-signature headers/,
		);
		expect(body).toContain('x-other-signature');
		expect(body).not.toContain('not-shown');
	});

	it('revokes the endpoint on unpublish', async () => {
		await n8n.deactivate(workflowId);
		published = false;

		await pollUntil('the trigger to revoke its endpoint', 30_000, async () => {
			return (await activeEndpoints()).length === 0;
		});
		const after = await endpoints();
		expect(after).toHaveLength(1);
		expect(after.find((candidate) => candidate.id === endpoint.id)?.status).toBe('revoked');
	});
});
