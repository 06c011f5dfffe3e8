/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/** Webhook resource of the Rivya node, run by n8n's engine (harness) against the emulator. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { EmulatorClient } from '../emulator/client';
import { startEmulator, type EmulatorHandle } from '../emulator';
import { chain, runWorkflow, startNode } from './harness';

let emulator: EmulatorHandle;
let client: EmulatorClient;
let receiver: http.Server;
let receiverUrl: string;
let receivedCount = 0;

beforeAll(async () => {
	emulator = await startEmulator({
		port: 0,
		allowLocalWebhooks: true,
		webhookRetryScheduleMs: [50],
	});
	client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
	// A receiver that accepts everything, standing in for some other system's webhook URL.
	receiver = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			receivedCount++;
			res.writeHead(204).end();
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
	await emulator?.close();
	await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

beforeEach(async () => {
	await client.reset();
	receivedCount = 0;
});

async function createEndpoint(name: string, eventTypes = ['generation.succeeded']) {
	const answer = await client.request('POST', '/api/v1/webhooks', {
		body: { name, url: `${receiverUrl}?n=${encodeURIComponent(name)}`, event_types: eventTypes },
	});
	expect(answer.status).toBe(201);
	return answer.body as IDataObject & { id: string; signing_secret: string };
}

async function runWebhookOp(
	operation: string,
	parameters: INodeParameters = {},
	options: { inputItems?: IDataObject[]; continueOnFail?: boolean } = {},
) {
	const result = await runWorkflow({
		nodes: [
			startNode(),
			{
				name: 'Rivya',
				type: 'n8n-nodes-rivya.rivya',
				// Version 1 (Rivya's own field names, revoked endpoints listed); version 2: editor.test.ts.
				typeVersion: 1,
				parameters: { resource: 'webhook', operation, ...parameters },
				...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: chain('Start', 'Rivya'),
		credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
		inputItems: options.inputItems,
	});
	return result;
}

async function outputOf(operation: string, parameters: INodeParameters = {}) {
	const result = await runWebhookOp(operation, parameters);
	expect(result.error?.message).toBeUndefined();
	expect(result.status).toBe('success');
	return result.outputOf('Rivya');
}

describe('Rivya > Webhook', () => {
	it('Get Many: Limit stops early; Return All follows has_more across pages', async () => {
		for (const name of ['one', 'two', 'three']) await createEndpoint(name);
		const limited = await outputOf('getAll', { returnAll: false, limit: 2 });
		expect(limited.map((item) => item.json.name)).toEqual(['three', 'two']);
		expect(limited.every((item) => item.pairedItem)).toBe(true);
		// More than one page (the page size is 100).
		for (let index = 0; index < 102; index++) await createEndpoint(`bulk-${index}`);
		const all = await outputOf('getAll', { returnAll: true });
		expect(all).toHaveLength(105);
		expect(new Set(all.map((item) => item.json.id)).size).toBe(105);
		expect(all[all.length - 1].json.name).toBe('one');
		expect(JSON.stringify(all)).not.toContain('signing_secret');
	});

	it('Get Many pages follow the retry Options: retried by default, not when Max Attempts is 1', async () => {
		await createEndpoint('steady');
		const route = 'GET /api/v1/webhooks';
		const requests = async () => (await client.counters()).requests[route] ?? 0;
		await client.addFault({ route, kind: 'status', status: 503, times: 1 });
		const retried = await outputOf('getAll', { returnAll: true });
		expect(retried.map((item) => item.json.name)).toEqual(['steady']);
		expect(await requests()).toBe(2);

		await client.addFault({ route, kind: 'status', status: 503, times: 1 });
		const once = await runWebhookOp('getAll', { returnAll: true, options: { maxAttempts: 1 } });
		expect(once.status).toBe('error');
		expect(await requests()).toBe(3);
	});

	it('Get returns the endpoint; an unknown ID is a clear not-found error', async () => {
		const endpoint = await createEndpoint('lookup');
		const [item] = await outputOf('get', { endpointId: endpoint.id });
		expect(item.json).toMatchObject({ id: endpoint.id, name: 'lookup', status: 'active' });

		const missing = await runWebhookOp('get', { endpointId: 'whend_missing' });
		expect(missing.status).toBe('error');
		expect(missing.error?.message).toMatch(/not_found/);
		expect((missing.error as { description?: string }).description).toMatch(
			/Webhook endpoint whend_missing was not found/,
		);
	});

	it('Update changes name, event types and status (disable, then enable)', async () => {
		const endpoint = await createEndpoint('before');
		const [updated] = await outputOf('update', {
			endpointId: endpoint.id,
			updateFields: {
				name: 'after',
				eventTypes: ['generation.failed', 'generation.succeeded'],
				status: 'disabled',
			},
		});
		expect(updated.json).toMatchObject({ name: 'after', status: 'disabled' });
		expect(updated.json.event_types).toEqual(['generation.failed', 'generation.succeeded']);
		const [enabled] = await outputOf('update', {
			endpointId: endpoint.id,
			updateFields: { status: 'active' },
		});
		expect(enabled.json.status).toBe('active');
	});

	it('Update with no fields, or an empty Endpoint ID, fails before calling Rivya', async () => {
		const endpoint = await createEndpoint('untouched');
		const before = (await client.counters()).requests;
		const nothing = await runWebhookOp('update', { endpointId: endpoint.id, updateFields: {} });
		expect(nothing.status).toBe('error');
		expect(nothing.error?.message).toMatch(/Item 1: nothing to update/);
		const noId = await runWebhookOp('get', { endpointId: '  ' });
		expect(noId.error?.message).toMatch(/Endpoint ID is empty/);
		const after = (await client.counters()).requests;
		expect(after).toEqual(before);
	});

	it('Update to a URL Rivya rejects says how to fix it', async () => {
		const endpoint = await createEndpoint('strict');
		const result = await runWebhookOp('update', {
			endpointId: endpoint.id,
			updateFields: { url: 'http://192.168.1.10/hook' },
		});
		expect(result.error?.message).toMatch(/webhook_url_rejected/);
		expect((result.error as { description?: string }).description).toMatch(/public HTTPS/);
	});

	it('Rotate Secret returns the new secret once, clearly marked', async () => {
		const endpoint = await createEndpoint('rotating');
		const [item] = await outputOf('rotateSecret', { endpointId: endpoint.id });
		expect(item.json.signingSecret).toMatch(/^whsec_/);
		expect(item.json.signingSecret).not.toBe(endpoint.signing_secret);
		expect(item.json.signingSecretNote).toMatch(/Shown once/);
		expect(item.json.signing_secret).toBeUndefined();
		const [after] = await outputOf('get', { endpointId: endpoint.id });
		expect(JSON.stringify(after.json)).not.toContain(String(item.json.signingSecret));
	});

	it('Send Test Event delivers now; Get Many Deliveries and Get Many Events list it', async () => {
		const endpoint = await createEndpoint('tested');
		const [delivery] = await outputOf('sendTestEvent', { endpointId: endpoint.id });
		expect(delivery.json).toMatchObject({ endpoint_id: endpoint.id, status: 'succeeded' });
		expect(receivedCount).toBe(1);
		await outputOf('sendTestEvent', { endpointId: endpoint.id });

		const deliveries = await outputOf('getDeliveries', {
			endpointId: endpoint.id,
			returnAll: false,
			limit: 1,
		});
		expect(deliveries).toHaveLength(1);
		const allDeliveries = await outputOf('getDeliveries', {
			endpointId: endpoint.id,
			returnAll: true,
		});
		expect(allDeliveries).toHaveLength(2);
		const events = await outputOf('getEvents', { returnAll: true });
		expect(events).toHaveLength(2);
		expect(events[0].json).toMatchObject({ test: true });
		expect(events[0].json).not.toHaveProperty('object');
	});

	it('Delete revokes the endpoint; with Continue On Fail a bad item does not stop the others', async () => {
		const keep = await createEndpoint('first');
		const result = await runWebhookOp(
			'delete',
			{ endpointId: '={{ $json.id }}' },
			{ inputItems: [{ id: keep.id }, { id: 'whend_nope' }], continueOnFail: true },
		);
		expect(result.status).toBe('success');
		const [revoked, failed] = result.outputOf('Rivya');
		expect(revoked.json).toMatchObject({ id: keep.id, status: 'revoked' });
		expect(failed.json.error).toMatch(/not_found/);
		expect(failed.pairedItem).toEqual({ item: 1 });
	});
});
