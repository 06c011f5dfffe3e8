import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { rivyaInputError } from '../../shared/errors';
import type { RetryPolicy } from '../../shared/retry';
import type { PageOptions } from '../../shared/transport';

/** Retry settings every operation offers under Options. */
export const retryOptionFields: INodeProperties[] = [
	{
		displayName: 'Max Attempts',
		name: 'maxAttempts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 20 },
		default: 6,
		description:
			'How many times to send a request when Rivya is rate limiting or briefly unavailable (the first try included)',
	},
	{
		displayName: 'Max Retry Time (Seconds)',
		name: 'maxRetryTime',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 120,
		description: 'Upper bound on the time spent waiting between attempts of one request',
	},
];

/** Options collections list their fields alphabetically (n8n's UX rule). */
export function sortedByDisplayName(fields: INodeProperties[]): INodeProperties[] {
	return [...fields].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/**
 * The "Options" collection of an operation: its own fields plus the retry fields, alphabetised.
 * Name `options` and the fields' names and defaults are a contract: saved workflows hold them.
 */
export function optionsCollection(fields: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedByDisplayName([...fields, ...retryOptionFields]),
	};
}

/** The retry policy an item's Options ask for. */
export function retryPolicyOf(context: IExecuteFunctions, itemIndex: number): Partial<RetryPolicy> {
	return retryPolicyFrom(context.getNodeParameter('options', itemIndex, {}) as IDataObject);
}

/** Reads the retry fields of an Options collection. */
export function retryPolicyFrom(options: IDataObject): Partial<RetryPolicy> {
	const policy: Partial<RetryPolicy> = {};
	if (typeof options.maxAttempts === 'number')
		policy.maxAttempts = Math.max(1, options.maxAttempts);
	if (typeof options.maxRetryTime === 'number') {
		policy.maxRetryTimeMs = Math.max(0, options.maxRetryTime) * 1000;
	}
	return policy;
}

/** "Return All" + "Limit" for a Get Many operation. */
export function returnAllOrLimit(resource: string, operation: string): INodeProperties[] {
	const show = { resource: [resource], operation: [operation] };
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			displayOptions: { show },
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			displayOptions: { show: { ...show, returnAll: [false] } },
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
		},
	];
}

/** What an item's "Return All", "Limit" and retry Options ask of a paginated list. */
export function listPageOptions(context: IExecuteFunctions, itemIndex: number): PageOptions {
	return {
		returnAll: context.getNodeParameter('returnAll', itemIndex, false) as boolean,
		limit: context.getNodeParameter('limit', itemIndex, 50) as number,
		itemIndex,
		retry: retryPolicyOf(context, itemIndex),
	};
}

/**
 * A required text parameter (an ID) of an item, trimmed; empty is a NodeOperationError naming the
 * item and the fix, before any call.
 */
export function requiredText(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	emptyMessage: string,
	fix: string,
): string {
	const value = String(context.getNodeParameter(name, itemIndex, '') ?? '').trim();
	if (!value) throw rivyaInputError(context.getNode(), emptyMessage, fix, itemIndex);
	return value;
}

/** The "Simplify" switch for operations whose raw answer is noisy. */
export function simplifyField(resource: string, operation: string): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		displayOptions: { show: { resource: [resource], operation: [operation] } },
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
	};
}
