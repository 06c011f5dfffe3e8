import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaPaginate } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { listPageOptions, optionsCollection, returnAllOrLimit } from '../descriptions';

const properties: INodeProperties[] = [
	...returnAllOrLimit('chat', 'getAllSessions'),
	optionsCollection(),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['getAllSessions'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(
		this,
		items,
		async (itemIndex) =>
			await rivyaPaginate.call(this, '/chat/sessions', {}, listPageOptions(this, itemIndex)),
	);
}
