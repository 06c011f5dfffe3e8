/** Parameters and request plumbing shared by the Webhook resource's operations. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { rivyaInputError } from '../../../shared/errors';
import type { RivyaRequest } from '../../../shared/transport';
import { retryOptionFields, retryPolicyFrom } from '../descriptions';

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

export const retryOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [...retryOptionFields],
};

/** The Endpoint ID of an item, checked before any call. */
export function endpointIdOf(this: IExecuteFunctions, itemIndex: number): string {
	const endpointId = String(this.getNodeParameter('endpointId', itemIndex, '') ?? '').trim();
	if (!endpointId) {
		throw rivyaInputError(
			this.getNode(),
			`Endpoint ID is empty (item ${itemIndex})`,
			'Enter the ID of a webhook endpoint, e.g. from Webhook > Get Many (it starts with whend_).',
			itemIndex,
		);
	}
	return endpointId;
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
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		itemIndex,
		retry: retryPolicyFrom(options),
		errorContext: {
			requiredScope: 'webhooks:manage',
			...(endpointId ? { resourceLabel: `Webhook endpoint ${endpointId}` } : {}),
		},
	};
}
