import type { ResourceMapperField } from 'n8n-workflow';

import { describeRange, type RivyaModelParam } from '../../../shared/catalog';

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
	const notes: string[] = [];
	if (param.type === 'number') {
		const range = describeRange(param);
		if (range) notes.push(range);
	}
	if (param.type === 'array') notes.push('JSON array');
	if (param.description) notes.push(param.description);
	const label = readableKey(param.key) || param.key;
	return notes.length ? `${label} (${notes.join('; ')})` : label;
}

function defaultOf(param: RivyaModelParam): string | number | null {
	if (param.default === undefined || param.default === null) return null;
	if (param.type === 'number') {
		return typeof param.default === 'number' ? param.default : Number(param.default);
	}
	if (typeof param.default === 'object') return JSON.stringify(param.default);
	return String(param.default);
}

/** One form field per catalog param: select → options (string values), number, text, array → JSON text. */
export function fieldForParam(param: RivyaModelParam): ResourceMapperField {
	const base = {
		id: param.key,
		displayName: labelOf(param),
		required: param.required === true,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		defaultValue: defaultOf(param),
	};
	if (param.type === 'select' && Array.isArray(param.options)) {
		return {
			...base,
			type: 'options',
			options: param.options.map((option) => ({ name: String(option), value: String(option) })),
		};
	}
	if (param.type === 'number') return { ...base, type: 'number' };
	return { ...base, type: 'string' };
}
