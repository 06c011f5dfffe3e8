import type { INodeProperties } from 'n8n-workflow';

import type { RivyaResource } from '../types';
import * as deleteEndpoint from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getDeliveries from './getDeliveries.operation';
import * as getEvents from './getEvents.operation';
import * as rotateSecret from './rotateSecret.operation';
import * as sendTestEvent from './sendTestEvent.operation';
import * as update from './update.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['webhook'] } },
	options: [
		{
			name: 'Delete',
			value: 'delete',
			description: 'Revoke a webhook endpoint: Rivya sends it nothing more',
			action: 'Delete a webhook endpoint',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get a webhook endpoint with its status and delivery health',
			action: 'Get a webhook endpoint',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description: 'Get many webhook endpoints of the account',
			action: 'Get many webhook endpoints',
		},
		{
			name: 'Get Many Deliveries',
			value: 'getDeliveries',
			description: 'Get many delivery attempts of a webhook endpoint',
			action: 'Get many webhook deliveries',
		},
		{
			name: 'Get Many Events',
			value: 'getEvents',
			description: 'Get many webhook events of the account',
			action: 'Get many webhook events',
		},
		{
			name: 'Rotate Secret',
			value: 'rotateSecret',
			description: 'Replace the signing secret; the new one is shown once',
			action: 'Rotate a webhook signing secret',
		},
		{
			name: 'Send Test Event',
			value: 'sendTestEvent',
			description: 'Send a test event to a webhook endpoint now',
			action: 'Send a test webhook event',
		},
		{
			name: 'Update',
			value: 'update',
			description: 'Change the name, URL, event types or status of a webhook endpoint',
			action: 'Update a webhook endpoint',
		},
	],
	default: 'getAll',
};

export const webhook: RivyaResource = {
	description: [
		operationField,
		...getAll.description,
		...get.description,
		...update.description,
		...deleteEndpoint.description,
		...rotateSecret.description,
		...sendTestEvent.description,
		...getDeliveries.description,
		...getEvents.description,
	],
	operations: {
		delete: deleteEndpoint,
		get,
		getAll,
		getDeliveries,
		getEvents,
		rotateSecret,
		sendTestEvent,
		update,
	},
};
