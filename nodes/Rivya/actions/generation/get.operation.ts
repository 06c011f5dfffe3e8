import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createLimiter } from '../../helpers/concurrency';
import { retryOptionFields, simplifyField } from '../descriptions';
import { downloadFields, readFinishOptions } from './fields';
import { finishGenerations } from './output';
import { lookUpTasks, taskIdField } from './tasks';

const properties: INodeProperties[] = [
	taskIdField,
	simplifyField('generation', 'get'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...downloadFields(false), ...retryOptionFields],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['generation'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const finish = readFinishOptions(
		this,
		options,
		false,
		this.getNodeParameter('simplify', 0, true) as boolean,
		false,
	);
	const limit = createLimiter(finish.concurrency);
	const entries = await lookUpTasks.call(this, items.length, limit, finish.retry);
	return await finishGenerations.call(this, entries, finish, limit);
}
