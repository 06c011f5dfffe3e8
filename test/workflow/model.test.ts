// Model resource through n8n's real engine against the Rivya emulator's catalog.
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator';
import { chain, runWorkflow, startNode, type TestNode } from './harness';

let emulator: EmulatorHandle;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
});

afterAll(async () => {
	await emulator?.close();
});

async function runModelNode(parameters: IDataObject, extra: Partial<TestNode> = {}) {
	const node: TestNode = {
		name: 'Rivya',
		type: 'n8n-nodes-rivya.rivya',
		parameters: { resource: 'model', ...parameters },
		...extra,
	};
	return await runWorkflow({
		nodes: [startNode(), node],
		connections: chain('Start', 'Rivya'),
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
	});
}

describe('Model > Get Many', () => {
	it('returns every model of the catalog as simplified items', async () => {
		const result = await runModelNode({ operation: 'getAll', returnAll: true });
		expect(result.error).toBeUndefined();
		const models = result.outputOf('Rivya').map((item) => item.json);
		const ids = models.map((model) => model.id);
		expect(ids).toEqual(
			expect.arrayContaining(['z-image', 'nano-banana-2', 'gpt-5-2-chat', 'veo4-preview']),
		);
		const nano = models.find((model) => model.id === 'nano-banana-2')!;
		expect(nano).toMatchObject({
			name: 'Nano Banana 2',
			category: 'image',
			apiStatus: 'available',
			baseCredits: 5,
			maxPromptLength: 20000,
			referenceKinds: ['image'],
			maxReferenceFiles: 14,
		});
		expect(nano.params).toEqual(['aspect_ratio', 'resolution', 'output_format', 'google_search']);
		expect(result.outputOf('Rivya').every((item) => item.pairedItem !== undefined)).toBe(true);
	});

	it('filters by category, API status and input kind', async () => {
		const result = await runModelNode({
			operation: 'getAll',
			returnAll: true,
			filters: { category: 'video', apiStatus: 'available', inputKind: 'file' },
		});
		const models = result.outputOf('Rivya').map((item) => item.json);
		expect(models.length).toBeGreaterThan(3);
		for (const model of models) {
			expect(model.category).toBe('video');
			expect(model.apiStatus).toBe('available');
			expect(model.inputs).toContain('file');
		}
		expect(models.map((model) => model.id)).not.toContain('veo4-preview');

		const soon = await runModelNode({
			operation: 'getAll',
			returnAll: true,
			filters: { apiStatus: 'coming_soon' },
		});
		expect(soon.outputOf('Rivya').map((item) => item.json.id)).toEqual(['veo4-preview']);
	});

	it('stops at the limit and returns raw catalog entries with Simplify off', async () => {
		const result = await runModelNode({ operation: 'getAll', limit: 3, simplify: false });
		const models = result.outputOf('Rivya').map((item) => item.json);
		expect(models).toHaveLength(3);
		expect(models[0]).toHaveProperty('display_name');
		expect(models[0]).toHaveProperty('params');
		expect(models[0]).toHaveProperty('api_input_status');
	});
});

describe('Model > Get', () => {
	it('gets one model by ID', async () => {
		const result = await runModelNode({
			operation: 'get',
			model: { __rl: true, mode: 'id', value: 'kling-3-0' },
			simplify: false,
		});
		const [model] = result.outputOf('Rivya').map((item) => item.json);
		expect(model.id).toBe('kling-3-0');
		expect((model.params as IDataObject[]).map((param) => param.key)).toContain('multi_shots');
	});

	it('names the field and the fix for an unknown model', async () => {
		const result = await runModelNode({
			operation: 'get',
			model: { __rl: true, mode: 'id', value: 'no-such-model' },
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/Item 1: the model "no-such-model" is not in Rivya's catalog/,
		);
		expect(result.error?.description).toMatch(/Model/);
	});

	it('gives an error item with Continue On Fail', async () => {
		const result = await runModelNode(
			{ operation: 'get', model: { __rl: true, mode: 'id', value: 'nope' } },
			{ onError: 'continueRegularOutput' },
		);
		const [item] = result.outputOf('Rivya');
		expect(String(item.json.error)).toContain('nope');
		expect(item.pairedItem).toEqual({ item: 0 });
	});
});
