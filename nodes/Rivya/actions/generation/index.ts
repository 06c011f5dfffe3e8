import type { INodeProperties } from 'n8n-workflow';

import type { RivyaResource } from '../types';
import * as create from './create.operation';
import * as get from './get.operation';
import * as wait from './wait.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['generation'] } },
	options: [
		{
			name: 'Create',
			value: 'create',
			description:
				'Start image, video or audio generations and (by default) wait for them and download the results',
			action: 'Create a generation',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get the status and results of a generation task',
			action: 'Get a generation',
		},
		{
			name: 'Wait',
			value: 'wait',
			description: 'Wait for an existing generation task to finish and download its results',
			action: 'Wait for a generation',
		},
	],
	default: 'create',
};

export const generation: RivyaResource = {
	description: [operationField, ...create.description, ...get.description, ...wait.description],
	operations: { create, get, wait },
};
