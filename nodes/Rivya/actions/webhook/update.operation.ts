import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { itemLabel, rivyaInputError } from '../../../shared/errors';
import { rivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import {
	endpointIdFields,
	endpointIdOf,
	endpointPath,
	retryOptionsField,
	WEBHOOK_EVENT_TYPE_OPTIONS,
	webhookRequestBase,
} from './fields';

const properties: INodeProperties[] = [
	...endpointIdFields,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Event Types',
				name: 'eventTypes',
				type: 'multiOptions',
				options: WEBHOOK_EVENT_TYPE_OPTIONS,
				default: [],
				description: 'The events Rivya sends to this endpoint',
			},
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'Name of the endpoint, up to 200 characters',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Active', value: 'active', description: 'Rivya delivers events' },
					{ name: 'Disabled', value: 'disabled', description: 'Rivya pauses deliveries' },
				],
				default: 'active',
				description:
					'Whether Rivya delivers events to the endpoint; activating re-enables an endpoint Rivya disabled after failed deliveries',
			},
			{
				displayName: 'URL',
				name: 'url',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://n8n.example.com/webhook/…',
				description: 'Public HTTPS address that receives the deliveries',
			},
		],
	},
	retryOptionsField,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['webhook'], operation: ['update'] } },
	properties,
);

/** The PATCH body: only fields the user set, in the API's names. */
function changesOf(fields: IDataObject): IDataObject {
	const changes: IDataObject = {};
	if (typeof fields.name === 'string' && fields.name.trim()) changes.name = fields.name.trim();
	if (typeof fields.url === 'string' && fields.url.trim()) changes.url = fields.url.trim();
	if (Array.isArray(fields.eventTypes) && fields.eventTypes.length) {
		changes.event_types = fields.eventTypes;
	}
	if (fields.status === 'active' || fields.status === 'disabled') changes.status = fields.status;
	return changes;
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const endpointId = endpointIdOf.call(this, itemIndex);
		const changes = changesOf(this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject);
		if (Object.keys(changes).length === 0) {
			throw rivyaInputError(
				this.getNode(),
				`${itemLabel(itemIndex)}: nothing to update for endpoint ${endpointId}`,
				'Add at least one field under Update Fields: Name, URL, Event Types or Status.',
				itemIndex,
			);
		}
		return await rivyaRequest.call(this, {
			method: 'PATCH',
			path: endpointPath(endpointId),
			body: changes,
			...webhookRequestBase.call(this, itemIndex, endpointId),
		});
	});
}
