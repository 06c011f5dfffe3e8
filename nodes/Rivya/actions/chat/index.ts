import type { INodeProperties } from 'n8n-workflow';

import type { RivyaResource } from '../types';
import * as getAllSessions from './getAllSessions.operation';
import * as getSession from './getSession.operation';
import * as sendMessage from './sendMessage.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['chat'] } },
	options: [
		{
			name: 'Get Many Sessions',
			value: 'getAllSessions',
			description: 'List the chat sessions started through the API, newest first',
			action: 'Get many chat sessions',
		},
		{
			name: 'Get Session',
			value: 'getSession',
			description: 'Get a chat session with all its messages',
			action: 'Get a chat session',
		},
		{
			name: 'Send Message',
			value: 'sendMessage',
			description:
				'Send a message to a chat model, starting a new session or continuing one, and get the reply',
			action: 'Send a chat message',
		},
	],
	default: 'sendMessage',
};

export const chat: RivyaResource = {
	description: [
		operationField,
		...sendMessage.description,
		...getAllSessions.description,
		...getSession.description,
	],
	operations: { getAllSessions, getSession, sendMessage },
};
