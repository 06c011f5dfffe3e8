/* eslint-disable @n8n/community-nodes/no-restricted-globals */
// Webhooks of rivya-api.md §9 through real HTTP: endpoint CRUD and URL rules, signed deliveries to a local
// receiver (signatures recomputed here with node:crypto), retries, auto-disable, rotation, faults.
import { createHmac, timingSafeEqual } from 'node:crypto';

import {
	apiCaller,
	type ApiCall,
	createAccount,
	eventually,
	expectSchema,
	type JsonBody,
	type ReceivedRequest,
	startReceiver,
	type WebhookReceiver,
} from '../chat-webhooks-test-helpers';
import { type EmulatorHandle, startEmulator } from '../index';
import { WebhookService } from './delivery';
import { listSchema } from '../schemas';
import { WebhookDeliverySchema, WebhookEndpointSchema, WebhookEventSchema } from './schemas';

const RETRY_SCHEDULE_MS = [20, 40, 60, 60, 60, 60, 60];
const SUM_OF_RETRIES_MS = RETRY_SCHEDULE_MS.reduce((sum, delayMs) => sum + delayMs, 0);

let emulator: EmulatorHandle;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
	emulator = await startEmulator({
		port: 0,
		allowLocalWebhooks: true,
		webhookRetryScheduleMs: RETRY_SCHEDULE_MS,
		webhookTimeoutMs: 400,
		defaultJobMs: 60,
	});
});

