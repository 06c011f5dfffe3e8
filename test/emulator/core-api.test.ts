/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers loosely; the zod schemas and assertions check their shape */
// §§1, 2, 4, 8, 10 through real HTTP: auth and scopes, the error envelope, models, credits, openapi, and
// the quickstart flow exactly as the docs describe it.
import { randomUUID } from 'node:crypto';
import { GenerationSchema } from './generations/schemas';
import { ModelListSchema } from './models/schemas';
import { expectError, useEmulator } from './core-test-setup';
import type { Scope } from './router';

const emulator = useEmulator();

const CATALOG_IDS = [
	'z-image',
	'google-imagen4-fast',
	'4o-image',
	'nano-banana',
	'nano-banana-2',
	'nano-banana-pro',
	'seedream-3-0',
	'seedream-4-0',
	'veo3-1-lite',
	'veo3-1-fast',
	'hailuo-standard',
	'kling-2-6',
	'kling-3-0',
	'happyhorse-1-0',
	'sora-2',
	'runway',
	'wan-2-6',
	'suno-music',
	'suno-sounds',
	'elevenlabs-sound-effect-v2',
	'elevenlabs-turbo-2-5',
	'elevenlabs-dialogue-v3',
	'gpt-5-2-chat',
	'gemini-2-5-flash-chat',
	'claude-sonnet-4-6-chat',
];

describe('quickstart (docs example)', () => {
	it('lists models, creates with an Idempotency-Key, polls to succeeded and sees the credits move', async () => {
		const { api } = emulator;
		const models = await api.listModels();
		expect(models.status).toBe(200);
		const model = models.body.data.find((m: { id: string }) => m.id === 'z-image');
		const before = (await api.getCredits()).body.current_credits;

		const created = await api.createGeneration(
			{
				model: 'z-image',
				prompt: 'A lighthouse at dawn',
				params: { aspect_ratio: '16:9' },
				client_request_id: 'qs-1',
			},
			{ idempotencyKey: randomUUID() },
		);
		expect(created.status).toBe(202);
		expect(created.body).toMatchObject({
			status: 'queued',
			model: 'z-image',
			reserved_credits: model.base_credits,
			final_credits: 0,
			result: null,
			error: null,
		});
		expect(GenerationSchema.safeParse(created.body).success).toBe(true);
		expect((await api.getCredits()).body.current_credits).toBe(before - model.base_credits);

		const done = await api.waitForGeneration(created.body.id);
		expect(done.body.status).toBe('succeeded');
		expect(done.body.final_credits).toBe(model.base_credits);
		expect(done.body.result.primary_url).toBe(done.body.result.urls[0]);
		expect((await api.getCredits()).body.current_credits).toBe(before - done.body.final_credits);
		const media = await api.fetchBytes(done.body.result.primary_url);
		expect(media.status).toBe(200);
		expect(media.headers['content-type']).toBe('image/png');
	});
});

/** The scopes of the API contract (§1), listed here apart from the emulator's own list on purpose. */
const DOCUMENTED_SCOPES: Scope[] = [
	'models:read',
	'generations:create',
	'generations:read',
	'files:create',
	'files:read',
	'credits:read',
	'webhooks:manage',
	'chat:create',
	'chat:read',
];

