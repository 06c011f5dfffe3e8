// Rivya Chat Model under n8n's Basic LLM Chain in a real n8n. On n8n 2.x (which ships the AI Node SDK)
// the chain answers with the emulator's reply; on n8n 1.x the package still loads, and running the model
// fails with the message that it needs n8n 2.16, not with a missing-module error.
import { randomUUID } from 'crypto';

import { accountWithCredential } from './e2e-accounts';
import { connectE2e } from './e2e-env';
import { RIVYA_CREDENTIAL_TYPE, uniqueWebhookPath } from './workflows';

const { n8n } = connectE2e();

const CHAT_MODEL_NODE_TYPE = 'n8n-nodes-rivya.rivyaChatModel';
const CHAT_MODEL = 'gpt-5-2-chat';

function llmChainWorkflow(webhookPath: string, credential: { id: string; name: string }) {
	return {
		name: 'E2E: Rivya Chat Model in a Basic LLM Chain',
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				webhookId: randomUUID(),
				position: [0, 0],
				parameters: {
					httpMethod: 'POST',
					path: webhookPath,
					responseMode: 'lastNode',
					options: {},
				},
			},
			{
				name: 'Basic LLM Chain',
				type: '@n8n/n8n-nodes-langchain.chainLlm',
				typeVersion: 1.7,
				position: [220, 0],
				parameters: { promptType: 'define', text: 'Say hello to the e2e test' },
			},
			{
				name: 'Rivya Chat Model',
				type: CHAT_MODEL_NODE_TYPE,
				typeVersion: 1,
				position: [220, 200],
				parameters: { model: { __rl: true, mode: 'id', value: CHAT_MODEL }, options: {} },
				credentials: { [RIVYA_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Basic LLM Chain', type: 'main', index: 0 }]] },
			'Rivya Chat Model': {
				ai_languageModel: [[{ node: 'Basic LLM Chain', type: 'ai_languageModel', index: 0 }]],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

describe('Rivya Chat Model in a real n8n', () => {
	const webhookPath = uniqueWebhookPath('chat-model');
	let workflowId: string;

	beforeAll(async () => {
		const { credential } = await accountWithCredential('chat model', 100);
		workflowId = await n8n.startWebhookWorkflow(
			llmChainWorkflow(webhookPath, credential),
			webhookPath,
		);
	});

	afterAll(async () => {
		if (workflowId) await n8n.deactivate(workflowId);
	});

	it('is listed with the rest of the package', async () => {
		expect(await n8n.nodeTypeNames()).toContain(CHAT_MODEL_NODE_TYPE);
	});

	if (n8n.isV1) {
		it('says it needs n8n 2.16 when a chain runs it on n8n 1.x', async () => {
			await n8n.callWebhook(webhookPath, {});
			const execution = await n8n.waitForExecution(workflowId);
			expect(execution.status).toBe('error');
			expect(JSON.stringify(execution.data?.resultData.error)).toContain(
				'Rivya Chat Model needs n8n 2.16 or newer',
			);
		});
	} else {
		it('answers through the chain with the Rivya reply', async () => {
			const response = await n8n.callWebhook(webhookPath, {});
			expect(response.status).toBe(200);
			expect(String((response.body as { text?: unknown }).text ?? '')).not.toBe('');
			const execution = await n8n.waitForExecution(workflowId);
			expect(execution.status).toBe('success');
		});
	}
});
