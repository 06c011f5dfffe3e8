// Issue 14 ("in the editor: findable, clear, shaped for CRM hand-offs"), through n8n's real engine against
// the Rivya emulator: result file names, the link back to the input (prompt, Client Request ID, input
// fields), item numbers and wording of messages.
import { createHmac } from 'node:crypto';

import { startEmulator } from '../emulator';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import {
	chain,
	createTriggerHarness,
	readBinary,
	runWorkflow,
	startNode,
	type TestNode,
} from './harness';
import { useEmulatorPerFile } from './emulator-fixture';
import { generationCreateNode, rivyaNode } from './rivya-nodes';

const fixture = useEmulatorPerFile({ defaultJobMs: 50, allowLocalWebhooks: true }, 'reset');

async function run(node: TestNode, inputItems: IDataObject[]) {
	return await runWorkflow({
		nodes: [startNode(), node],
		connections: chain('Start', node.name),
		credentials: {
			rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
		},
		inputItems,
	});
}

const fileNamesOf = (items: INodeExecutionData[]) =>
	items.map((item) => Object.values(item.binary ?? {}).map((binary) => binary.fileName));

describe('Generation result file names', () => {
	it('are <model>-<task ID>-<n>.<ext> by default, so files stay apart after an Aggregate', async () => {
		const result = await run(generationCreateNode(), [
			{ prompt: 'a red fox' },
			{ prompt: 'a grey owl' },
		]);
		expect(result.error).toBeUndefined();
		const items = result.outputOf('Rivya');
		expect(fileNamesOf(items)).toEqual(
			items.map((item) => [`z-image-${String(item.json.taskId)}-1.png`]),
		);
	});

	it('come from Options > File Name (an expression over the input item), numbered when a task has several', async () => {
		await fixture.client.setModelBehavior('seedream-4-0', { resultCount: 2 });
		const single = await run(generationCreateNode({ options: { fileName: '={{ $json.sku }}' } }), [
			{ prompt: 'a mug', sku: 'MUG-042' },
		]);
		expect(single.error).toBeUndefined();
		expect(fileNamesOf(single.outputOf('Rivya'))).toEqual([['MUG-042.png']]);

		const several = await run(
			generationCreateNode({
				model: { __rl: true, mode: 'id', value: 'seedream-4-0' },
				options: { fileName: '={{ $json.sku }}.png' },
			}),
			[{ prompt: 'a mug', sku: 'MUG-042' }],
		);
		expect(several.error).toBeUndefined();
		expect(fileNamesOf(several.outputOf('Rivya'))).toEqual([['MUG-042-1.png', 'MUG-042-2.png']]);
	});
});

