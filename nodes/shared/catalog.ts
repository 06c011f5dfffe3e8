/**
 * Rivya's model catalog (GET /models) and the checks made against it before any paid call.
 *
 * The catalog is live: models, params and limits come from Rivya, never from a list in this package,
 * so a new model or param works without a node release. Unknown fields are ignored; missing optional
 * fields are tolerated, as the live API may differ from the documented shape.
 */
import type { IDataObject } from 'n8n-workflow';

import { itemLabel, rivyaInputError } from './errors';
import { rivyaRequest, type RivyaContext } from './transport';

export type MediaKind = 'image' | 'video' | 'audio';
export type ModelCategory = 'chat' | MediaKind;
export const MEDIA_KINDS: MediaKind[] = ['image', 'video', 'audio'];

export interface RivyaModelParam {
	key: string;
	type: 'select' | 'text' | 'number' | 'array' | string;
	required?: boolean;
	default?: unknown;
	options?: string[];
	min?: number;
	max?: number;
	step?: number;
	description?: string;
}

export interface RivyaReferenceMedia {
	kinds: MediaKind[];
	max_files?: number;
	max_bytes?: Partial<Record<MediaKind, number>>;
	mime_types?: Partial<Record<MediaKind, string[]>>;
}

export interface RivyaModel {
	id: string;
	display_name: string;
	category: ModelCategory;
	runtime?: string;
	base_credits: number;
	billing_type?: string;
	supported_modes?: string[];
	max_prompt_length: number | null;
	reference_media: RivyaReferenceMedia | null;
	params: RivyaModelParam[];
	api_status: 'available' | 'coming_soon' | 'studio_only' | string;
	api_input_status?: string;
	supported_api_inputs?: string[];
	requires_files_api?: boolean;
	url_input_supported?: boolean;
	file_kinds?: string[];
	chat_capabilities: IDataObject | null;
	notices?: string[];
	[key: string]: unknown;
}

/** Reads one model from the wire, filling what a partial answer leaves out. */
export function normalizeModel(raw: IDataObject): RivyaModel {
	const params = Array.isArray(raw.params) ? (raw.params as unknown as RivyaModelParam[]) : [];
	return {
		...raw,
		id: String(raw.id),
		display_name: typeof raw.display_name === 'string' ? raw.display_name : String(raw.id),
		category: String(raw.category ?? '') as ModelCategory,
		base_credits: Number(raw.base_credits ?? 0) || 0,
		max_prompt_length: typeof raw.max_prompt_length === 'number' ? raw.max_prompt_length : null,
		reference_media:
			raw.reference_media && typeof raw.reference_media === 'object'
				? (raw.reference_media as unknown as RivyaReferenceMedia)
				: null,
		params: params.filter((param) => param && typeof param.key === 'string'),
		api_status: String(raw.api_status ?? 'available'),
		chat_capabilities: (raw.chat_capabilities as IDataObject | null) ?? null,
	};
}

// One catalog request per execution (or per list search): the context object lives that long.
const catalogCache = new WeakMap<object, Promise<RivyaModel[]>>();

/** GET /models (public), cached for the calling context. */
export async function fetchModels(this: RivyaContext): Promise<RivyaModel[]> {
	let pending = catalogCache.get(this);
	if (!pending) {
		pending = rivyaRequest
			.call(this, { method: 'GET', path: '/models' })
			.then((body) =>
				(Array.isArray(body.data) ? (body.data as IDataObject[]) : []).map(normalizeModel),
			);
		catalogCache.set(this, pending);
		// A failed lookup must not stick: the next call asks again.
		pending.catch(() => catalogCache.delete(this));
	}
	return await pending;
}

