// Queue mode (RIVYA_E2E_MODE=queue): a worker killed (SIGKILL) while Generation > Create waits for its 6
// tasks, then the crashed execution retried from the executions list. Measures how many tasks and charges
// result; README ("Repeats and retries") states the outcome.
import { sleep } from 'n8n-workflow';

import { connectCluster, connectE2e, emulatorControl } from './e2e-env';
import { nodeOutputJson } from './execution-data';
import { pollUntil } from './n8n-instance';
import { meteredAccount } from './e2e-accounts';
import { splitAndGenerateWorkflow, uniqueWebhookPath } from './workflows';

const { n8n } = connectE2e();
const cluster = connectCluster();

const ITEMS = 6;
/** A model no other e2e file uses, so slowing it down here changes nothing elsewhere. */
const MODEL = '4o-image';
const CREDITS_PER_TASK = 3;

interface RestExecution {
	id: string;
	status: string;
	workflowId: string;
}

async function restExecutions(workflowId: string): Promise<RestExecution[]> {
	const query = new URLSearchParams({ filter: JSON.stringify({ workflowId }), limit: '50' });
	return (await n8n.rest<{ results: RestExecution[] }>('GET', `/executions?${query}`)).results;
}

describe('queue mode: a worker killed while Generation > Create waits, then Retry', () => {
	let workflowId: string;

	afterAll(async () => {
		await emulatorControl('PUT', `/models/${MODEL}/behavior`, { durationMs: 1000 });
		if (workflowId) await n8n.deactivate(workflowId);
		// The killed worker comes back for the files after this one.
		const stopped = cluster
			.processes()
			.filter((member) => member.role === 'worker' && !member.pid)
			.map((member) => member.name);
		if (stopped.length > 0) await cluster.startProcesses(stopped);
	});

	it('measures tasks and charges after the crash and the retry', async () => {
		const account = await meteredAccount('worker crash', 1000);
		const { api, taskIds, credential } = account;

		const webhookPath = uniqueWebhookPath('worker-crash');
		const workflow = splitAndGenerateWorkflow(
			'E2E: worker crash + retry',
			webhookPath,
			credential,
			MODEL,
		);
		workflowId = await n8n.startWebhookWorkflow(workflow, webhookPath);

		// Long enough that the node is still waiting when its worker dies.
		await emulatorControl('PUT', `/models/${MODEL}/behavior`, { durationMs: 30_000 });
		const prompts = Array.from({ length: ITEMS }, (_, index) => ({ prompt: `crash ${index}` }));
		await n8n.callWebhook(webhookPath, { prompts });
		await pollUntil('all 6 tasks to exist', 60_000, async () => (await taskIds()).length === ITEMS);
		const [running] = await restExecutions(workflowId);
		const worker = await cluster.waitForWorkerThatRan(running.id);
		await cluster.killWorker(worker);
		const killedAt = Date.now();

		let crashed: RestExecution | undefined;
		await pollUntil('n8n to give up the killed execution', 180_000, async () => {
			crashed = (await restExecutions(workflowId)).find((e) => e.id === running.id);
			return crashed !== undefined && !['new', 'running'].includes(crashed.status);
		});
		const detectedAfterS = Math.round((Date.now() - killedAt) / 1000);
		await emulatorControl('PUT', `/models/${MODEL}/behavior`, { durationMs: 1000 });
		// Let the first 6 tasks finish (and be charged) before counting.
		await sleep(1500);
		await api.waitForGeneration((await taskIds())[0]);

		const retried = await n8n.rest<{ id: string; status: string }>(
			'POST',
			`/executions/${running.id}/retry`,
			{ loadWorkflow: false },
		);
		await pollUntil('the retried execution to finish', 120_000, async () => {
			const found = (await restExecutions(workflowId)).find((e) => e.id === String(retried.id));
			return found !== undefined && !['new', 'running'].includes(found.status);
		});
		const records = await n8n.executions(workflowId);
		const recordOf = (id: string | number) =>
			records.find((execution) => String(execution.id) === String(id));
		const crashedRecord = recordOf(running.id);
		const retriedRecord = recordOf(retried.id);
		for (const taskId of await taskIds()) await api.waitForGeneration(taskId);

		const measured = {
			crashedStatus: crashed?.status,
			crashedError: crashedRecord?.data?.resultData.error?.message,
			crashedNodesWithRunData: Object.keys(crashedRecord?.data?.resultData.runData ?? {}),
			retriedStatus: retriedRecord?.status ?? retried.status,
			retriedError: retriedRecord?.data?.resultData.error?.message,
			retriedNodesRun: Object.keys(retriedRecord?.data?.resultData.runData ?? {}),
			retriedOutputs: retriedRecord ? nodeOutputJson(retriedRecord, 'Generate').length : 0,
			tasks: (await taskIds()).length,
			charges: (await account.creditsSpent()) / CREDITS_PER_TASK,
		};
		// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- the measurement goes to the test log
		process.stdout.write(
			`[worker crash + retry] detected after ${detectedAfterS} s: ${JSON.stringify(measured)}\n`,
		);
		// What n8n 2.41.1 does (README, "Repeats and retries"): the stalled job is failed and its stored
		// run data replaced by an empty one, so the Retry runs nothing: no second payment, and no results.
		expect(measured).toMatchObject({
			crashedStatus: 'error',
			crashedError: expect.stringMatching(/failed to be processed too many times/),
			crashedNodesWithRunData: [],
			retriedNodesRun: [],
			retriedOutputs: 0,
			tasks: ITEMS,
			charges: ITEMS,
		});
	}, 600_000);
});
