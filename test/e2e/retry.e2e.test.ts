// n8n's Retry of a failed execution in a real n8n, as the executions list does it (POST
// /rest/executions/:id/retry): a 6-item Generation > Create whose execution failed after paying for some
// items is retried, and the emulator counts exactly one task and one charge per item.
import { sleep } from 'n8n-workflow';

import { EmulatorClient } from '../emulator/client';
import { connectE2e, emulatorControl } from './e2e-env';
import { nodeOutputJson, settledExecutions } from './execution-data';
import type { ExecutionRecord } from './n8n-instance';
import { RIVYA_CREDENTIAL_TYPE, rivyaStep, uniqueWebhookPath, webhookWorkflow } from './workflows';

const { n8n, emulator } = connectE2e();

/** z-image costs 1 credit per task in the emulator's catalog. */
const CREDITS_PER_TASK = 1;
const ITEMS = 6;

interface Account {
	accountId: string;
	apiKey: string;
	credential: { id: string; name: string };
}

async function account(label: string, credits: number): Promise<Account> {
	const created = await emulatorControl<{ accountId: string; apiKey: string }>(
		'POST',
		'/accounts',
		{ credits },
	);
	const credential = await n8n.createCredential(RIVYA_CREDENTIAL_TYPE, `Rivya (${label})`, {
		apiKey: created.apiKey,
		baseUrl: emulator.baseUrl,
	});
	return { ...created, credential };
}

async function taskIdsOf(own: Account): Promise<string[]> {
	const { tasks } = await new EmulatorClient(emulator.baseUrl, own.apiKey).tasks();
	return (tasks as Array<{ id: string; accountId?: string; account_id?: string }>)
		.filter((task) => (task.accountId ?? task.account_id) === own.accountId)
		.map((task) => task.id);
}

async function creditsOf(own: Account): Promise<number> {
	return (await emulatorControl<{ credits: number }>('GET', `/accounts/${own.accountId}`)).credits;
}

/** Webhook (answers at once) → Split Out (one item per prompt) → Generation > Create. */
async function generationWorkflow(own: Account, label: string, createOptions = {}) {
	const webhookPath = uniqueWebhookPath(label);
	const workflow = webhookWorkflow(`E2E: retry ${label}`, webhookPath, [
		{
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.prompts', options: {} },
		},
		rivyaStep('Generate', own.credential, {
			resource: 'generation',
			operation: 'create',
			category: 'image',
			model: { __rl: true, mode: 'id', value: 'z-image' },
			prompt: '={{ $json.prompt }}',
			options: createOptions,
		}),
	]);
	const webhook = workflow.nodes[0];
	webhook.parameters = { ...webhook.parameters, responseMode: 'onReceived' };
	return { workflowId: await n8n.startWebhookWorkflow(workflow, webhookPath), webhookPath };
}

const prompts = (label: string) =>
	Array.from({ length: ITEMS }, (_, index) => ({ prompt: `${label} picture ${index}` }));

/** Calls the webhook and returns the one execution it started, once settled. */
async function runOnce(workflowId: string, webhookPath: string, label: string) {
	const before = new Set((await settledExecutions(n8n, workflowId)).map((e) => String(e.id)));
	await n8n.callWebhook(webhookPath, { prompts: prompts(label) });
	let started: ExecutionRecord | undefined;
	for (let attempt = 0; attempt < 120 && !started; attempt++) {
		started = (await settledExecutions(n8n, workflowId, 90_000)).find(
			(execution) => !before.has(String(execution.id)),
		);
		if (!started) await sleep(500);
	}
	if (!started) throw new Error('the webhook call started no execution');
	return started;
}

/** The executions list's Retry button; n8n answers once the retried execution has finished. */
async function retry(executionId: string | number, loadWorkflow: boolean) {
	const retried = await n8n.rest<{ id: string; status: string; retryOf: string }>(
		'POST',
		`/executions/${executionId}/retry`,
		{ loadWorkflow },
	);
	return retried;
}