/** One model by id; a clear error naming the field when Rivya does not know it. */
export async function getModel(
	this: RivyaContext,
	modelId: string,
	itemIndex?: number,
): Promise<RivyaModel> {
	const id = modelId.trim();
	if (!id) {
		throw rivyaInputError(
			this.getNode(),
			`${itemPrefix(itemIndex)}no model chosen`,
			'Pick a model in the "Model" field (from the list, or enter its ID).',
			itemIndex,
		);
	}
	const model = (await fetchModels.call(this)).find((candidate) => candidate.id === id);
	if (!model) {
		throw rivyaInputError(
			this.getNode(),
			`${itemPrefix(itemIndex)}the model "${id}" is not in Rivya's catalog`,
			'Pick a model from the "Model" list, or check the spelling of the ID (Model > Get Many lists them all).',
			itemIndex,
		);
	}
	return model;
}

function itemPrefix(itemIndex?: number): string {
	return itemIndex === undefined ? '' : `${itemLabel(itemIndex)}: `;
}

/** A problem found before calling Rivya: the field, what is wrong and how to fix it. */
export interface InputProblem {
	field: string;
	message: string;
	fix: string;
}

export function isCallableMediaModel(model: RivyaModel): boolean {
	return model.api_status === 'available' && model.category !== 'chat';
}

/** Why a model cannot be used for a generation, or undefined when it can. */
export function modelCallableProblem(model: RivyaModel): InputProblem | undefined {
	const field = 'Model';
	if (model.category === 'chat') {
		return {
			field,
			message: `"${model.id}" is a chat model and cannot create generations`,
			fix: 'Use Chat > Send Message for chat models, or pick an image, video or audio model here.',
		};
	}
	if (model.api_status === 'coming_soon') {
		return {
			field,
			message: `"${model.id}" is not callable through the API yet (coming soon)`,
			fix: 'Pick another model; this one will appear in the list when Rivya opens it to the API.',
		};
	}
	if (model.api_status === 'studio_only') {
		return {
			field,
			message: `"${model.id}" is only available in Rivya Studio`,
			fix: 'Pick a model that is available through the API (the "Model" list shows only those).',
		};
	}
	if (model.api_status !== 'available') {
		return {
			field,
			message: `"${model.id}" has API status "${model.api_status}"`,
			fix: 'Pick a model whose API status is "available".',
		};
	}
	return undefined;
}

/**
 * Whether the model runs without a prompt (param-only models such as a dialogue built from
 * `params.dialogue`). The catalog has no field for it, so this reads an explicit flag when Rivya
 * sends one and otherwise the model's notices.
 */
export function isPromptOptional(model: RivyaModel): boolean {
	if (model.prompt_required === false || model.prompt_optional === true) return true;
	return (model.notices ?? []).some((notice) => /prompt is optional/i.test(String(notice)));
}

export function promptProblem(model: RivyaModel, prompt: string): InputProblem | undefined {
	if (!prompt.trim()) {
		if (isPromptOptional(model)) return undefined;
		return {
			field: 'Prompt',
			message: `a prompt is required for "${model.id}"`,
			fix: 'Enter a prompt, or map one from the input item, e.g. {{ $json.prompt }}.',
		};
	}
	if (model.max_prompt_length !== null && prompt.length > model.max_prompt_length) {
		return {
			field: 'Prompt',
			message: `the prompt has ${prompt.length} characters; "${model.id}" accepts at most ${model.max_prompt_length}`,
			fix: `Shorten the prompt to ${model.max_prompt_length} characters or fewer, or pick a model with a longer limit.`,
		};
	}
	return undefined;
}

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/** Decimal-safe "value is a multiple of step from base". */
function isOnStep(value: number, step: number, base: number): boolean {
	const steps = (value - base) / step;
	return Math.abs(steps - Math.round(steps)) < 1e-9;
}

const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Keys that would change the params object's prototype instead of becoming a param. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Coerces one param value to what Rivya expects: select values travel as strings, numbers as JSON
 * numbers, arrays as arrays (a JSON string is parsed). Returns the problem instead when it cannot.
 */
