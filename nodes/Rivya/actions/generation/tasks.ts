/** Looking up existing tasks by id (Generation > Get and Wait). */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { fetchModels, type RivyaModel } from '../../../shared/catalog';
import type { RetryPolicy } from '../../../shared/retry';
import { itemLabel } from '../../../shared/errors';
import { rivyaRequest } from '../../../shared/transport';
import { createLimiter, mapSettled, type Limiter } from '../../helpers/concurrency';
import { requiredText } from '../descriptions';
import { checkedId } from '../../../shared/ids';
import { readFinishOptions } from './fields';
import { finishGenerations, type TaskEntry } from './output';

export const taskIdField: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. task_abc123',
	description: 'ID of the generation task, as returned by Generation > Create (taskId)',
};

function readTaskId(context: IExecuteFunctions, itemIndex: number): string {
	const taskId = requiredText(
		context,
		'taskId',
		itemIndex,
		`${itemLabel(itemIndex)}: Task ID is empty`,
		'Enter the task ID returned by Generation > Create, e.g. {{ $json.taskId }}.',
	);
	return checkedId(context.getNode(), taskId, 'generation', itemIndex);
}

/** Model id → category, for choosing a poll schedule; a catalog outage just means the default one. */
async function categoriesById(context: IExecuteFunctions): Promise<Map<string, string>> {
	try {
		const models: RivyaModel[] = await fetchModels.call(context);
		return new Map(models.map((model) => [model.id, model.category]));
	} catch {
		return new Map();
	}
}

/** Reads every item's task (bounded concurrency); a failed lookup becomes that item's error. */
export async function lookUpTasks(
	this: IExecuteFunctions,
	itemCount: number,
	limit: Limiter,
	retry: Partial<RetryPolicy>,
): Promise<TaskEntry[]> {
	const indexes = Array.from({ length: itemCount }, (_, index) => index);
	const categories = await categoriesById(this);
	const results = await mapSettled(indexes, limit, async (itemIndex) => {
		const taskId = readTaskId(this, itemIndex);
		return await rivyaRequest.call(this, {
			method: 'GET',
			path: `/generations/${encodeURIComponent(taskId)}`,
			itemIndex,
			retry,
			errorContext: {
				requiredScope: 'generations:read',
				resourceLabel: `The generation ${taskId}`,
			},
		});
	});
	return results.map((result, itemIndex) => {
		if (!result.ok) return { itemIndex, error: result.error };
		const generation: IDataObject = result.value;
		return { itemIndex, generation, kind: categories.get(String(generation.model)) };
	});
}

/** Get and Wait: look every item's task up, then (for Wait) wait for all together and download. */
export async function executeForExistingTasks(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	mode: { wait: boolean; downloadByDefault: boolean },
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const finish = readFinishOptions(
		this,
		options,
		mode.wait,
		this.getNodeParameter('simplify', 0, true) as boolean,
		mode.downloadByDefault,
	);
	const limit = createLimiter(finish.concurrency);
	const entries = await lookUpTasks.call(this, items.length, limit, finish.retry);
	return await finishGenerations.call(this, entries, finish, limit);
}
