import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { itemLabel } from '../../../shared/errors';
import { rivyaRequest } from '../../../shared/transport';
import { forEachItem } from '../../helpers/items';
import { optionsCollection, requiredText, retryPolicyOf } from '../descriptions';
import { checkedId } from '../../../shared/ids';

const properties: INodeProperties[] = [
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.sessionId }}',
		description: 'The chat session to read, with all its messages',
	},
	optionsCollection(),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['getSession'] } },
	properties,
);

/** What an AI agent needs of a session: who said what, without timestamps and attachment records. */
function compactSession(session: IDataObject): IDataObject {
	const messages = Array.isArray(session.messages) ? (session.messages as IDataObject[]) : [];
	return {
		sessionId: session.id,
		model: session.model,
		messages: messages.map((message) => ({ role: message.role, content: message.content })),
	};
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const sessionId = requiredText(
			this,
			'sessionId',
			itemIndex,
			`${itemLabel(itemIndex)}: "Session ID" is empty`,
			'Map the session ID of a chat turn, e.g. {{ $json.sessionId }}, or pick one from Chat > Get Many Sessions.',
		);
		checkedId(this.getNode(), sessionId, 'chatSession', itemIndex);
		const session = await rivyaRequest.call(this, {
			method: 'GET',
			path: `/chat/sessions/${encodeURIComponent(sessionId)}`,
			itemIndex,
			retry: retryPolicyOf(this, itemIndex),
			errorContext: { requiredScope: 'chat:read', resourceLabel: `Chat session ${sessionId}` },
		});
		return this.isToolExecution?.() === true ? compactSession(session) : session;
	});
}
