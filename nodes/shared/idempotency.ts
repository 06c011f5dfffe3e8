import { createHash, randomUUID } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { itemLabel, rivyaInputError } from './errors';

/** Rivya accepts keys up to this length. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** JSON with object keys sorted, so equal bodies always hash alike whatever their key order. */
export function stableStringify(value: unknown): string {
	if (value === undefined) return 'null';
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
	const entries = Object.keys(value as Record<string, unknown>)
		.filter((key) => (value as Record<string, unknown>)[key] !== undefined)
		.sort()
		.map(
			(key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`,
		);
	return `{${entries.join(',')}}`;
}

export interface IdempotencyKeyParts {
	/** The execution that first ran this node (see executionAnchorOf); kept across n8n's Retry. */
	executionId: string;
	nodeId: string;
	runIndex: number;
	itemIndex: number;
	/** e.g. "POST /generations": the same body on two routes is two requests. */
	route: string;
	body: unknown;
}

/**
 * A key that is the same whenever n8n repeats the same request of the same execution (Retry On Fail,
 * a retried HTTP call, n8n's Retry of the failed execution) and different for anything else, so a
 * repeat replays Rivya's first answer instead of starting and charging a second task.
 */
export function deriveIdempotencyKey(parts: IdempotencyKeyParts): string {
	const digest = createHash('sha256')
		.update(
			stableStringify([
				parts.executionId,
				parts.nodeId,
				parts.runIndex,
				parts.itemIndex,
				parts.route,
				parts.body,
			]),
		)
		.digest('hex');
	return `n8n-${digest.slice(0, 48)}`;
}

/** Checks a user-supplied key; returns it trimmed, or undefined when empty. */
export function validateUserIdempotencyKey(
	this: IExecuteFunctions,
	key: unknown,
	itemIndex: number,
): string | undefined {
	if (key === undefined || key === null || key === '') return undefined;
	const text = String(key).trim();
	if (text.length === 0) return undefined;
	if (text.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(text)) {
		throw rivyaInputError(
			this.getNode(),
			`${itemLabel(itemIndex)}: the Idempotency Key is not valid`,
			`Use at most ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters without spaces, or leave it empty to let the node derive one.`,
			itemIndex,
		);
	}
	return text;
}

/** Which run of this node in the execution (loops run a node more than once). */
function runIndexOf(context: IExecuteFunctions, itemIndex: number): number {
	const runIndex = context.getWorkflowDataProxy(itemIndex).$runIndex;
	return typeof runIndex === 'number' ? runIndex : 0;
}

/** Where the node keeps, in its node context, the execution that first ran it. */
const ANCHOR_CONTEXT_KEY = 'rivyaIdempotencyAnchor';
/** Set when a Retry repeats a run of this node that left no anchor (see claimExecutionAnchor). */
const CUT_OFF_CONTEXT_KEY = 'rivyaRetryOfCutOffRun';

function storedAnchor(nodeContext: IDataObject): string | undefined {
	const stored = nodeContext[ANCHOR_CONTEXT_KEY];
	return typeof stored === 'string' && stored !== '' ? stored : undefined;
}

/** Whether this execution's data already holds a run of this node (n8n adds it after the node ran). */
function nodeRanBefore(context: IExecuteFunctions): boolean {
	try {
		const self = context.getWorkflowDataProxy(0).$(context.getNode().name) as {
			isExecuted?: unknown;
		};
		return self.isExecuted === true;
	} catch {
		return false;
	}
}

/**
 * Records, when the node starts a run, the execution that first ran it. n8n's Retry of a failed
 * execution starts a new execution (new id) from the failed one's stored run data, node context
 * included, so the id stored here comes back; a new execution (trigger, webhook call, manual run)
 * starts with an empty node context and records its own id. Call it before anything can fail, so a
 * failed run always leaves its anchor behind.
 *
 * n8n saves the node context only once the node has finished. A Retry that finds a run of this node
 * in the execution's data but no anchor therefore repeats a run that was cut off (n8n or its worker
 * stopped while the node ran) whose requests cannot be replayed: it is marked, and paid requests
 * refuse to go out (see executionAnchorOf).
 */
export function claimExecutionAnchor(context: IExecuteFunctions): void {
	const nodeContext = context.getContext('node');
	if (storedAnchor(nodeContext)) return;
	if (context.getMode() === 'retry' && nodeRanBefore(context)) {
		nodeContext[CUT_OFF_CONTEXT_KEY] = true;
	}
	// Without an execution id (some manual test runs) a random anchor still keeps runs apart.
	nodeContext[ANCHOR_CONTEXT_KEY] = context.getExecutionId() || `run-${randomUUID()}`;
}

function cutOffRetryError(context: IExecuteFunctions, itemIndex: number): NodeOperationError {
	const name = context.getNode().name;
	return new NodeOperationError(
		context.getNode(),
		`Not sending paid requests again: this Retry repeats a run of "${name}" that was cut off`,
		{
			itemIndex,
			description: `n8n (or its worker) stopped while "${name}" was running in the execution being retried, and n8n kept no record of the requests it had already sent, so Rivya could not replay them: sending them again would create and charge new tasks. The earlier tasks still finish in Rivya: receive them with the Rivya Trigger (generation.succeeded), recognisable by Options > Client Request ID. To generate and pay again, run the workflow anew instead of retrying this execution, or set Options > Idempotency Key.`,
		},
	);
}

/** The execution whose requests this run repeats (see claimExecutionAnchor). */
export function executionAnchorOf(context: IExecuteFunctions, itemIndex = 0): string {
	claimExecutionAnchor(context);
	const nodeContext = context.getContext('node');
	if (nodeContext[CUT_OFF_CONTEXT_KEY] === true) throw cutOffRetryError(context, itemIndex);
	return storedAnchor(nodeContext) as string;
}

/** The key to send: the user's own when given, else one derived from this execution and item. */
export function idempotencyKeyFor(
	this: IExecuteFunctions,
	itemIndex: number,
	route: string,
	body: unknown,
	userKey?: unknown,
): string {
	const own = validateUserIdempotencyKey.call(this, userKey, itemIndex);
	if (own) return own;
	return deriveIdempotencyKey({
		executionId: executionAnchorOf(this, itemIndex),
		nodeId: this.getNode().id,
		runIndex: runIndexOf(this, itemIndex),
		itemIndex,
		route,
		body,
	});
}
