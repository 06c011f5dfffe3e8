import type { INodeProperties } from 'n8n-workflow';

import type { RivyaResource } from '../types';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['model'] } },
	options: [
		{
			name: 'Get',
			value: 'get',
			description: "Get one model from Rivya's catalog with its params and limits",
			action: 'Get a model',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description: "Get many models from Rivya's catalog (free, no key needed)",
			action: 'Get many models',
		},
	],
	default: 'getAll',
};

export const model: RivyaResource = {
	description: [operationField, ...getAll.description, ...get.description],
	operations: { get, getAll },
};
