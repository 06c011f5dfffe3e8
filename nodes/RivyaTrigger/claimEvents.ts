/**
 * Exactly one run per Rivya event and endpoint, decided inside the run a delivery started.
 *
 * Why here and not in webhook(): only execute contexts have n8n's database-backed dedupe helpers
 * (the `processed_data` table, shared by every main, webhook processor and worker and kept across
 * restarts); static data changed in webhook() is not saved by n8n 2.x. n8n-core runs a webhook
 * node's execute() as the first step of the run its webhook starts, so an event is recorded as seen
 * only once its run has really started: a delivery that failed before that (bad signature, an error
 * in webhook(), n8n down) leaves nothing behind and Rivya's retry gets through.
 *
 * Why a lock: n8n's helper reads the stored list, then writes it back (no transaction), so two
 * runs checking at once could both see an event as new, and a run could overwrite another's record.
 * The one atomic step it has is the first insert of a row (primary key: workflow + context). The
 * lock is that row at workflow scope, inserted in "latest incremental key" mode with a constant
 * value: inserting it wins for exactly one run; while it exists every other attempt is answered
 * "processed" (equal value); releasing deletes it. Under the lock, the list of seen events (node
 * scope, "entries" mode) is read and written by one run at a time, on any number of n8n processes.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cancellableSleep } from '../shared/sleep';

/**
 * Seen events kept per trigger node (md5 hashes, ~30 bytes each in the stored JSON). Rivya retries
 * for about 9 hours: below ~18 events a minute sustained, every retry is recognised.
 */
export const MAX_REMEMBERED_EVENTS = 10_000;
const SEEN = { mode: 'entries', maxEntries: MAX_REMEMBERED_EVENTS } as const;
const LOCK = { mode: 'latestIncrementalKey' } as const;
const LOCK_VALUE = 1;
/** A lock held longer than this was left by a process that died inside the few-ms critical section. */
const STALE_LOCK_MS = 20_000;
const LOCK_WAIT_LIMIT_MS = 60_000;
const MAX_BACKOFF_MS = 100;

/** Production and "Listen for test event" endpoints each receive every event: separate memories. */
export function eventKey(mode: string, eventId: string): string {
	return `${mode === 'manual' ? 'test' : 'production'}:${eventId}`;
}

function isModeConflict(error: unknown): boolean {
	const { name, message } = (error ?? {}) as { name?: string; message?: string };
	return name === 'DeduplicationError' || /incompatible setting/i.test(message ?? '');
}

/** One attempt; false when another run holds the lock (or won the race to insert it). */
async function tryLock(context: IExecuteFunctions): Promise<boolean> {
	try {
		const result = await context.helpers.checkProcessedAndRecord([LOCK_VALUE], 'workflow', LOCK);
		return result.new.length > 0;
	} catch (error) {
		if (isModeConflict(error)) {
			throw new NodeOperationError(
				context.getNode(),
				'Another node of this workflow keeps deduplication data at workflow scope',
				{
					description:
						'The Rivya Trigger uses the workflow-scope slot of n8n\'s deduplication store to run each event once. Set "Scope" to "Node" in the other node (e.g. Remove Duplicates), or move it to another workflow.',
				},
			);
		}
		// The insert lost a race (primary key) or the database was briefly busy: try again.
		return false;
	}
}

async function acquireLock(context: IExecuteFunctions, signal?: AbortSignal): Promise<void> {
	const started = Date.now();
	let waitingSince = started;
	let backoffMs = 2;
	for (;;) {
		if (await tryLock(context)) return;
		const now = Date.now();
		if (now - started > LOCK_WAIT_LIMIT_MS) {
			throw new NodeOperationError(
				context.getNode(),
				'Could not check whether this Rivya event was already handled',
				{
					description:
						"n8n's deduplication store stayed busy or unavailable for a minute. Nothing ran for this event: retry this execution from the executions list.",
				},
			);
		}
		if (now - waitingSince > STALE_LOCK_MS) {
			context.logger.warn(
				'Rivya Trigger: removing a dedupe lock held for over 20 s (left by an n8n process that stopped while holding it)',
			);
			await context.helpers.clearAllProcessedItems('workflow', LOCK);
			waitingSince = now;
			continue;
		}
		await cancellableSleep(backoffMs + Math.floor(Math.random() * backoffMs), signal);
		backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
	}
}

