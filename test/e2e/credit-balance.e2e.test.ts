// Webhook → Rivya (Credit: Get Balance) in a real n8n returns the emulator account's balance.
import { accountWithCredential } from './e2e-accounts';
import { connectE2e } from './e2e-env';
import { rivyaStep, uniqueWebhookPath, webhookWorkflow } from './workflows';

const { n8n } = connectE2e();

describe('Credit: Get Balance through n8n', () => {
	// A dedicated account with a distinctive balance, so the answer can only come from it.
	const balance = 4321;
	const webhookPath = uniqueWebhookPath('balance');
	let workflowId: string;

	beforeAll(async () => {
		const { credential } = await accountWithCredential('balance test', balance);
		const workflow = webhookWorkflow('E2E: credit balance', webhookPath, [
			rivyaStep('Get Balance', credential, { resource: 'credit', operation: 'getBalance' }),
		]);
		workflowId = await n8n.startWebhookWorkflow(workflow, webhookPath);
	});

	afterAll(async () => {
		if (workflowId) await n8n.deactivate(workflowId);
	});

	it('answers the webhook with the balance', async () => {
		const response = await n8n.callWebhook(webhookPath, {});
		expect(response.status).toBe(200);
		// The node may simplify the raw `{current_credits}`; the balance must be one of the output fields.
		expect(Object.values(response.body as Record<string, unknown>)).toContain(balance);
	});

	it('records a successful execution with the Rivya node output', async () => {
		const execution = await n8n.waitForExecution(workflowId);
		expect(execution.status).toBe('success');
		const runs = execution.data?.resultData.runData['Get Balance'] ?? [];
		expect(runs).toHaveLength(1);
	});
});
