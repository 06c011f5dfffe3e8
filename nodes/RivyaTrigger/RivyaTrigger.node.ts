/**
 * Rivya Trigger: starts a workflow when a Rivya generation succeeds or fails, through a signed
 * webhook endpoint that the node registers in Rivya on activation and revokes on deactivation.
 * - endpointLifecycle.ts: checkExists / create / delete (one endpoint per URL, secret always held)
 * - receiveDelivery.ts: signature check on the raw bytes, filters, output (every verified copy: 200)
 * - claimEvents.ts: execute(), the first step of the run a delivery starts: one run per event and
 *   endpoint, across n8n processes and restarts (n8n's database-backed dedupe store)
 * - triggerState.ts: what is kept in the workflow's static data
 */
import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { claimEvents } from './claimEvents';
import { endpointIsRegistered, registerEndpoint, unregisterEndpoint } from './endpointLifecycle';
import { getGenerationModels } from './loadOptions';
import { receiveDelivery } from './receiveDelivery';

export class RivyaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rivya Trigger',
		name: 'rivyaTrigger',
		icon: { light: 'file:../../icons/rivya.svg', dark: 'file:../../icons/rivya.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["events"] || []).join(", ")}}',
		description: 'Starts the workflow when a Rivya generation succeeds or fails (signed webhooks)',
		defaults: { name: 'Rivya Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'rivyaApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					'Rivya delivers webhooks only to public HTTPS addresses: set N8N_WEBHOOK_URL to the public HTTPS URL of this n8n (or use a tunnel)',
				name: 'reachabilityNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{
						name: 'Generation Failed',
						value: 'generation.failed',
						description: 'A generation ended with an error',
					},
					{
						name: 'Generation Succeeded',
						value: 'generation.succeeded',
						description: 'A generation finished and its results are ready',
					},
				],
				default: ['generation.succeeded', 'generation.failed'],
				description: 'The events that start the workflow',
			},
			{
				displayName: 'Model Names or IDs',
				name: 'models',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getGenerationModels' },
				default: [],
				description:
					'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'Only generations of these models start the workflow. Leave empty for all models.',
			},
			{
				displayName: 'Download Result as Binary',
				name: 'downloadResult',
				type: 'boolean',
				default: false,
				description:
					'Whether to download the generated files into binary data (test events are never downloaded)',
			},
			{
				displayName: 'Put Output File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				displayOptions: { show: { downloadResult: [true] } },
				hint: 'Further results go to the same name with _1, _2, … appended',
				description: 'Name of the binary field that receives the first result',
			},
			{
				displayName: 'Endpoint Name',
				name: 'endpointName',
				type: 'string',
				default: '',
				placeholder: 'e.g. n8n: Publish new images',
				description:
					'Name of the webhook endpoint in Rivya. Leave empty to use "n8n: " and the workflow name.',
			},
		],
	};

	methods = { loadOptions: { getGenerationModels } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await endpointIsRegistered.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await registerEndpoint.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await unregisterEndpoint.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}

	/** n8n runs this with webhook()'s items as the run's first step; a duplicate run ends here. */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await claimEvents.call(this, this.getInputData())];
	}
}
