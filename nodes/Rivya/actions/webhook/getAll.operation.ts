import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaPaginate } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { returnAllOrLimit } from '../descriptions';
import { retryOptionsField } from './fields';

export const description: INodeProperties[] = [
	...returnAllOrLimit('webhook', 'getAll'),
	...updateDisplayOptions({ show: { resource: ['webhook'], operation: ['getAll'] } }, [
		retryOptionsField,
	]),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
		return await rivyaPaginate.call(this, '/webhooks', {}, { returnAll, limit, itemIndex });
	});
}
