/**
 * Reading and checking one item's Generation > Create inputs against the live catalog, before any
 * paid call: model callable, prompt, params, reference media.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	buildModelParams,
	getModel,
	modelCallableProblem,
	promptProblem,
	referenceProblems,
	type InputProblem,
	type RivyaModel,
} from '../../../shared/catalog';
import { MAX_CLIENT_REQUEST_ID_LENGTH } from '../../../shared/binary';
import { itemLabel, rivyaInputError } from '../../../shared/errors';
import { validateUserIdempotencyKey } from '../../../shared/idempotency';
import { readReferences, type ReferenceSpec } from './references';

export interface PreparedGeneration {
	itemIndex: number;
	model: RivyaModel;
	prompt: string;
	params: IDataObject;
	references: ReferenceSpec[];
	clientRequestId?: string;
	userIdempotencyKey?: string;
}

function inputError(context: IExecuteFunctions, itemIndex: number, problem: InputProblem) {
	return rivyaInputError(
		context.getNode(),
		`${itemLabel(itemIndex)}: ${problem.field}: ${problem.message}`,
		problem.fix,
		itemIndex,
	);
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/**
 * A model of another category than the Category field (e.g. Category changed to Video while the Model
 * still says Z-Image): named in the editor (Model Parameters) and before any paid call.
 */
export function categoryMismatch(model: RivyaModel, category: string): InputProblem | undefined {
	if (!category || model.category === category) return undefined;
	const name =
		model.display_name && model.display_name !== model.id
			? `${model.display_name} (${model.id})`
			: model.id;
	return {
		field: 'Model',
		message: `"${name}" is ${article(model.category)} ${model.category} model, but Category is "${category}"`,
		fix: `Pick ${article(category)} ${category} model in Model (the list shows the models of the chosen Category), or set Category back to "${model.category}".`,
	};
}

/** The "Additional Params (JSON)" escape hatch: an object, given as JSON text or an object. */
function readExtraParams(context: IExecuteFunctions, itemIndex: number, raw: unknown): IDataObject {
	if (raw === undefined || raw === null || raw === '') return {};
	let parsed: unknown = raw;
	if (typeof raw === 'string') {
		try {
			parsed = raw.trim() ? JSON.parse(raw) : {};
		} catch (error) {
			throw rivyaInputError(
				context.getNode(),
				`${itemLabel(itemIndex)}: Options > Additional Params (JSON) is not valid JSON (${(error as Error).message})`,
				'Enter a JSON object, e.g. {"seed": 42}.',
				itemIndex,
			);
		}
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw rivyaInputError(
			context.getNode(),
			`${itemLabel(itemIndex)}: Options > Additional Params (JSON) must be a JSON object`,
			'Enter a JSON object, e.g. {"seed": 42}.',
			itemIndex,
		);
	}
	return parsed as IDataObject;
}

/** Reads one item's inputs and checks them all; throws the first problem as a clear input error. */
export async function prepareGeneration(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<PreparedGeneration> {
	const category = this.getNodeParameter('category', itemIndex, 'image') as string;
	const modelId = String(
		this.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '',
	);
	const model = await getModel.call(this, modelId, itemIndex);
	const callable = modelCallableProblem(model);
	if (callable) throw inputError(this, itemIndex, callable);
	const mismatch = categoryMismatch(model, category);
	if (mismatch) throw inputError(this, itemIndex, mismatch);

	const prompt = String(this.getNodeParameter('prompt', itemIndex, '') ?? '');
	const promptIssue = promptProblem(model, prompt);
	if (promptIssue) throw inputError(this, itemIndex, promptIssue);

	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const formValues = (this.getNodeParameter('modelParams.value', itemIndex, {}) ??
		{}) as IDataObject;
	const extraParams = readExtraParams(this, itemIndex, options.additionalParams);
	const { params, problems } = buildModelParams(model, formValues, extraParams);
	if (problems.length > 0) throw inputError(this, itemIndex, problems[0]);

	const references = await readReferences.call(this, itemIndex);
	const referenceIssues = referenceProblems(model, references);
	if (referenceIssues.length > 0) throw inputError(this, itemIndex, referenceIssues[0]);
	if (references.length > 0 && params.referenceMediaItems !== undefined) {
		throw inputError(this, itemIndex, {
			field: 'Options > Additional Params (JSON)',
			message: 'referenceMediaItems is given both there and in Reference Media',
			fix: 'Use one of the two.',
		});
	}

	const clientRequestId = String(options.clientRequestId ?? '').trim();
	if (clientRequestId.length > MAX_CLIENT_REQUEST_ID_LENGTH) {
		throw inputError(this, itemIndex, {
			field: 'Options > Client Request ID',
			message: `is ${clientRequestId.length} characters long; Rivya allows at most ${MAX_CLIENT_REQUEST_ID_LENGTH}`,
			fix: 'Shorten the Client Request ID, or leave it empty. Nothing was submitted.',
		});
	}
	validateUserIdempotencyKey.call(this, options.idempotencyKey, itemIndex);
	return {
		itemIndex,
		model,
		prompt,
		params,
		references,
		clientRequestId: clientRequestId || undefined,
		userIdempotencyKey: String(options.idempotencyKey ?? '').trim() || undefined,
	};
}

/** The POST /generations body; reference items are added once the files are uploaded. */
export function generationBody(
	prepared: PreparedGeneration,
	referenceMediaItems: IDataObject[],
): IDataObject {
	const params: IDataObject = { ...prepared.params };
	if (referenceMediaItems.length > 0) params.referenceMediaItems = referenceMediaItems;
	return {
		model: prepared.model.id,
		...(prepared.prompt.trim() ? { prompt: prepared.prompt } : {}),
		params,
		...(prepared.clientRequestId ? { client_request_id: prepared.clientRequestId } : {}),
	};
}
