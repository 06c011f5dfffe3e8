/* eslint-disable no-console */
/**
 * Rivya Trigger against the emulator, through n8n's real hook and webhook contexts (harness).
 *
 * The emulator's REAL signed deliveries reach the trigger: a small local HTTP server ("relay") stands
 * where n8n's webhook URL would be, hands the raw bytes and headers to the trigger's webhook() through
 * the harness, answers the emulator with the status the trigger chose and, when webhook() starts a
 * run, runs the workflow as n8n would (the trigger's execute() first, then the node "After").
 */
import { randomBytes, createHmac } from 'node:crypto';
import { sleep } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { EmulatorClient } from '../emulator/client';
import { startEmulator, type EmulatorHandle } from '../emulator';
import {
	chain,
	createTriggerHarness,
	NO_OP_NODE_TYPE,
	processedData,
	readBinary,
	runWorkflow,
	type TriggerHarness,
	type WebhookDelivery,
	type WorkflowRunResult,
} from './harness';
import { startWebhookRelay, type WebhookRelay } from './webhook-relay';

const TRIGGER_TYPE = 'n8n-nodes-rivya.rivyaTrigger';

interface RelayedDelivery {
	eventId: string;
	status: number;
	delivery: WebhookDelivery;
	/** webhook() asked n8n to start a run. */
	started: boolean;
	/** That run got past the trigger: the node after it ran (once per event is the promise). */
	ran: boolean;
	run?: WorkflowRunResult;
}

/** Whether the node after the trigger ran in this run (a duplicate's run stops at the trigger). */
const afterRan = (run: WorkflowRunResult) => (run.runData.After?.length ?? 0) > 0;

let emulator: EmulatorHandle;
let client: EmulatorClient;
let relay: WebhookRelay;
/** The trigger the relay currently hands deliveries to. */
let target: TriggerHarness | undefined;
const relayed: RelayedDelivery[] = [];

function statusFor(delivery: WebhookDelivery): number {
	return delivery.result.noWebhookResponse ? delivery.response.statusCode : 200;
}

beforeAll(async () => {
	emulator = await startEmulator({
		port: 0,
		allowLocalWebhooks: true,
		defaultJobMs: 20,
		webhookRetryScheduleMs: [50, 50, 50],
	});
	client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
	relay = await startWebhookRelay(({ headers, rawBody }, res) => {
		if (!target) {
			res.writeHead(404).end();
			return;
		}
		const harness = target;
		harness
			.deliver({ headers, rawBody })
			.then(async (delivery) => {
				const status = statusFor(delivery);
				// n8n answers "respond on receipt" deliveries before the run.
				res.writeHead(status).end();
				const started = Boolean(delivery.result.workflowData);
				const run = started ? await harness.runFromTrigger(delivery) : undefined;
				if (run && run.status !== 'success') console.error('relay: run failed', run.error);
				relayed.push({
					eventId: headers['webhook-id'],
					status,
					delivery,
					started,
					ran: run ? afterRan(run) : false,
					run,
				});
			})
			.catch((error: Error) => {
				console.error('relay: trigger threw', error);
				res.writeHead(500).end();
			});
	});
});

afterAll(async () => {
	await emulator?.close();
	await relay?.close();
});

beforeEach(async () => {
	await client.reset();
	relayed.length = 0;
	target = undefined;
});

async function newTrigger(parameters: INodeParameters = {}, withFollowers = true) {
	const harness = await createTriggerHarness({
		node: { name: 'Rivya Trigger', type: TRIGGER_TYPE, parameters },
		nodes: withFollowers ? [{ name: 'After', type: NO_OP_NODE_TYPE }] : [],
		connections: withFollowers ? chain('Rivya Trigger', 'After') : {},
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
		webhookBaseUrl: `${relay.baseUrl}/webhook`,
	});
	target = harness;
	return harness;
}

/** What n8n does on activation: create only when checkExists says no. */
async function activate(harness: TriggerHarness): Promise<void> {
	if (!(await harness.webhookMethod('checkExists'))) await harness.webhookMethod('create');
}

