import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	deriveIdempotencyKey,
	idempotencyKeyFor,
	MAX_IDEMPOTENCY_KEY_LENGTH,
	stableStringify,
	validateUserIdempotencyKey,
	type IdempotencyKeyParts,
} from '../../nodes/shared/idempotency';

const node: INode = {
	id: 'node-abc',
	name: 'Rivya',
	type: 'n8n-nodes-rivya.rivya',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** The few context methods key derivation reads; pure logic, so a small stand-in is enough. */
function contextFor({
	executionId = 'exec-1',
	nodeId = node.id,
	runIndex = 0,
	nodeContext = {},
}: {
	executionId?: string | undefined;
	nodeId?: string;
	runIndex?: number;
	/** n8n's node context: empty in a new execution, carried over by n8n's Retry of a failed one. */
	nodeContext?: IDataObject;
} = {}) {
	return {
		getNode: () => ({ ...node, id: nodeId }),
		getExecutionId: () => executionId,
		getContext: () => nodeContext,
		getMode: () => 'manual',
		getWorkflowDataProxy: () => ({ $runIndex: runIndex }),
	} as unknown as IExecuteFunctions;
}

const base: IdempotencyKeyParts = {
	executionId: 'exec-1',
	nodeId: 'node-abc',
	runIndex: 0,
	itemIndex: 0,
	route: 'POST /generations',
	body: { model: 'z-image', prompt: 'a cat', params: { aspect_ratio: '1:1', seed: 4 } },
};

describe('stableStringify', () => {
	it('sorts keys at every depth and drops undefined values', () => {
		expect(stableStringify({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
			'{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
		);
	});

	it('writes primitives and undefined like JSON (undefined as null)', () => {
		expect(stableStringify('x')).toBe('"x"');
		expect(stableStringify(3)).toBe('3');
		expect(stableStringify(null)).toBe('null');
		expect(stableStringify(undefined)).toBe('null');
	});
});

describe('deriveIdempotencyKey', () => {
	it('is stable whatever the key order of the body', () => {
		const reordered = {
			...base,
			body: { params: { seed: 4, aspect_ratio: '1:1' }, prompt: 'a cat', model: 'z-image' },
		};
		expect(deriveIdempotencyKey(reordered)).toBe(deriveIdempotencyKey(base));
	});

	it("is a visible ASCII string within Rivya's length limit", () => {
		const key = deriveIdempotencyKey(base);
		expect(key).toMatch(/^n8n-[0-9a-f]{48}$/);
		expect(key.length).toBeLessThanOrEqual(MAX_IDEMPOTENCY_KEY_LENGTH);
	});

	it.each<[string, Partial<IdempotencyKeyParts>]>([
		['execution', { executionId: 'exec-2' }],
		['node', { nodeId: 'node-other' }],
		['run (loop iteration)', { runIndex: 1 }],
		['item', { itemIndex: 1 }],
		['route', { route: 'POST /chat/completions' }],
		['body', { body: { ...(base.body as object), prompt: 'a dog' } }],
		[
			'nested body value',
			{ body: { ...(base.body as object), params: { aspect_ratio: '1:1', seed: 5 } } },
		],
	])('differs when the %s differs', (_label, change) => {
		expect(deriveIdempotencyKey({ ...base, ...change })).not.toBe(deriveIdempotencyKey(base));
	});

	it('does not confuse parts that would concatenate alike', () => {
		const a = deriveIdempotencyKey({ ...base, executionId: 'ab', nodeId: 'c' });
		const b = deriveIdempotencyKey({ ...base, executionId: 'a', nodeId: 'bc' });
		expect(a).not.toBe(b);
	});
});

describe('validateUserIdempotencyKey', () => {
	const context = contextFor();

	it('returns undefined for empty input, so a key is derived', () => {
		for (const empty of [undefined, null, '', '   ']) {
			expect(validateUserIdempotencyKey.call(context, empty, 0)).toBeUndefined();
		}
	});

	it('accepts and trims a valid key, including the maximum length', () => {
		expect(validateUserIdempotencyKey.call(context, '  order-42  ', 0)).toBe('order-42');
		const longest = 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH);
		expect(validateUserIdempotencyKey.call(context, longest, 0)).toBe(longest);
	});

	it.each([
		['too long', 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)],
		['with inner spaces', 'order 42'],
		['with non-ASCII characters', 'bestellung-ä'],
		['with control characters', 'a\tb'],
	])('rejects a key %s with an error naming the item and the field', (_label, key) => {
		let thrown: unknown;
		try {
			validateUserIdempotencyKey.call(context, key, 3);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(NodeOperationError);
		const error = thrown as NodeOperationError;
		expect(error.message).toContain('Item 4'); // itemIndex 3: items count from 1
		expect(error.message).toContain('Idempotency Key');
		expect(error.description).toContain(String(MAX_IDEMPOTENCY_KEY_LENGTH));
		// The message names the item, so no n8n item index (n8n's error view would add a 0-based one).
		expect(error.context.itemIndex).toBeUndefined();
	});
});

describe('idempotencyKeyFor', () => {
	const body = { model: 'z-image', prompt: 'a cat' };

	it('derives the same key when n8n repeats the same step of the same execution', () => {
		const first = idempotencyKeyFor.call(contextFor(), 0, 'POST /generations', body);
		const again = idempotencyKeyFor.call(contextFor(), 0, 'POST /generations', {
			prompt: 'a cat',
			model: 'z-image',
		});
		expect(again).toBe(first);
	});

	it('derives different keys per item, run, execution, node, route and body', () => {
		const reference = idempotencyKeyFor.call(contextFor(), 0, 'POST /generations', body);
		const variants = [
			idempotencyKeyFor.call(contextFor(), 1, 'POST /generations', body),
			idempotencyKeyFor.call(contextFor({ runIndex: 2 }), 0, 'POST /generations', body),
			idempotencyKeyFor.call(contextFor({ executionId: 'exec-9' }), 0, 'POST /generations', body),
			idempotencyKeyFor.call(contextFor({ nodeId: 'node-2' }), 0, 'POST /generations', body),
			idempotencyKeyFor.call(contextFor(), 0, 'POST /files', body),
			idempotencyKeyFor.call(contextFor(), 0, 'POST /generations', { ...body, prompt: 'a dog' }),
		];
		expect(new Set([reference, ...variants]).size).toBe(variants.length + 1);
	});

	it("uses the user's own key when given, and validates it", () => {
		expect(idempotencyKeyFor.call(contextFor(), 0, 'POST /generations', body, 'my-key-1')).toBe(
			'my-key-1',
		);
		expect(() =>
			idempotencyKeyFor.call(contextFor(), 0, 'POST /generations', body, 'bad key'),
		).toThrow(NodeOperationError);
	});

	it("keeps the first execution's keys in a retry that carries its node context over", () => {
		const nodeContext: IDataObject = {};
		const first = idempotencyKeyFor.call(
			contextFor({ executionId: '100', nodeContext }),
			0,
			'POST /generations',
			body,
		);
		const retried = idempotencyKeyFor.call(
			contextFor({ executionId: '101', nodeContext: structuredClone(nodeContext) }),
			0,
			'POST /generations',
			body,
		);
		const retriedTwice = idempotencyKeyFor.call(
			contextFor({ executionId: '102', nodeContext: structuredClone(nodeContext) }),
			0,
			'POST /generations',
			body,
		);
		const independent = idempotencyKeyFor.call(
			contextFor({ executionId: '101' }),
			0,
			'POST /generations',
			body,
		);
		expect(retried).toBe(first);
		expect(retriedTwice).toBe(first);
		expect(independent).not.toBe(first);
	});

	it('still derives a key when n8n gives no execution id (manual test runs), a new one per run', () => {
		const key = idempotencyKeyFor.call(
			contextFor({ executionId: '' }),
			0,
			'POST /generations',
			body,
		);
		expect(key).toMatch(/^n8n-[0-9a-f]{48}$/);
		const otherRun = idempotencyKeyFor.call(
			contextFor({ executionId: '' }),
			0,
			'POST /generations',
			body,
		);
		expect(otherRun).not.toBe(key);
	});
});