export function coerceParamValue(
	param: RivyaModelParam,
	value: unknown,
): { value: unknown } | { problem: InputProblem } {
	const field = `Model Parameters > ${param.key}`;
	switch (param.type) {
		case 'select': {
			const text = typeof value === 'string' ? value : String(value);
			if (param.options?.length && !param.options.includes(text)) {
				return {
					problem: {
						field,
						message: `"${text}" is not an allowed value of ${param.key}`,
						fix: `Use one of: ${param.options.join(', ')}.`,
					},
				};
			}
			return { value: text };
		}
		case 'number': {
			// Decimal only: Number() would read "" or " " as 0 and "0x10" as 16.
			const text = typeof value === 'number' ? '' : String(value).trim();
			const number =
				typeof value === 'number' ? value : DECIMAL_NUMBER.test(text) ? Number(text) : NaN;
			if (!Number.isFinite(number)) {
				return {
					problem: { field, message: `"${String(value)}" is not a number`, fix: 'Enter a number.' },
				};
			}
			const range = describeRange(param);
			if (
				(typeof param.min === 'number' && number < param.min) ||
				(typeof param.max === 'number' && number > param.max)
			) {
				return {
					problem: { field, message: `${number} is out of range`, fix: `Use a number ${range}.` },
				};
			}
			if (typeof param.step === 'number' && param.step > 0) {
				if (!isOnStep(number, param.step, param.min ?? 0)) {
					return {
						problem: {
							field,
							message: `${number} is not a multiple of the step ${param.step}`,
							fix: `Use a number ${range}.`,
						},
					};
				}
			}
			return { value: number };
		}
		case 'array': {
			if (Array.isArray(value)) return { value };
			try {
				const parsed: unknown = JSON.parse(String(value));
				if (Array.isArray(parsed)) return { value: parsed };
			} catch {
				// Reported below.
			}
			return {
				problem: {
					field,
					message: `${param.key} must be a JSON array`,
					fix: `Enter a JSON array, e.g. [{"voice": "Adam", "text": "Hello"}]${param.description ? ` (${param.description})` : ''}.`,
				},
			};
		}
		default:
			return { value: typeof value === 'string' ? value : String(value) };
	}
}

/** "between 1 and 10 in steps of 0.1", for field labels and fixes. */
export function describeRange(param: RivyaModelParam): string {
	const parts: string[] = [];
	if (typeof param.min === 'number' && typeof param.max === 'number') {
		parts.push(`between ${param.min} and ${param.max}`);
	} else if (typeof param.min === 'number') {
		parts.push(`of at least ${param.min}`);
	} else if (typeof param.max === 'number') {
		parts.push(`of at most ${param.max}`);
	}
	if (typeof param.step === 'number' && param.step > 0) parts.push(`in steps of ${param.step}`);
	return parts.join(' ');
}

/**
 * Builds the `params` object from the form (checked against the catalog; only the model's own keys)
 * and the JSON escape hatch (merged over the form; any key allowed, values passed as given, because
 * Rivya may accept params the catalog does not list yet). Required params left empty take their
 * catalog default when there is one.
 */