async function endpoints(): Promise<IDataObject[]> {
	const answer = await client.request('GET', '/api/v1/webhooks?limit=100');
	expect(answer.status).toBe(200);
	return answer.body.data as IDataObject[];
}

async function liveEndpointsAt(url: string) {
	return (await endpoints()).filter((e) => e.url === url && e.status !== 'revoked');
}

async function finishGeneration(model = 'z-image', outcome?: 'fail'): Promise<string> {
	if (outcome) await client.setModelBehavior(model, { outcome });
	const created = await client.createGeneration({ model, prompt: 'a lighthouse at dusk' });
	expect(created.status).toBeLessThan(300);
	return created.body.id as string;
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>) {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

/** Signs like Rivya (Standard Webhooks), independently of the node's code. */
function signedRequest(
	secret: string,
	event: IDataObject,
	timestamp = Math.floor(Date.now() / 1000),
) {
	const rawBody = Buffer.from(JSON.stringify(event));
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const signature = createHmac('sha256', key)
		.update(`${String(event.id)}.${timestamp}.`)
		.update(rawBody)
		.digest('base64');
	return {
		rawBody,
		headers: {
			'content-type': 'application/json',
			'webhook-id': String(event.id),
			'webhook-timestamp': String(timestamp),
			'webhook-signature': `v1,${signature}`,
		},
	};
}

function sampleEvent(overrides: IDataObject = {}, data: IDataObject = {}): IDataObject {
	return {
		id: `evt_local_${randomBytes(6).toString('hex')}`,
		type: 'generation.succeeded',
		api_version: '2026-05-11',
		created_at: new Date().toISOString(),
		data: {
			id: 'task_local',
			status: 'succeeded',
			model: 'z-image',
			reserved_credits: 1,
			final_credits: 1,
			result: { primary_url: 'https://cdn.example/a.png', urls: ['https://cdn.example/a.png'] },
			error: null,
			...data,
		},
		...overrides,
	};
}

const storedSecretOf = (harness: TriggerHarness) => harness.staticData().signingSecret as string;

describe('Rivya Trigger: activation lifecycle', () => {
	it('activation registers exactly one endpoint for the webhook URL and stores its secret', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const url = trigger.webhookUrl();
		const live = await liveEndpointsAt(url);
		expect(live).toHaveLength(1);
		expect(live[0].event_types).toEqual(['generation.failed', 'generation.succeeded']);
		expect(live[0].status).toBe('active');
		expect(trigger.staticData().endpointId).toBe(live[0].id);
		expect(storedSecretOf(trigger)).toMatch(/^whsec_/);
		expect(String(live[0].secret_preview)).toContain(storedSecretOf(trigger).slice(-4));

		// n8n checks again on every start: a matching endpoint is reused, nothing new is created.
		expect(await trigger.webhookMethod('checkExists')).toBe(true);
		await activate(trigger);
		expect(await liveEndpointsAt(url)).toHaveLength(1);
		expect((await endpoints()).length).toBe(1);
	});

	it('deactivation revokes the endpoint and clears static data; re-activation leaves no orphans', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const firstId = trigger.staticData().endpointId as string;
		expect(await trigger.webhookMethod('delete')).toBe(true);
		expect(trigger.staticData().endpointId).toBeUndefined();
		expect(trigger.staticData().signingSecret).toBeUndefined();
		const first = (await client.request('GET', `/api/v1/webhooks/${firstId}`)).body;
		expect(first.status).toBe('revoked');

		await activate(trigger);
		await trigger.webhookMethod('delete');
		await activate(trigger);
		expect(await liveEndpointsAt(trigger.webhookUrl())).toHaveLength(1);
		// Deleting twice (already gone) is fine and keeps nothing on record.
		await trigger.webhookMethod('delete');
		expect(await trigger.webhookMethod('delete')).toBe(true);
		expect(await liveEndpointsAt(trigger.webhookUrl())).toHaveLength(0);
	});

	it('after deactivation a finished generation delivers nothing', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		await trigger.webhookMethod('delete');
		const taskId = await finishGeneration();
		await waitFor('the task to finish', async () => {
			const task = await client.getGeneration(taskId);
			return task.body.status === 'succeeded' || undefined;
		});
		await sleep(200);
		expect(relayed).toHaveLength(0);
	});

	it('lost static data: adopts the endpoint at its URL and rotates its secret instead of duplicating', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const endpointId = trigger.staticData().endpointId;
		const oldSecret = storedSecretOf(trigger);
		for (const key of Object.keys(trigger.staticData())) delete trigger.staticData()[key];

		expect(await trigger.webhookMethod('checkExists')).toBe(false);
		await trigger.webhookMethod('create');
		const live = await liveEndpointsAt(trigger.webhookUrl());
		expect(live).toHaveLength(1);
		expect(live[0].id).toBe(endpointId);
		const newSecret = storedSecretOf(trigger);
		expect(newSecret).not.toBe(oldSecret);
		expect(String(live[0].secret_preview)).toContain(newSecret.slice(-4));

		// And the rotated endpoint's real deliveries are accepted.
		const taskId = await finishGeneration();
		const [accepted] = await waitFor('an accepted delivery', () => {
			const started = relayed.filter((entry) => entry.started);
			return started.length ? started : undefined;
		});
		expect(accepted.status).toBe(200);
		const output = accepted.delivery.result.workflowData?.[0][0].json as IDataObject;
		expect((output.generation as IDataObject).id).toBe(taskId);
	});

	it('a secret rotated elsewhere (Webhook > Rotate Secret) is noticed on the next check and replaced', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const endpointId = trigger.staticData().endpointId as string;
		const rotated = await client.request('POST', `/api/v1/webhooks/${endpointId}/rotate-secret`);
		expect(rotated.status).toBe(200);
		expect(await trigger.webhookMethod('checkExists')).toBe(false);
		await trigger.webhookMethod('create');
		expect(await trigger.webhookMethod('checkExists')).toBe(true);
		expect(await liveEndpointsAt(trigger.webhookUrl())).toHaveLength(1);
		expect(storedSecretOf(trigger)).not.toBe(rotated.body.signing_secret);
	});

	it('a disabled endpoint is re-enabled, and changed events update the same endpoint', async () => {
		const trigger = await newTrigger({ events: ['generation.succeeded'] });
		await activate(trigger);
		const endpointId = trigger.staticData().endpointId as string;
		await client.request('PATCH', `/api/v1/webhooks/${endpointId}`, {
			body: { status: 'disabled' },
		});
		expect(await trigger.webhookMethod('checkExists')).toBe(false);
		await trigger.webhookMethod('create');
		const [live] = await liveEndpointsAt(trigger.webhookUrl());
		expect(live).toMatchObject({ id: endpointId, status: 'active' });

		trigger.node.parameters.events = ['generation.failed', 'generation.succeeded'];
		expect(await trigger.webhookMethod('checkExists')).toBe(false);
		await trigger.webhookMethod('create');
		const after = await liveEndpointsAt(trigger.webhookUrl());
		expect(after).toHaveLength(1);
		expect(after[0]).toMatchObject({ id: endpointId });
		expect(after[0].event_types).toEqual(['generation.failed', 'generation.succeeded']);
	});

	it('a webhook URL Rivya rejects gives a plain-language error naming N8N_WEBHOOK_URL', async () => {
		const strict = await startEmulator({ port: 0, allowLocalWebhooks: false });
		try {
			const trigger = await createTriggerHarness({
				node: { name: 'Rivya Trigger', type: TRIGGER_TYPE, parameters: {} },
				credentials: { rivyaApi: { apiKey: strict.apiKey, baseUrl: strict.baseUrl } },
				webhookBaseUrl: 'http://localhost:5678/webhook',
			});
			expect(await trigger.webhookMethod('checkExists')).toBe(false);
			const error = await trigger.webhookMethod('create').catch((e: unknown) => e as Error);
			expect(error).toBeInstanceOf(Error);
			expect((error as Error).message).toMatch(/not a public HTTPS address/);
			expect((error as Error & { description?: string }).description).toMatch(/N8N_WEBHOOK_URL/);
			expect(trigger.staticData().endpointId).toBeUndefined();
		} finally {
			await strict.close();
		}
	});
});

