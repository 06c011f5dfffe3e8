import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { fetchModels, type RivyaModel } from '../../../shared/catalog';
import { forEachItem } from '../../helpers/items';
import { returnAllOrLimit, simplifyField } from '../descriptions';
import { simplifyModel } from './simplify';

const properties: INodeProperties[] = [
	...returnAllOrLimit('model', 'getAll'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'API Status',
				name: 'apiStatus',
				type: 'options',
				options: [
					{ name: 'Available', value: 'available' },
					{ name: 'Coming Soon', value: 'coming_soon' },
					{ name: 'Studio Only', value: 'studio_only' },
				],
				default: 'available',
				description: 'Only models with this API status (only "Available" models can be called)',
			},
			{
				displayName: 'Category',
				name: 'category',
				type: 'options',
				options: [
					{ name: 'Audio', value: 'audio' },
					{ name: 'Chat', value: 'chat' },
					{ name: 'Image', value: 'image' },
					{ name: 'Video', value: 'video' },
				],
				default: 'image',
			},
			{
				displayName: 'Input Kind',
				name: 'inputKind',
				type: 'options',
				options: [
					{ name: 'Text', value: 'text', description: 'Models that accept text input' },
					{
						name: 'File',
						value: 'file',
						description: 'Models that accept files (reference media or attachments)',
					},
				],
				default: 'file',
			},
		],
	},
	simplifyField('model', 'getAll'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['model'], operation: ['getAll'] } },
	properties,
);

export function matchesFilters(model: RivyaModel, filters: IDataObject): boolean {
	if (filters.category && model.category !== filters.category) return false;
	if (filters.apiStatus && model.api_status !== filters.apiStatus) return false;
	if (filters.inputKind) {
		const inputs = model.supported_api_inputs ?? ['text'];
		if (!inputs.includes(String(filters.inputKind))) return false;
	}
	return true;
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		let models = (await fetchModels.call(this)).filter((model) => matchesFilters(model, filters));
		if (!returnAll) {
			models = models.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
		}
		return models.map((model) => (simplify ? simplifyModel(model) : (model as IDataObject)));
	});
}
