/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// The importable workflows in examples/, as the demo and the e2e tests load them into n8n.
import * as fs from 'fs';
import * as path from 'path';

import type { WorkflowNode } from '../test/e2e/workflows';

export const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');
const RIVYA_PACKAGE_PREFIX = 'n8n-nodes-rivya.';

/** A node as the examples store it (the e2e workflows' node shape). */
export type ExampleNode = WorkflowNode;

export interface ExampleWorkflow {
	name: string;
	nodes: ExampleNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[field: string]: unknown;
}

export function readExamples(): Array<{ file: string; workflow: ExampleWorkflow }> {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({
			file,
			workflow: JSON.parse(
				fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'),
			) as ExampleWorkflow,
		}));
}

/** The examples ship without credentials; this sets every Rivya node and trigger to the given one. */
export function withRivyaCredential(
	workflow: ExampleWorkflow,
	credential: { id: string; name: string },
): ExampleWorkflow {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.type.startsWith(RIVYA_PACKAGE_PREFIX)
				? { ...node, credentials: { rivyaApi: { id: credential.id, name: credential.name } } }
				: node,
		),
	};
}

/** The POST path of the workflow's Webhook node (the demo workflow is started through it). */
export function webhookPathOf(workflow: ExampleWorkflow): string {
	const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	if (!webhook) throw new Error(`"${workflow.name}" has no Webhook node`);
	return String(webhook.parameters.path);
}
