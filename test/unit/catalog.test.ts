import type { IDataObject } from 'n8n-workflow';

import {
	buildModelParams,
	coerceParamValue,
	isCallableMediaModel,
	isPromptOptional,
	modelCallableProblem,
	normalizeModel,
	promptProblem,
	referenceProblems,
	type RivyaModel,
} from '../../nodes/shared/catalog';
import { fieldForParam } from '../../nodes/Rivya/actions/generation/form';

const MB = 1024 * 1024;

// A fixed catalog in the wire shape (as GET /models answers), independent of the emulator's.
const wire: IDataObject[] = [
	{
		id: 'img-basic',
		display_name: 'Image Basic',
		category: 'image',
		runtime: 'async_task',
		base_credits: 2,
		max_prompt_length: 20,
		reference_media: null,
		api_status: 'available',
		supported_api_inputs: ['text'],
		params: [
			{
				key: 'aspect_ratio',
				type: 'select',
				required: false,
				default: '1:1',
				options: ['1:1', '16:9'],
			},
			{
				key: 'google_search',
				type: 'select',
				required: false,
				default: 'false',
				options: ['false', 'true'],
			},
			{
				key: 'guidance',
				type: 'number',
				required: false,
				default: 2.5,
				min: 1,
				max: 10,
				step: 0.1,
			},
			{ key: 'seed', type: 'number', required: false, default: null, min: 0, step: 1 },
			{ key: 'negative_prompt', type: 'text', required: false, default: null },
		],
		some_future_field: { anything: true },
	},
	{
		id: 'vid-refs',
		display_name: 'Video Refs',
		category: 'video',
		base_credits: 20,
		max_prompt_length: null,
		api_status: 'available',
		reference_media: {
			kinds: ['image', 'video'],
			max_files: 2,
			max_bytes: { image: 10 * MB, video: 50 * MB },
			mime_types: { image: ['image/png', 'image/jpeg'], video: ['video/mp4'] },
		},
		params: [],
	},
	{
		id: 'voice',
		display_name: 'Voice',
		category: 'audio',
		base_credits: 6,
		max_prompt_length: 5000,
		api_status: 'available',
		reference_media: null,
		params: [
			{ key: 'voice', type: 'select', required: true, default: 'v1', options: ['v1', 'v2'] },
		],
	},
	{
		id: 'dialogue',
		display_name: 'Dialogue',
		category: 'audio',
		base_credits: 14,
		max_prompt_length: 5000,
		api_status: 'available',
		reference_media: null,
		notices: ['prompt is optional; params.dialogue is required.'],
		params: [
			{
				key: 'dialogue',
				type: 'array',
				required: true,
				default: [],
				description: '[{voice, text}]',
			},
		],
	},
	{
		id: 'soon',
		display_name: 'Soon',
		category: 'video',
		base_credits: 1,
		api_status: 'coming_soon',
		params: [],
	},
	{
		id: 'studio',
		display_name: 'Studio',
		category: 'image',
		base_credits: 1,
		api_status: 'studio_only',
		params: [],
	},
	{
		id: 'chatty',
		display_name: 'Chatty',
		category: 'chat',
		base_credits: 1,
		api_status: 'available',
		params: [],
	},
];
const catalog = new Map(wire.map((raw) => [String(raw.id), normalizeModel(raw)]));
const model = (id: string): RivyaModel => catalog.get(id)!;

describe('normalizeModel', () => {
	it('keeps unknown fields and fills missing optional ones', () => {
		const soon = model('soon');
		expect(soon.max_prompt_length).toBeNull();
		expect(soon.reference_media).toBeNull();
		expect(model('img-basic').some_future_field).toEqual({ anything: true });
	});
});

describe('callable models', () => {
	it('accepts available media models only, with a reason for the others', () => {
		expect(isCallableMediaModel(model('img-basic'))).toBe(true);
		expect(modelCallableProblem(model('img-basic'))).toBeUndefined();
		expect(modelCallableProblem(model('soon'))?.message).toMatch(/coming soon/);
		expect(modelCallableProblem(model('studio'))?.message).toMatch(
			/only available in Rivya Studio/,
		);
		expect(modelCallableProblem(model('chatty'))?.message).toMatch(/chat model/);
		for (const id of ['soon', 'studio', 'chatty'])
			expect(isCallableMediaModel(model(id))).toBe(false);
	});
});

