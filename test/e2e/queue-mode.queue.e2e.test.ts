// Queue mode (RIVYA_E2E_MODE=queue): Rivya workflows started through the load balancer (main and the
// webhook processor, alternately) run on the workers. The jest sequencer runs this file last in its run,
// so the final check covers every execution the other files started in the same cluster.
import { accountWithCredential } from './e2e-accounts';
import { connectCluster, connectE2e } from './e2e-env';
import { nodeOutputJson } from './execution-data';
import { rivyaStep, uniqueWebhookPath, webhookWorkflow } from './workflows';

const { n8n } = connectE2e();
const cluster = connectCluster();

/** Every execution n8n has, running ones included (the REST list, 100 a page, newest first). */
async function allExecutions(): Promise<Array<{ id: string; status: string }>> {
	const all: Array<{ id: string; status: string }> = [];
	for (;;) {
		const query = new URLSearchParams({ limit: '100' });
		if (all.length > 0) query.set('lastId', all[all.length - 1].id);
		const { results } = await n8n.rest<{ results: Array<{ id: string; status: string }> }>(
			'GET',
			`/executions?${query}`,
		);
		all.push(...results);
		if (results.length < 100) return all;
	}
}

describe('n8n queue mode: main, 2 workers and a webhook processor behind a proxy', () => {
	const webhookPath = uniqueWebhookPath('queue-balance');
	const balance = 777;
	let workflowId: string;

	beforeAll(async () => {
		const { credential } = await accountWithCredential('queue mode', balance);
		const workflow = webhookWorkflow('E2E: queue-mode balance', webhookPath, [
			rivyaStep('Get Balance', credential, { resource: 'credit', operation: 'getBalance' }),
		]);
		workflowId = await n8n.startWebhookWorkflow(workflow, webhookPath);
	});

	afterAll(async () => {
		if (workflowId) await n8n.deactivate(workflowId);
	});

	it('answers webhook calls through both main and the webhook processor', async () => {
		const first = await n8n.callWebhook(webhookPath, {});
		const second = await n8n.callWebhook(webhookPath, {});
		for (const response of [first, second]) {
			expect(response.status).toBe(200);
			expect(Object.values(response.body as Record<string, unknown>)).toContain(balance);
		}
		const backends = [first, second].map((response) =>
			response.headers.get('x-rivya-proxy-backend'),
		);
		expect(backends.sort()).toEqual(['main', 'webhook']);
	});

	it('runs those executions on a worker, with the Rivya node output recorded', async () => {
		const executions = await n8n.executions(workflowId);
		expect(executions.length).toBeGreaterThanOrEqual(2);
		for (const execution of executions) {
			expect(execution.status).toBe('success');
			expect(Object.values(nodeOutputJson(execution, 'Get Balance')[0] ?? {})).toContain(balance);
			expect(cluster.workerNames()).toContain(await cluster.waitForWorkerThatRan(execution.id));
		}
	});

	it('started every execution of this run (all test files) on a worker', async () => {
		const results = await allExecutions();
		expect(results.length).toBeGreaterThan(0);
		const notOnAWorker = results.filter(
			(execution) => cluster.workerThatRan(execution.id) === undefined,
		);
		expect(notOnAWorker).toEqual([]);
	});
});
