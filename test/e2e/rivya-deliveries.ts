/* eslint-disable @n8n/community-nodes/no-restricted-globals */
// Rivya webhook deliveries made by a test (signed like Rivya signs them) straight to an n8n webhook URL,
// and the per-event count of runs that got past the trigger. Used by the exactly-once e2e tests (single
// process and queue mode) and the trigger delivery benchmark.
import { randomBytes } from 'node:crypto';

import type { EmulatorClient } from '../emulator/client';
import { signatureHeader } from '../emulator/webhooks/signing';
import { pollUntil, type ExecutionRecord, type N8nClient } from './n8n-instance';
import { RIVYA_CREDENTIAL_TYPE, RIVYA_TRIGGER_NODE_TYPE } from './workflows';

export const TRIGGER_NODE = 'Rivya Trigger';
/** The node after the trigger: it runs once per unique valid event, or the guarantee is broken. */
export const AFTER_NODE = 'After';

export interface SignedDelivery {
	eventId: string;
	body: string;
	headers: Record<string, string>;
}

export function newEventId(label = 'e2e'): string {
	return `evt_${label}_${randomBytes(8).toString('hex')}`;
}

/** A generation.succeeded event as Rivya sends it (contract §9), signed with `secret`. */
export function signedDelivery(
	secret: string,
	eventId: string,
	options: { badSignature?: boolean } = {},
): SignedDelivery {
	const body = JSON.stringify({
		id: eventId,
		type: 'generation.succeeded',
		api_version: '2026-05-11',
		created_at: new Date().toISOString(),
		data: {
			id: `task_${eventId.slice(4)}`,
			status: 'succeeded',
			model: 'z-image',
			reserved_credits: 1,
			final_credits: 1,
			result: { primary_url: 'https://cdn.example/a.png', urls: ['https://cdn.example/a.png'] },
			error: null,
		},
	});
	const timestamp = Math.floor(Date.now() / 1000);
	// A wrong key of the right shape: only the signature itself is bad.
	const key = options.badSignature ? `whsec_${randomBytes(32).toString('base64')}` : secret;
	return {
		eventId,
		body,
		headers: {
			'content-type': 'application/json',
			'webhook-id': eventId,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': signatureHeader([key], eventId, timestamp, body),
		},
	};
}

/** POSTs a delivery; resolves with n8n's status and how long Rivya would have waited for it. */
export async function deliver(
	url: string,
	delivery: SignedDelivery,
): Promise<{ status: number; ms: number }> {
	const started = performance.now();
	const response = await fetch(url, {
		method: 'POST',
		headers: delivery.headers,
		body: delivery.body,
	});
	await response.arrayBuffer();
	return { status: response.status, ms: performance.now() - started };
}

/**
 * Delivers like Rivya: an answer other than 2xx/4xx (or no answer) is retried, re-signed, after a
 * pause (Rivya waits 5 s, then longer; shortened here). Resolves with the last answer and the attempts.
 */
export async function deliverWithRetries(
	url: string,
	sign: () => SignedDelivery,
	maxAttempts = 6,
): Promise<{ status: number; attempts: number }> {
	for (let attempt = 1; ; attempt++) {
		const status = await deliver(url, sign()).then(
			(answer) => answer.status,
			() => 0,
		);
		if ((status > 0 && status < 500) || attempt === maxAttempts)
			return { status, attempts: attempt };
		await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
	}
}

/** A workflow "Rivya Trigger → After (No Operation)" for the given credential. */
export function triggerWorkflow(
	name: string,
	webhookId: string,
	credential: { id: string; name: string },
): Record<string, unknown> {
	return {
		name,
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: TRIGGER_NODE,
				type: RIVYA_TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events: ['generation.succeeded', 'generation.failed'] },
				credentials: { [RIVYA_CREDENTIAL_TYPE]: credential },
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: AFTER_NODE,
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [240, 0],
				parameters: {},
			},
		],
		connections: {
			[TRIGGER_NODE]: { main: [[{ node: AFTER_NODE, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Waits until `url` serves the trigger's production webhook: a badly signed probe gets 401, not 404. */
export async function waitForTriggerServed(url: string, secret: string): Promise<void> {
	await pollUntil(`${url} to serve the trigger`, 60_000, async () => {
		const probe = signedDelivery(secret, newEventId('probe'), { badSignature: true });
		return (await deliver(url, probe)).status === 401;
	});
}

export interface RivyaEndpoint {
	id: string;
	url: string;
	status: string;
}

/** Every webhook endpoint registered with Rivya on the account of `api`, revoked ones included. */
export async function rivyaEndpoints(api: EmulatorClient): Promise<RivyaEndpoint[]> {
	const response = await api.request('GET', '/api/v1/webhooks?limit=100');
	return response.body.data as RivyaEndpoint[];
}

/** The trigger's signing secret, as the workflow's static data holds it once it has registered. */
export async function triggerSecret(n8n: N8nClient, workflowId: string): Promise<string> {
	let secret: string | undefined;
	await pollUntil('the trigger to store its signing secret', 60_000, async () => {
		const workflow = await n8n.rest<{ staticData?: Record<string, Record<string, unknown>> }>(
			'GET',
			`/workflows/${workflowId}`,
		);
		const stored = workflow.staticData?.[`node:${TRIGGER_NODE}`]?.signingSecret;
		secret = typeof stored === 'string' ? stored : undefined;
		return secret !== undefined;
	});
	return secret as string;
}

/** How many executions ran the node after the trigger, per event id. */
export function downstreamRunsByEvent(executions: ExecutionRecord[]): Map<string, number> {
	const runs = new Map<string, number>();
	for (const execution of executions) {
		const items = execution.data?.resultData.runData[AFTER_NODE]?.[0]?.data?.main[0] ?? [];
		for (const item of items) {
			const eventId = String((item.json as { eventId?: unknown }).eventId);
			runs.set(eventId, (runs.get(eventId) ?? 0) + 1);
		}
	}
	return runs;
}
