import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import {
	endpointIdField,
	endpointIdOf,
	endpointPath,
	retryOptionsField,
	webhookRequestBase,
} from './fields';

const properties: INodeProperties[] = [
	{
		displayName:
			'The new signing secret is in the output once and cannot be read again: store it (e.g. in a credential) right away. Rivya also signs with the old secret for 24 hours. An endpoint managed by a Rivya Trigger: deactivate and activate its workflow instead, so the trigger stores the new secret itself.',
		name: 'rotateNotice',
		type: 'notice',
		default: '',
	},
	endpointIdField,
	retryOptionsField,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['webhook'], operation: ['rotateSecret'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const endpointId = endpointIdOf.call(this, itemIndex);
		// Not retried: a repeated rotation would replace the secret just returned.
		const { signing_secret: signingSecret, ...endpoint } = await rivyaRequest.call(this, {
			method: 'POST',
			path: endpointPath(endpointId, '/rotate-secret'),
			...webhookRequestBase.call(this, itemIndex, endpointId),
		});
		return {
			...endpoint,
			signingSecret,
			signingSecretNote:
				'Shown once: Rivya never returns this secret again. Store it securely; the previous secret keeps signing for 24 hours.',
		};
	});
}
