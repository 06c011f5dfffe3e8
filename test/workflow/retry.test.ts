// Never paying twice across n8n's own repeats, through n8n's real engine against the Rivya emulator:
// n8n's Retry of a failed execution (a new execution id, mode 'retry', continuing from the failed run's
// stored data) replays the tasks the failed run paid for; node-level Retry On Fail replays too; a new
// execution, a new webhook call, a new manual run and two identical items are new jobs. Partial failures
// name every paid task id and, with Continue On Fail, keep the paid items.
import type { INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	chain,
	runWorkflow,
	startNode,
	type RunWorkflowOptions,
	type TestNode,
	type WorkflowRunResult,
} from './harness';
import { useEmulatorPerFile } from './emulator-fixture';
import { generationCreateNode } from './rivya-nodes';

const fixture = useEmulatorPerFile({ defaultJobMs: 200 }, 'reset');

/** z-image costs 1 credit per task in the emulator's catalog. */
const CREDITS_PER_TASK = 1;

const distinctPrompts = (count: number) =>
	Array.from({ length: count }, (_, index) => ({ prompt: `retry picture ${index}` }));

/** A node that fails while its Fail parameter is on (off in a "currently saved workflow" retry). */
const failingNode: INodeType = {
	description: {
		displayName: 'Fail',
		name: 'fail',
		group: ['transform'],
		version: 1,
		description: 'Fails while Fail is on',
		defaults: { name: 'Fail' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Fail', name: 'fail', type: 'boolean', default: true }],
	},
	async execute() {
		if (this.getNodeParameter('fail', 0) as boolean) {
			throw new NodeOperationError(this.getNode(), 'downstream failure');
		}
		return [this.getInputData()];
	},
};

/**
 * The failed run as n8n has it after its process died while the Rivya node ran: the node's context
 * was never saved (n8n saves it once the node has finished), its run is recorded as crashed.
 */
function asCutOff(failed: WorkflowRunResult): WorkflowRunResult {
	const data = structuredClone(failed.run.data);
	if (data.executionData) data.executionData.contextData = {};
	return { ...failed, run: { ...failed.run, data } };
}

interface Account {
	accountId: string;
	apiKey: string;
}

async function account(credits: number): Promise<Account> {
	return (await fixture.client.createAccount({ credits })) as Account;
}

function options(
	own: Account,
	nodes: TestNode[],
	extra: Partial<RunWorkflowOptions> = {},
): RunWorkflowOptions {
	return {
		nodes: [startNode(), ...nodes],
		connections: chain('Start', ...nodes.map((node) => node.name)),
		credentials: { rivyaApi: { apiKey: own.apiKey, baseUrl: fixture.emulator.baseUrl } },
		inputItems: distinctPrompts(6),
		...extra,
	};
}

async function tasksOf(own: Account): Promise<Array<{ id: string }>> {
	const { tasks } = (await fixture.client.tasks()) as {
		tasks: Array<{ id: string; account_id?: string; accountId?: string }>;
	};
	return tasks.filter((task) => (task.accountId ?? task.account_id) === own.accountId);
}

async function chargedTasks(own: Account, startCredits: number): Promise<number> {
	const { credits } = (await fixture.client.getAccount(own.accountId)) as { credits: number };
	return (startCredits - credits) / CREDITS_PER_TASK;
}

const taskIdsOf = (items: INodeExecutionData[]) => items.map((item) => String(item.json.taskId));

describe("n8n's Retry of a failed execution", () => {
	it('replays every task the failed run paid for: a download failing after all 6 tasks exist, retried twice', async () => {
		const own = await account(100);
		// 404 is final for a download: one task's result fails after every task was created.
		await fixture.client.addFault({ route: 'GET /media', kind: 'status', status: 404, times: 1 });
		const workflow = options(own, [generationCreateNode()]);
		const failed = await runWorkflow(workflow);
		expect(failed.status).toBe('error');
		const paid = await tasksOf(own);
		expect(paid).toHaveLength(6);
		// The error names every paid task: the failed one in the message, the others in the description.
		const named = `${failed.error?.message} ${failed.error?.description}`;
		for (const task of paid) expect(named).toContain(task.id);
		expect(failed.error?.description).toMatch(/Retry this execution/);
		expect(failed.error?.description).toMatch(/Generation > Wait/);

		// The first retry fails again (another download fault), the retry of the retry succeeds.
		await fixture.client.addFault({ route: 'GET /media', kind: 'status', status: 404, times: 1 });
		const retried = await runWorkflow({ ...workflow, retryOf: failed });
		expect(retried.executionId).not.toBe(failed.executionId);
		expect(retried.run.mode).toBe('retry');
		expect(retried.status).toBe('error');
		const retriedAgain = await runWorkflow({ ...workflow, retryOf: retried });
		expect(retriedAgain.status).toBe('success');

		const items = retriedAgain.outputOf('Rivya');
		expect(items).toHaveLength(6);
		expect(items.every((item) => item.binary?.data !== undefined)).toBe(true);
		expect(new Set(taskIdsOf(items))).toEqual(new Set(paid.map((task) => task.id)));
		expect(await tasksOf(own)).toHaveLength(6);
		expect(await chargedTasks(own, 100)).toBe(6);
	});

	it('pays only for the item refused with 402 once credits are topped up (Check Credits First off)', async () => {
		const own = await account(5);
		const workflow = options(own, [generationCreateNode({ options: { checkCredits: false } })]);
		const failed = await runWorkflow(workflow);
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/credits/i);
		const paid = await tasksOf(own);
		expect(paid).toHaveLength(5);
		for (const task of paid) expect(failed.error?.description).toContain(task.id);

		await fixture.client.setCredits(own.accountId, 100);
		const retried = await runWorkflow({ ...workflow, retryOf: failed });
		expect(retried.status).toBe('success');
		const items = retried.outputOf('Rivya');
		expect(items).toHaveLength(6);
		expect(items.map((item) => item.json.status)).toEqual(Array(6).fill('succeeded'));
		const all = await tasksOf(own);
		expect(all).toHaveLength(6);
		expect(new Set(taskIdsOf(items))).toEqual(new Set(all.map((task) => task.id)));
		// 5 charged before the top-up, 1 after it.
		const { credits } = (await fixture.client.getAccount(own.accountId)) as { credits: number };
		expect(credits).toBe(100 - CREDITS_PER_TASK);
	});

	it('does not run the Rivya node again when a node after it failed', async () => {
		const own = await account(100);
		// Rivya runs, then "Check" fails; the retry reruns only "Check": nothing new is paid.
		const check: TestNode = { name: 'Check', type: 'test.fail', parameters: { fail: true } };
		const workflow = options(own, [generationCreateNode({ waitForCompletion: false }), check], {
			nodeTypes: { 'test.fail': failingNode },
		});
		const failed = await runWorkflow(workflow);
		expect(failed.error?.message).toBe('downstream failure');
		const retried = await runWorkflow({ ...workflow, retryOf: failed });
		expect(retried.error?.message).toBe('downstream failure');
		expect(await tasksOf(own)).toHaveLength(6);
	});
});

