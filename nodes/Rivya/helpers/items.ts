import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { namesItem } from '../../shared/errors';

export type ItemResult = IDataObject | IDataObject[] | INodeExecutionData | INodeExecutionData[];

function isExecutionData(value: IDataObject | INodeExecutionData): value is INodeExecutionData {
	return typeof value.json === 'object' && value.json !== null && !Array.isArray(value.json);
}

/** Wraps a handler's result as output items paired with the input item they came from. */
export function toOutputItems(result: ItemResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((entry) =>
		isExecutionData(entry)
			? { ...entry, pairedItem: { item: itemIndex } }
			: { json: entry, pairedItem: { item: itemIndex } },
	);
}

/**
 * The error item Continue On Fail emits: readable by people and by an AI agent; `facts` (e.g. a task
 * id) keep what the failure is about. With "Continue (using error output)" n8n moves an item to the
 * error output only when its JSON has no keys but error, message and details, so there the
 * description and facts go under `details`.
 */
export function errorItem(
	context: IExecuteFunctions,
	error: Error,
	itemIndex: number,
	facts: IDataObject = {},
): INodeExecutionData {
	const description = (error as { description?: unknown }).description;
	const details: IDataObject = {
		...(typeof description === 'string' && description ? { errorDetails: description } : {}),
		...facts,
	};
	const toErrorOutput = context.getNode().onError === 'continueErrorOutput';
	const json: IDataObject = toErrorOutput
		? { error: error.message, ...(Object.keys(details).length > 0 ? { details } : {}) }
		: { error: error.message, ...details };
	return { json, pairedItem: { item: itemIndex } };
}

/** Whether n8n will move this item to the error output (see errorItem for the shape it needs). */
export function goesToErrorOutput(context: IExecuteFunctions, item: INodeExecutionData): boolean {
	return (
		context.getNode().onError === 'continueErrorOutput' &&
		item.json.error !== undefined &&
		Object.keys(item.json).every((key) => ['error', 'message', 'details'].includes(key))
	);
}

/** Marks an error with the item it belongs to, so n8n shows which item failed. */
export function attachItemIndex(
	context: IExecuteFunctions,
	error: Error,
	itemIndex: number,
): Error {
	if (namesItem(error)) return error;
	const withContext = error as Error & { context?: IDataObject };
	if (withContext.context && typeof withContext.context === 'object') {
		withContext.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(context.getNode(), error, { itemIndex });
}

/** Runs a handler for every item in turn, with Continue On Fail and paired items. */
export async function forEachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	handler: (itemIndex: number) => Promise<ItemResult>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push(...toOutputItems(await handler(itemIndex), itemIndex));
		} catch (error) {
			if (this.continueOnFail()) {
				output.push(errorItem(this, error as Error, itemIndex));
				continue;
			}
			throw attachItemIndex(this, error as Error, itemIndex);
		}
	}
	return output;
}

/**
 * Checks every item first, then runs the handler for each: with Continue On Fail off, nothing is sent
 * (or paid) while any item of the batch is invalid; with it on, invalid items become error items and
 * the valid ones proceed.
 */
export async function forEachCheckedItem<Checked>(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	check: (itemIndex: number) => Promise<Checked>,
	handler: (itemIndex: number, checked: Checked) => Promise<ItemResult>,
): Promise<INodeExecutionData[]> {
	const checks: Array<{ value: Checked } | { error: Error }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			checks.push({ value: await check(itemIndex) });
		} catch (error) {
			if (!context.continueOnFail()) throw attachItemIndex(context, error as Error, itemIndex);
			checks.push({ error: error as Error });
		}
	}
	return await forEachItem.call(context, items, async (itemIndex) => {
		const checked = checks[itemIndex];
		if ('error' in checked) throw checked.error;
		return await handler(itemIndex, checked.value);
	});
}
