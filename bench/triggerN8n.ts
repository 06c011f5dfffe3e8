/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console */
// Benchmark 6: 1,000 signed deliveries through a real n8n 2.41.1 (one process, SQLite) over HTTP, the
// way Rivya sends them: 10% duplicates (some while the original is still in flight), 5% bad signatures,
// 10 deliveries in flight at a time. Runs that reach the node after the trigger must equal the unique
// valid events exactly; the time n8n takes to answer a delivery is reported as p50/p99.
// Needs the n8n install (npm run n8n:install; N8N_CACHE_DIR as for the e2e tests); builds the package.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

import { startEmulator } from '../test/emulator';
import {
	REPO_DIR,
	buildPackage,
	packPackage,
	pollUntil,
	startN8n,
	type ExecutionRecord,
	type RunningN8n,
} from '../test/e2e/n8n-instance';
import {
	deliver,
	downstreamRunsByEvent,
	type SignedDelivery,
	newEventId,
	signedDelivery,
	triggerSecret,
	triggerWorkflow,
} from '../test/e2e/rivya-deliveries';
import { uniqueWebhookPath, webhookWorkflow } from '../test/e2e/workflows';
import { ms, quantile, type BenchRow } from './shared';

const DELIVERIES = 1000;
const DUPLICATES = 100;
const BAD_SIGNATURES = 50;
const UNIQUE_VALID = DELIVERIES - DUPLICATES - BAD_SIGNATURES;
const IN_FLIGHT = 10;
/** A duplicate follows its original within this many deliveries (some overlap it in flight). */
const DUPLICATE_WINDOW = 30;
/** Deliveries to n8n's own Webhook node, the floor the trigger's answer time is compared with. */
const FLOOR_DELIVERIES = 200;

interface Planned {
	eventId: string;
	bad: boolean;
}

function plan(): Planned[] {
	let state = 11;
	const random = () => {
		state = (state * 1664525 + 1013904223) % 4294967296;
		return state / 4294967296;
	};
	const sequence: Planned[] = [];
	for (let index = 0; index < UNIQUE_VALID + BAD_SIGNATURES; index++) {
		const bad = index % ((UNIQUE_VALID + BAD_SIGNATURES) / BAD_SIGNATURES) === 3;
		sequence.push({ eventId: newEventId(bad ? 'bench_bad' : 'bench'), bad });
	}
	const originals = sequence.filter((entry) => !entry.bad);
	for (let count = 0; count < DUPLICATES; count++) {
		const original = originals[Math.floor(random() * originals.length)];
		const at = sequence.indexOf(original) + 1 + Math.floor(random() * DUPLICATE_WINDOW);
		sequence.splice(Math.min(at, sequence.length), 0, { ...original });
	}
	return sequence;
}

/** Every execution of the workflow with its data, once `count` exist and none is still running. */
async function allExecutions(n8n: RunningN8n, workflowId: string, count: number) {
	const countOf = async (filter: Record<string, unknown>) => {
		const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: '1' });
		const page = await n8n.rest<{ count: number }>('GET', `/executions?${query}`);
		return page.count;
	};
	await pollUntil(`${count} finished executions`, 600_000, async () => {
		const unfinished = await countOf({ workflowId, status: ['new', 'running'] });
		return unfinished === 0 && (await countOf({ workflowId })) >= count;
	});
	const executions: ExecutionRecord[] = [];
	let cursor: string | undefined;
	do {
		const query = new URLSearchParams({ workflowId, includeData: 'true', limit: '250' });
		if (cursor) query.set('cursor', cursor);
		const page = await n8n.publicApi<{ data: ExecutionRecord[]; nextCursor?: string | null }>(
			'GET',
			`/executions?${query}`,
		);
		executions.push(...page.data);
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return executions;
}

/** Sends `count` deliveries, IN_FLIGHT at a time; answer times and statuses. */
async function sendAll(url: string, count: number, delivery: (index: number) => SignedDelivery) {
	const latencies: number[] = [];
	const statuses = new Map<number, number>();
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: IN_FLIGHT }, async () => {
			while (next < count) {
				const answer = await deliver(url, delivery(next++));
				latencies.push(answer.ms);
				statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
			}
		}),
	);
	return { latencies, statuses, seconds: (performance.now() - started) / 1000 };
}

