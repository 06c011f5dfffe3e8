import type { ResourceMapperField } from 'n8n-workflow';

import { describeRange, type RivyaModelParam } from '../../../shared/catalog';

function labelOf(param: RivyaModelParam): string {
	const notes: string[] = [];
	if (param.type === 'number') {
		const range = describeRange(param);
		if (range) notes.push(range);
	}
	if (param.type === 'array') notes.push('JSON array');
	if (param.description) notes.push(param.description);
	return notes.length ? `${param.key} (${notes.join('; ')})` : param.key;
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
