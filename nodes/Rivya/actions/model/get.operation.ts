import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getModel } from '../../../shared/catalog';
import { forEachItem } from '../../helpers/items';
import { simplifyField } from '../descriptions';
import { modelLocator } from './locator';
import { simplifyModel } from './simplify';

const properties: INodeProperties[] = [
	modelLocator('searchModels', 'The model to look up'),
	simplifyField('model', 'get'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['model'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const modelId = String(
			this.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '',
		);
		const model = await getModel.call(this, modelId, itemIndex);
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		return simplify ? simplifyModel(model) : (model as IDataObject);
	});
}
