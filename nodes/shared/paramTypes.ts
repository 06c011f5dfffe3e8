/**
 * The catalog's param types (select, number, array, text): for each, how the Model Parameters form shows
 * it and how a value is coerced to what Rivya expects. A new param type is one entry in PARAM_TYPES;
 * a type Rivya adds before this package knows it is treated as text.
 */
import type { ResourceMapperField } from 'n8n-workflow';

import type { RivyaModelParam } from './catalog';
import type { InputProblem } from './inputChecks';

export type CoercedParam = { value: unknown } | { problem: InputProblem };

export interface ParamType {
	/** The form field's type (and options, for a pick list). */
	formField(param: RivyaModelParam): Pick<ResourceMapperField, 'type' | 'options'>;
	/** What the field's label says about the value besides the param's description, e.g. its range. */
	labelNotes(param: RivyaModelParam): string[];
	/** The value as Rivya expects it, or the problem with it (`field` names it in messages). */
	coerce(param: RivyaModelParam, value: unknown, field: string): CoercedParam;
}

/** Decimal-safe "value is a multiple of step from base". */
function isOnStep(value: number, step: number, base: number): boolean {
	const steps = (value - base) / step;
	return Math.abs(steps - Math.round(steps)) < 1e-9;
}

const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

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

const text: ParamType = {
	formField: () => ({ type: 'string' }),
	labelNotes: () => [],
	coerce: (_param, value) => ({ value: typeof value === 'string' ? value : String(value) }),
};

/** Select values travel as strings, numbers as JSON numbers, arrays as arrays (a JSON string is parsed). */
export const PARAM_TYPES: Record<string, ParamType> = {
	select: {
		formField: (param) =>
			Array.isArray(param.options)
				? {
						type: 'options',
						options: param.options.map((option) => ({
							name: String(option),
							value: String(option),
						})),
					}
				: { type: 'string' },
		labelNotes: () => [],
		coerce(param, value, field) {
			const chosen = typeof value === 'string' ? value : String(value);
			if (param.options?.length && !param.options.includes(chosen)) {
				return {
					problem: {
						field,
						message: `"${chosen}" is not an allowed value of ${param.key}`,
						fix: `Use one of: ${param.options.join(', ')}.`,
					},
				};
			}
			return { value: chosen };
		},
	},
	number: {
		formField: () => ({ type: 'number' }),
		labelNotes: (param) => {
			const range = describeRange(param);
			return range ? [range] : [];
		},
		coerce(param, value, field) {
			// Decimal only: Number() would read "" or " " as 0 and "0x10" as 16.
			const typed = typeof value === 'number' ? '' : String(value).trim();
			const number =
				typeof value === 'number' ? value : DECIMAL_NUMBER.test(typed) ? Number(typed) : NaN;
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
		},
	},
	array: {
		formField: () => ({ type: 'string' }),
		labelNotes: () => ['JSON array'],
		coerce(param, value, field) {
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
		},
	},
	text,
};

/** The param's type; text for one this package does not know yet. */
export function paramTypeOf(param: RivyaModelParam): ParamType {
	return Object.prototype.hasOwnProperty.call(PARAM_TYPES, param.type)
		? PARAM_TYPES[param.type]
		: text;
}

/** Coerces one param value to what Rivya expects; the problem instead when it cannot. */
export function coerceParamValue(param: RivyaModelParam, value: unknown): CoercedParam {
	return paramTypeOf(param).coerce(param, value, `Model Parameters > ${param.key}`);
}
