/**
 * Rivya's model catalog (GET /models): the models, their params and limits (the checks made against
 * it before a paid call are in inputChecks.ts).
 *
 * The catalog is live: models, params and limits come from Rivya, never from a list in this package,
 * so a new model or param works without a node release. Unknown fields are ignored; missing optional
 * fields are tolerated, as the live API may differ from the documented shape.
 */
import type { IDataObject } from 'n8n-workflow';

import { itemLabel, rivyaInputError } from './errors';
import type { MediaKind } from './media';
import { rivyaRequest, type RivyaContext } from './transport';

export type ModelCategory = 'chat' | MediaKind;

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

export function isCallableMediaModel(model: RivyaModel): boolean {
	return model.api_status === 'available' && model.category !== 'chat';
}