describe('a Retry that cannot replay', () => {
	it('refuses to pay again when the retried run of the node was cut off (its context never saved)', async () => {
		const own = await account(100);
		await fixture.client.addFault({ route: 'GET /media', kind: 'status', status: 404, times: 1 });
		const workflow = options(own, [generationCreateNode()]);
		const failed = await runWorkflow(workflow);
		expect(failed.status).toBe('error');
		const retried = await runWorkflow({ ...workflow, retryOf: asCutOff(failed) });
		expect(retried.status).toBe('error');
		expect(retried.error?.message).toContain(
			'Not sending paid requests again: this Retry repeats a run of "Rivya" that was cut off',
		);
		expect(retried.error?.description).toMatch(/Rivya Trigger/);
		expect(retried.error?.description).toMatch(/run the workflow anew/);
		expect(await tasksOf(own)).toHaveLength(6);
		// Running the workflow anew is a new job, as the message says.
		expect((await runWorkflow(workflow)).status).toBe('success');
		expect(await tasksOf(own)).toHaveLength(12);
	});

	it('pays normally when the Retry reaches the Rivya node for the first time (a node before it failed)', async () => {
		const own = await account(100);
		const fail: TestNode = { name: 'Check', type: 'test.fail', parameters: { fail: true } };
		const workflow = (failing: boolean) =>
			options(
				own,
				[
					{ ...fail, parameters: { fail: failing } },
					generationCreateNode({ waitForCompletion: false }),
				],
				{ nodeTypes: { 'test.fail': failingNode } },
			);
		const failed = await runWorkflow(workflow(true));
		expect(failed.error?.message).toBe('downstream failure');
		const retried = await runWorkflow({ ...workflow(false), retryOf: failed });
		expect(retried.status).toBe('success');
		expect(await tasksOf(own)).toHaveLength(6);
	});

	it('pays normally when the retried run of the Rivya node failed its checks before paying', async () => {
		const own = await account(100);
		const workflow = (prompt: string) =>
			options(own, [generationCreateNode({ waitForCompletion: false, prompt })]);
		const failed = await runWorkflow(workflow(''));
		expect(failed.status).toBe('error');
		expect(await tasksOf(own)).toHaveLength(0);
		const retried = await runWorkflow({ ...workflow('={{ $json.prompt }}'), retryOf: failed });
		expect(retried.status).toBe('success');
		expect(await tasksOf(own)).toHaveLength(6);
	});
});