describe('Link back to the lead or product', () => {
	it('Generation > Create echoes the prompt and Client Request ID, and keeps input fields when asked', async () => {
		const inputs = [
			{ prompt: 'a red fox', sku: 'FOX-1', name: 'Fox poster' },
			{ prompt: 'a grey owl', sku: 'OWL-2', name: 'Owl poster' },
		];
		const plain = await run(
			generationCreateNode({ options: { clientRequestId: '={{ $json.sku }}' } }),
			inputs,
		);
		expect(plain.error).toBeUndefined();
		expect(plain.outputOf('Rivya').map((item) => item.json)).toEqual([
			expect.objectContaining({
				prompt: 'a red fox',
				clientRequestId: 'FOX-1',
				status: 'succeeded',
			}),
			expect.objectContaining({
				prompt: 'a grey owl',
				clientRequestId: 'OWL-2',
				status: 'succeeded',
			}),
		]);
		expect(plain.outputOf('Rivya')[0].json.sku).toBeUndefined();

		const kept = await run(
			generationCreateNode({
				options: { clientRequestId: '={{ $json.sku }}', includeInputFields: true },
			}),
			inputs,
		);
		expect(kept.error).toBeUndefined();
		expect(kept.outputOf('Rivya').map((item) => item.json)).toEqual([
			expect.objectContaining({ sku: 'FOX-1', name: 'Fox poster', status: 'succeeded' }),
			expect.objectContaining({ sku: 'OWL-2', name: 'Owl poster', status: 'succeeded' }),
		]);
	});

	it("Rivya Trigger's output carries the generation's Client Request ID", async () => {
		const trigger = await createTriggerHarness({
			node: { name: 'Rivya Trigger', type: 'n8n-nodes-rivya.rivyaTrigger', parameters: {} },
			credentials: {
				rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
			},
			webhookBaseUrl: 'http://127.0.0.1:9/webhook',
		});
		await trigger.webhookMethod('create');
		const secret = trigger.staticData().signingSecret as string;
		const event = {
			id: 'evt_crm_1',
			type: 'generation.succeeded',
			api_version: '2026-05-11',
			created_at: new Date().toISOString(),
			data: {
				id: 'task_crm',
				status: 'succeeded',
				model: 'z-image',
				client_request_id: 'lead-4711',
				result: { primary_url: 'https://cdn.example/a.png', urls: ['https://cdn.example/a.png'] },
				error: null,
			},
		};
		const rawBody = Buffer.from(JSON.stringify(event));
		const timestamp = Math.floor(Date.now() / 1000);
		const signature = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
			.update(`${event.id}.${timestamp}.`)
			.update(rawBody)
			.digest('base64');
		const delivery = await trigger.deliver({
			rawBody,
			headers: {
				'content-type': 'application/json',
				'webhook-id': event.id,
				'webhook-timestamp': String(timestamp),
				'webhook-signature': `v1,${signature}`,
			},
		});
		const [[item]] = delivery.result.workflowData ?? [[]];
		expect((item.json.generation as IDataObject).clientRequestId).toBe('lead-4711');
	});
});

describe('Messages before anything is paid', () => {
	const createRequests = async () =>
		(await fixture.client.counters()).requests['POST /api/v1/generations'] ?? 0;

	it('a model of another category than Category: names both, counts items from 1, once', async () => {
		const result = await run(generationCreateNode({ category: '={{ $json.category }}' }), [
			{ prompt: 'a red fox', category: 'image' },
			{ prompt: 'a red fox running', category: 'video' },
		]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Item 2: Model: "Z-Image (z-image)" is an image model, but Category is "video"',
		);
		expect(result.error?.description).toMatch(/Pick a video model in Model/);
		// No n8n item index next to our 1-based number: n8n's error view would add a 0-based "[item 1]".
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(
			undefined,
		);
		expect(await createRequests()).toBe(0);
	});

	it('a missing Reference Media binary names Reference Media, the fields there are, and a public URL', async () => {
		const result = await run(
			generationCreateNode({
				referenceMedia: { references: [{ source: 'binary', binaryPropertyName: 'photo' }] },
			}),
			[{ prompt: 'a red fox' }],
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Item 1: Reference Media 1: the input item has no binary field "photo"',
		);
		expect(result.error?.description).toMatch(/File Source to "Public URL".*public HTTPS URL/);
		expect(await createRequests()).toBe(0);
	});
});

