import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
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

export const description = updateDisplayOptions(
	{ show: { resource: ['webhook'], operation: ['get'] } },
	[endpointIdField, retryOptionsField],
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const endpointId = endpointIdOf.call(this, itemIndex);
		return await rivyaRequest.call(this, {
			method: 'GET',
			path: endpointPath(endpointId),
			...webhookRequestBase.call(this, itemIndex, endpointId),
		});
	});
}
