import type { INodeProperties } from 'n8n-workflow';

import type { RivyaResource } from '../types';
import * as get from './get.operation';
import * as upload from './upload.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['file'] } },
	options: [
		{
			name: 'Get',
			value: 'get',
			description: "Get an uploaded file's metadata by its ID",
			action: 'Get a file',
		},
		{
			name: 'Upload',
			value: 'upload',
			description:
				'Upload a binary file to use as reference media for a generation or as a chat attachment',
			action: 'Upload a file',
		},
	],
	default: 'upload',
};

export const file: RivyaResource = {
	description: [operationField, ...upload.description, ...get.description],
	operations: { get, upload },
};