describe('what is a new job', () => {
	it('a new manual run with the same items creates new tasks', async () => {
		const own = await account(100);
		const workflow = options(own, [generationCreateNode({ waitForCompletion: false })], {
			inputItems: distinctPrompts(2),
		});
		const first = await runWorkflow(workflow);
		const second = await runWorkflow(workflow);
		expect(taskIdsOf(second.outputOf('Rivya'))).not.toEqual(
			expect.arrayContaining(taskIdsOf(first.outputOf('Rivya'))),
		);
		expect(await tasksOf(own)).toHaveLength(4);
	});

	it('a new webhook call or schedule tick (a new execution of the same saved workflow) creates new tasks', async () => {
		const own = await account(100);
		const node = generationCreateNode(
			{ waitForCompletion: false },
			{ id: 'b7c1e0c2-0000-4000-8000-000000000002' },
		);
		for (const mode of ['webhook', 'trigger'] as const) {
			const workflow = options(own, [node], { inputItems: distinctPrompts(1), mode });
			await runWorkflow(workflow);
			await runWorkflow(workflow);
		}
		expect(await tasksOf(own)).toHaveLength(4);
	});

	it('two items with the same prompt are two tasks', async () => {
		const own = await account(100);
		const result = await runWorkflow(
			options(own, [generationCreateNode({ waitForCompletion: false })], {
				inputItems: [{ prompt: 'same' }, { prompt: 'same' }],
			}),
		);
		expect(new Set(taskIdsOf(result.outputOf('Rivya'))).size).toBe(2);
		expect(await tasksOf(own)).toHaveLength(2);
	});
});

describe('repeats inside one execution', () => {
	it("node-level Retry On Fail replays the tasks of the node's failed try", async () => {
		const own = await account(100);
		await fixture.client.addFault({ route: 'GET /media', kind: 'status', status: 404, times: 1 });
		const result = await runWorkflow(
			options(own, [
				generationCreateNode({}, { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 }),
			]),
		);
		expect(result.status).toBe('success');
		expect(result.outputOf('Rivya')).toHaveLength(6);
		expect(await tasksOf(own)).toHaveLength(6);
		expect(await chargedTasks(own, 100)).toBe(6);
	});

	it('a dropped connection after Rivya created the task replays it', async () => {
		const own = await account(100);
		await fixture.client.addFault({
			route: 'POST /api/v1/generations',
			kind: 'drop_after_response',
			times: 1,
		});
		const result = await runWorkflow(
			options(own, [generationCreateNode({ waitForCompletion: false })], {
				inputItems: distinctPrompts(1),
			}),
		);
		expect(result.status).toBe('success');
		expect(await tasksOf(own)).toHaveLength(1);
	});
});

