/** Parameters, request plumbing and operation shapes shared by the Webhook resource. */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { itemLabel, rivyaInputError } from '../../../shared/errors';
import { checkedId } from '../../../shared/ids';
import { rivyaPaginate, rivyaRequest, type RivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import {
	listPageOptions,
	optionsCollection,
	retryPolicyOf,
	returnAllOrLimit,
} from '../descriptions';
import type { RivyaOperation } from '../types';

export const WEBHOOK_EVENT_TYPE_OPTIONS = [
	{ name: 'Generation Failed', value: 'generation.failed' },
	{ name: 'Generation Succeeded', value: 'generation.succeeded' },
];

const VERSION_1 = { '@version': [1] };
const FROM_VERSION_2 = { '@version': [{ _cnd: { gte: 2 } }] };

/** Version 1: free text. */
const endpointIdText: INodeProperties = {
	displayName: 'Endpoint ID',
	name: 'endpointId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. whend_abc123',
	description: 'ID of the webhook endpoint (starts with whend_)',
	displayOptions: { show: VERSION_1 },
};

/** Version 2: picked from the account's endpoints, or an ID (e.g. from an expression). */
const endpointLocator: INodeProperties = {
	displayName: 'Endpoint',
	name: 'endpointId',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'The webhook endpoint',
	displayOptions: { show: FROM_VERSION_2 },
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchWebhookEndpoints', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. whend_abc123',
		},
	],
};

export const endpointIdFields: INodeProperties[] = [endpointIdText, endpointLocator];

export const retryOptionsField: INodeProperties = optionsCollection();

/** The Endpoint ID of an item, checked before any call. */
export function endpointIdOf(this: IExecuteFunctions, itemIndex: number): string {
	const value = String(
		this.getNodeParameter('endpointId', itemIndex, '', { extractValue: true }) ?? '',
	).trim();
	if (!value) {
		throw rivyaInputError(
			this.getNode(),
			`${itemLabel(itemIndex)}: Endpoint ID is empty`,
			'Pick an endpoint from the list, or enter the ID of a webhook endpoint (it starts with whend_), e.g. from Webhook > Get Many.',
			itemIndex,
		);
	}
	return checkedId(this.getNode(), value, 'webhookEndpoint', itemIndex);
}

export function endpointPath(endpointId: string, suffix = ''): string {
	return `/webhooks/${encodeURIComponent(endpointId)}${suffix}`;
}

/** Request settings every webhook call shares: item index, retry options and error hints. */
export function webhookRequestBase(
	this: IExecuteFunctions,
	itemIndex: number,
	endpointId?: string,
): Pick<RivyaRequest, 'itemIndex' | 'retry' | 'errorContext'> {
	return {
		itemIndex,
		retry: retryPolicyOf(this, itemIndex),
		errorContext: {
			requiredScope: 'webhooks:manage',
			...(endpointId ? { resourceLabel: `Webhook endpoint ${endpointId}` } : {}),
		},
	};
}

const showFor = (operation: string) => ({
	show: { resource: ['webhook'], operation: [operation] },
});

/**
 * An operation making one call about one endpoint per item (Get, Delete, Rotate Secret, Send Test
 * Event). `shape` turns Rivya's answer into the output item.
 */
export function endpointCallOperation(
	operation: string,
	call: {
		method: 'GET' | 'POST' | 'DELETE';
		suffix?: string;
		notice?: string;
		shape?: (answer: IDataObject) => IDataObject;
	},
): RivyaOperation {
	const notice: INodeProperties[] = call.notice
		? [{ displayName: call.notice, name: `${operation}Notice`, type: 'notice', default: '' }]
		: [];
	return {
		description: updateDisplayOptions(showFor(operation), [
			...notice,
			...endpointIdFields,
			retryOptionsField,
		]),
		async execute(this: IExecuteFunctions, items: INodeExecutionData[]) {
			return await forEachItem.call(this, items, async (itemIndex) => {
				const endpointId = endpointIdOf.call(this, itemIndex);
				const answer = await rivyaRequest.call(this, {
					method: call.method,
					path: endpointPath(endpointId, call.suffix),
					...webhookRequestBase.call(this, itemIndex, endpointId),
				});
				return call.shape ? call.shape(answer) : answer;
			});
		},
	};
}

const includeRevokedField: INodeProperties = {
	displayName: 'Include Revoked',
	name: 'includeRevoked',
	type: 'boolean',
	default: false,
	description:
		'Whether to list deleted (revoked) endpoints too; they receive nothing and cannot be re-enabled',
	displayOptions: { show: FROM_VERSION_2 },
};

/** Revoked endpoints are left out from version 2 on, unless Options > Include Revoked. */
function leavesOutRevoked(context: IExecuteFunctions, itemIndex: number): boolean {
	if (context.getNode().typeVersion < 2) return false;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return options.includeRevoked !== true;
}

/** A Get Many operation over one of Rivya's `{data, has_more}` lists. */
export function listOperation(
	operation: string,
	list: { path: string; revocable?: boolean } | { endpointSuffix: string },
): RivyaOperation {
	const forEndpoint = 'endpointSuffix' in list;
	const revocable = 'path' in list && list.revocable === true;
	return {
		description: [
			...(forEndpoint ? updateDisplayOptions(showFor(operation), endpointIdFields) : []),
			...returnAllOrLimit('webhook', operation),
			...updateDisplayOptions(showFor(operation), [
				revocable ? optionsCollection([includeRevokedField]) : retryOptionsField,
			]),
		],
		async execute(this: IExecuteFunctions, items: INodeExecutionData[]) {
			return await forEachItem.call(this, items, async (itemIndex) => {
				const path =
					'endpointSuffix' in list
						? endpointPath(endpointIdOf.call(this, itemIndex), list.endpointSuffix)
						: list.path;
				const page = listPageOptions(this, itemIndex);
				if (!revocable || !leavesOutRevoked(this, itemIndex)) {
					return await rivyaPaginate.call(this, path, {}, page);
				}
				// Rivya's list has no status filter: read all, drop the revoked, then apply the Limit.
				const all = await rivyaPaginate.call(this, path, {}, { ...page, returnAll: true });
				const live = all.filter((endpoint) => endpoint.status !== 'revoked');
				return page.returnAll ? live : live.slice(0, page.limit);
			});
		},
	};
}