describe('promptProblem', () => {
	it('requires a prompt unless the model marks it optional', () => {
		expect(promptProblem(model('img-basic'), '  ')?.field).toBe('Prompt');
		expect(isPromptOptional(model('dialogue'))).toBe(true);
		expect(promptProblem(model('dialogue'), '')).toBeUndefined();
	});

	it('enforces max_prompt_length and names the limit', () => {
		expect(promptProblem(model('img-basic'), 'x'.repeat(20))).toBeUndefined();
		expect(promptProblem(model('img-basic'), 'x'.repeat(21))?.message).toMatch(
			/21 characters.*at most 20/,
		);
		expect(promptProblem(model('vid-refs'), 'x'.repeat(100_000))).toBeUndefined();
	});
});

describe('coerceParamValue', () => {
	const [aspect, , guidance, seed] = model('img-basic').params;

	it('sends select values as strings and rejects values outside the options', () => {
		expect(coerceParamValue(aspect, '16:9')).toEqual({ value: '16:9' });
		const bad = coerceParamValue(aspect, '4:3');
		expect('problem' in bad && bad.problem.fix).toBe('Use one of: 1:1, 16:9.');
	});

	it('sends numbers as numbers and checks range and step', () => {
		expect(coerceParamValue(guidance, '2.7')).toEqual({ value: 2.7 });
		expect(coerceParamValue(guidance, 10)).toEqual({ value: 10 });
		expect('problem' in coerceParamValue(guidance, 10.5)).toBe(true);
		expect('problem' in coerceParamValue(guidance, 0.5)).toBe(true);
		expect('problem' in coerceParamValue(guidance, 2.55)).toBe(true);
		expect('problem' in coerceParamValue(seed, 1.5)).toBe(true);
		expect('problem' in coerceParamValue(seed, 'abc')).toBe(true);
		expect(coerceParamValue(seed, 2147483647)).toEqual({ value: 2147483647 });
	});

	it('parses array params given as JSON text', () => {
		const [dialogue] = model('dialogue').params;
		expect(coerceParamValue(dialogue, '[{"voice":"Adam","text":"Hi"}]')).toEqual({
			value: [{ voice: 'Adam', text: 'Hi' }],
		});
		expect('problem' in coerceParamValue(dialogue, '{"voice":"Adam"}')).toBe(true);
	});
});

describe('buildModelParams', () => {
	it('keeps only filled form values, coerced, and merges the JSON escape hatch over them', () => {
		const { params, problems } = buildModelParams(
			model('img-basic'),
			{ aspect_ratio: '16:9', google_search: true as unknown as string, guidance: '', seed: 7 },
			{ aspect_ratio: '1:1', brand_new_param: { x: 1 } },
		);
		expect(problems).toEqual([]);
		expect(params).toEqual({
			aspect_ratio: '1:1',
			google_search: 'true',
			seed: 7,
			brand_new_param: { x: 1 },
		});
	});

	it('refuses unknown keys in the form (they belong in the JSON escape hatch)', () => {
		const { problems } = buildModelParams(model('img-basic'), { sharpness: 3 }, {});
		expect(problems[0].field).toBe('Model Parameters > sharpness');
		expect(problems[0].fix).toMatch(/Additional Params \(JSON\)/);
	});

	it('checks known keys given through the JSON too', () => {
		const { problems } = buildModelParams(model('img-basic'), {}, { guidance: 99 });
		expect(problems[0].field).toBe('Additional Params (JSON) > guidance');
	});

	it('fills a required param from its default, and reports one that has none', () => {
		expect(buildModelParams(model('voice'), {}, {})).toEqual({
			params: { voice: 'v1' },
			problems: [],
		});
		const { problems } = buildModelParams(model('dialogue'), {}, {});
		expect(problems[0].message).toMatch(/requires the parameter dialogue/);
		expect(
			buildModelParams(model('dialogue'), {}, { dialogue: [{ voice: 'Adam', text: 'Hi' }] })
				.problems,
		).toEqual([]);
	});
});