describe('partial failures keep the paid results', () => {
	it('Continue On Fail (error output): paid items on the success output, the 402 item on the error output', async () => {
		const own = await account(5);
		const result = await runWorkflow(
			options(
				own,
				[
					generationCreateNode(
						{ options: { checkCredits: false } },
						{ onError: 'continueErrorOutput' },
					),
				],
				{},
			),
		);
		expect(result.status).toBe('success');
		const paid = result.outputOf('Rivya', 0);
		const failed = result.outputOf('Rivya', 1);
		expect(paid).toHaveLength(5);
		expect(paid.every((item) => item.binary?.data !== undefined)).toBe(true);
		expect(failed).toHaveLength(1);
		// n8n's error output: the input item's fields, the error, and the node's details.
		expect(String(failed[0].json.error)).toMatch(/credits/i);
		expect(failed[0].json.prompt).toMatch(/^retry picture \d$/);
		expect(failed[0].json.details).toMatchObject({ errorDetails: expect.any(String) });
		expect(await tasksOf(own)).toHaveLength(5);
		expect(new Set(taskIdsOf(paid))).toEqual(new Set((await tasksOf(own)).map((task) => task.id)));
	});

	it('Continue On Fail (error output): a failed download goes to the error output with its task id and result URLs', async () => {
		const own = await account(100);
		await fixture.client.addFault({ route: 'GET /media', kind: 'status', status: 404, times: 1 });
		const result = await runWorkflow(
			options(own, [generationCreateNode({}, { onError: 'continueErrorOutput' })]),
		);
		expect(result.outputOf('Rivya', 0)).toHaveLength(5);
		const [failed] = result.outputOf('Rivya', 1);
		expect(failed.json.details).toMatchObject({
			taskId: expect.stringMatching(/^task_/),
			status: 'succeeded',
			resultUrls: [expect.any(String)],
		});
		expect(await tasksOf(own)).toHaveLength(6);
	});

	it('Continue On Fail (error output) reaches the error output in the other operations too (Model > Get)', async () => {
		const own = await account(100);
		const result = await runWorkflow(
			options(
				own,
				[
					{
						name: 'Rivya',
						type: 'n8n-nodes-rivya.rivya',
						parameters: {
							resource: 'model',
							operation: 'get',
							model: { __rl: true, mode: 'id', value: '={{ $json.model }}' },
						},
						onError: 'continueErrorOutput',
					},
				],
				{ inputItems: [{ model: 'z-image' }, { model: 'no-such-model' }] },
			),
		);
		expect(result.outputOf('Rivya', 0)).toHaveLength(1);
		const [failed] = result.outputOf('Rivya', 1);
		expect(failed.json).toMatchObject({ model: 'no-such-model', error: expect.any(String) });
	});

	it('Continue On Fail (regular output): a failed download is an error item with its task id, the others come out', async () => {
		const own = await account(100);
		await fixture.client.addFault({ route: 'GET /media', kind: 'status', status: 404, times: 1 });
		const result = await runWorkflow(
			options(own, [generationCreateNode({}, { onError: 'continueRegularOutput' })]),
		);
		const items = result.outputOf('Rivya');
		expect(items).toHaveLength(6);
		expect(items.filter((item) => item.json.error)).toHaveLength(1);
		expect(items.filter((item) => item.binary?.data)).toHaveLength(5);
		expect(new Set(taskIdsOf(items)).size).toBe(6);
	});
});
