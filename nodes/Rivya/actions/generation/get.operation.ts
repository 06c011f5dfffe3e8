import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection, simplifyField } from '../descriptions';
import { downloadFields } from './fields';
import { executeForExistingTasks, taskIdField } from './tasks';

const properties: INodeProperties[] = [
	taskIdField,
	simplifyField('generation', 'get'),
	optionsCollection(downloadFields(false)),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['generation'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await executeForExistingTasks.call(this, items, { wait: false, downloadByDefault: false });
}
