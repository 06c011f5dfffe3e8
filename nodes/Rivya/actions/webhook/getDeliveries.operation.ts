import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaPaginate } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { returnAllOrLimit } from '../descriptions';
import { endpointIdField, endpointIdOf, endpointPath, retryOptionsField } from './fields';

export const description: INodeProperties[] = [
	...updateDisplayOptions({ show: { resource: ['webhook'], operation: ['getDeliveries'] } }, [
		endpointIdField,
	]),
	...returnAllOrLimit('webhook', 'getDeliveries'),
	...updateDisplayOptions({ show: { resource: ['webhook'], operation: ['getDeliveries'] } }, [
		retryOptionsField,
	]),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const endpointId = endpointIdOf.call(this, itemIndex);
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
		return await rivyaPaginate.call(
			this,
			endpointPath(endpointId, '/deliveries'),
			{},
			{ returnAll, limit, itemIndex },
		);
	});
}