describe('Rivya Trigger: real deliveries from the emulator', () => {
	it('a generation finishing causes one signed delivery that the trigger accepts and runs', async () => {
		const trigger = await newTrigger({}, true);
		await activate(trigger);
		const taskId = await finishGeneration();
		const [accepted] = await waitFor('an accepted delivery', () =>
			relayed.length ? relayed : undefined,
		);
		await sleep(150);
		expect(relayed).toHaveLength(1);
		expect(accepted).toMatchObject({ status: 200, started: true, ran: true });

		const run = accepted.run!;
		expect(run.status).toBe('success');
		const [item] = run.outputOf('After');
		expect(item.json).toMatchObject({
			eventId: accepted.eventId,
			eventType: 'generation.succeeded',
			test: false,
			generation: { id: taskId, status: 'succeeded', model: 'z-image', error: null },
		});
		const generation = item.json.generation as IDataObject;
		expect(generation.primaryUrl).toMatch(/^http/);
		expect(generation.resultUrls).toContain(generation.primaryUrl);
		expect(typeof generation.credits).toBe('number');
		// The emulator recorded the delivery as succeeded.
		const deliveries = await client.request(
			'GET',
			`/api/v1/webhooks/${String(trigger.staticData().endpointId)}/deliveries`,
		);
		expect(deliveries.body.data).toEqual([
			expect.objectContaining({ status: 'succeeded', response_status: 200 }),
		]);
	});

	it('a failed generation arrives as generation.failed with its error and zero credits', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		await finishGeneration('z-image', 'fail');
		const [accepted] = await waitFor('an accepted delivery', () =>
			relayed.length ? relayed : undefined,
		);
		const output = accepted.delivery.result.workflowData?.[0][0].json as IDataObject;
		expect(output.eventType).toBe('generation.failed');
		expect(output.generation).toMatchObject({
			status: 'failed',
			credits: 0,
			primaryUrl: null,
			resultUrls: [],
			error: expect.objectContaining({ code: 'generation_failed' }),
		});
	});

	it('a duplicate delivery of one event: both copies answered 200, the node after the trigger runs once', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		await client.addWebhookFault({ kind: 'duplicate' });
		await finishGeneration();
		const both = await waitFor('two deliveries', () => (relayed.length >= 2 ? relayed : undefined));
		expect(both.map((entry) => entry.eventId)[0]).toBe(both[1].eventId);
		expect(both.every((entry) => entry.status === 200)).toBe(true);
		expect(both.filter((entry) => entry.ran)).toHaveLength(1);
	});

	it('an injected bad signature gets 401 and starts nothing; the correctly signed retry runs once', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		await client.addWebhookFault({ kind: 'bad_signature' });
		await finishGeneration();
		const [first, retry] = await waitFor('the rejected delivery and its retry', () =>
			relayed.length >= 2 ? relayed : undefined,
		);
		expect(first).toMatchObject({ status: 401, started: false });
		expect(first.delivery.result).toEqual({ noWebhookResponse: true });
		expect(retry).toMatchObject({ eventId: first.eventId, status: 200, started: true, ran: true });
		await sleep(150);
		expect(relayed.filter((entry) => entry.ran)).toHaveLength(1);
	});

	it('Send Test Event reaches the trigger marked as a test, past the model filter', async () => {
		const trigger = await newTrigger({ models: ['sora-2'] });
		await activate(trigger);
		const answer = await client.request(
			'POST',
			`/api/v1/webhooks/${String(trigger.staticData().endpointId)}/test`,
		);
		expect(answer.body).toMatchObject({ status: 'succeeded', response_status: 200 });
		const [accepted] = await waitFor('the test delivery', () =>
			relayed.length ? relayed : undefined,
		);
		expect(accepted.started).toBe(true);
		expect(accepted.delivery.result.workflowData?.[0][0].json).toMatchObject({ test: true });
	});

	it('downloads the result as binary when asked', async () => {
		const trigger = await newTrigger({ downloadResult: true });
		await activate(trigger);
		await finishGeneration();
		const [accepted] = await waitFor('an accepted delivery', () =>
			relayed.length ? relayed : undefined,
		);
		expect(accepted.status).toBe(200);
		const item = accepted.delivery.result.workflowData?.[0][0];
		expect(item?.binary?.data?.mimeType).toMatch(/^image\//);
		expect((await readBinary(item!, 'data')).length).toBeGreaterThan(0);
		expect(item?.json.downloadError).toBeUndefined();
	});
});