describe('authentication and scopes (§1)', () => {
	it('accepts Authorization: Bearer rvya_sk_... keys and answers each auth failure with its code', async () => {
		const { api } = emulator;
		expect(api.apiKey).toMatch(/^rvya_sk_/);
		expectError(await api.withKey(undefined).getCredits(), 401, 'api_key_missing');
		expectError(await api.withKey('rvya_sk_nope').getCredits(), 401, 'api_key_invalid');
		expectError(
			await api.request('GET', '/api/v1/credits', {
				apiKey: null,
				headers: { Authorization: 'Basic abc' },
			}),
			401,
			'api_key_missing',
		);

		const { apiKey: revoked } = await api.createAccount();
		await api.revokeKey(revoked);
		expectError(await api.withKey(revoked).getCredits(), 401, 'api_key_revoked');

		const { apiKey: expired } = await api.createAccount();
		await api.expireKey(expired);
		expectError(await api.withKey(expired).getCredits(), 401, 'api_key_expired');
	});

	it('expires keys by their expiresAt', async () => {
		const { api } = emulator;
		const { accountId } = await api.createAccount();
		const { apiKey } = await api.createKey({
			accountId,
			expiresAt: new Date(Date.now() + 60_000).toISOString(),
		});
		expect((await api.withKey(apiKey).getCredits()).status).toBe(200);
		await api.settings({ advanceClockMs: 120_000 });
		expectError(await api.withKey(apiKey).getCredits(), 401, 'api_key_expired');
	});

	it('gives new keys every scope', async () => {
		const { api } = emulator;
		const { accountId } = await api.createAccount();
		await api.createKey({ accountId });
		const account = await api.getAccount(accountId);
		expect((account.keys as Array<{ scopes: string[] }>)[1].scopes.sort()).toEqual(
			[...DOCUMENTED_SCOPES].sort(),
		);
	});

	it.each<[Scope, string, string]>([
		['generations:create', 'POST', '/api/v1/generations'],
		['generations:read', 'GET', '/api/v1/generations/task_x'],
		['files:create', 'POST', '/api/v1/files'],
		['files:read', 'GET', '/api/v1/files/file_x'],
		['credits:read', 'GET', '/api/v1/credits'],
		['webhooks:manage', 'GET', '/api/v1/webhooks'],
		['chat:create', 'POST', '/api/v1/chat/completions'],
		['chat:read', 'GET', '/api/v1/chat/sessions'],
	])('needs %s for %s %s (403 api_scope_denied)', async (scope, method, path) => {
		const { api } = emulator;
		const { apiKey } = await api.createAccount({
			scopes: DOCUMENTED_SCOPES.filter((s) => s !== scope),
		});
		expectError(
			await api.request(method, path, { apiKey, body: method === 'POST' ? {} : undefined }),
			403,
			'api_scope_denied',
		);
	});

	it('serves GET /models and GET /openapi.json without a key', async () => {
		const { api } = emulator;
		const anonymous = api.withKey(undefined);
		expect((await anonymous.listModels()).status).toBe(200);
		expect((await anonymous.request('GET', '/api/v1/openapi.json')).status).toBe(200);
	});

	it('checks a key with GET /credits at no cost and no side effect', async () => {
		const { api } = emulator;
		const before = await api.counters();
		for (let i = 0; i < 3; i++)
			expect((await api.getCredits()).body).toEqual({ current_credits: 1000 });
		const after = await api.counters();
		expect(after.tasksCreated).toBe(before.tasksCreated);
		expect(after.creditsCharged).toBe(before.creditsCharged);
		expect(after.requests['GET /api/v1/credits']).toBe(3);
	});
});

describe('errors (§2)', () => {
	it('puts X-Request-Id on every response, success too, equal to the envelope requestId on errors', async () => {
		const { api } = emulator;
		const ok = await api.getCredits();
		expect(ok.requestId).toMatch(/^req_[0-9a-f]+$/);
		const other = await api.getCredits();
		expect(other.requestId).not.toBe(ok.requestId);
		expectError(await api.request('GET', '/api/v1/nope'), 404, 'not_found');
		expectError(await api.createGeneration({ prompt: 'x' }), 400, 'validation_failed');
	});

	it('answers 503 public_api_disabled when the API is switched off', async () => {
		const { api } = emulator;
		await api.settings({ publicApiEnabled: false });
		expectError(await api.getCredits(), 503, 'public_api_disabled');
		expectError(await api.listModels(), 503, 'public_api_disabled');
	});

	it('names the field in validation messages', async () => {
		const response = await emulator.api.createGeneration({
			model: 'z-image',
			prompt: 'x',
			params: { aspect_ratio: '2:1' },
		});
		expectError(response, 400, 'validation_failed');
		expect(response.body.error.message).toContain(
			'params.aspect_ratio must be one of 1:1, 4:3, 3:4, 16:9, 9:16',
		);
	});
});

