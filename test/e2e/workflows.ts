// Builds the webhook-started workflows the e2e tests run: the public API cannot run a workflow, so each
// one starts with a Webhook node that answers with the last node's output.
import { randomUUID } from 'crypto';

export const RIVYA_NODE_TYPE = 'n8n-nodes-rivya.rivya';
export const RIVYA_TRIGGER_NODE_TYPE = 'n8n-nodes-rivya.rivyaTrigger';
export const RIVYA_CREDENTIAL_TYPE = 'rivyaApi';

export interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	position?: [number, number];
	webhookId?: string;
	[key: string]: unknown;
}

export interface WebhookWorkflow {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: 'main'; index: number }>> }
	>;
	settings: Record<string, unknown>;
}

/** A webhook path unique to one test run, so re-runs and parallel files never collide. */
export function uniqueWebhookPath(label: string): string {
	return `rivya-e2e-${label}-${randomUUID().slice(0, 8)}`;
}

/** Webhook (POST `path`, answers with the last node's first item) followed by `steps`, in a chain. */
export function webhookWorkflow(
	name: string,
	webhookPath: string,
	steps: WorkflowNode[],
): WebhookWorkflow {
	const webhook: WorkflowNode = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', options: {} },
	};
	const chain = [webhook, ...steps].map((node, index) => ({
		position: [index * 220, 0] as [number, number],
		...node,
	}));
	const connections: WebhookWorkflow['connections'] = {};
	for (let index = 1; index < chain.length; index++) {
		connections[chain[index - 1].name] = {
			main: [[{ node: chain[index].name, type: 'main', index: 0 }]],
		};
	}
	return { name, nodes: chain, connections, settings: { executionOrder: 'v1' } };
}

/** A Rivya node step using the given stored credential. */
export function rivyaStep(
	name: string,
	credential: { id: string; name: string },
	parameters: Record<string, unknown>,
): WorkflowNode {
	return {
		name,
		type: RIVYA_NODE_TYPE,
		typeVersion: 1,
		parameters,
		credentials: { [RIVYA_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
	};
}

/**
 * Webhook (answers at once) → Split Out over `body.prompts` → Rivya "Generate" (Generation > Create, one
 * image task of `model` per prompt): the workflow the crash + Retry tests kill while it waits.
 */
export function splitAndGenerateWorkflow(
	name: string,
	webhookPath: string,
	credential: { id: string; name: string },
	model: string,
): WebhookWorkflow {
	const workflow = webhookWorkflow(name, webhookPath, [
		{
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.prompts', options: {} },
		},
		rivyaStep('Generate', credential, {
			resource: 'generation',
			operation: 'create',
			category: 'image',
			model: { __rl: true, mode: 'id', value: model },
			prompt: '={{ $json.prompt }}',
			options: {},
		}),
	]);
	workflow.nodes[0].parameters = { ...workflow.nodes[0].parameters, responseMode: 'onReceived' };
	return workflow;
}
