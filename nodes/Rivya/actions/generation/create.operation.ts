/**
 * Generation > Create: checks every item, submits all of them with bounded concurrency, then waits
 * for all together, downloading each task's results as soon as it is done.
 *
 * Rules that must not regress:
 * - Nothing is uploaded or paid before every item passed its checks (and the batch's credit check).
 * - Every POST /generations carries an Idempotency-Key derived from the final body (or the user's),
 *   so a retried request, n8n's Retry On Fail or its Retry of the failed execution replays the same
 *   task instead of paying twice (see shared/idempotency.ts).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { credits, itemLabel, rivyaInputError } from '../../../shared/errors';
import { idempotencyKeyFor } from '../../../shared/idempotency';
import { idProblem } from '../../../shared/ids';
import { rivyaRequest } from '../../../shared/transport';
import { createLimiter, mapSettled } from '../../helpers/concurrency';
import { attachItemIndex, goesToErrorOutput } from '../../helpers/items';
import { optionsCollection, simplifyField } from '../descriptions';
import { modelLocator } from '../model/locator';
import { readFinishOptions, waitOptionFields } from './fields';
import { finishGenerations, type TaskEntry } from './output';
import { generationBody, prepareGeneration, type PreparedGeneration } from './params';
import { referenceMediaField, toReferenceMediaItems } from './references';

const createOptionFields: INodeProperties[] = [
	{
		displayName: 'Additional Params (JSON)',
		name: 'additionalParams',
		type: 'json',
		default: '{}',
		description:
			'Extra model params as a JSON object, merged over the form. For params Rivya accepts that the form does not show yet.',
	},
	{
		displayName: 'Check Credits First',
		name: 'checkCredits',
		type: 'boolean',
		default: true,
		description:
			"Whether to compare the batch's total base credits with the balance before submitting anything (one free request)",
	},
	{
		displayName: 'Client Request ID',
		name: 'clientRequestId',
		type: 'string',
		default: '',
		description: 'Your own trace ID, stored with the task',
	},
	{
		displayName: 'Include Input Fields',
		name: 'includeInputFields',
		type: 'boolean',
		default: false,
		description:
			"Whether to keep the input item's fields (e.g. a lead's or product's ID) in the output, next to the generation's fields (which win on a name clash)",
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		description:
			'Rivya replays the first task for a repeated key instead of creating and charging a new one. Leave empty to derive one from the execution that first ran this node, the item and the request: Retry On Fail and Retry of a failed execution (within 24 h) replay, a new execution is a new job. Not covered: an execution whose n8n or worker process died while this node ran; its Retry refuses to pay again, and its tasks still finish in Rivya (Rivya Trigger).',
	},
	...waitOptionFields,
];

const properties: INodeProperties[] = [
	{
		displayName: 'Category',
		name: 'category',
		type: 'options',
		options: [
			{ name: 'Audio', value: 'audio' },
			{ name: 'Image', value: 'image' },
			{ name: 'Video', value: 'video' },
		],
		default: 'image',
		description: 'What to generate; the Model list shows the models of this category',
	},
	modelLocator('searchMediaModels', 'The Rivya model to run'),
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. A red fox in fresh snow, golden hour',
		description:
			"What to generate. Required by most models and limited to the model's maximum prompt length.",
	},
	{
		displayName: 'Model Parameters',
		name: 'modelParams',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		description: "The selected model's parameters, loaded from Rivya's live catalog",
		typeOptions: {
			loadOptionsDependsOn: ['model.value', 'category'],
			resourceMapper: {
				resourceMapperMethod: 'getModelParams',
				mode: 'add',
				// The form's heading; n8n's default is "Values to Send".
				valuesLabel: 'Model Parameters',
				fieldWords: { singular: 'parameter', plural: 'parameters' },
				addAllFields: false,
				supportAutoMap: false,
				noFieldsError: 'This model has no parameters',
			},
		},
	},
	referenceMediaField,
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the generations finish (and download their results) or to return the task IDs right away',
	},
	simplifyField('generation', 'create'),
	optionsCollection(createOptionFields),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['generation'], operation: ['create'] } },
	properties,
);

/** Every item's inputs checked; items failing their checks become errors (or stop the node). */
async function prepareAll(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<Array<PreparedGeneration | { itemIndex: number; error: Error }>> {
	const prepared: Array<PreparedGeneration | { itemIndex: number; error: Error }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			prepared.push(await prepareGeneration.call(context, itemIndex));
		} catch (error) {
			if (!context.continueOnFail()) throw attachItemIndex(context, error as Error, itemIndex);
			prepared.push({ itemIndex, error: error as Error });
		}
	}
	return prepared;
}

