import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { retryOptionFields, retryPolicyFrom } from '../descriptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...retryOptionFields],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['credit'], operation: ['getBalance'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const body = await rivyaRequest.call(this, {
			method: 'GET',
			path: '/credits',
			itemIndex,
			retry: retryPolicyFrom(options),
			errorContext: { requiredScope: 'credits:read' },
		});
		return { ...body, current_credits: Number(body.current_credits) };
	});
}
