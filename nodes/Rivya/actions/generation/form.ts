import type { ResourceMapperField } from 'n8n-workflow';

import type { RivyaModelParam } from '../../../shared/catalog';
import { paramTypeOf } from '../../../shared/paramTypes';

/** "aspect_ratio" → "Aspect Ratio", "numFrames" → "Num Frames": the API key, readable. */
export function readableKey(key: string): string {
	return key
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.split(/[\s_\-.]+/)
		.filter(Boolean)
		.map((word) => word.charAt(0).toUpperCase() + word.slice(1))
		.join(' ');
}

/** A readable label plus what the catalog says about the value (range, unit, description). */
function labelOf(param: RivyaModelParam): string {
	const notes = paramTypeOf(param).labelNotes(param);
	if (param.description) notes.push(param.description);
	const label = readableKey(param.key) || param.key;
	return notes.length ? `${label} (${notes.join('; ')})` : label;
}

function defaultOf(param: RivyaModelParam, fieldType: string | undefined): string | number | null {
	if (param.default === undefined || param.default === null) return null;
	if (fieldType === 'number') {
		return typeof param.default === 'number' ? param.default : Number(param.default);
	}
	if (typeof param.default === 'object') return JSON.stringify(param.default);
	return String(param.default);
}

/** One form field per catalog param, as its type shows it (shared/paramTypes.ts). */
export function fieldForParam(param: RivyaModelParam): ResourceMapperField {
	const field = paramTypeOf(param).formField(param);
	return {
		id: param.key,
		displayName: labelOf(param),
		required: param.required === true,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		defaultValue: defaultOf(param, field.type),
		...field,
	};
}
