import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { optionsCollection, retryPolicyOf } from '../descriptions';

const properties: INodeProperties[] = [optionsCollection()];

export const description = updateDisplayOptions(
	{ show: { resource: ['credit'], operation: ['getBalance'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const body = await rivyaRequest.call(this, {
			method: 'GET',
			path: '/credits',
			itemIndex,
			retry: retryPolicyOf(this, itemIndex),
			errorContext: { requiredScope: 'credits:read' },
		});
		return { ...body, current_credits: Number(body.current_credits) };
	});
}