async function releaseLock(context: IExecuteFunctions): Promise<void> {
	try {
		await context.helpers.clearAllProcessedItems('workflow', LOCK);
	} catch (error) {
		// Left in place it blocks others until it is considered stale; the run itself is fine.
		context.logger.warn(
			`Rivya Trigger: could not release the dedupe lock: ${(error as Error).message}`,
		);
	}
}

interface PendingClaim {
	context: IExecuteFunctions;
	keys: string[];
	resolve: (fresh: Set<string>) => void;
	reject: (error: unknown) => void;
}

/**
 * Runs of one trigger node in this process queue their claims; all claims waiting when the previous
 * batch is done are made under one lock with one write (fewer database writes under load). A batch
 * uses the context of its first run, which is waiting for it: the dedupe rows belong to the workflow
 * and node, not to a run.
 */
const pendingByNode = new Map<string, PendingClaim[]>();
const drainingNodes = new Set<string>();

async function claimBatch(batch: PendingClaim[]): Promise<void> {
	const { context } = batch[0];
	const keys = [...new Set(batch.flatMap((claim) => claim.keys))];
	let fresh: Set<string>;
	try {
		// One run's cancellation must not fail the others waiting in its batch.
		await acquireLock(
			context,
			batch.length === 1 ? context.getExecutionCancelSignal?.() : undefined,
		);
		try {
			const result = await context.helpers.checkProcessedAndRecord(keys, 'node', SEEN);
			fresh = new Set(result.new.map(String));
		} finally {
			await releaseLock(context);
		}
	} catch (error) {
		for (const claim of batch) claim.reject(error);
		return;
	}
	// A key new to the store goes to the first claim in the batch that asked for it.
	for (const claim of batch) {
		const mine = new Set(claim.keys.filter((key) => fresh.has(key)));
		for (const key of mine) fresh.delete(key);
		claim.resolve(mine);
	}
}

async function drain(nodeKey: string): Promise<void> {
	drainingNodes.add(nodeKey);
	try {
		for (;;) {
			const batch = pendingByNode.get(nodeKey) ?? [];
			pendingByNode.delete(nodeKey);
			if (batch.length === 0) return;
			await claimBatch(batch);
		}
	} finally {
		drainingNodes.delete(nodeKey);
	}
}

/** The keys of `keys` that no earlier run of this trigger node and endpoint has claimed. */
async function claimKeys(context: IExecuteFunctions, keys: string[]): Promise<Set<string>> {
	const nodeKey = `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
	const claimed = new Promise<Set<string>>((resolve, reject) => {
		const pending = pendingByNode.get(nodeKey) ?? [];
		pending.push({ context, keys, resolve, reject });
		pendingByNode.set(nodeKey, pending);
	});
	if (!drainingNodes.has(nodeKey)) void drain(nodeKey);
	return await claimed;
}

/**
 * Records the events of the items as seen and returns the items whose event was new for this
 * endpoint; an empty list ends the run here (no later node runs). Items without an event id (not
 * from a delivery) pass through.
 */
export async function claimEvents(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const mode = this.getMode();
	const keyOf = (item: INodeExecutionData) =>
		typeof item.json.eventId === 'string' && item.json.eventId
			? eventKey(mode, item.json.eventId)
			: undefined;
	const keys = [...new Set(items.map(keyOf).filter((key): key is string => key !== undefined))];
	if (keys.length === 0) return items;

	const fresh = await claimKeys(this, keys);

	const kept: INodeExecutionData[] = [];
	const claimedNow = new Set<string>();
	for (const item of items) {
		const key = keyOf(item);
		if (key === undefined || (fresh.has(key) && !claimedNow.has(key))) {
			if (key) claimedNow.add(key);
			kept.push(item);
		} else {
			this.logger.info(
				`Rivya Trigger: event ${String(item.json.eventId)} was already handled for this endpoint; this run stops here`,
			);
		}
	}
	return kept;
}