describe('Rivya Trigger: receiving rules (deliveries signed in the test)', () => {
	it('replay of a seen event id is answered 200; its run stops at the trigger', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const request = signedRequest(storedSecretOf(trigger), sampleEvent());
		const first = await trigger.deliver(request);
		expect(afterRan(await trigger.runFromTrigger(first))).toBe(true);
		const replay = await trigger.deliver(request);
		expect(replay.response.statusCode).toBe(200);
		const replayRun = await trigger.runFromTrigger(replay);
		expect(replayRun.status).toBe('success');
		expect(replayRun.outputOf('Rivya Trigger')).toEqual([]);
		expect(afterRan(replayRun)).toBe(false);
	});

	it('simultaneous copies of 20 events on two n8n processes (own copies of the node code) sharing one database run each event once', async () => {
		// Each process has its own in-process turn queue, so only the database lock keeps them apart.
		const processCopies = ['a', 'b'].map((name) => {
			let claimEvents: typeof import('../../nodes/RivyaTrigger/claimEvents').claimEvents;
			jest.isolateModules(() => {
				// eslint-disable-next-line @typescript-eslint/no-require-imports
				claimEvents = require('../../nodes/RivyaTrigger/claimEvents').claimEvents;
			});
			const nodeType: INodeType = {
				description: {
					displayName: `Claim ${name}`,
					name: `claim${name}`,
					group: ['transform'],
					version: 1,
					description: '',
					defaults: { name: `Claim ${name}` },
					inputs: ['main'],
					outputs: ['main'],
					properties: [],
				} as unknown as INodeTypeDescription,
				async execute(this: IExecuteFunctions) {
					return [await claimEvents.call(this, this.getInputData())];
				},
			};
			return nodeType;
		});
		const runOn = async (processIndex: number, eventId: string) =>
			await runWorkflow({
				workflowId: 'wf-two-processes',
				nodeTypes: { claim: processCopies[processIndex] },
				nodes: [
					{ id: 'rivya-trigger-shared', name: 'Rivya Trigger', type: 'claim' },
					{ name: 'After', type: NO_OP_NODE_TYPE },
				],
				connections: chain('Rivya Trigger', 'After'),
				startNode: 'Rivya Trigger',
				inputItems: [{ json: { eventId } }],
				mode: 'webhook',
			});
		const eventIds = Array.from({ length: 20 }, (_, index) => `evt_twice_${index}`);
		const runs = await Promise.all(
			eventIds.flatMap((eventId) => [runOn(0, eventId), runOn(1, eventId)]),
		);
		expect(runs.every((run) => run.status === 'success')).toBe(true);
		const ranEvents = runs
			.filter(afterRan)
			.map((run) => run.outputOf('After')[0].json.eventId as string)
			.sort();
		expect(ranEvents).toEqual([...eventIds].sort());
		// A later replay on either process stops too; the lock row is gone.
		expect(afterRan(await runOn(1, eventIds[0]))).toBe(false);
		expect(Object.keys(processedData.snapshot())).not.toContain('wf-two-processes|');
	});

	it('production and "Listen for test event" endpoints each run the same event once', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const request = signedRequest(storedSecretOf(trigger), sampleEvent());
		const delivered = await trigger.deliver(request);
		const production = await trigger.runFromTrigger(delivered, { mode: 'webhook' });
		const test = await trigger.runFromTrigger(delivered, { mode: 'manual' });
		expect([afterRan(production), afterRan(test)]).toEqual([true, true]);
		const again = await Promise.all([
			trigger.runFromTrigger(delivered, { mode: 'webhook' }),
			trigger.runFromTrigger(delivered, { mode: 'manual' }),
		]);
		expect(again.map(afterRan)).toEqual([false, false]);
	});

	it('a node keeping dedupe data at workflow scope in the same workflow: the run fails at the trigger, naming the fix', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		// What a Remove Duplicates node with Scope: Workflow leaves in n8n's store.
		const workflowScopeRow = `${trigger.workflow.id}|`;
		processedData.rows.set(workflowScopeRow, { mode: 'entries', data: [] });
		try {
			const delivered = await trigger.deliver(
				signedRequest(storedSecretOf(trigger), sampleEvent()),
			);
			const run = await trigger.runFromTrigger(delivered);
			expect(run.status).toBe('error');
			expect(run.error?.message).toMatch(/deduplication data at workflow scope/);
			expect(run.error?.description).toMatch(/Scope" to "Node"/);
			expect(afterRan(run)).toBe(false);
		} finally {
			processedData.rows.delete(workflowScopeRow);
		}
	});

	it('a lock left by an n8n process that died holding it is taken over after 20 s; the event runs once', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		// The row a claim holds for a few milliseconds, as a crashed process would leave it.
		processedData.rows.set(`${trigger.workflow.id}|`, { mode: 'latestIncrementalKey', data: 1 });
		const delivered = await trigger.deliver(signedRequest(storedSecretOf(trigger), sampleEvent()));
		const started = Date.now();
		const run = await trigger.runFromTrigger(delivered);
		expect(run.status).toBe('success');
		expect(afterRan(run)).toBe(true);
		expect(Date.now() - started).toBeGreaterThanOrEqual(20_000);
		expect(processedData.rows.has(`${trigger.workflow.id}|`)).toBe(false);
		expect(afterRan(await trigger.runFromTrigger(delivered))).toBe(false);
	}, 60_000);

	it('an error before the run starts (a failing expression) records nothing: the retry runs', async () => {
		const node = { id: 'rivya-trigger-broken', name: 'Rivya Trigger', type: TRIGGER_TYPE };
		const harnessWith = async (parameters: INodeParameters) =>
			await createTriggerHarness({
				node: { ...node, parameters },
				nodes: [{ name: 'After', type: NO_OP_NODE_TYPE }],
				connections: chain('Rivya Trigger', 'After'),
				workflowId: 'wf-broken-expression',
				credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
				webhookBaseUrl: `${relay.baseUrl}/webhook`,
			});
		const broken = await harnessWith({ models: '={{ $("No Such Node").item.json.model }}' });
		await activate(broken);
		const request = signedRequest(storedSecretOf(broken), sampleEvent());
		// n8n answers 500 when webhook() throws, so Rivya retries.
		await expect(broken.deliver(request)).rejects.toThrow();

		const fixed = await harnessWith({});
		Object.assign(fixed.staticData(), broken.staticData());
		const retry = await fixed.deliver(request);
		expect(afterRan(await fixed.runFromTrigger(retry))).toBe(true);
		await fixed.webhookMethod('delete');
	});

	it("keeps seen events in n8n's dedupe store, not in static data, so an early id is still a duplicate after many", async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const requests = Array.from({ length: 505 }, (_, index) =>
			signedRequest(storedSecretOf(trigger), sampleEvent({ id: `evt_bulk_${index}` })),
		);
		for (const request of requests) {
			expect(afterRan(await trigger.runFromTrigger(await trigger.deliver(request)))).toBe(true);
		}
		expect(trigger.staticData().recentEventIds).toBeUndefined();
		const replay = await trigger.deliver(requests[0]);
		expect(replay.response.statusCode).toBe(200);
		expect(afterRan(await trigger.runFromTrigger(replay))).toBe(false);
	});

	it.each([
		[
			'unsigned',
			(r: ReturnType<typeof signedRequest>) => ({
				...r,
				headers: { 'content-type': 'application/json' },
			}),
		],
		[
			'tampered body',
			(r: ReturnType<typeof signedRequest>) => ({
				...r,
				rawBody: Buffer.from(r.rawBody.toString().replace('z-image', 'sora-2')),
			}),
		],
		[
			'malformed signature',
			(r: ReturnType<typeof signedRequest>) => ({
				...r,
				headers: { ...r.headers, 'webhook-signature': 'v1,not*base64' },
			}),
		],
	])('%s delivery: 401, no execution, nothing remembered', async (_name, mutate) => {
		const trigger = await newTrigger();
		await activate(trigger);
		const before = processedData.snapshot();
		const delivered = await trigger.deliver(
			mutate(signedRequest(storedSecretOf(trigger), sampleEvent())),
		);
		expect(delivered.response.statusCode).toBe(401);
		expect(delivered.result).toEqual({ noWebhookResponse: true });
		expect(processedData.snapshot()).toEqual(before);
	});

	it('a stale delivery is refused', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const stale = signedRequest(
			storedSecretOf(trigger),
			sampleEvent(),
			Math.floor(Date.now() / 1000) - 600,
		);
		const delivered = await trigger.deliver(stale);
		expect(delivered.response.statusCode).toBe(401);
		expect(delivered.result.workflowData).toBeUndefined();
	});

	it('fails closed without a stored secret', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const secret = storedSecretOf(trigger);
		delete trigger.staticData().signingSecret;
		const delivered = await trigger.deliver(signedRequest(secret, sampleEvent()));
		expect(delivered.response.statusCode).toBe(401);
		expect(delivered.result.workflowData).toBeUndefined();
	});

	it('accepts the previous secret during its grace period after the trigger rotated', async () => {
		const trigger = await newTrigger();
		await activate(trigger);
		const before = storedSecretOf(trigger);
		// Simulate "secret outdated" so the next activation rotates while the old one is still on record.
		trigger.staticData().signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
		const stale = storedSecretOf(trigger);
		await trigger.webhookMethod('create');
		expect(storedSecretOf(trigger)).not.toBe(stale);
		const fromPrevious = await trigger.deliver(signedRequest(stale, sampleEvent()));
		expect(fromPrevious.result.workflowData).toBeDefined();
		const fromNew = await trigger.deliver(signedRequest(storedSecretOf(trigger), sampleEvent()));
		expect(fromNew.result.workflowData).toBeDefined();
		const fromOriginal = await trigger.deliver(signedRequest(before, sampleEvent()));
		expect(fromOriginal.response.statusCode).toBe(401);
	});

	it('ignores (200, no execution) events not selected and models outside the filter', async () => {
		const trigger = await newTrigger({ events: ['generation.failed'], models: ['sora-2'] });
		await activate(trigger);
		const secret = storedSecretOf(trigger);
		const succeeded = await trigger.deliver(signedRequest(secret, sampleEvent()));
		expect(succeeded.result.workflowData).toBeUndefined();
		expect(succeeded.response.statusCode).toBe(200);
		const otherModel = await trigger.deliver(
			signedRequest(secret, sampleEvent({ type: 'generation.failed' }, { status: 'failed' })),
		);
		expect(otherModel.result.workflowData).toBeUndefined();
		const matching = await trigger.deliver(
			signedRequest(
				secret,
				sampleEvent({ type: 'generation.failed' }, { status: 'failed', model: 'sora-2' }),
			),
		);
		expect(matching.result.workflowData?.[0][0].json).toMatchObject({
			eventType: 'generation.failed',
			generation: { model: 'sora-2' },
		});
	});

	it('a workflow started by the trigger runs end to end in the engine', async () => {
		const trigger = await newTrigger({}, true);
		await activate(trigger);
		const delivered = await trigger.deliver(signedRequest(storedSecretOf(trigger), sampleEvent()));
		const run = await trigger.runFromTrigger(delivered);
		expect(run.status).toBe('success');
		expect(run.outputOf('After')).toHaveLength(1);
		// Static data (endpoint, secret, seen ids) is never part of the output.
		expect(JSON.stringify(run.outputOf('After'))).not.toContain('whsec_');
	});
});