export function buildModelParams(
	model: RivyaModel,
	formValues: IDataObject,
	extraParams: IDataObject,
): { params: IDataObject; problems: InputProblem[] } {
	const problems: InputProblem[] = [];
	const params: IDataObject = {};
	const byKey = new Map(model.params.map((param) => [param.key, param]));

	for (const [key, value] of Object.entries(formValues)) {
		if (isBlank(value)) continue;
		const param = byKey.get(key);
		if (!param) {
			problems.push({
				field: `Model Parameters > ${key}`,
				message: `"${model.id}" has no parameter "${key}"`,
				fix: `Remove it from the form (refresh the field list after changing the model), or send it through "Additional Params (JSON)" if Rivya accepts it. Known parameters: ${[...byKey.keys()].join(', ') || 'none'}.`,
			});
			continue;
		}
		const coerced = coerceParamValue(param, value);
		if ('problem' in coerced) problems.push(coerced.problem);
		else params[key] = coerced.value as IDataObject[keyof IDataObject];
	}

	for (const [key, value] of Object.entries(extraParams)) {
		if (UNSAFE_KEYS.has(key)) {
			problems.push({
				field: `Additional Params (JSON) > ${key}`,
				message: `"${key}" cannot be a parameter name`,
				fix: `Remove "${key}" from Additional Params (JSON); put each parameter at the top level of the object, e.g. {"seed": 42}.`,
			});
			continue;
		}
		const param = byKey.get(key);
		if (param && !isBlank(value)) {
			// Known keys are still checked, so a typo in the JSON is caught before paying.
			const coerced = coerceParamValue(param, value);
			if ('problem' in coerced) {
				problems.push({ ...coerced.problem, field: `Additional Params (JSON) > ${key}` });
				continue;
			}
			params[key] = coerced.value as IDataObject[keyof IDataObject];
		} else {
			params[key] = value;
		}
	}

	for (const param of model.params) {
		if (!param.required || !isBlank(params[param.key])) continue;
		if (Array.isArray(param.default) ? param.default.length > 0 : !isBlank(param.default)) {
			const coerced = coerceParamValue(param, param.default);
			if ('value' in coerced) {
				params[param.key] = coerced.value as IDataObject[keyof IDataObject];
				continue;
			}
		}
		problems.push({
			field: `Model Parameters > ${param.key}`,
			message: `"${model.id}" requires the parameter ${param.key}`,
			fix: `Set ${param.key} in "Model Parameters"${param.description ? ` (${param.description})` : ''}.`,
		});
	}
	return { params, problems };
}

/** A reference file or URL as the pre-check sees it (size and mime type may be unknown for URLs). */
export interface ReferenceCandidate {
	/** Where it came from, for messages: e.g. 'binary property "data"' or 'URL https://…'. */
	label: string;
	kind: MediaKind;
	mimeType?: string;
	sizeBytes?: number;
}

function formatMegabytes(bytes: number): string {
	return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/** Checks reference media against the model's `reference_media` limits (kinds, count, mime, size). */
export function referenceProblems(
	model: RivyaModel,
	references: ReferenceCandidate[],
): InputProblem[] {
	if (references.length === 0) return [];
	const field = 'Reference Media';
	const limits = model.reference_media;
	if (!limits || !Array.isArray(limits.kinds) || limits.kinds.length === 0) {
		return [
			{
				field,
				message: `"${model.id}" does not accept reference media`,
				fix: 'Remove the reference media, or pick a model that accepts files (Model > Get Many with Input Kind "File").',
			},
		];
	}
	const problems: InputProblem[] = [];
	if (typeof limits.max_files === 'number' && references.length > limits.max_files) {
		problems.push({
			field,
			message: `${references.length} reference files given; "${model.id}" accepts at most ${limits.max_files}`,
			fix: `Send at most ${limits.max_files} reference files.`,
		});
	}
	for (const reference of references) {
		if (!limits.kinds.includes(reference.kind)) {
			problems.push({
				field,
				message: `${reference.label} is ${reference.kind === 'image' ? 'an' : 'a'} ${reference.kind}; "${model.id}" accepts ${limits.kinds.join(' and ')} references`,
				fix: `Use ${limits.kinds.join(' or ')} files, or pick another model.`,
			});
			continue;
		}
		const allowedMimes = limits.mime_types?.[reference.kind];
		if (
			reference.mimeType &&
			Array.isArray(allowedMimes) &&
			allowedMimes.length > 0 &&
			!allowedMimes.includes(reference.mimeType.toLowerCase())
		) {
			problems.push({
				field,
				message: `${reference.label} has type ${reference.mimeType}, which "${model.id}" does not accept`,
				fix: `Convert it to one of: ${allowedMimes.join(', ')}.`,
			});
		}
		const maxBytes = limits.max_bytes?.[reference.kind];
		if (
			typeof reference.sizeBytes === 'number' &&
			typeof maxBytes === 'number' &&
			reference.sizeBytes > maxBytes
		) {
			problems.push({
				field,
				message: `${reference.label} is ${formatMegabytes(reference.sizeBytes)}; "${model.id}" accepts ${reference.kind} references up to ${formatMegabytes(maxBytes)}`,
				fix: 'Compress or shorten the file, or pick a model with a larger limit.',
			});
		}
	}
	return problems;
}
