/**
 * The checks made against a catalog model before any paid call: is the model callable, the prompt, the
 * params (coerced to what Rivya expects) and the reference media. Each returns the problems it finds,
 * naming the field and the fix; the caller turns them into errors.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RivyaModel } from './catalog';
import { formatMegabytes, type MediaKind } from './media';
import { coerceParamValue } from './paramTypes';

/** A problem found before calling Rivya: the field, what is wrong and how to fix it. */
export interface InputProblem {
	field: string;
	message: string;
	fix: string;
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

/** Keys that would change the params object's prototype instead of becoming a param. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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
