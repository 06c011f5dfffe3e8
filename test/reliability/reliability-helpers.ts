// Shared checks for the fault-injection suite: run a 20-item Generation > Create batch with Continue
// On Fail, then hold the run to the promises that must survive any fault.
import type { INodeExecutionData } from 'n8n-workflow';

import type { EmulatorClient } from '../emulator/client';
import { reportedErrors, type WorkflowRunResult } from '../workflow/harness';

export const BATCH = 20;

/**
 * Everything a run exposes (outputs, errors, run data, what n8n would report to Sentry), as text:
 * error objects with their non-enumerable fields (message, stack, description, cause), cycles cut.
 */
export function serializeForScan(...values: unknown[]): string {
	const seen = new WeakSet<object>();
	const walk = (value: unknown, depth: number): unknown => {
		if (value === null || typeof value !== 'object') return value;
		if (seen.has(value) || depth > 40) return '[seen]';
		seen.add(value);
		if (Buffer.isBuffer(value)) return `[buffer ${value.length}]`;
		if (Array.isArray(value)) return value.map((entry) => walk(entry, depth + 1));
		const out: Record<string, unknown> = {};
		const names = new Set([...Object.keys(value), ...Object.getOwnPropertyNames(value)]);
		for (const name of names) {
			try {
				out[name] = walk((value as Record<string, unknown>)[name], depth + 1);
			} catch {
				out[name] = '[unreadable]';
			}
		}
		return out;
	};
	return values.map((value) => JSON.stringify(walk(value, 0))).join('\n');
}

/** Fails with the place where a secret leaked, without printing the secret itself. */
export function expectNoSecrets(text: string, secrets: Record<string, string | undefined>): void {
	for (const [label, secret] of Object.entries(secrets)) {
		if (!secret) continue;
		const at = text.indexOf(secret);
		const context = at < 0 ? '' : text.slice(Math.max(0, at - 120), at).replace(/\s+/g, ' ');
		expect({ label, leakedAfter: at < 0 ? null : context }).toEqual({ label, leakedAfter: null });
	}
}

/** Serializes the run plus every error handed to n8n's error reporter since `reportedFrom`. */
export function scanRun(result: WorkflowRunResult, reportedFrom: number): string {
	return serializeForScan(
		result.runData,
		result.error,
		result.run,
		reportedErrors.slice(reportedFrom),
	);
}

export interface BatchSummary {
	items: INodeExecutionData[];
	succeeded: INodeExecutionData[];
	failed: INodeExecutionData[];
	taskIds: string[];
}

/**
 * Every input item ends as exactly one output item (paired to it): a succeeded generation with its
 * result downloaded, or an error item with a message. Nothing is emitted twice.
 */
export function expectEveryItemSettled(items: INodeExecutionData[]): BatchSummary {
	expect(items).toHaveLength(BATCH);
	const paired = items.map((item) => (item.pairedItem as { item: number } | undefined)?.item);
	expect([...paired].sort((a, b) => Number(a) - Number(b))).toEqual(
		Array.from({ length: BATCH }, (_, index) => index),
	);
	const succeeded: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	for (const item of items) {
		if (typeof item.json.error === 'string') {
			expect(item.json.error.length).toBeGreaterThan(10);
			expect(item.binary).toBeUndefined();
			failed.push(item);
			continue;
		}
		expect(item.json.status).toBe('succeeded');
		expect(item.binary?.data).toBeDefined();
		succeeded.push(item);
	}
	const taskIds = items
		.map((item) => item.json.taskId)
		.filter((id): id is string => typeof id === 'string');
	expect(new Set(taskIds).size).toBe(taskIds.length);
	return { items, succeeded, failed, taskIds };
}

/**
 * The emulator's books: one task per item that got one (its prompt names the item), each charged once
 * (z-image costs 1 credit; failed tasks are refunded), no task the output does not know about.
 */
export async function expectOneTaskAndChargePerItem(
	client: EmulatorClient,
	summary: BatchSummary,
	expectedTasks: number,
	creditsPerTask = 1,
): Promise<void> {
	const { tasks } = await client.tasks();
	expect(tasks).toHaveLength(expectedTasks);
	const prompts = tasks.map((task) => String(task.prompt));
	expect(new Set(prompts).size).toBe(tasks.length);
	const counters = await client.counters();
	expect(counters.tasksCreated).toBe(expectedTasks);
	const succeededTasks = tasks.filter((task) => task.status === 'succeeded').length;
	expect(counters.creditsCharged).toBe(succeededTasks * creditsPerTask);
	// Every task the emulator holds is named by an output item (result or error), so none is lost.
	expect([...summary.taskIds].sort()).toEqual(tasks.map((task) => task.id).sort());
}
