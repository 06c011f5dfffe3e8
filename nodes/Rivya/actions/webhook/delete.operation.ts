import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import {
	endpointIdField,
	endpointIdOf,
	endpointPath,
	retryOptionsField,
	webhookRequestBase,
} from './fields';

const properties: INodeProperties[] = [
	{
		displayName:
			'Deleting revokes the endpoint for good: Rivya sends it nothing more. A Rivya Trigger using it stops receiving events until its workflow is activated again.',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
	},
	endpointIdField,
	retryOptionsField,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['webhook'], operation: ['delete'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const endpointId = endpointIdOf.call(this, itemIndex);
		return await rivyaRequest.call(this, {
			method: 'DELETE',
			path: endpointPath(endpointId),
			...webhookRequestBase.call(this, itemIndex, endpointId),
		});
	});
}
