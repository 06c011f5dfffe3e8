/** Parameters, request plumbing and operation shapes shared by the Webhook resource. */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { checkedId } from '../../../shared/ids';
import { rivyaPaginate, rivyaRequest, type RivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import {
	listPageOptions,
	optionsCollection,
	requiredText,
	retryPolicyOf,
	returnAllOrLimit,
} from '../descriptions';
import type { RivyaOperation } from '../types';

export const WEBHOOK_EVENT_TYPE_OPTIONS = [
	{ name: 'Generation Failed', value: 'generation.failed' },
	{ name: 'Generation Succeeded', value: 'generation.succeeded' },
];

export const endpointIdField: INodeProperties = {
	displayName: 'Endpoint ID',
	name: 'endpointId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. whend_abc123',
	description: 'ID of the webhook endpoint (starts with whend_)',
};

export const retryOptionsField: INodeProperties = optionsCollection();

/** The Endpoint ID of an item, checked before any call. */
export function endpointIdOf(this: IExecuteFunctions, itemIndex: number): string {
	const endpointId = requiredText(
		this,
		'endpointId',
		itemIndex,
		`Endpoint ID is empty (item ${itemIndex})`,
		'Enter the ID of a webhook endpoint, e.g. from Webhook > Get Many (it starts with whend_).',
	);
	return checkedId(this.getNode(), endpointId, 'webhookEndpoint', itemIndex);
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
			endpointIdField,
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

/** A Get Many operation over one of Rivya's `{data, has_more}` lists. */
export function listOperation(
	operation: string,
	list: { path: string } | { endpointSuffix: string },
): RivyaOperation {
	const forEndpoint = 'endpointSuffix' in list;
	return {
		description: [
			...(forEndpoint ? updateDisplayOptions(showFor(operation), [endpointIdField]) : []),
			...returnAllOrLimit('webhook', operation),
			...updateDisplayOptions(showFor(operation), [retryOptionsField]),
		],
		async execute(this: IExecuteFunctions, items: INodeExecutionData[]) {
			return await forEachItem.call(this, items, async (itemIndex) => {
				const path =
					'endpointSuffix' in list
						? endpointPath(endpointIdOf.call(this, itemIndex), list.endpointSuffix)
						: list.path;
				return await rivyaPaginate.call(this, path, {}, listPageOptions(this, itemIndex));
			});
		},
	};
}