async function executionWithData(
	workflowId: string,
	executionId: string,
): Promise<ExecutionRecord> {
	const found = (await settledExecutions(n8n, workflowId, 90_000)).find(
		(execution) => String(execution.id) === String(executionId),
	);
	if (!found) throw new Error(`execution ${executionId} not found`);
	return found;
}

describe("n8n's Retry of a failed Generation > Create (real n8n)", () => {
	const workflows: string[] = [];

	afterAll(async () => {
		await emulatorControl('DELETE', '/faults');
		for (const id of workflows) await n8n.deactivate(id);
	});

	it('a download failing after all 6 tasks exist: the retry replays them (6 tasks, 6 charges, 6 results)', async () => {
		const own = await account('retry download', 100);
		const { workflowId, webhookPath } = await generationWorkflow(own, 'download');
		workflows.push(workflowId);

		// 404 is final for a download: the first finished task's result fails, after all were created.
		await emulatorControl('POST', '/faults', {
			route: 'GET /media',
			kind: 'status',
			status: 404,
			times: 1,
		});
		const failed = await runOnce(workflowId, webhookPath, 'download');
		expect(failed.status).toBe('error');
		const paid = await taskIdsOf(own);
		expect(paid).toHaveLength(ITEMS);
		const error = JSON.stringify(failed.data?.resultData.error);
		for (const taskId of paid) expect(error).toContain(taskId);
		await emulatorControl('DELETE', '/faults');

		const retried = await retry(failed.id, false);
		expect(String(retried.retryOf)).toBe(String(failed.id));
		expect(String(retried.id)).not.toBe(String(failed.id));
		expect(retried.status).toBe('success');

		const execution = await executionWithData(workflowId, retried.id);
		const results = nodeOutputJson(execution, 'Generate');
		expect(results).toHaveLength(ITEMS);
		expect(results.map((json) => json.status)).toEqual(Array(ITEMS).fill('succeeded'));
		expect(new Set(results.map((json) => String(json.taskId)))).toEqual(new Set(paid));
		expect(await taskIdsOf(own)).toHaveLength(ITEMS);
		expect(100 - (await creditsOf(own))).toBe(ITEMS * CREDITS_PER_TASK);
	});

	it('a 402 on one item (credits short, then topped up): the retry pays only for that item', async () => {
		const own = await account('retry 402', (ITEMS - 1) * CREDITS_PER_TASK);
		const { workflowId, webhookPath } = await generationWorkflow(own, 'credits', {
			checkCredits: false,
		});
		workflows.push(workflowId);

		const failed = await runOnce(workflowId, webhookPath, 'credits');
		expect(failed.status).toBe('error');
		const paid = await taskIdsOf(own);
		expect(paid).toHaveLength(ITEMS - 1);
		const error = JSON.stringify(failed.data?.resultData.error);
		for (const taskId of paid) expect(error).toContain(taskId);

		await emulatorControl('PUT', `/accounts/${own.accountId}/credits`, { credits: 100 });
		// "Retry with currently saved workflow" this time.
		const retried = await retry(failed.id, true);
		expect(retried.status).toBe('success');

		const execution = await executionWithData(workflowId, retried.id);
		const results = nodeOutputJson(execution, 'Generate');
		expect(results).toHaveLength(ITEMS);
		expect(results.map((json) => json.status)).toEqual(Array(ITEMS).fill('succeeded'));
		const all = await taskIdsOf(own);
		expect(all).toHaveLength(ITEMS);
		expect(new Set(results.map((json) => String(json.taskId)))).toEqual(new Set(all));
		// Topped up to 100, then charged only for the item refused before.
		expect(await creditsOf(own)).toBe(100 - CREDITS_PER_TASK);
	});

	it('a new webhook call with the same prompts is a new job', async () => {
		const own = await account('retry new call', 100);
		const { workflowId, webhookPath } = await generationWorkflow(own, 'new-call');
		workflows.push(workflowId);
		expect((await runOnce(workflowId, webhookPath, 'same')).status).toBe('success');
		expect((await runOnce(workflowId, webhookPath, 'same')).status).toBe('success');
		expect(await taskIdsOf(own)).toHaveLength(2 * ITEMS);
	});
});
