import type { INodeProperties } from 'n8n-workflow';

/** The "Model" picker: a searchable list (filled by a listSearch method) or a typed ID. */
export function modelLocator(searchListMethod: string, description: string): INodeProperties {
	return {
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{ displayName: 'ID', name: 'id', type: 'string', placeholder: 'e.g. nano-banana-2' },
		],
	};
}