/** "Check Credits First": the batch's base credits against the balance, before paying anything. */
async function checkBalance(
	context: IExecuteFunctions,
	ready: PreparedGeneration[],
	retry: IDataObject,
): Promise<Error | undefined> {
	if (ready.length === 0) return undefined;
	const needed = ready.reduce((sum, entry) => sum + entry.model.base_credits, 0);
	const balanceBody = await rivyaRequest.call(context, {
		method: 'GET',
		path: '/credits',
		retry,
		errorContext: { requiredScope: 'credits:read' },
	});
	const balance = Number(balanceBody.current_credits);
	if (!Number.isFinite(balance) || balance >= needed) return undefined;
	const chosen = [...new Map(ready.map((entry) => [entry.model.id, entry.model])).values()]
		.map((model) => `${model.id}: ${credits(model.base_credits)} each`)
		.join(', ');
	return rivyaInputError(
		context.getNode(),
		`Not enough Rivya credits for this run: ${ready.length === 1 ? '1 generation needs' : `${ready.length} generations need`} at least ${credits(needed)}, the balance is ${balance}`,
		`Nothing was submitted or charged. Top up credits in Rivya, send fewer items, or pick a model with lower base credits (chosen: ${chosen}). Metered models can cost more than their base credits. Turn off Options > Check Credits First to skip this check.`,
	);
}

/** A create answer without a task id: the task may exist and be charged, so this is never a success. */
function missingTaskIdError(context: IExecuteFunctions, itemIndex: number, idempotencyKey: string) {
	return rivyaInputError(
		context.getNode(),
		`${itemLabel(itemIndex)}: Rivya accepted the generation but its answer has no usable task ID`,
		`A task may have been created (and charged). Do not submit it again under a new key: run again with Options > Idempotency Key set to "${idempotencyKey}" (the key this request used), and Rivya answers with the same task instead of a new one. Check also the Base URL in the Rivya credential points at Rivya's API.`,
		itemIndex,
	);
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	// Batch-wide settings come from the first item: one run waits, limits and downloads one way.
	const firstOptions = this.getNodeParameter('options', 0, {}) as IDataObject;
	const finish = readFinishOptions(
		this,
		firstOptions,
		this.getNodeParameter('waitForCompletion', 0, true) as boolean,
		this.getNodeParameter('simplify', 0, true) as boolean,
	);
	const limit = createLimiter(finish.concurrency);

	const prepared = await prepareAll(this, items);
	const ready = prepared.filter((entry): entry is PreparedGeneration => 'model' in entry);

	if (firstOptions.checkCredits !== false) {
		const creditError = await checkBalance(this, ready, finish.retry as IDataObject);
		if (creditError) {
			if (!this.continueOnFail()) throw creditError;
			return await finishGenerations.call(
				this,
				prepared.map((entry) => ({ itemIndex: entry.itemIndex, error: creditError })),
				finish,
				limit,
			);
		}
	}

	const submitted = await mapSettled(ready, limit, async (entry) => {
		const referenceMediaItems = await toReferenceMediaItems.call(
			this,
			entry.itemIndex,
			entry.model,
			entry.references,
			finish.retry,
		);
		const body = generationBody(entry, referenceMediaItems);
		const idempotencyKey = idempotencyKeyFor.call(
			this,
			entry.itemIndex,
			'POST /generations',
			body,
			entry.userIdempotencyKey,
		);
		const generation = await rivyaRequest.call(this, {
			method: 'POST',
			path: '/generations',
			body,
			idempotencyKey,
			itemIndex: entry.itemIndex,
			retry: finish.retry,
			errorContext: {
				requiredScope: 'generations:create',
				creditsNeeded: entry.model.base_credits,
			},
		});
		if (typeof generation.id !== 'string' || idProblem(generation.id, 'generation')) {
			throw missingTaskIdError(this, entry.itemIndex, idempotencyKey);
		}
		return { generation, submittedAtMs: Date.now() };
	});

	const submittedByItem = new Map(ready.map((entry, index) => [entry.itemIndex, submitted[index]]));
	const entries: TaskEntry[] = prepared.map((entry) => {
		if (!('model' in entry)) return entry;
		const result = submittedByItem.get(entry.itemIndex);
		if (!result || !result.ok) {
			return { itemIndex: entry.itemIndex, error: result?.error ?? new Error('Not submitted') };
		}
		return { itemIndex: entry.itemIndex, kind: entry.model.category, ...result.value };
	});
	const output = await finishGenerations.call(this, entries, finish, limit);
	return linkedToInput(this, items, prepared, output, finish.simplify);
}

/**
 * Keeps the link back to what was generated for: the prompt and Client Request ID echoed (simplified
 * output), and with Options > Include Input Fields the input item's own fields.
 */
function linkedToInput(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	prepared: Array<PreparedGeneration | { itemIndex: number; error: Error }>,
	output: INodeExecutionData[],
	simplify: boolean,
): INodeExecutionData[] {
	const preparedByItem = new Map(prepared.map((entry) => [entry.itemIndex, entry]));
	return output.map((item) => {
		const pairedItem = item.pairedItem as { item: number } | undefined;
		const itemIndex = pairedItem?.item;
		if (itemIndex === undefined) return item;
		const entry = preparedByItem.get(itemIndex);
		const echo: IDataObject =
			simplify && entry && 'model' in entry
				? { prompt: entry.prompt, clientRequestId: entry.clientRequestId ?? null }
				: {};
		// n8n adds the input item's fields to error-output items itself, and moves only items whose
		// JSON is error/message/details: the echo goes under details.
		if (goesToErrorOutput(context, item)) {
			const details = { ...((item.json.details as IDataObject | undefined) ?? {}), ...echo };
			return { ...item, json: { ...item.json, details } };
		}
		const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const input = options.includeInputFields === true ? (items[itemIndex]?.json ?? {}) : {};
		return { ...item, json: { ...input, ...item.json, ...echo } };
	});
}