/** n8n's own Webhook node ("respond immediately") → No Operation, on the same n8n: p50/p99 answer time. */
async function webhookNodeFloor(n8n: RunningN8n, secret: string) {
	const webhookPath = uniqueWebhookPath('bench-floor');
	const workflow = webhookWorkflow('Bench: n8n Webhook floor', webhookPath, [
		{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
	]);
	(workflow.nodes[0].parameters as Record<string, unknown>).responseMode = 'onReceived';
	const { id } = await n8n.importWorkflow({ ...workflow });
	await n8n.activate(id);
	await n8n.waitForWebhook(webhookPath);
	const url = `${n8n.baseUrl}/webhook/${webhookPath}`;
	const result = await sendAll(url, FLOOR_DELIVERIES, () =>
		signedDelivery(secret, newEventId('floor')),
	);
	await n8n.deactivate(id);
	return result;
}

export async function benchTriggerN8n(): Promise<BenchRow[]> {
	const started = performance.now();
	buildPackage();
	const packedPackage = packPackage(path.join(REPO_DIR, '.e2e', 'bench-pack'));
	const emulator = await startEmulator({ port: 0, allowLocalWebhooks: true });
	const parent = path.join(os.tmpdir(), 'n8n-nodes-rivya-e2e');
	fs.mkdirSync(parent, { recursive: true });
	const userFolder = fs.mkdtempSync(path.join(parent, 'bench-'));
	let n8n: RunningN8n | undefined;
	try {
		n8n = await startN8n({ userFolder, packedPackage });
		const credential = await n8n.createCredential('rivyaApi', 'Rivya (bench)', {
			apiKey: emulator.apiKey,
			baseUrl: emulator.baseUrl,
		});
		const webhookId = randomUUID();
		const { id: workflowId } = await n8n.importWorkflow(
			triggerWorkflow('Bench: Rivya Trigger', webhookId, credential),
		);
		await n8n.activate(workflowId);
		const secret = await triggerSecret(n8n, workflowId);
		const url = `${n8n.baseUrl}/webhook/${webhookId}/webhook`;
		await pollUntil('the trigger webhook', 60_000, async () => {
			const probe = signedDelivery(secret, newEventId('probe'), { badSignature: true });
			return (await deliver(url, probe)).status === 401;
		});
		const setupSeconds = (performance.now() - started) / 1000;
		console.log(`[bench] trigger-n8n: n8n ready in ${setupSeconds.toFixed(1)} s`);

		const deliveries = plan();
		const {
			latencies,
			statuses,
			seconds: sendSeconds,
		} = await sendAll(url, deliveries.length, (index) =>
			signedDelivery(secret, deliveries[index].eventId, { badSignature: deliveries[index].bad }),
		);
		console.log(
			`[bench] trigger-n8n: ${deliveries.length} deliveries sent in ${sendSeconds.toFixed(1)} s`,
		);

		const accepted = statuses.get(200) ?? 0;
		const executions = await allExecutions(n8n, workflowId, accepted);
		console.log(`[bench] trigger-n8n: ${executions.length} executions read`);
		const floor = await webhookNodeFloor(n8n, secret);
		const runs = downstreamRunsByEvent(executions);
		const valid = new Set(deliveries.filter((entry) => !entry.bad).map((entry) => entry.eventId));
		const downstream = [...runs.values()].reduce((sum, count) => sum + count, 0);
		const twice = [...runs.values()].filter((count) => count > 1).length;
		const missing = [...valid].filter((eventId) => !runs.has(eventId)).length;
		const badRan = [...runs.keys()].filter((eventId) => !valid.has(eventId)).length;
		const failed = executions.filter((execution) => execution.status !== 'success').length;
		const statusText = [...statuses.entries()].map(([code, n]) => `${n}× ${code}`).join(', ');
		return [
			{
				name: `Trigger (real n8n 2.41.1, one process, HTTP): ${DELIVERIES} deliveries (${DUPLICATES} duplicates, ${BAD_SIGNATURES} bad signatures, ${IN_FLIGHT} in flight), runs past the trigger`,
				value: String(downstream),
				target: `= ${UNIQUE_VALID} unique valid events`,
				met:
					downstream === UNIQUE_VALID &&
					twice === 0 &&
					missing === 0 &&
					badRan === 0 &&
					executions.length === accepted,
				notes: `answers ${statusText}; ${executions.length} executions (${failed} not successful); ${twice} events ran twice, ${missing} never; ${sendSeconds.toFixed(1)} s to send, n8n + setup ${setupSeconds.toFixed(0)} s`,
			},
			{
				name: 'Trigger (real n8n 2.41.1, one process, HTTP): time to answer Rivya, p50 / p99',
				value: `${ms(quantile(latencies, 0.5))} / ${ms(quantile(latencies, 0.99))}`,
				target: 'info',
				notes: `max ${ms(Math.max(...latencies))} over ${latencies.length} deliveries, ${IN_FLIGHT} in flight`,
			},
			{
				name: `Trigger (real n8n 2.41.1): n8n floor, n8n's own Webhook node (respond immediately) → No Operation, ${FLOOR_DELIVERIES} deliveries, p50 / p99`,
				value: `${ms(quantile(floor.latencies, 0.5))} / ${ms(quantile(floor.latencies, 0.99))}`,
				target: 'info',
				notes: `same n8n right after, ${IN_FLIGHT} in flight; ${(FLOOR_DELIVERIES / floor.seconds).toFixed(1)} deliveries/s vs the trigger's ${(deliveries.length / sendSeconds).toFixed(1)}/s`,
			},
		];
	} finally {
		await n8n?.stop();
		await emulator.close();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}
