import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { itemLabel } from '../../../shared/errors';
import { rivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { optionsCollection, requiredText, retryPolicyOf, simplifyField } from '../descriptions';
import { checkedId } from '../../../shared/ids';
import { simplifyFile } from './simplify';

const properties: INodeProperties[] = [
	{
		displayName: 'File ID',
		name: 'fileId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. file_abc123',
		description: 'The ID Rivya returned when the file was uploaded',
	},
	simplifyField('file', 'get'),
	optionsCollection(),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const fileId = requiredText(
			this,
			'fileId',
			itemIndex,
			`${itemLabel(itemIndex)}: "File ID" is empty`,
			'Enter the ID of an uploaded file (it starts with file_), e.g. from File > Upload.',
		);
		checkedId(this.getNode(), fileId, 'file', itemIndex);
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		const file = await rivyaRequest.call(this, {
			method: 'GET',
			path: `/files/${encodeURIComponent(fileId)}`,
			itemIndex,
			retry: retryPolicyOf(this, itemIndex),
			errorContext: { requiredScope: 'files:read', resourceLabel: `File ${fileId}` },
		});
		return simplify ? simplifyFile(file) : file;
	});
}
