// The Rivya nodes the workflow tests put into their workflows.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { TestNode } from './harness';

export const RIVYA_NODE_TYPE = 'n8n-nodes-rivya.rivya';

/** A Rivya node named "Rivya" with exactly these parameters. */
export function rivyaNode(parameters: INodeParameters, extra: Partial<TestNode> = {}): TestNode {
	return { name: 'Rivya', type: RIVYA_NODE_TYPE, parameters, ...extra };
}

/**
 * Generation > Create of one z-image picture per item, prompted by the item's `prompt`; `parameters`
 * add to or replace these.
 */
export function generationCreateNode(
	parameters: IDataObject = {},
	extra: Partial<TestNode> = {},
): TestNode {
	return rivyaNode(
		{
			resource: 'generation',
			operation: 'create',
			category: 'image',
			model: { __rl: true, mode: 'id', value: 'z-image' },
			prompt: '={{ $json.prompt }}',
			...(parameters as INodeParameters),
		},
		extra,
	);
}
