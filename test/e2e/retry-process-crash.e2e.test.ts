// A single n8n process (n8n 2.41.1, SQLite) killed with SIGKILL while Generation > Create waits for its
// 6 tasks, started again on the same data, then the crashed execution retried from the executions list.
// Without the node's guard every item would be paid twice (measured: 12 tasks for 6 items); with it the
// Retry refuses to pay and says why. Runs its own n8n (the shared one must not die).
import { emulatorControl } from './e2e-env';
import { nodeOutputJson } from './execution-data';
import { pollUntil, startN8n, type RunningN8n } from './n8n-instance';
import { meteredAccount } from './e2e-accounts';
import { splitAndGenerateWorkflow, uniqueWebhookPath } from './workflows';

const ITEMS = 6;
/** A model no other e2e file uses, so slowing it down here changes nothing elsewhere. */
const MODEL = '4o-image';
const CREDITS_PER_TASK = 3;

interface RestExecution {
	id: string;
	status: string;
}

describe('one n8n process killed while Generation > Create waits, then Retry', () => {
	let n8n: RunningN8n | undefined;

	afterAll(async () => {
		await emulatorControl('PUT', `/models/${MODEL}/behavior`, { durationMs: 1000 });
		await n8n?.stop();
	});

	it('measures tasks and charges after the crash, the restart and the retry', async () => {
		const first = await startN8n();
		n8n = first;
		const account = await meteredAccount('crash', 1000, first);
		const { api, taskIds, credential } = account;

		const webhookPath = uniqueWebhookPath('process-crash');
		const workflow = splitAndGenerateWorkflow(
			'E2E: process crash + retry',
			webhookPath,
			credential,
			MODEL,
		);
		const workflowId = await first.startWebhookWorkflow(workflow, webhookPath);

		await emulatorControl('PUT', `/models/${MODEL}/behavior`, { durationMs: 30_000 });
		const prompts = Array.from({ length: ITEMS }, (_, index) => ({ prompt: `crash ${index}` }));
		await first.callWebhook(webhookPath, { prompts });
		await pollUntil('all 6 tasks to exist', 60_000, async () => (await taskIds()).length === ITEMS);
		await first.kill();

		// Same data folder; the encryption key comes from its settings file, as after a real restart.
		const restarted = await startN8n({
			userFolder: first.userFolder,
			env: { N8N_ENCRYPTION_KEY: undefined },
		});
		n8n = restarted;
		await emulatorControl('PUT', `/models/${MODEL}/behavior`, { durationMs: 1000 });
		const query = new URLSearchParams({ filter: JSON.stringify({ workflowId }), limit: '50' });
		const list = async () =>
			(await restarted.rest<{ results: RestExecution[] }>('GET', `/executions?${query}`)).results;
		let crashed: RestExecution | undefined;
		await pollUntil('the killed execution to be marked', 60_000, async () => {
			crashed = (await list())[0];
			return crashed !== undefined && !['new', 'running'].includes(crashed.status);
		});

		const retried = await restarted.rest<{ id: string; status: string }>(
			'POST',
			`/executions/${crashed?.id}/retry`,
			{ loadWorkflow: false },
		);
		await pollUntil('the retried execution to finish', 120_000, async () => {
			const found = (await list()).find((execution) => execution.id === String(retried.id));
			return found !== undefined && !['new', 'running'].includes(found.status);
		});
		const records = await restarted.executions(workflowId);
		const retriedRecord = records.find((execution) => String(execution.id) === String(retried.id));
		for (const taskId of await taskIds()) {
			await api.waitForGeneration(taskId, { timeoutMs: 120_000 });
		}

		const measured = {
			crashedStatus: crashed?.status,
			retriedStatus: retriedRecord?.status ?? retried.status,
			retriedError: retriedRecord?.data?.resultData.error?.message,
			retriedOutputs: retriedRecord ? nodeOutputJson(retriedRecord, 'Generate').length : 0,
			tasks: (await taskIds()).length,
			charges: (await account.creditsSpent()) / CREDITS_PER_TASK,
		};
		// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- the measurement goes to the test log
		process.stdout.write(`[process crash + retry] ${JSON.stringify(measured)}\n`);
		// n8n marks the execution as crashed on restart; its Retry would run the node again with an empty
		// node context (n8n saves it only once the node has finished), which would pay every item again:
		// the node sees its cut-off run in the execution's data and refuses instead (README, "Never
		// charged twice").
		expect(measured).toMatchObject({
			crashedStatus: 'crashed',
			retriedStatus: 'error',
			retriedError: expect.stringContaining('Not sending paid requests again'),
			retriedOutputs: 0,
			tasks: ITEMS,
			charges: ITEMS,
		});
	}, 600_000);
});
