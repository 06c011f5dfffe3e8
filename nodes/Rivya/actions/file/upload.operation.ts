import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { MediaKind } from '../../../shared/media';
import { checkUpload, uploadBinaryToRivya } from '../../../shared/upload';
import { forEachCheckedItem } from '../../helpers/items';
import { optionsCollection, retryPolicyFrom, simplifyField } from '../descriptions';
import { simplifyFile } from './simplify';

const properties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to upload',
	},
	{
		displayName: 'Kind',
		name: 'kind',
		type: 'options',
		options: [
			{
				name: 'Auto-Detect',
				value: 'auto',
				description: "From the file's mime type (image/*, video/*, audio/*)",
			},
			{ name: 'Audio', value: 'audio' },
			{ name: 'Image', value: 'image' },
			{ name: 'Video', value: 'video' },
		],
		default: 'auto',
		description: 'What kind of media the file is; Rivya checks it against the real file contents',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description:
			"Optional: the model the file is for. The file is checked against the model's reference media limits before uploading, and Rivya applies them too.",
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchMediaModels', searchable: true },
			},
			{ displayName: 'ID', name: 'id', type: 'string', placeholder: 'e.g. nano-banana-2' },
		],
	},
	simplifyField('file', 'upload'),
	optionsCollection([
		{
			displayName: 'Client Request ID',
			name: 'clientRequestId',
			type: 'string',
			default: '',
			description: 'Your own trace ID for the upload (at most 128 characters)',
		},
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				'Rivya replays the first upload for a repeated key instead of storing the file again. Leave empty to derive one from the execution that first ran this node, the item and the file, so Retry of a failed execution replays it.',
		},
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['upload'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const read = (itemIndex: number) => {
		const kind = this.getNodeParameter('kind', itemIndex, 'auto') as MediaKind | 'auto';
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return {
			binaryPropertyName: (
				this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string
			).trim(),
			simplify: this.getNodeParameter('simplify', itemIndex, true) as boolean,
			upload: {
				kind: kind === 'auto' ? undefined : kind,
				model: String(this.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? ''),
				clientRequestId: options.clientRequestId as string | undefined,
				idempotencyKey: options.idempotencyKey as string | undefined,
				retry: retryPolicyFrom(options),
			},
		};
	};
	return await forEachCheckedItem(
		this,
		items,
		async (itemIndex) => {
			const input = read(itemIndex);
			await checkUpload.call(this, itemIndex, input.binaryPropertyName, input.upload);
			return input;
		},
		async (itemIndex, input) => {
			const file = await uploadBinaryToRivya.call(
				this,
				itemIndex,
				input.binaryPropertyName,
				input.upload,
			);
			const json = file as unknown as IDataObject;
			return input.simplify ? simplifyFile(json) : json;
		},
	);
}