describe('models (§4)', () => {
	it('lists the whole catalog, callable or not, in one unpaginated list', async () => {
		const response = await emulator.api.listModels();
		expect(ModelListSchema.parse(response.body).object).toBe('list');
		const ids = response.body.data.map((m: { id: string }) => m.id);
		expect(ids).toEqual(expect.arrayContaining(CATALOG_IDS));
		const statuses = response.body.data.map((m: { api_status: string }) => m.api_status);
		expect(statuses).toEqual(expect.arrayContaining(['available', 'coming_soon', 'studio_only']));
		expect(response.body).not.toHaveProperty('has_more');
		for (const model of response.body.data) expect(model).not.toHaveProperty('rules');
	});

	it('describes params, limits and references as the catalog table says', async () => {
		const data: any[] = (await emulator.api.listModels()).body.data;
		const byId = Object.fromEntries(data.map((m) => [m.id, m]));
		expect(byId['z-image']).toMatchObject({
			category: 'image',
			runtime: 'async_task',
			base_credits: 1,
			billing_type: 'FIXED',
			max_prompt_length: 1000,
			reference_media: null,
			supported_api_inputs: ['text'],
			api_status: 'available',
			chat_capabilities: null,
		});
		expect(byId['z-image'].params[0]).toEqual({
			key: 'aspect_ratio',
			type: 'select',
			required: false,
			default: '1:1',
			options: ['1:1', '4:3', '3:4', '16:9', '9:16'],
		});
		expect(byId['4o-image'].max_prompt_length).toBeNull();
		expect(byId['nano-banana-2'].reference_media).toMatchObject({
			kinds: ['image'],
			max_files: 14,
			max_bytes: { image: 30 * 1024 * 1024 },
		});
		expect(byId['nano-banana-2'].params.find((p: any) => p.key === 'google_search')).toMatchObject({
			default: 'false',
			options: ['false', 'true'],
		});
		expect(byId['seedream-3-0'].params.find((p: any) => p.key === 'guidance_scale')).toMatchObject({
			type: 'number',
			default: 2.5,
			min: 1,
			max: 10,
			step: 0.1,
		});
		expect(byId['happyhorse-1-0'].reference_media.max_bytes.video).toBe(95 * 1024 * 1024);
		expect(byId['wan-2-6'].reference_media.mime_types.video).toEqual([
			'video/mp4',
			'video/quicktime',
			'video/x-matroska',
		]);
		expect(byId['elevenlabs-turbo-2-5']).toMatchObject({
			billing_type: 'METERED',
			base_credits: 6,
		});
		expect(byId['elevenlabs-turbo-2-5'].params.find((p: any) => p.key === 'voice')).toMatchObject({
			required: true,
			default: 'TX3LPaxmHKxFdv7VOQHJ',
		});
		expect(
			byId['elevenlabs-turbo-2-5'].params.find((p: any) => p.key === 'voice').options,
		).toHaveLength(5);
		expect(
			byId['elevenlabs-dialogue-v3'].params.find((p: any) => p.key === 'dialogue'),
		).toMatchObject({ type: 'array', required: true });
		expect(
			byId['elevenlabs-dialogue-v3'].params.find((p: any) => p.key === 'default_voice').options,
		).toHaveLength(20);
		expect(byId['suno-sounds'].params.find((p: any) => p.key === 'soundKey').options).toHaveLength(
			25,
		);
		expect(byId['kling-3-0'].params.find((p: any) => p.key === 'duration')).toMatchObject({
			type: 'number',
			min: 3,
			max: 15,
		});
	});

	it('marks chat models with runtime chat and their capabilities', async () => {
		const data: any[] = (await emulator.api.listModels()).body.data;
		const gpt = data.find((m) => m.id === 'gpt-5-2-chat');
		expect(gpt).toMatchObject({
			category: 'chat',
			runtime: 'chat',
			billing_type: 'TOKEN_BASED',
			base_credits: 3,
			max_prompt_length: 20000,
		});
		expect(gpt.chat_capabilities).toMatchObject({ streaming: true, attachments: ['image'] });
		expect(gpt.chat_capabilities.reasoning_efforts).toContain('xhigh');
		expect(
			data.find((m) => m.id === 'claude-sonnet-4-6-chat').chat_capabilities.attachments,
		).toEqual([]);
	});
});

describe('openapi (§10)', () => {
	it('is an OpenAPI 3.1 document of every /api/v1 route, built from the zod schemas', async () => {
		const { body } = await emulator.api.withKey(undefined).request('GET', '/api/v1/openapi.json');
		expect(body.openapi).toBe('3.1.0');
		for (const path of [
			'/api/v1/models',
			'/api/v1/generations',
			'/api/v1/generations/{taskId}',
			'/api/v1/files',
			'/api/v1/files/{fileId}',
			'/api/v1/credits',
			'/api/v1/openapi.json',
			'/api/v1/chat/completions',
			'/api/v1/webhooks/{endpointId}',
		]) {
			expect(Object.keys(body.paths)).toContain(path);
		}
		expect(Object.keys(body.paths).some((path) => path.startsWith('/_emulator'))).toBe(false);
		const create = body.paths['/api/v1/generations'].post;
		expect(create.responses['202'].content['application/json'].schema).toEqual({
			$ref: '#/components/schemas/Generation',
		});
		expect(create.parameters.map((p: any) => p.name)).toContain('Idempotency-Key');
		expect(create['x-scope']).toBe('generations:create');
		expect(body.components.schemas.Generation.properties.status.enum).toEqual([
			'queued',
			'processing',
			'succeeded',
			'failed',
		]);
		expect(body.components.schemas.Error.properties.error.properties).toHaveProperty('requestId');
		expect(body.paths['/api/v1/models'].get.security).toBeUndefined();
	});
});
