import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaPaginate } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { optionsCollection, retryPolicyOf, returnAllOrLimit } from '../descriptions';

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
	return await forEachItem.call(this, items, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? 0 : (this.getNodeParameter('limit', itemIndex, 50) as number);
		return await rivyaPaginate.call(
			this,
			'/chat/sessions',
			{},
			{
				returnAll,
				limit,
				itemIndex,
				retry: retryPolicyOf(this, itemIndex),
			},
		);
	});
}
