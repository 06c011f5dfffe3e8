/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
// Generation resource through n8n's real engine against the Rivya emulator: batches submitted and
// polled together, results into binary data (both binary modes), references, cancel, timeouts,
// failed jobs, the checks made before paying, and faults that must never cost a second task.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { generateMedia } from '../emulator/generations/media';
import {
	binaryFilePath,
	chain,
	readBinary,
	runWorkflow,
	startNode,
	startWorkflow,
	type RunWorkflowOptions,
	type TestNode,
} from './harness';
import { useEmulatorPerFile } from './emulator-fixture';
import { generationCreateNode } from './rivya-nodes';

const JOB_MS = 300;
const fixture = useEmulatorPerFile({ defaultJobMs: JOB_MS }, 'reset');

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CREATE = 'POST /api/v1/generations';

function rivyaNode(name: string, parameters: IDataObject, extra: Partial<TestNode> = {}): TestNode {
	return {
		name,
		type: 'n8n-nodes-rivya.rivya',
		parameters: { resource: 'generation', ...parameters },
		...extra,
	};
}

function modelParams(value: IDataObject): IDataObject {
	return {
		mappingMode: 'defineBelow',
		value,
		matchingColumns: [],
		schema: [],
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

const prompts = (count: number) =>
	Array.from({ length: count }, (_, index) => ({ prompt: `picture ${index}` }));

async function run(nodes: TestNode[], extra: Partial<RunWorkflowOptions> = {}) {
	return await runWorkflow({
		nodes: [startNode(), ...nodes],
		connections: chain('Start', ...nodes.map((node) => node.name)),
		credentials: {
			rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
		},
		inputItems: prompts(1),
		...extra,
	});
}

const jsonOf = (items: INodeExecutionData[]) => items.map((item) => item.json);

async function createRequests(): Promise<number> {
	return (await fixture.client.counters()).requests[CREATE] ?? 0;
}

async function pngBytes(size: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of generateMedia('png', size).stream()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** A public file host for reference URLs: serves `body` on any path except /missing*, logs paths. */
async function referenceHost(body: Buffer): Promise<{ url: string; requests: string[] }> {
	const requests: string[] = [];
	const server = http.createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (path.startsWith('/missing')) {
			res.writeHead(404).end();
			return;
		}
		requests.push(path);
		res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': body.length }).end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	hosts.push(server);
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const hosts: http.Server[] = [];
afterEach(async () => {
	await Promise.all(
		hosts.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
	);
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
	for (let attempt = 0; attempt < 400; attempt++) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	throw new Error(`timed out waiting for ${what}`);
}

describe('Generation > Create', () => {
	it('waits, downloads the result as a real PNG and returns the simplified task (default binary mode)', async () => {
		const result = await run([
			generationCreateNode({
				model: { __rl: true, mode: 'id', value: 'nano-banana-2' },
				modelParams: modelParams({ aspect_ratio: '16:9', resolution: '2K', output_format: 'png' }),
				options: { additionalParams: '{"google_search": "true"}', clientRequestId: 'trace-1' },
			}),
		]);
		expect(result.error).toBeUndefined();
		const [item] = result.outputOf('Rivya');
		expect(item.json).toMatchObject({
			status: 'succeeded',
			model: 'nano-banana-2',
			credits: { reserved: 5, final: 5 },
			error: null,
		});
		expect(String(item.json.taskId)).toMatch(/^task_/);
		expect(item.json.primaryUrl).toBe((item.json.resultUrls as string[])[0]);
		const bytes = await readBinary(item, 'data');
		expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
		expect(item.binary?.data.mimeType).toBe('image/png');

		const [task] = (await fixture.client.tasks()).tasks;
		expect(task.params).toMatchObject({
			aspect_ratio: '16:9',
			resolution: '2K',
			output_format: 'png',
			google_search: 'true',
		});
		expect(task.prompt).toBe('picture 0');
	});

	it('streams results to disk in filesystem binary mode, one property per result (data, data_1)', async () => {
		await fixture.client.setModelBehavior('seedream-4-0', { resultCount: 2 });
		const result = await run(
			[
				generationCreateNode({
					model: { __rl: true, mode: 'id', value: 'seedream-4-0' },
					options: { binaryPropertyName: 'image' },
				}),
			],
			{ binaryMode: 'filesystem' },
		);
		expect(result.error).toBeUndefined();
		const [item] = result.outputOf('Rivya');
		expect(Object.keys(item.binary ?? {})).toEqual(['image', 'image_1']);
		for (const property of ['image', 'image_1']) {
			expect(await binaryFilePath(item, property)).toBeTruthy();
			expect((await readBinary(item, property)).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		}
	});

	it('submits a 20-item batch together and polls all tasks at once: one task and one charge each', async () => {
		await fixture.client.setModelBehavior('z-image', { durationMs: 3000 });
		const result = await run([generationCreateNode({ options: { concurrency: 5 } })], {
			inputItems: prompts(20),
		});
		expect(result.error).toBeUndefined();
		const items = result.outputOf('Rivya');
		expect(items).toHaveLength(20);
		expect(items.every((item) => item.json.status === 'succeeded')).toBe(true);
		expect(items.map((item) => item.pairedItem)).toEqual(
			prompts(20).map((_, index) => ({ item: index })),
		);
		const counters = await fixture.client.counters();
		expect(counters.tasksCreated).toBe(20);
		expect(counters.creditsCharged).toBe(20);
		expect(counters.requests[CREATE]).toBe(20);
		// All 20 were submitted before the first finished (so they ran side by side, not one after another).
		const created = (await fixture.client.tasks()).tasks.map((task) =>
			Date.parse(String(task.created_at)),
		);
		expect(Math.max(...created) - Math.min(...created)).toBeLessThan(3000);
		// Output order follows the input order, whatever order the tasks finished in.
		const taskPrompts = new Map(
			(await fixture.client.tasks()).tasks.map((task) => [task.id, task.prompt]),
		);
		expect(items.map((item) => taskPrompts.get(String(item.json.taskId)))).toEqual(
			prompts(20).map((entry) => entry.prompt),
		);
	});

	it('uploads binary and URL references through the Files API by default (the catalog says no URL input)', async () => {
		const png = await pngBytes(4096);
		const host = await referenceHost(await pngBytes(3000));
		const url = `${host.url}/style.png`;
		const result = await run(
			[
				generationCreateNode({
					model: { __rl: true, mode: 'id', value: 'nano-banana' },
					referenceMedia: {
						references: [
							{ source: 'binary', binaryPropertyName: 'photo', kind: 'auto' },
							{ source: 'url', url, kind: 'image', mimeType: 'image/png' },
						],
					},
					options: { downloadResults: false },
				}),
			],
			{
				inputItems: [
					{
						json: { prompt: 'make it blue' },
						binary: {
							photo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'cat.png' },
						},
					},
				],
			},
		);
		expect(result.error).toBeUndefined();
		const [item] = result.outputOf('Rivya');
		expect(item.binary).toBeUndefined();
		const counters = await fixture.client.counters();
		expect(counters.requests['POST /api/v1/files']).toBe(2);
		expect(host.requests).toEqual(['/style.png']);
		const [task] = (await fixture.client.tasks()).tasks;
		const references = task.params.referenceMediaItems as IDataObject[];
		expect(references).toHaveLength(2);
		expect(references[0]).toMatchObject({ kind: 'image', name: 'cat.png', mimeType: 'image/png' });
		expect(references[1]).toMatchObject({
			kind: 'image',
			name: 'style.png',
			mimeType: 'image/png',
		});
		for (const reference of references) {
			expect(String(reference.url)).toContain(`${fixture.emulator.baseUrl}/uploads/file_`);
		}
	});

	it('sends a reference URL as it is only where the live catalog entry says the model takes URL input', async () => {
		const host = await referenceHost(await pngBytes(3000));
		const url = `${host.url}/pose.png`;
		const klingWithUrl = () =>
			run([
				generationCreateNode({
					category: 'video',
					model: { __rl: true, mode: 'id', value: 'kling-2-6' },
					referenceMedia: { references: [{ source: 'url', url, kind: 'image' }] },
					options: { downloadResults: false },
				}),
			]);
		// kling-2-6's catalog entry says url_input_supported: true.
		expect((await klingWithUrl()).error).toBeUndefined();
		let [task] = (await fixture.client.tasks()).tasks;
		expect(task.params.referenceMediaItems).toEqual([{ url, kind: 'image' }]);
		expect((await fixture.client.counters()).requests['POST /api/v1/files'] ?? 0).toBe(0);
		expect(host.requests).toEqual([]);

		// The same model id, with a catalog entry that no longer says so: uploaded.
		await fixture.client.reset();
		fixture.emulator.state.findModel('kling-2-6')!.url_input_supported = false;
		expect((await klingWithUrl()).error).toBeUndefined();
		[task] = (await fixture.client.tasks()).tasks;
		const [reference] = task.params.referenceMediaItems as IDataObject[];
		expect(String(reference.url)).toContain(`${fixture.emulator.baseUrl}/uploads/file_`);
		expect((await fixture.client.counters()).requests['POST /api/v1/files']).toBe(1);
		expect(host.requests).toEqual(['/pose.png']);
	});

	it.each(['default', 'filesystem'] as const)(
		'a URL reference uploaded for the model is replayed, not paid twice, when the same execution runs again (%s binary mode)',
		async (binaryMode) => {
			const host = await referenceHost(await pngBytes(3000));
			const executionId = '515151';
			const node = () =>
				generationCreateNode(
					{
						model: { __rl: true, mode: 'id', value: 'nano-banana' },
						referenceMedia: {
							references: [{ source: 'url', url: `${host.url}/ref.png`, kind: 'image' }],
						},
						waitForCompletion: false,
					},
					{ id: 'a3c1e0c2-0000-4000-8000-000000000002' },
				);
			const first = await run([node()], { executionId, binaryMode });
			const again = await run([node()], { executionId, binaryMode });
			expect(first.error).toBeUndefined();
			expect(jsonOf(again.outputOf('Rivya'))[0].taskId).toBe(
				jsonOf(first.outputOf('Rivya'))[0].taskId,
			);
			const counters = await fixture.client.counters();
			expect(counters.tasksCreated).toBe(1);
			expect(counters.requests['POST /api/v1/files']).toBe(2);
			expect(host.requests).toEqual(['/ref.png', '/ref.png']);
		},
	);

	it('names the URL when a reference cannot be downloaded for upload; nothing submitted', async () => {
		const host = await referenceHost(await pngBytes(3000));
		const result = await run([
			generationCreateNode({
				model: { __rl: true, mode: 'id', value: 'nano-banana' },
				referenceMedia: {
					references: [
						{ source: 'url', url: `${host.url}/missing.png?token=secret`, kind: 'image' },
					],
				},
			}),
		]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain(`Could not download ${host.url}/missing.png: HTTP 404`);
		expect(result.error?.message).not.toContain('secret');
		expect(result.error?.description).toMatch(
			/takes reference media only through Rivya's Files API/,
		);
		expect(await createRequests()).toBe(0);
	});

	it('refuses references the model cannot take before uploading or paying anything', async () => {
		const png = await pngBytes(2048);
		const result = await run(
			[
				generationCreateNode({
					referenceMedia: {
						references: [{ source: 'binary', binaryPropertyName: 'photo', kind: 'auto' }],
					},
				}),
			],
			{
				inputItems: [
					{
						json: { prompt: 'x' },
						binary: { photo: { data: png.toString('base64'), mimeType: 'image/png' } },
					},
				],
			},
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/Item 1: Reference Media: "z-image" does not accept reference media/,
		);
		const counters = await fixture.client.counters();
		expect(counters.requests['POST /api/v1/files'] ?? 0).toBe(0);
		expect(counters.requests[CREATE] ?? 0).toBe(0);
	});

	it('returns the queued tasks right away with Wait for Completion off', async () => {
		const result = await run([generationCreateNode({ waitForCompletion: false })], {
			inputItems: prompts(2),
		});
		const items = jsonOf(result.outputOf('Rivya'));
		expect(items.map((item) => item.status)).toEqual(['queued', 'queued']);
		expect((await fixture.client.counters()).requests['GET /api/v1/generations/:taskId'] ?? 0).toBe(
			0,
		);
	});

	it('stops waiting when the execution is cancelled, without creating more tasks', async () => {
		await fixture.client.setModelBehavior('z-image', { durationMs: 120_000 });
		const running = startWorkflow({
			nodes: [startNode(), generationCreateNode()],
			connections: chain('Start', 'Rivya'),
			credentials: {
				rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
			},
			inputItems: prompts(3),
		});
		await until(async () => (await fixture.client.counters()).tasksCreated === 3, 'three tasks');
		running.cancel();
		const result = await running.done;
		expect(result.status).toBe('canceled');
		const counters = await fixture.client.counters();
		expect(counters.tasksCreated).toBe(3);
		expect(counters.requests[CREATE]).toBe(3);
	});

	it('on timeout returns the task ID and status by default', async () => {
		await fixture.client.setModelBehavior('z-image', { durationMs: 120_000 });
		const result = await run([generationCreateNode({ options: { timeout: 1 } })]);
		expect(result.error).toBeUndefined();
		const [item] = result.outputOf('Rivya');
		expect(item.json).toMatchObject({ timedOut: true });
		expect(['queued', 'processing']).toContain(item.json.status);
		expect(String(item.json.taskId)).toMatch(/^task_/);
		expect(item.binary).toBeUndefined();
	});

	it('on timeout throws an error naming the task ID when asked to', async () => {
		await fixture.client.setModelBehavior('z-image', { durationMs: 120_000 });
		const result = await run([
			generationCreateNode({ options: { timeout: 1, onTimeout: 'throw' } }),
		]);
		expect(result.status).toBe('error');
		const [task] = (await fixture.client.tasks()).tasks;
		expect(result.error?.message).toContain(
			`Generation ${task.id} did not finish within 1 seconds`,
		);
		expect(result.error?.description).toMatch(/Generation > Wait/);
	});

	it('reports a failed job per item with its task ID (and an error item with Continue On Fail)', async () => {
		await fixture.client.setModelBehavior('z-image', { outcome: 'fail' });
		const stopped = await run([generationCreateNode()]);
		expect(stopped.status).toBe('error');
		const [task] = (await fixture.client.tasks()).tasks;
		expect(stopped.error?.message).toContain(`Generation ${task.id} failed`);
		expect(stopped.error?.message).toContain('[generation_failed]');

		const continued = await run([generationCreateNode({}, { onError: 'continueRegularOutput' })], {
			inputItems: prompts(2),
		});
		const items = jsonOf(continued.outputOf('Rivya'));
		expect(items).toHaveLength(2);
		for (const item of items) {
			expect(String(item.taskId)).toMatch(/^task_/);
			expect(String(item.error)).toContain('failed');
		}
		// Failed tasks are refunded.
		expect((await fixture.client.counters()).creditsRefunded).toBeGreaterThan(0);
	});

	it('keeps a succeeded task whose download failed: error item with task ID and result URLs, others downloaded, order kept', async () => {
		// 404 is not retried: the first download fails for good.
		await fixture.client.addFault({ route: 'GET /media', kind: 'status', status: 404, times: 1 });
		const result = await run([generationCreateNode({}, { onError: 'continueRegularOutput' })], {
			inputItems: prompts(3),
		});
		expect(result.status).toBe('success');
		const items = result.outputOf('Rivya');
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const failed = items.filter((item) => item.json.error);
		expect(failed).toHaveLength(1);
		const [broken] = failed;
		expect(broken.binary).toBeUndefined();
		expect(String(broken.json.taskId)).toMatch(/^task_/);
		expect(String(broken.json.error)).toContain(
			`Generation ${String(broken.json.taskId)} succeeded`,
		);
		expect(broken.json.status).toBe('succeeded');
		const urls = broken.json.resultUrls as string[];
		expect(urls.length).toBeGreaterThan(0);
		// The URL still works: the result was not lost.
		expect((await fixture.client.fetchBytes(urls[0])).status).toBe(200);
		for (const item of items.filter((entry) => !entry.json.error)) {
			expect(item.json.status).toBe('succeeded');
			expect((await readBinary(item, 'data')).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		}
		expect((await fixture.client.counters()).tasksCreated).toBe(3);
	});

	it('refuses a batch the balance cannot pay before any POST /generations', async () => {
		const { accountId, apiKey } = await fixture.client.createAccount({ credits: 5 });
		const result = await run(
			[generationCreateNode({ model: { __rl: true, mode: 'id', value: 'google-imagen4-fast' } })],
			{
				inputItems: prompts(2),
				credentials: { rivyaApi: { apiKey, baseUrl: fixture.emulator.baseUrl } },
			},
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/need at least 8 credits, the balance is 5/);
		expect(await createRequests()).toBe(0);
		expect((await fixture.client.getAccount(accountId)).credits).toBe(5);
	});

	it('402 at submit (no task): says no task was created and nothing was charged', async () => {
		const { accountId, apiKey } = await fixture.client.createAccount({ credits: 3 });
		const result = await run(
			[
				generationCreateNode({
					model: { __rl: true, mode: 'id', value: 'google-imagen4-fast' },
					options: { checkCredits: false },
				}),
			],
			{ credentials: { rivyaApi: { apiKey, baseUrl: fixture.emulator.baseUrl } } },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('[insufficient_credits]');
		expect(result.error?.description).toMatch(/Your balance is 3 credits; this request needs 4/);
		expect(result.error?.description).toMatch(/No task was created and nothing was charged/);
		expect(await createRequests()).toBe(1);
		expect((await fixture.client.counters()).tasksCreated).toBe(0);
		expect((await fixture.client.getAccount(accountId)).credits).toBe(3);
	});

	it('a task that fails for credits after it started: clear error, final_credits exactly as returned', async () => {
		await fixture.client.setModelBehavior('z-image', {
			outcome: 'fail_credits',
			failedFinalCredits: 1,
		});
		const stopped = await run([generationCreateNode()]);
		expect(stopped.status).toBe('error');
		const [task] = (await fixture.client.tasks()).tasks;
		expect(stopped.error?.message).toContain(`Generation ${task.id} failed for lack of credits`);
		expect(stopped.error?.description).toMatch(/ran low on credits/);
		expect(stopped.error?.description).toContain('Rivya reports final_credits 1 for this task');
		expect(stopped.error?.description).not.toMatch(/refund/i);

		await fixture.client.setModelBehavior('z-image', { outcome: 'fail', failedFinalCredits: 1 });
		const continued = await run([generationCreateNode({}, { onError: 'continueRegularOutput' })]);
		const [item] = jsonOf(continued.outputOf('Rivya'));
		expect(String(item.error)).toContain('failed');
		expect(String(item.error)).not.toContain('lack of credits');
	});

	it('checks model, prompt and params before paying, naming item, field and fix', async () => {
		const cases: Array<[IDataObject, RegExp]> = [
			[
				{ model: { __rl: true, mode: 'id', value: 'veo4-preview' }, category: 'video' },
				/Item 1: Model: "veo4-preview" is not callable.*coming soon/,
			],
			[
				{ model: { __rl: true, mode: 'id', value: 'studio-upscaler' } },
				/only available in Rivya Studio/,
			],
			[{ model: { __rl: true, mode: 'id', value: 'gpt-5-2-chat' } }, /is a chat model/],
			[
				{ prompt: 'x'.repeat(1001) },
				/Item 1: Prompt: the prompt has 1001 characters; "z-image" accepts at most 1000/,
			],
			[{ prompt: '' }, /Item 1: Prompt: a prompt is required/],
			[
				{ modelParams: modelParams({ aspect_ratio: '2:1' }) },
				/Model Parameters > aspect_ratio: "2:1" is not an allowed value/,
			],
			[
				{ options: { additionalParams: '{"aspect_ratio": 5' } },
				/Additional Params \(JSON\) is not valid JSON/,
			],
			[
				{ model: { __rl: true, mode: 'id', value: 'kling-2-6' } },
				/"Kling 2.6 \(kling-2-6\)" is a video model, but Category is "image"/,
			],
		];
		for (const [parameters, message] of cases) {
			const result = await run([generationCreateNode(parameters)]);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(message);
		}
		expect(await createRequests()).toBe(0);
	});

	it('runs a param-only model without a prompt', async () => {
		const result = await run([
			generationCreateNode({
				category: 'audio',
				model: { __rl: true, mode: 'id', value: 'elevenlabs-dialogue-v3' },
				prompt: '',
				modelParams: modelParams({ dialogue: '[{"voice": "Adam", "text": "Hello there"}]' }),
			}),
		]);
		expect(result.error).toBeUndefined();
		const [item] = result.outputOf('Rivya');
		expect(item.json.status).toBe('succeeded');
		expect(item.binary?.data.mimeType).toBe('audio/mpeg');
	});

	it('rides out a 429 storm and injected 500s on create and on polling: one task per item', async () => {
		await fixture.client.addFault({
			route: CREATE,
			kind: 'rate_limit_storm',
			times: 3,
			retryAfter: 1,
		});
		await fixture.client.addFault({ route: CREATE, kind: 'status', status: 500, times: 2 });
		await fixture.client.addFault({
			route: 'GET /api/v1/generations/:taskId',
			kind: 'status',
			status: 500,
			times: 3,
		});
		const result = await run([generationCreateNode()], { inputItems: prompts(3) });
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputOf('Rivya')).map((item) => item.status)).toEqual([
			'succeeded',
			'succeeded',
			'succeeded',
		]);
		const counters = await fixture.client.counters();
		expect(counters.tasksCreated).toBe(3);
		expect(counters.creditsCharged).toBe(3);
		expect(counters.requests[CREATE]).toBeGreaterThan(3);
	});

	it('keeps polling when status checks fail even after their retries, and still returns the result', async () => {
		await fixture.client.setModelBehavior('z-image', { durationMs: 2000 });
		// One attempt per request: each injected 500 is a failed poll the loop itself must survive.
		await fixture.client.addFault({
			route: 'GET /api/v1/generations/:taskId',
			kind: 'status',
			status: 500,
			times: 2,
		});
		const result = await run([generationCreateNode({ options: { maxAttempts: 1 } })]);
		expect(result.error).toBeUndefined();
		const [item] = result.outputOf('Rivya');
		expect(item.json.status).toBe('succeeded');
		expect(
			(await fixture.client.counters()).requests['GET /api/v1/generations/:taskId'],
		).toBeGreaterThanOrEqual(3);
	});

	it('replays a create whose response was lost instead of paying twice', async () => {
		await fixture.client.addFault({ route: CREATE, kind: 'drop_after_response', times: 2 });
		const result = await run([generationCreateNode()], { inputItems: prompts(2) });
		expect(result.error).toBeUndefined();
		const items = jsonOf(result.outputOf('Rivya'));
		expect(items.map((item) => item.status)).toEqual(['succeeded', 'succeeded']);
		const counters = await fixture.client.counters();
		expect(counters.requests[CREATE]).toBe(4);
		expect(counters.tasksCreated).toBe(2);
		expect(counters.creditsCharged).toBe(2);
		expect(new Set(items.map((item) => item.taskId)).size).toBe(2);
	});

	it('replays the same tasks when n8n runs the same execution again (derived idempotency keys)', async () => {
		const executionId = '424242';
		const node = () =>
			generationCreateNode(
				{ waitForCompletion: false },
				{ id: 'a3c1e0c2-0000-4000-8000-000000000001' },
			);
		const first = await run([node()], { inputItems: prompts(2), executionId });
		const again = await run([node()], { inputItems: prompts(2), executionId });
		expect(jsonOf(again.outputOf('Rivya')).map((item) => item.taskId)).toEqual(
			jsonOf(first.outputOf('Rivya')).map((item) => item.taskId),
		);
		expect((await fixture.client.counters()).tasksCreated).toBe(2);
	});
});

describe('Generation > Get and Wait', () => {
	it('waits for tasks created earlier and downloads their results; Get reads status and downloads on request', async () => {
		await fixture.client.setModelBehavior('z-image', { durationMs: 1500 });
		const result = await run(
			[
				generationCreateNode({ waitForCompletion: false }),
				rivyaNode('Get Early', { operation: 'get', taskId: '={{ $json.taskId }}' }),
				rivyaNode('Wait', { operation: 'wait', taskId: '={{ $json.taskId }}' }),
				rivyaNode('Get Later', {
					operation: 'get',
					taskId: '={{ $json.taskId }}',
					simplify: false,
					options: { downloadResults: true, binaryPropertyName: 'file' },
				}),
			],
			{ inputItems: prompts(2) },
		);
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputOf('Get Early')).map((item) => item.status)).not.toContain(
			'succeeded',
		);
		const waited = result.outputOf('Wait');
		expect(waited.map((item) => item.json.status)).toEqual(['succeeded', 'succeeded']);
		expect((await readBinary(waited[0], 'data')).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		const later = result.outputOf('Get Later');
		expect(later[0].json).toHaveProperty('reserved_credits');
		expect(later[0].json.status).toBe('succeeded');
		expect((await readBinary(later[1], 'file')).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		expect((await fixture.client.counters()).tasksCreated).toBe(2);
	});

	it('names the task in a not-found error', async () => {
		const result = await run([rivyaNode('Rivya', { operation: 'get', taskId: 'task_missing' })]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('[not_found]');
		expect(result.error?.description).toContain('task_missing');
	});
});
