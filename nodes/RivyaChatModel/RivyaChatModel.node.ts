/**
 * Rivya Chat Model: a sub-node that gives n8n's AI Agent and chains a Rivya chat model.
 * Each model call is one Rivya turn in a new session (why: model.ts and README's "Rivya Chat Model").
 *
 * This file must load on every n8n, also one without the AI Node SDK (`@n8n/ai-node-sdk`, in n8n from
 * 2.16): n8n 1.x's package loader drops the whole package when one node file fails to load. So the SDK
 * is only reached through ./model, loaded when the node supplies its model.
 */
import type {
	INode,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	chatModelField,
	chosenChatModel,
	enableWebSearchField,
	getChatReasoningEfforts,
	reasoningEffortField,
	searchChatModels,
} from '../shared/chatModel';
import { rivyaInputError } from '../shared/errors';

/** First n8n version that ships the AI Node SDK this node is built on. */
export const MINIMUM_N8N_FOR_CHAT_MODEL = '2.16';

type ChatModelModule = typeof import('./model');

async function loadChatModelModule(node: INode): Promise<ChatModelModule> {
	let failure: { code?: string; message?: string } | undefined;
	try {
		return await import('./model');
	} catch (error) {
		failure = error as { code?: string; message?: string };
	}
	const sdkMissing =
		failure?.code === 'MODULE_NOT_FOUND' && String(failure.message).includes('@n8n/ai-node-sdk');
	if (sdkMissing) {
		throw new NodeOperationError(
			node,
			`Rivya Chat Model needs n8n ${MINIMUM_N8N_FOR_CHAT_MODEL} or newer`,
			{
				description: `This n8n does not provide the AI Node SDK (@n8n/ai-node-sdk) the Rivya Chat Model is built on. Update n8n to ${MINIMUM_N8N_FOR_CHAT_MODEL} or newer, or chat through the Rivya node's Chat > Send Message, which works on this n8n.`,
			},
		);
	}
	throw new NodeOperationError(node, `Rivya Chat Model could not load: ${failure?.message}`);
}

export class RivyaChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rivya Chat Model',
		name: 'rivyaChatModel',
		icon: { light: 'file:../../icons/rivya.svg', dark: 'file:../../icons/rivya.dark.svg' },
		group: ['transform'],
		version: [1],
		subtitle: '={{$parameter["model"].value}}',
		description: 'Use a Rivya chat model in AI agents and chains',
		defaults: { name: 'Rivya Chat Model' },
		codex: {
			categories: ['AI'],
			subcategories: {
				AI: ['Language Models', 'Root Nodes'],
				'Language Models': ['Chat Models (Recommended)'],
			},
			resources: {
				primaryDocumentation: [
					{ url: 'https://github.com/rivya-ai/n8n-nodes-rivya#rivya-chat-model' },
				],
			},
		},
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'rivyaApi', required: true }],
		properties: [
			{
				displayName: `Each call starts a new Rivya chat session with the whole conversation in one message; the agent and its memory keep the history. Rivya models cannot call tools. Needs n8n ${MINIMUM_N8N_FOR_CHAT_MODEL} or newer.`,
				name: 'notice',
				type: 'notice',
				default: '',
			},
			chatModelField,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [enableWebSearchField, reasoningEffortField],
			},
		],
	};

	methods = {
		listSearch: { searchChatModels },
		loadOptions: { getChatReasoningEfforts },
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		// First: on an n8n without the AI Node SDK nothing else can work, so say that before any request.
		const { supplyRivyaChatModel } = await loadChatModelModule(this.getNode());
		const fail = (message: string, fix: string) =>
			rivyaInputError(this.getNode(), message, fix, itemIndex);

		// Checked once, before the agent runs: a wrong model fails here, not in the middle of a reply.
		const { model, enableWebSearch, reasoningEffort } = await chosenChatModel.call(
			this,
			itemIndex,
			fail,
		);

		return supplyRivyaChatModel(this, {
			modelId: model.id,
			maxPromptLength: model.max_prompt_length,
			enableWebSearch,
			reasoningEffort,
			itemIndex,
		});
	}
}
