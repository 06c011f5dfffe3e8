// Rivya Trigger exactly once in queue mode (RIVYA_E2E_MODE=queue): main and the webhook processor both
// receive deliveries, two workers run the executions, all share Postgres and Redis. 40 signed events,
// 10 of them delivered twice at the same moment (one copy to each receiving process), 10 replayed to the
// other process once the first copy was answered, 5 badly signed; then every n8n process is restarted and
// 5 earlier events are replayed. The node after the trigger must run exactly once per unique valid event.
import { randomUUID } from 'node:crypto';

import { EmulatorClient } from '../emulator/client';
import { accountWithCredential } from './e2e-accounts';
import { connectCluster, connectE2e } from './e2e-env';
import { pollUntil, type ExecutionRecord } from './n8n-instance';
import {
	deliverWithRetries,
	downstreamRunsByEvent,
	newEventId,
	rivyaEndpoints,
	signedDelivery,
	triggerSecret,
	triggerWorkflow,
	waitForTriggerServed,
} from './rivya-deliveries';

const { n8n } = connectE2e();
const cluster = connectCluster();

describe('Rivya Trigger exactly once in queue mode (main + webhook processor + 2 workers)', () => {
	const webhookId = randomUUID();
	const webhookPath = `/webhook/${webhookId}/webhook`;
	const mainUrl = `${cluster.info.mainUrl}${webhookPath}`;
	const webhookProcessorUrl = `${cluster.info.webhookProcessorUrl}${webhookPath}`;
	let api: EmulatorClient;
	let workflowId: string;
	let secret: string;

	/** Ids of every execution of the workflow once none is running and `count` exist (REST list). */
	async function settledExecutionIds(count: number): Promise<string[]> {
		let ids: string[] = [];
		const query = new URLSearchParams({ filter: JSON.stringify({ workflowId }), limit: '100' });
		await pollUntil(`${count} finished executions of the trigger workflow`, 120_000, async () => {
			const { results } = await n8n.rest<{ results: Array<{ id: string; status: string }> }>(
				'GET',
				`/executions?${query}`,
			);
			ids = results.map((execution) => String(execution.id));
			return (
				results.length >= count &&
				results.every((execution) => !['new', 'running', 'waiting'].includes(execution.status))
			);
		});
		return ids;
	}

	/** Each execution with its data, one by one (the public list can leave out recently finished ones). */
	async function executionsWithData(ids: string[]): Promise<ExecutionRecord[]> {
		const executions: ExecutionRecord[] = [];
		for (const id of ids) {
			executions.push(
				await n8n.publicApi<ExecutionRecord>('GET', `/executions/${id}?includeData=true`),
			);
		}
		return executions;
	}

	/** Both receiving processes serve the production webhook. */
	async function webhookServedByBoth(): Promise<void> {
		for (const url of [mainUrl, webhookProcessorUrl]) await waitForTriggerServed(url, secret);
	}

	beforeAll(async () => {
		const account = await accountWithCredential('queue once', 100);
		api = account.api;
		workflowId = (
			await n8n.importWorkflow(
				triggerWorkflow('E2E: Rivya Trigger exactly once (queue)', webhookId, account.credential),
			)
		).id;
		await n8n.activate(workflowId);
		secret = await triggerSecret(n8n, workflowId);
		await webhookServedByBoth();
	});

	afterAll(async () => {
		if (workflowId) await n8n.deactivate(workflowId).catch(() => undefined);
	});

	const unique = Array.from({ length: 40 }, () => newEventId('queue'));
	const concurrentCopies = unique.slice(0, 10);
	const replayedToOther = unique.slice(10, 20);
	const badlySigned = Array.from({ length: 5 }, () => newEventId('queue_bad'));
	/** Accepted deliveries so far: each started an execution (duplicates stop at the trigger). */
	let accepted = 0;

	it('40 events, 10 copied at the same moment to both processes, 10 replayed to the other, 5 badly signed: the next node runs once per valid event', async () => {
		const answers: Array<{ eventId: string; status: number }> = [];
		// n8n can answer 503 ("Database is not ready") under a burst: Rivya retries such a delivery.
		let retries = 0;
		const send = async (url: string, eventId: string, badSignature = false) => {
			const { status, attempts } = await deliverWithRetries(url, () =>
				signedDelivery(secret, eventId, { badSignature }),
			);
			retries += attempts - 1;
			answers.push({ eventId, status });
		};
		await Promise.all([
			...concurrentCopies.flatMap((eventId) => [
				send(mainUrl, eventId),
				send(webhookProcessorUrl, eventId),
			]),
			...replayedToOther.map(async (eventId, index) => {
				const [first, other] =
					index % 2 === 0 ? [mainUrl, webhookProcessorUrl] : [webhookProcessorUrl, mainUrl];
				await send(first, eventId);
				await send(other, eventId);
			}),
			...unique
				.slice(20)
				.map(async (eventId, index) =>
					send(index % 2 === 0 ? mainUrl : webhookProcessorUrl, eventId),
				),
			...badlySigned.map(async (eventId, index) =>
				send(index % 2 === 0 ? mainUrl : webhookProcessorUrl, eventId, true),
			),
		]);
		const valid = answers.filter((answer) => !badlySigned.includes(answer.eventId));
		expect(valid).toHaveLength(60);
		expect(new Set(valid.map((answer) => answer.status))).toEqual(new Set([200]));
		expect(
			answers.filter((answer) => badlySigned.includes(answer.eventId)).map((a) => a.status),
		).toEqual([401, 401, 401, 401, 401]);
		accepted = valid.length;
		// eslint-disable-next-line no-console
		if (retries) console.log(`[queue trigger] ${retries} deliveries answered 5xx and retried`);

		const executions = await executionsWithData(await settledExecutionIds(accepted));
		// Bad signatures started nothing: one execution per accepted delivery, all on workers.
		expect(executions).toHaveLength(accepted);
		expect(executions.filter((execution) => execution.status !== 'success')).toEqual([]);
		const runs = downstreamRunsByEvent(executions);
		for (const eventId of unique) expect([eventId, runs.get(eventId)]).toEqual([eventId, 1]);
		expect([...runs.keys()].filter((eventId) => !unique.includes(eventId))).toEqual([]);
		for (const execution of executions.slice(0, 5)) {
			expect(cluster.workerNames()).toContain(await cluster.waitForWorkerThatRan(execution.id));
		}
	});

	it('after every n8n process restarted, 5 earlier events replayed stop at the trigger; one endpoint exists', async () => {
		await cluster.restartAll();
		await webhookServedByBoth();

		const replayed = [...concurrentCopies.slice(0, 2), ...replayedToOther.slice(0, 2), unique[30]];
		const statuses = await Promise.all(
			replayed.map(
				async (eventId, index) =>
					(
						await deliverWithRetries(index % 2 === 0 ? mainUrl : webhookProcessorUrl, () =>
							signedDelivery(secret, eventId),
						)
					).status,
			),
		);
		expect(statuses).toEqual([200, 200, 200, 200, 200]);
		accepted += replayed.length;

		const executions = await executionsWithData(await settledExecutionIds(accepted));
		expect(executions).toHaveLength(accepted);
		const runs = downstreamRunsByEvent(executions);
		for (const eventId of unique) expect([eventId, runs.get(eventId)]).toEqual([eventId, 1]);

		const live = (await rivyaEndpoints(api)).filter((endpoint) => endpoint.status !== 'revoked');
		expect(live).toHaveLength(1);
		expect(live[0].url).toBe(`${n8n.baseUrl}${webhookPath}`);
	});
});