describe('referenceProblems', () => {
	const png = (sizeBytes: number) => ({
		label: 'ref',
		kind: 'image' as const,
		mimeType: 'image/png',
		sizeBytes,
	});

	it('refuses references for a model without reference media', () => {
		expect(referenceProblems(model('img-basic'), [png(10)])[0].message).toMatch(
			/does not accept reference media/,
		);
		expect(referenceProblems(model('img-basic'), [])).toEqual([]);
	});

	it('checks count, kind, mime type and size', () => {
		const refs = model('vid-refs');
		expect(
			referenceProblems(refs, [
				png(MB),
				{ label: 'v', kind: 'video', mimeType: 'video/mp4', sizeBytes: 40 * MB },
			]),
		).toEqual([]);
		expect(referenceProblems(refs, [png(1), png(1), png(1)])[0].message).toMatch(
			/3 reference files.*at most 2/,
		);
		expect(
			referenceProblems(refs, [{ label: 'a', kind: 'audio', mimeType: 'audio/mpeg' }])[0].message,
		).toMatch(/accepts image and video/);
		expect(referenceProblems(refs, [{ ...png(1), mimeType: 'image/webp' }])[0].fix).toMatch(
			/image\/png, image\/jpeg/,
		);
		expect(referenceProblems(refs, [png(11 * MB)])[0].message).toMatch(/11 MB.*up to 10 MB/);
		// A URL's size is unknown: not refused for that.
		expect(referenceProblems(refs, [{ label: 'url', kind: 'image' }])).toEqual([]);
	});
});

describe('model params form', () => {
	it('maps select to options with string values, numbers with their range in the label, arrays to JSON text', () => {
		const [aspect, toggle, guidance] = model('img-basic').params;
		expect(fieldForParam(aspect)).toMatchObject({
			id: 'aspect_ratio',
			type: 'options',
			defaultValue: '1:1',
			required: false,
			options: [
				{ name: '1:1', value: '1:1' },
				{ name: '16:9', value: '16:9' },
			],
		});
		expect(fieldForParam(toggle).defaultValue).toBe('false');
		expect(fieldForParam(guidance)).toMatchObject({ type: 'number', defaultValue: 2.5 });
		expect(fieldForParam(guidance).displayName).toBe('Guidance (between 1 and 10 in steps of 0.1)');
		const [dialogue] = model('dialogue').params;
		expect(fieldForParam(dialogue)).toMatchObject({
			type: 'string',
			required: true,
			defaultValue: '[]',
		});
		expect(fieldForParam(model('voice').params[0]).required).toBe(true);
	});
});

describe('hostile or sloppy params', () => {
	it.each(['__proto__', 'constructor', 'prototype'])(
		'"%s" in Additional Params is an input error naming the field, not a silently dropped key',
		(key) => {
			const extra = JSON.parse(`{"${key}": {"dialogue": [{"voice": "Adam", "text": "Hi"}]}}`);
			const { params, problems } = buildModelParams(model('dialogue'), {}, extra);
			expect(problems.map((problem) => problem.field)).toContain(
				`Additional Params (JSON) > ${key}`,
			);
			expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
			// The required-param check is not fooled by an inherited value either.
			expect(
				problems.some((problem) => /requires the parameter dialogue/.test(problem.message)),
			).toBe(true);
		},
	);

	it('parses numbers strictly as decimals: blank, hex, binary and Infinity are errors', () => {
		const seed = model('img-basic').params.find((param) => param.key === 'seed')!;
		for (const bad of [' ', '0x10', '0b1', '0o7', 'Infinity', '1_000', '12abc']) {
			expect(coerceParamValue(seed, bad)).toHaveProperty('problem');
		}
		expect(coerceParamValue(seed, '16')).toEqual({ value: 16 });
		expect(coerceParamValue(seed, ' 42 ')).toEqual({ value: 42 });
		expect(buildModelParams(model('img-basic'), {}, { seed: '0x10' }).problems[0].field).toBe(
			'Additional Params (JSON) > seed',
		);
		expect(buildModelParams(model('img-basic'), { seed: '   ' }, {}).problems[0].field).toBe(
			'Model Parameters > seed',
		);
	});
});
