/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// Benchmark 5: 1,000 signed deliveries into the Rivya Trigger's webhook() (n8n's WebhookContext via the
// harness), each accepted one run from the trigger as n8n would (execute() decides duplicates): 10%
// duplicates, 5% bad signatures. Runs reaching the node after the trigger must equal the unique valid
// events exactly; the latency of webhook() (verify + output) is reported as p50/p99.
// Deliveries are signed here, independently of the node's code (Standard Webhooks: HMAC-SHA256 over
// "id.timestamp.body" with the base64 secret after "whsec_").
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { IDataObject } from 'n8n-workflow';

import { startEmulator } from '../test/emulator';
import { chain, createTriggerHarness, NO_OP_NODE_TYPE } from '../test/workflow/harness';
import { ms, quantile, TRIGGER_NODE_TYPE, type BenchRow } from './shared';

const DELIVERIES = 1000;
const DUPLICATES = 100;
const BAD_SIGNATURES = 50;
const UNIQUE_VALID = DELIVERIES - DUPLICATES - BAD_SIGNATURES;
/** Rivya re-sends soon after a failed attempt: a duplicate follows its original within this many deliveries. */
const DUPLICATE_WINDOW = 50;

interface Planned {
	eventId: string;
	kind: 'unique' | 'duplicate' | 'bad';
	rawBody: Buffer;
	headers: Record<string, string>;
}

/** Deterministic pseudo-random numbers, so every run sends the same mix in the same order. */
function seeded(seed: number) {
	let state = seed;
	return () => {
		state = (state * 1664525 + 1013904223) % 4294967296;
		return state / 4294967296;
	};
}

function sign(secret: string, eventId: string, rawBody: Buffer): Record<string, string> {
	const timestamp = String(Math.floor(Date.now() / 1000));
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const signature = createHmac('sha256', key)
		.update(`${eventId}.${timestamp}.`)
		.update(rawBody)
		.digest('base64');
	return {
		'content-type': 'application/json',
		'webhook-id': eventId,
		'webhook-timestamp': timestamp,
		'webhook-signature': `v1,${signature}`,
	};
}

function eventBody(eventId: string, index: number): Buffer {
	const event: IDataObject = {
		id: eventId,
		type: index % 7 === 0 ? 'generation.failed' : 'generation.succeeded',
		api_version: '2026-05-11',
		created_at: new Date().toISOString(),
		data: {
			id: `task_bench_${index}`,
			status: index % 7 === 0 ? 'failed' : 'succeeded',
			model: 'z-image',
			reserved_credits: 1,
			final_credits: index % 7 === 0 ? 0 : 1,
			result:
				index % 7 === 0
					? null
					: { primary_url: 'https://cdn.example/a.png', urls: ['https://cdn.example/a.png'] },
			error: index % 7 === 0 ? { code: 'generation_failed', message: 'failed' } : null,
		},
	};
	return Buffer.from(JSON.stringify(event));
}

function plan(secret: string): Planned[] {
	const random = seeded(7);
	const wrongSecret = `whsec_${randomBytes(24).toString('base64')}`;
	const base: Planned[] = [];
	for (let index = 0; index < UNIQUE_VALID + BAD_SIGNATURES; index++) {
		const eventId = `evt_bench_${index}_${randomBytes(4).toString('hex')}`;
		const rawBody = eventBody(eventId, index);
		const bad = index % ((UNIQUE_VALID + BAD_SIGNATURES) / BAD_SIGNATURES) === 3;
		base.push({
			eventId,
			kind: bad ? 'bad' : 'unique',
			rawBody,
			headers: sign(bad ? wrongSecret : secret, eventId, rawBody),
		});
	}
	const sequence = [...base];
	const originals = base.filter((entry) => entry.kind === 'unique');
	for (let count = 0; count < DUPLICATES; count++) {
		const original = originals[Math.floor(random() * originals.length)];
		const at = sequence.indexOf(original);
		const insertAt = at + 1 + Math.floor(random() * DUPLICATE_WINDOW);
		// Same bytes, re-signed at send time like a real retry (same webhook-id).
		sequence.splice(Math.min(insertAt, sequence.length), 0, {
			...original,
			kind: 'duplicate',
			headers: sign(secret, original.eventId, original.rawBody),
		});
	}
	return sequence;
}

export async function benchTrigger(): Promise<BenchRow[]> {
	const emulator = await startEmulator({
		port: 0,
		allowLocalWebhooks: true,
		webhookRetryScheduleMs: [10],
	});
	try {
		const trigger = await createTriggerHarness({
			node: { name: 'Rivya Trigger', type: TRIGGER_NODE_TYPE, parameters: {} },
			nodes: [{ name: 'After', type: NO_OP_NODE_TYPE }],
			connections: chain('Rivya Trigger', 'After'),
			credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
			webhookBaseUrl: 'http://127.0.0.1:9/webhook',
		});
		if (!(await trigger.webhookMethod('checkExists'))) await trigger.webhookMethod('create');
		const secret = trigger.staticData().signingSecret;
		if (typeof secret !== 'string') throw new Error('activation stored no signing secret');

		const deliveries = plan(secret);
		const latencies: number[] = [];
		let executions = 0;
		let downstreamRuns = 0;
		let failedExecutions = 0;
		const ranFor = new Set<string>();
		let rejected = 0;
		let wronglyRan = 0;
		let badStarted = 0;
		for (const delivery of deliveries) {
			const started = performance.now();
			const answer = await trigger.deliver({
				headers: delivery.headers,
				rawBody: delivery.rawBody,
			});
			latencies.push(performance.now() - started);
			const status = answer.result.noWebhookResponse ? answer.response.statusCode : 200;
			if (status === 401) rejected++;
			if (!answer.result.workflowData) continue;
			if (delivery.kind === 'bad') badStarted++;
			const run = await trigger.runFromTrigger(answer);
			executions++;
			if (run.status !== 'success') failedExecutions++;
			if (!run.runData.After?.length) continue;
			downstreamRuns++;
			if (delivery.kind !== 'unique' || ranFor.has(delivery.eventId)) wronglyRan++;
			ranFor.add(delivery.eventId);
		}
		const exact =
			downstreamRuns === UNIQUE_VALID &&
			wronglyRan === 0 &&
			badStarted === 0 &&
			rejected === BAD_SIGNATURES;
		return [
			{
				name: `Trigger (engine): ${DELIVERIES} signed deliveries (${DUPLICATES} duplicates, ${BAD_SIGNATURES} bad signatures), runs past the trigger`,
				value: String(downstreamRuns),
				target: `= ${UNIQUE_VALID} unique valid events`,
				met: exact && failedExecutions === 0,
				notes: `${executions} runs started (duplicates stop at the trigger); ${rejected} rejected with 401; ${wronglyRan} duplicate runs past the trigger; ${failedExecutions} runs not successful; duplicates within ${DUPLICATE_WINDOW} deliveries of their original`,
			},
			{
				name: 'Trigger (engine): webhook() latency per delivery (signature, output), p50 / p99',
				value: `${ms(quantile(latencies, 0.5))} / ${ms(quantile(latencies, 0.99))}`,
				target: 'info',
				notes: `max ${ms(Math.max(...latencies))} over ${latencies.length} deliveries`,
			},
		];
	} finally {
		await emulator.close();
	}
}
