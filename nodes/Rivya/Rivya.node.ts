/**
 * Rivya node. Layout:
 * - actions/<resource>/<operation>.operation.ts: each operation's parameters and execute
 * - actions/router.ts: picks the operation; actions/resources.ts: the resources it offers
 * - methods/: model pickers (list search) and load options
 * - helpers/: item handling, polling and other node-only helpers
 * - ../shared/: what the Rivya and Rivya Trigger nodes share (transport, errors, binary, catalog, signatures)
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resources } from './actions/resources';
import { router } from './actions/router';
import { listSearch, loadOptions, resourceMapping } from './methods';

export class Rivya implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rivya',
		name: 'rivya',
		icon: { light: 'file:../../icons/rivya.svg', dark: 'file:../../icons/rivya.dark.svg' },
		group: ['transform'],
		// 2: every output field camelCase (actions/outputNames.ts), Webhook > Get Many leaves out revoked
		// endpoints unless asked, Endpoint as a list picker. Version 1 behaves as before.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Generate images, video and audio, chat with AI models, upload files and check credits with Rivya',
		defaults: { name: 'Rivya' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'rivyaApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Chat', value: 'chat' },
					{ name: 'Credit', value: 'credit' },
					{ name: 'File', value: 'file' },
					{ name: 'Generation', value: 'generation' },
					{ name: 'Model', value: 'model' },
					{ name: 'Webhook', value: 'webhook' },
				],
				default: 'generation',
			},
			...resources.generation.description,
			...resources.model.description,
			...resources.file.description,
			...resources.chat.description,
			...resources.credit.description,
			...resources.webhook.description,
		],
	};

	methods = { listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