describe('Wording', () => {
	it('the credit check says "1 credit" and does not offer the chosen model as the cheaper one', async () => {
		const { apiKey } = await fixture.client.createAccount({ credits: 0 });
		const result = await runWorkflow({
			nodes: [startNode(), generationCreateNode()],
			connections: chain('Start', 'Rivya'),
			credentials: { rivyaApi: { apiKey, baseUrl: fixture.emulator.baseUrl } },
			inputItems: [{ prompt: 'a red fox' }],
		});
		expect(result.error?.message).toBe(
			'Not enough Rivya credits for this run: 1 generation needs at least 1 credit, the balance is 0',
		);
		expect(result.error?.description).toMatch(
			/pick a model with lower base credits \(chosen: z-image: 1 credit each\)/,
		);
		expect(result.error?.description).not.toMatch(/cheaper model \(z-image\)/);
	});

	it('a wrong key names the one Rivya code that happened', async () => {
		const { apiKey } = await fixture.client.createAccount({ credits: 10 });
		await fixture.client.revokeKey(apiKey);
		const result = await runWorkflow({
			nodes: [startNode(), rivyaNode({ resource: 'credit', operation: 'getBalance' })],
			connections: chain('Start', 'Rivya'),
			credentials: { rivyaApi: { apiKey, baseUrl: fixture.emulator.baseUrl } },
			inputItems: [{}],
		});
		const shown = `${result.error?.message} ${result.error?.description}`;
		expect(shown).toMatch(/\[api_key_revoked\]/);
		expect(shown).not.toMatch(/api_key_invalid|api_key_expired/);
	});

	it('a refused connection names the Base URL', async () => {
		const baseUrl = 'http://127.0.0.1:9'; // discard port: nothing listens there
		const result = await runWorkflow({
			nodes: [
				startNode(),
				rivyaNode({
					resource: 'credit',
					operation: 'getBalance',
					options: { maxAttempts: 1 },
				}),
			],
			connections: chain('Start', 'Rivya'),
			credentials: { rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl } },
			inputItems: [{}],
		});
		expect(result.error?.message).toBe(
			'Nothing answered at the Base URL http://127.0.0.1:9 (connection refused, 1 attempt)',
		);
		expect(result.error?.description).toMatch(/Check the Base URL in the Rivya credential/);
	});
});

describe('The emulator draws its image results from the prompt', () => {
	it('a generated PNG is a 512×512 picture, different for different prompts', async () => {
		const result = await run(generationCreateNode(), [
			{ prompt: 'a red fox in snow' },
			{ prompt: 'a grey owl at night' },
		]);
		expect(result.error).toBeUndefined();
		const files = await Promise.all(
			result.outputOf('Rivya').map(async (item) => await readBinary(item)),
		);
		for (const file of files) {
			expect(file.subarray(12, 16).toString('latin1')).toBe('IHDR');
			expect([file.readUInt32BE(16), file.readUInt32BE(20)]).toEqual([512, 512]);
		}
		expect(files[0].equals(files[1])).toBe(false);
	});
});

describe('Rivya Trigger on a local n8n', () => {
	it('the error on publishing says the fix in its message (the toast shows no details)', async () => {
		const strict = await startEmulator({ port: 0, allowLocalWebhooks: false });
		try {
			const trigger = await createTriggerHarness({
				node: { name: 'Rivya Trigger', type: 'n8n-nodes-rivya.rivyaTrigger', parameters: {} },
				credentials: { rivyaApi: { apiKey: strict.apiKey, baseUrl: strict.baseUrl } },
				webhookBaseUrl: 'http://localhost:5678/webhook',
			});
			const error = await trigger.webhookMethod('create').catch((e: unknown) => e as Error);
			expect((error as Error).message).toMatch(
				/http:\/\/localhost:5678\/webhook\/.* is not a public HTTPS address\. Set N8N_WEBHOOK_URL to this n8n's public HTTPS address, restart n8n and publish again/,
			);
		} finally {
			await strict.close();
		}
	});
});