afterEach(async () => {
	await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

afterAll(async () => {
	await emulator.close();
});

/** Every test gets its own account, so endpoints of one test never receive another test's events. */
async function freshAccount(): Promise<{ call: ApiCall; accountId: string }> {
	const { accountId, apiKey } = await createAccount(emulator.baseUrl, { credits: 500 });
	return { call: apiCaller(emulator.baseUrl, apiKey), accountId };
}

async function receiver(reply?: Parameters<typeof startReceiver>[0]): Promise<WebhookReceiver> {
	const started = await startReceiver(reply);
	receivers.push(started);
	return started;
}

async function createEndpoint(
	call: ApiCall,
	url: string,
	eventTypes = ['generation.succeeded', 'generation.failed'],
): Promise<JsonBody> {
	const answer = await call('POST', '/api/v1/webhooks', {
		name: 'n8n trigger',
		url,
		event_types: eventTypes,
	});
	expect(answer.status).toBe(201);
	return answer.body;
}

async function runGeneration(call: ApiCall): Promise<string> {
	const answer = await call('POST', '/api/v1/generations', {
		model: 'z-image',
		prompt: 'a lighthouse at dusk',
	});
	expect(answer.status).toBe(202);
	return answer.body.id as string;
}

async function readCounters(): Promise<JsonBody> {
	return (await apiCaller(emulator.baseUrl, null)('GET', '/_emulator/counters')).body;
}

async function injectWebhookFault(kind: string, times?: number): Promise<void> {
	const answer = await apiCaller(emulator.baseUrl, null)('POST', '/_emulator/webhooks/faults', {
		kind,
		times,
	});
	expect(answer.status).toBe(200);
}

// ---- an independent Standard Webhooks verifier -----------------------------------------------------

function hmacSignature(secret: string, request: ReceivedRequest): string {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const signedContent = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.`;
	return createHmac('sha256', key).update(signedContent).update(request.rawBody).digest('base64');
}

function listedSignatures(request: ReceivedRequest): string[] {
	return String(request.headers['webhook-signature'])
		.split(' ')
		.map((entry) => {
			const [version, signature] = entry.split(',');
			expect(version).toBe('v1');
			return signature;
		});
}

function signedBy(secret: string, request: ReceivedRequest): boolean {
	const expected = Buffer.from(hmacSignature(secret, request));
	return listedSignatures(request).some(
		(signature) =>
			signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected),
	);
}

async function deliveriesOf(call: ApiCall, endpointId: string, query = ''): Promise<JsonBody[]> {
	const answer = await call('GET', `/api/v1/webhooks/${endpointId}/deliveries${query}`);
	expect(answer.status).toBe(200);
	return answer.body.data as JsonBody[];
}

async function deliveryWhen(
	call: ApiCall,
	endpointId: string,
	matches: (delivery: JsonBody) => boolean,
	timeoutMs = 5_000,
): Promise<JsonBody> {
	return await eventually(
		async () => (await deliveriesOf(call, endpointId)).find(matches),
		timeoutMs,
	);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- endpoint management ----------------------------------------------------------------------------

describe('webhook endpoints', () => {
	it('creates an endpoint with a one-time whsec_ secret of 32 random bytes', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const created = await createEndpoint(call, target.url, ['generation.succeeded']);

		expect(WebhookEndpointSchema.parse(created)).toEqual(created);
		expect(created).toMatchObject({
			object: 'webhook_endpoint',
			name: 'n8n trigger',
			url: target.url,
			event_types: ['generation.succeeded'],
			status: 'active',
			failure_count: 0,
			last_success_at: null,
			last_failure_at: null,
			disabled_at: null,
			revoked_at: null,
		});
		expect(created.id).toMatch(/^whend_/);
		expect(created.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
		expect(Buffer.from(created.signing_secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
		expect(created.secret_preview).not.toContain(created.signing_secret.slice(6, 30));

		const fetched = await call('GET', `/api/v1/webhooks/${created.id}`);
		expect(fetched.status).toBe(200);
		expect(fetched.body.signing_secret).toBeUndefined();
		expect({ ...fetched.body, signing_secret: created.signing_secret }).toEqual(created);
	});

	it('lists newest first with limit, after and has_more, and never shows secrets', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const ids: string[] = [];
		for (let index = 0; index < 3; index++)
			ids.push((await createEndpoint(call, target.url)).id as string);

		const firstPage = await call('GET', '/api/v1/webhooks?limit=2');
		expectSchema(listSchema(WebhookEndpointSchema), firstPage.body);
		expect(firstPage.body.data.map((endpoint: JsonBody) => endpoint.id)).toEqual([ids[2], ids[1]]);
		expect(firstPage.body.has_more).toBe(true);
		expect(
			firstPage.body.data.every((endpoint: JsonBody) => endpoint.signing_secret === undefined),
		).toBe(true);

		const secondPage = await call('GET', `/api/v1/webhooks?limit=2&after=${ids[1]}`);
		expect(secondPage.body.data.map((endpoint: JsonBody) => endpoint.id)).toEqual([ids[0]]);
		expect(secondPage.body.has_more).toBe(false);

		for (const query of ['limit=0', 'limit=101', 'limit=abc', 'after=whend_unknown']) {
			const invalid = await call('GET', `/api/v1/webhooks?${query}`);
			expect(invalid.status).toBe(400);
			expect(invalid.body.error.code).toBe('validation_failed');
		}
	});

	it('patches name, url, event_types and status, and validates them', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const other = await receiver();
		const created = await createEndpoint(call, target.url);

		const patched = await call('PATCH', `/api/v1/webhooks/${created.id}`, {
			name: 'renamed',
			url: other.url,
			event_types: ['generation.failed'],
		});
		expect(patched.status).toBe(200);
		expect(patched.body).toMatchObject({
			name: 'renamed',
			url: other.url,
			event_types: ['generation.failed'],
		});
		expect(patched.body.signing_secret).toBeUndefined();

		const disabled = await call('PATCH', `/api/v1/webhooks/${created.id}`, { status: 'disabled' });
		expect(disabled.body).toMatchObject({ status: 'disabled' });
		expect(disabled.body.disabled_at).toEqual(expect.any(String));
		const reactivated = await call('PATCH', `/api/v1/webhooks/${created.id}`, { status: 'active' });
		expect(reactivated.body).toMatchObject({ status: 'active', disabled_at: null });

		const invalidBodies = [
			{ event_types: [] },
			{ event_types: ['generation.started'] },
			{ status: 'revoked' },
			{ name: '' },
		];
		for (const body of invalidBodies) {
			const invalid = await call('PATCH', `/api/v1/webhooks/${created.id}`, body);
			expect(invalid.status).toBe(400);
			expect(invalid.body.error.code).toBe('validation_failed');
		}
		const badUrl = await call('PATCH', `/api/v1/webhooks/${created.id}`, {
			url: 'https://10.0.0.8/hook',
		});
		expect(badUrl.status).toBe(400);
		expect(badUrl.body.error.code).toBe('webhook_url_rejected');
	});

	it('validates the create body, naming the field', async () => {
		const { call } = await freshAccount();
		const invalidBodies: Array<[unknown, string]> = [
			[{ url: 'https://hooks.example.com/a', event_types: ['generation.succeeded'] }, 'name'],
			[{ name: 'x', event_types: ['generation.succeeded'] }, 'url'],
			[{ name: 'x', url: 'https://hooks.example.com/a' }, 'event_types'],
			[
				{ name: 'x', url: 'https://hooks.example.com/a', event_types: ['task.done'] },
				'event_types',
			],
		];
		for (const [body, field] of invalidBodies) {
			const answer = await call('POST', '/api/v1/webhooks', body);
			expect(answer.status).toBe(400);
			expect(answer.body.error.code).toBe('validation_failed');
			expect(answer.body.error.message).toContain(field);
		}
	});

	it('revokes on DELETE: status revoked, revoked_at set, no further changes', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const created = await createEndpoint(call, target.url);

		const revoked = await call('DELETE', `/api/v1/webhooks/${created.id}`);
		expect(revoked.status).toBe(200);
		expect(revoked.body).toMatchObject({ id: created.id, status: 'revoked' });
		expect(revoked.body.revoked_at).toEqual(expect.any(String));
		expect((await call('GET', `/api/v1/webhooks/${created.id}`)).body.status).toBe('revoked');
		for (const [method, path, body] of [
			['PATCH', '', { status: 'active' }],
			['POST', '/rotate-secret', undefined],
			['POST', '/test', undefined],
		] as const) {
			const refused = await call(method, `/api/v1/webhooks/${created.id}${path}`, body);
			expect(refused.status).toBe(400);
		}
	});

	it('hides other accounts’ endpoints behind 404 and requires webhooks:manage', async () => {
		const owner = await freshAccount();
		const stranger = await freshAccount();
		const target = await receiver();
		const created = await createEndpoint(owner.call, target.url);

		for (const [method, path] of [
			['GET', ''],
			['PATCH', ''],
			['DELETE', ''],
			['POST', '/rotate-secret'],
			['POST', '/test'],
			['GET', '/deliveries'],
		] as const) {
			const answer = await stranger.call(
				method,
				`/api/v1/webhooks/${created.id}${path}`,
				method === 'PATCH' ? {} : undefined,
			);
			expect(answer.status).toBe(404);
			expect(answer.body.error.code).toBe('not_found');
			expect(answer.headers.get('x-request-id')).toBe(answer.body.error.requestId);
		}
		expect((await stranger.call('GET', '/api/v1/webhooks')).body.data).toEqual([]);

		const limited = await createAccount(emulator.baseUrl, {
			scopes: ['credits:read', 'chat:create'],
		});
		const limitedCall = apiCaller(emulator.baseUrl, limited.apiKey);
		for (const path of ['/api/v1/webhooks', '/api/v1/webhook-events']) {
			const denied = await limitedCall('GET', path);
			expect(denied.status).toBe(403);
			expect(denied.body.error.code).toBe('api_scope_denied');
		}
	});
});

describe('webhook URL rules', () => {
	let strict: EmulatorHandle;
	let strictCall: ApiCall;

	beforeAll(async () => {
		strict = await startEmulator({ port: 0 });
		strictCall = apiCaller(strict.baseUrl, strict.apiKey);
	});
	afterAll(async () => {
		await strict.close();
	});

	const create = (call: ApiCall, url: string) =>
		call('POST', '/api/v1/webhooks', { name: 'rules', url, event_types: ['generation.succeeded'] });

	it.each([
		['plain http', 'http://hooks.example.com/rivya'],
		['another scheme', 'ftp://hooks.example.com/rivya'],
		['credentials', 'https://user:pass@hooks.example.com/rivya'],
		['a user name only', 'https://user@hooks.example.com/rivya'],
		['a fragment', 'https://hooks.example.com/rivya#section'],
		['an empty fragment', 'https://hooks.example.com/rivya#'],
		['localhost', 'https://localhost/rivya'],
		['a *.localhost name', 'https://n8n.localhost/rivya'],
		['a .local name', 'https://printer.local/rivya'],
		['a .internal name', 'https://n8n.internal/rivya'],
		['a single-label name', 'https://n8n/rivya'],
		['IPv4 loopback', 'https://127.0.0.1/rivya'],
		['IPv4 loopback in hex', 'https://0x7f.0.0.1/rivya'],
		['IPv4 loopback as an integer', 'https://2130706433/rivya'],
		['IPv6 loopback', 'https://[::1]/rivya'],
		['unspecified address', 'https://0.0.0.0/rivya'],
		['private 10/8', 'https://10.1.2.3/rivya'],
		['private 172.16/12', 'https://172.20.0.5/rivya'],
		['private 192.168/16', 'https://192.168.1.10/rivya'],
		['IPv6 unique local', 'https://[fd12:3456::1]/rivya'],
		['link-local (cloud metadata)', 'https://169.254.169.254/latest'],
		['IPv6 link-local', 'https://[fe80::1]/rivya'],
		['CGNAT / shared address space', 'https://100.64.0.1/rivya'],
		['IPv4-mapped private address', 'https://[::ffff:10.0.0.1]/rivya'],
		['documentation range', 'https://203.0.113.9/rivya'],
		['benchmarking range', 'https://198.18.0.1/rivya'],
		['multicast', 'https://224.0.0.1/rivya'],
		['reserved 240/4', 'https://240.0.0.1/rivya'],
		['broadcast', 'https://255.255.255.255/rivya'],
		['not a URL', 'hooks.example.com/rivya'],
	])('rejects %s with webhook_url_rejected', async (_category, url) => {
		const answer = await create(strictCall, url);
		expect(answer.status).toBe(400);
		expect(answer.body.error.code).toBe('webhook_url_rejected');
	});

	it.each([
		'https://hooks.example.com/rivya',
		'https://8.8.8.8:8443/rivya?token=abc',
		'https://[2606:4700::1111]/rivya',
	])('accepts the public HTTPS URL %s', async (url) => {
		expect((await create(strictCall, url)).status).toBe(201);
	});

	it('accepts http/https loopback targets only when allowLocalWebhooks is on', async () => {
		const devCall = apiCaller(emulator.baseUrl, emulator.apiKey);
		for (const url of [
			'http://127.0.0.1:5678/webhook/rivya',
			'http://localhost:5678/webhook',
			'https://[::1]:5678/hook',
		]) {
			expect((await create(devCall, url)).status).toBe(201);
			expect((await create(strictCall, url)).body.error.code).toBe('webhook_url_rejected');
		}
		for (const url of [
			'http://127.0.0.2/hook',
			'http://10.0.0.1/hook',
			'http://hooks.example.com/hook',
			'http://u:p@localhost/hook',
		]) {
			expect((await create(devCall, url)).body.error.code).toBe('webhook_url_rejected');
		}
	});
});

// ---- deliveries -------------------------------------------------------------------------------------

describe('webhook deliveries', () => {
	it('delivers a signed generation.succeeded event when a generation finishes', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);
		const before = await readCounters();

		const taskId = await runGeneration(call);
		const [request] = await target.waitForRequests(1);

		expect(request.method).toBe('POST');
		expect(request.headers['content-type']).toBe('application/json');
		expect(signedBy(endpoint.signing_secret, request)).toBe(true);
		expect(listedSignatures(request)).toHaveLength(1);
		const timestamp = Number(request.headers['webhook-timestamp']);
		expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(300);

		const event = JSON.parse(request.rawBody.toString('utf8')) as JsonBody;
		expectSchema(WebhookEventSchema, event);
		// Exactly the documented keys, in the documented order (no `object`).
		expect(Object.keys(event)).toEqual(['id', 'type', 'api_version', 'created_at', 'data']);
		expect(event).toMatchObject({
			type: 'generation.succeeded',
			api_version: '2026-05-11',
		});
		expect(event.id).toMatch(/^evt_/);
		expect(request.headers['webhook-id']).toBe(event.id);
		expect(event.test).toBeUndefined();
		const generation = await call('GET', `/api/v1/generations/${taskId}`);
		expect(event.data).toEqual(generation.body);
		expect(event.data.status).toBe('succeeded');

		const delivery = await deliveryWhen(call, endpoint.id, (entry) => entry.status === 'succeeded');
		expect(WebhookDeliverySchema.parse(delivery)).toEqual(delivery);
		expect(delivery).toMatchObject({
			endpoint_id: endpoint.id,
			event_id: event.id,
			event_type: 'generation.succeeded',
			attempt: 1,
			response_status: 200,
			error: null,
			next_retry_at: null,
		});
		const refreshed = await call('GET', `/api/v1/webhooks/${endpoint.id}`);
		expect(refreshed.body.last_success_at).toEqual(expect.any(String));
		expect(refreshed.body.failure_count).toBe(0);

		const after = await readCounters();
		expect(after.deliveriesSent).toBeGreaterThanOrEqual((before.deliveriesSent ?? 0) + 1);
		expect(after.deliveriesSucceeded).toBeGreaterThanOrEqual((before.deliveriesSucceeded ?? 0) + 1);
	});

	it('sends generation.failed only to endpoints subscribed to it', async () => {
		const { call } = await freshAccount();
		const failedOnly = await receiver();
		const succeededOnly = await receiver();
		await createEndpoint(call, failedOnly.url, ['generation.failed']);
		await createEndpoint(call, succeededOnly.url, ['generation.succeeded']);
		const behavior = await apiCaller(emulator.baseUrl, null)(
			'PUT',
			'/_emulator/models/4o-image/behavior',
			{
				outcome: 'fail',
				durationMs: 40,
			},
		);
		expect(behavior.status).toBe(200);

		const answer = await call('POST', '/api/v1/generations', {
			model: '4o-image',
			prompt: 'a failing job',
		});
		expect(answer.status).toBe(202);
		const [request] = await failedOnly.waitForRequests(1);
		const event = JSON.parse(request.rawBody.toString('utf8')) as JsonBody;
		expect(event).toMatchObject({
			type: 'generation.failed',
			data: { id: answer.body.id, status: 'failed', final_credits: 0 },
		});
		expect(event.data.error).toMatchObject({ code: 'generation_failed' });
		await delay(200);
		expect(succeededOnly.requests).toHaveLength(0);
	});

	it('retries on non-2xx answers following the schedule, then succeeds', async () => {
		const { call } = await freshAccount();
		const target = await receiver((_request, index) => (index < 2 ? 500 : 204));
		const endpoint = await createEndpoint(call, target.url);

		await runGeneration(call);
		const requests = await target.waitForRequests(3);
		expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
		expect(requests[1].receivedAtMs - requests[0].receivedAtMs).toBeGreaterThanOrEqual(
			RETRY_SCHEDULE_MS[0] - 5,
		);
		expect(requests[2].receivedAtMs - requests[1].receivedAtMs).toBeGreaterThanOrEqual(
			RETRY_SCHEDULE_MS[1] - 5,
		);
		for (const request of requests) expect(signedBy(endpoint.signing_secret, request)).toBe(true);

		const delivery = await deliveryWhen(call, endpoint.id, (entry) => entry.status === 'succeeded');
		expect(delivery).toMatchObject({ attempt: 3, response_status: 204, error: null });
		const refreshed = (await call('GET', `/api/v1/webhooks/${endpoint.id}`)).body;
		expect(refreshed.last_failure_at).toEqual(expect.any(String));
		expect(refreshed.last_success_at).toEqual(expect.any(String));
		expect(refreshed.failure_count).toBe(0);
	});

	it('shows a pending delivery with next_retry_at between attempts', async () => {
		const { call } = await freshAccount();
		const target = await receiver((_request, index) => (index === 0 ? 503 : 200));
		const endpoint = await createEndpoint(call, target.url);

		const tested = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(tested.status).toBe(200);
		expect(tested.body).toMatchObject({ status: 'pending', attempt: 1, response_status: 503 });
		expect(tested.body.error).toContain('503');
		expect(Date.parse(tested.body.next_retry_at)).toBeGreaterThan(
			Date.parse(tested.body.created_at),
		);
		await deliveryWhen(
			call,
			endpoint.id,
			(entry) => entry.status === 'succeeded' && entry.attempt === 2,
		);
	});

	it('marks a delivery failed after 8 attempts and counts it on the endpoint', async () => {
		const { call } = await freshAccount();
		const target = await receiver(() => 500);
		const endpoint = await createEndpoint(call, target.url);
		const before = await readCounters();

		await runGeneration(call);
		await target.waitForRequests(8);
		const delivery = await deliveryWhen(call, endpoint.id, (entry) => entry.status === 'failed');
		expect(delivery).toMatchObject({ attempt: 8, response_status: 500, next_retry_at: null });
		expect(delivery.error).toContain('500');
		await delay(SUM_OF_RETRIES_MS);
		expect(target.requests).toHaveLength(8);

		const refreshed = (await call('GET', `/api/v1/webhooks/${endpoint.id}`)).body;
		expect(refreshed).toMatchObject({ status: 'active', failure_count: 1 });
		expect(refreshed.last_failure_at).toEqual(expect.any(String));
		const after = await readCounters();
		expect(after.deliveriesFailed).toBeGreaterThanOrEqual((before.deliveriesFailed ?? 0) + 1);
		expect(after.deliveriesSent).toBeGreaterThanOrEqual((before.deliveriesSent ?? 0) + 8);
	});

	it('treats a timeout as a failed attempt', async () => {
		const { call } = await freshAccount();
		const target = await receiver((_request, index) => (index === 0 ? 'hang' : 200));
		const endpoint = await createEndpoint(call, target.url);

		const tested = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(tested.body).toMatchObject({ status: 'pending', attempt: 1, response_status: null });
		expect(tested.body.error).toMatch(/timed out/);
		await deliveryWhen(call, endpoint.id, (entry) => entry.status === 'succeeded');
	});

	it('does not follow redirects: a 3xx is a failed attempt', async () => {
		const { call } = await freshAccount();
		const target = await receiver((_request, index) => (index === 0 ? 307 : 200));
		const endpoint = await createEndpoint(call, target.url);

		const tested = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(tested.body).toMatchObject({ status: 'pending', response_status: 307 });
		await deliveryWhen(
			call,
			endpoint.id,
			(entry) => entry.status === 'succeeded' && entry.attempt === 2,
		);
	});

	it('disables the endpoint after 20 failed deliveries in a row', async () => {
		const { call } = await freshAccount();
		const target = await receiver(() => 500);
		const endpoint = await createEndpoint(call, target.url);

		for (let index = 0; index < 20; index++) {
			expect((await call('POST', `/api/v1/webhooks/${endpoint.id}/test`)).status).toBe(200);
		}
		const disabled = await eventually(async () => {
			const current = (await call('GET', `/api/v1/webhooks/${endpoint.id}`)).body;
			return current.status === 'disabled' ? current : undefined;
		});
		expect(disabled.failure_count).toBe(20);
		expect(disabled.disabled_at).toEqual(expect.any(String));
		expect(target.requests).toHaveLength(20 * 8);

		// A disabled endpoint receives no generation events.
		await runGeneration(call);
		await delay(300);
		expect(target.requests).toHaveLength(20 * 8);
	});

	it('stops deliveries, retries included, once the endpoint is deleted', async () => {
		const { call } = await freshAccount();
		const target = await receiver(() => 500);
		const endpoint = await createEndpoint(call, target.url);

		await runGeneration(call);
		await target.waitForRequests(1);
		expect((await call('DELETE', `/api/v1/webhooks/${endpoint.id}`)).status).toBe(200);
		// Let an attempt that was already on the wire land before taking the count.
		await delay(10);
		const requestsAtRevoke = target.requests.length;
		await runGeneration(call);
		await delay(SUM_OF_RETRIES_MS + 200);

		expect(target.requests).toHaveLength(requestsAtRevoke);
		const deliveries = await deliveriesOf(call, endpoint.id);
		expect(deliveries).toHaveLength(1);
		expect(deliveries[0]).toMatchObject({
			status: 'failed',
			error: 'endpoint revoked',
			next_retry_at: null,
		});
	});

	it('signs with both the old and the new secret after a rotation', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);

		const rotated = await call('POST', `/api/v1/webhooks/${endpoint.id}/rotate-secret`);
		expect(rotated.status).toBe(200);
		expectSchema(WebhookEndpointSchema, rotated.body);
		expect(rotated.body.signing_secret).toMatch(/^whsec_/);
		expect(rotated.body.signing_secret).not.toBe(endpoint.signing_secret);
		expect(rotated.body.secret_preview).not.toBe(endpoint.secret_preview);
		expect(
			(await call('GET', `/api/v1/webhooks/${endpoint.id}`)).body.signing_secret,
		).toBeUndefined();

		await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		const [request] = await target.waitForRequests(1);
		const signatures = listedSignatures(request);
		expect(signatures).toHaveLength(2);
		expect(signatures).toContain(hmacSignature(rotated.body.signing_secret, request));
		expect(signatures).toContain(hmacSignature(endpoint.signing_secret, request));
	});

	it('drops the old secret 24 h after a rotation', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);
		const rotated = await call('POST', `/api/v1/webhooks/${endpoint.id}/rotate-secret`);

		const dayAndASecondMs = 24 * 60 * 60 * 1000 + 1000;
		emulator.state.advanceClock(dayAndASecondMs);
		try {
			await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		} finally {
			emulator.state.advanceClock(-dayAndASecondMs);
		}
		const [request] = await target.waitForRequests(1);
		expect(listedSignatures(request)).toEqual([
			hmacSignature(rotated.body.signing_secret, request),
		]);
		expect(signedBy(endpoint.signing_secret, request)).toBe(false);
	});

	it('sends a test event now and answers the delivery', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url, [
			'generation.failed',
			'generation.succeeded',
		]);

		const tested = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(tested.status).toBe(200);
		expect(WebhookDeliverySchema.parse(tested.body)).toEqual(tested.body);
		expect(tested.body).toMatchObject({
			endpoint_id: endpoint.id,
			event_type: 'generation.failed',
			status: 'succeeded',
			attempt: 1,
			response_status: 200,
		});
		expect(target.requests).toHaveLength(1);
		const [request] = target.requests;
		expect(signedBy(endpoint.signing_secret, request)).toBe(true);
		const event = JSON.parse(request.rawBody.toString('utf8')) as JsonBody;
		expect(event).toMatchObject({
			id: tested.body.event_id,
			type: 'generation.failed',
			api_version: '2026-05-11',
			test: true,
			data: { object: 'generation', status: 'succeeded', error: null },
		});
		expect(event.data.id).toMatch(/^task_test_/);
		expect(event.data.result.urls).toEqual([event.data.result.primary_url]);
	});

	it('lists deliveries and events with paging', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);
		const eventIds: string[] = [];
		for (let index = 0; index < 3; index++) {
			eventIds.push(
				(await call('POST', `/api/v1/webhooks/${endpoint.id}/test`)).body.event_id as string,
			);
		}

		const deliveries = await call('GET', `/api/v1/webhooks/${endpoint.id}/deliveries?limit=2`);
		expectSchema(listSchema(WebhookDeliverySchema), deliveries.body);
		expect(deliveries.body.data.map((delivery: JsonBody) => delivery.event_id)).toEqual([
			eventIds[2],
			eventIds[1],
		]);
		expect(deliveries.body.has_more).toBe(true);
		const rest = await call(
			'GET',
			`/api/v1/webhooks/${endpoint.id}/deliveries?limit=2&after=${deliveries.body.data[1].id}`,
		);
		expect(rest.body.data.map((delivery: JsonBody) => delivery.event_id)).toEqual([eventIds[0]]);
		expect(rest.body.has_more).toBe(false);

		const events = await call('GET', '/api/v1/webhook-events?limit=3');
		expectSchema(listSchema(WebhookEventSchema), events.body);
		expect(events.body.data.map((event: JsonBody) => event.id)).toEqual([...eventIds].reverse());
		expect(events.body.has_more).toBe(false);
		expect(events.body.data[0]).toEqual(JSON.parse(target.requests[2].rawBody.toString('utf8')));

		const taskId = await runGeneration(call);
		const withGeneration = await eventually(async () => {
			const listed = await call('GET', '/api/v1/webhook-events?limit=1');
			return listed.body.data[0]?.data?.id === taskId ? listed.body : undefined;
		});
		expect(withGeneration).toMatchObject({
			has_more: true,
			data: [{ type: 'generation.succeeded' }],
		});

		const stranger = await freshAccount();
		expect((await stranger.call('GET', '/api/v1/webhook-events')).body.data).toEqual([]);
	});
});

describe('delivery-time address check', () => {
	it('refuses a host name that resolves to a non-public address (DNS rebinding)', async () => {
		const target = await receiver();
		let idCounter = 0;
		const service = new WebhookService({
			now: () => new Date().toISOString(),
			newId: (prefix) => `${prefix}_${++idCounter}`,
			allowLocalWebhooks: false,
			retryScheduleMs: [],
		});
		try {
			// The routes would refuse this URL; the service alone shows what happens if a name resolves locally.
			const endpoint = service.createEndpoint('acct_1', {
				name: 'rebinding',
				url: target.url.replace('127.0.0.1', 'localhost'),
				eventTypes: ['generation.succeeded'],
			});
			const delivery = await service.sendTestEvent(endpoint, { id: 'task_test_1' });
			expect(delivery).toMatchObject({ status: 'failed', attempt: 1, responseStatus: null });
			expect(delivery.error).toContain('non-public address');
			expect(target.requests).toHaveLength(0);
		} finally {
			service.stop();
		}
	});
});

// ---- delivery faults ------------------------------------------------------------------------------------

describe('webhook delivery faults', () => {
	it('duplicate: the same event (same webhook-id and bytes) arrives twice', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);
		const before = await readCounters();

		await injectWebhookFault('duplicate');
		await runGeneration(call);
		const [first, second] = await target.waitForRequests(2);
		expect(first.headers['webhook-id']).toBe(second.headers['webhook-id']);
		expect(first.rawBody.equals(second.rawBody)).toBe(true);
		expect(
			signedBy(endpoint.signing_secret, first) && signedBy(endpoint.signing_secret, second),
		).toBe(true);
		const deliveries = await eventually(async () => {
			const listed = await deliveriesOf(call, endpoint.id);
			return listed.filter((entry) => entry.status === 'succeeded').length === 2
				? listed
				: undefined;
		});
		expect(deliveries[0].event_id).toBe(deliveries[1].event_id);
		expect((await readCounters()).deliveriesDuplicated).toBe(
			(before.deliveriesDuplicated ?? 0) + 1,
		);
	});

	it('out_of_order: a held delivery arrives after the next one', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);

		await injectWebhookFault('out_of_order');
		const held = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(held.body).toMatchObject({ status: 'pending', attempt: 0 });
		await delay(100);
		expect(target.requests).toHaveLength(0);
		const next = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);

		const [first, second] = await target.waitForRequests(2);
		expect(first.headers['webhook-id']).toBe(next.body.event_id);
		expect(second.headers['webhook-id']).toBe(held.body.event_id);
		const firstEvent = JSON.parse(first.rawBody.toString('utf8')) as JsonBody;
		const secondEvent = JSON.parse(second.rawBody.toString('utf8')) as JsonBody;
		expect(Date.parse(secondEvent.created_at)).toBeLessThanOrEqual(
			Date.parse(firstEvent.created_at),
		);
	});

	it('bad_signature: the receiver rejects it, the retry is signed correctly', async () => {
		const { call } = await freshAccount();
		let secret = '';
		const target = await receiver((request) => (signedBy(secret, request) ? 200 : 401));
		const endpoint = await createEndpoint(call, target.url);
		secret = endpoint.signing_secret;

		await injectWebhookFault('bad_signature');
		const tested = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(tested.body).toMatchObject({ status: 'pending', attempt: 1, response_status: 401 });
		const [rejected, accepted] = await target.waitForRequests(2);
		expect(signedBy(secret, rejected)).toBe(false);
		expect(signedBy(secret, accepted)).toBe(true);
		expect(rejected.headers['webhook-id']).toBe(accepted.headers['webhook-id']);
		await deliveryWhen(
			call,
			endpoint.id,
			(entry) => entry.status === 'succeeded' && entry.attempt === 2,
		);
	});

	it('drop: the attempt never reaches the receiver and is retried', async () => {
		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);
		const before = await readCounters();

		await injectWebhookFault('drop');
		const tested = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(tested.body).toMatchObject({ status: 'pending', attempt: 1, response_status: null });
		expect(tested.body.error).toContain('dropped');
		expect(target.requests).toHaveLength(0);
		await target.waitForRequests(1);
		await deliveryWhen(
			call,
			endpoint.id,
			(entry) => entry.status === 'succeeded' && entry.attempt === 2,
		);
		expect((await readCounters()).deliveriesDropped).toBe((before.deliveriesDropped ?? 0) + 1);
	});

	it('starts counters at zero, validates fault requests and clears pending faults', async () => {
		const control = apiCaller(emulator.baseUrl, null);
		const fresh = await startEmulator({ port: 0 });
		try {
			const counters = (await apiCaller(fresh.baseUrl, null)('GET', '/_emulator/counters')).body;
			expect(counters).toMatchObject({
				deliveriesSent: 0,
				deliveriesSucceeded: 0,
				deliveriesFailed: 0,
			});
		} finally {
			await fresh.close();
		}
		const invalid = await control('POST', '/_emulator/webhooks/faults', { kind: 'explode' });
		expect(invalid.status).toBe(400);
		expect(invalid.body.error.code).toBe('validation_failed');

		const { call } = await freshAccount();
		const target = await receiver();
		const endpoint = await createEndpoint(call, target.url);
		await injectWebhookFault('drop', 3);
		expect((await control('DELETE', '/_emulator/webhooks/faults')).status).toBe(200);
		const tested = await call('POST', `/api/v1/webhooks/${endpoint.id}/test`);
		expect(tested.body).toMatchObject({ status: 'succeeded', attempt: 1 });
	});
});
