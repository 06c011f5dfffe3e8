import type { INodeProperties } from 'n8n-workflow';

import type { RivyaResource } from '../types';
import * as getBalance from './getBalance.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['credit'] } },
	options: [
		{
			name: 'Get Balance',
			value: 'getBalance',
			description: 'Get the credits left in the Rivya wallet (free, no side effect)',
			action: 'Get the credit balance',
		},
	],
	default: 'getBalance',
};

export const credit: RivyaResource = {
	description: [operationField, ...getBalance.description],
	operations: { getBalance },
};
