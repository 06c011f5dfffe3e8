import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection, simplifyField } from '../descriptions';
import { waitOptionFields } from './fields';
import { executeForExistingTasks, taskIdField } from './tasks';

const properties: INodeProperties[] = [
	taskIdField,
	simplifyField('generation', 'wait'),
	optionsCollection(waitOptionFields),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['generation'], operation: ['wait'] } },
	properties,
);

/** Waits for tasks created earlier (e.g. by Create with waiting off, or after a timeout). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await executeForExistingTasks.call(this, items, { wait: true, downloadByDefault: true });
}