describe('Node version 2: one naming convention, revoked endpoints left out, Endpoint picker', () => {
	async function runNode(parameters: INodeParameters, typeVersion: number) {
		return await runWorkflow({
			nodes: [startNode(), rivyaNode(parameters, { typeVersion })],
			connections: chain('Start', 'Rivya'),
			credentials: {
				rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
			},
			inputItems: [{}],
		});
	}

	async function createEndpoint(name: string): Promise<string> {
		const answer = await fixture.client.request('POST', '/api/v1/webhooks', {
			body: { name, url: `http://127.0.0.1:9/${name}`, event_types: ['generation.succeeded'] },
		});
		expect(answer.status).toBe(201);
		return String((answer.body as IDataObject).id);
	}

	it('Credit > Get Balance: currentCredits in version 2, current_credits kept in version 1', async () => {
		const v2 = await runNode({ resource: 'credit', operation: 'getBalance' }, 2);
		const v1 = await runNode({ resource: 'credit', operation: 'getBalance' }, 1);
		expect(v2.outputOf('Rivya')[0].json).toEqual({ currentCredits: expect.any(Number) });
		expect(v1.outputOf('Rivya')[0].json).toEqual({ current_credits: expect.any(Number) });
	});

	it('Webhook > Get Many leaves out revoked endpoints unless asked (version 1 lists them all), in camelCase', async () => {
		const live = await createEndpoint('live');
		const revoked = await createEndpoint('gone');
		await fixture.client.request('DELETE', `/api/v1/webhooks/${revoked}`);
		const getAll = { resource: 'webhook', operation: 'getAll', returnAll: true };

		const v2 = (await runNode(getAll, 2)).outputOf('Rivya').map((item) => item.json);
		expect(v2.map((endpoint) => endpoint.id)).toEqual([live]);
		expect(v2[0]).toMatchObject({ eventTypes: ['generation.succeeded'], status: 'active' });
		expect(v2[0]).not.toHaveProperty('event_types');

		const withRevoked = await runNode({ ...getAll, options: { includeRevoked: true } }, 2);
		expect(
			withRevoked
				.outputOf('Rivya')
				.map((item) => item.json.id)
				.sort(),
		).toEqual([live, revoked].sort());
		const v1 = (await runNode(getAll, 1)).outputOf('Rivya').map((item) => item.json);
		expect(v1.map((endpoint) => endpoint.id).sort()).toEqual([live, revoked].sort());
		expect(v1[0]).toHaveProperty('event_types');
	});

	it('Chat > Get Session: camelCase in version 2 (createdAt, also in messages), Rivya names in version 1', async () => {
		const turn = await runNode(
			{
				resource: 'chat',
				operation: 'sendMessage',
				model: { __rl: true, mode: 'id', value: 'gpt-5-2-chat' },
				message: 'Hello',
			},
			2,
		);
		const sessionId = String(turn.outputOf('Rivya')[0].json.sessionId);
		const getSession = { resource: 'chat', operation: 'getSession', sessionId };
		const v2 = (await runNode(getSession, 2)).outputOf('Rivya')[0].json;
		const v1 = (await runNode(getSession, 1)).outputOf('Rivya')[0].json;
		expect(v2).toMatchObject({ id: sessionId, createdAt: expect.any(String) });
		expect((v2.messages as IDataObject[])[0]).toHaveProperty('createdAt');
		expect(Object.keys(v2).filter((key) => key.includes('_'))).toEqual([]);
		expect(v1).toHaveProperty('created_at');
	});

	it('Webhook > Get takes the Endpoint from the picker (resource locator) in version 2', async () => {
		const id = await createEndpoint('picked');
		const result = await runNode(
			{
				resource: 'webhook',
				operation: 'get',
				endpointId: { __rl: true, mode: 'list', value: id, cachedResultName: 'picked' },
			},
			2,
		);
		expect(result.error).toBeUndefined();
		expect(result.outputOf('Rivya')[0].json).toMatchObject({ id, name: 'picked' });
	});
});

describe('Chat > Send Message: System Message', () => {
	it('sends the System Message as instructions on top of the message (Rivya has no separate field)', async () => {
		const result = await run(
			rivyaNode({
				resource: 'chat',
				operation: 'sendMessage',
				model: { __rl: true, mode: 'id', value: 'gpt-5-2-chat' },
				message: '={{ $json.question }}',
				options: { systemMessage: 'Answer in one short sentence.' },
			}),
			[{ question: 'What is a fox?' }],
		);
		expect(result.error).toBeUndefined();
		const sessionId = String(result.outputOf('Rivya')[0].json.sessionId);
		const stored = await fixture.client.request('GET', `/api/v1/chat/sessions/${sessionId}`);
		const [sent] = (stored.body as { messages: IDataObject[] }).messages;
		expect(sent).toMatchObject({
			role: 'user',
			content:
				"Instructions:\nAnswer in one short sentence.\n\nReply to the user's latest message:\nWhat is a fox?",
		});
	});
});
