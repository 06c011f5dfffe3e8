/**
 * Rivya Chat Model: a sub-node that gives n8n's AI Agent and chains a Rivya chat model.
 * Each model call is one Rivya turn in a new session (why: model.ts and README's "Rivya Chat Model").
 */
import { supplyModel } from '@n8n/ai-node-sdk';
import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { getModel } from '../shared/catalog';
import { rivyaInputError } from '../shared/errors';
import { searchChatModels } from '../Rivya/methods/listSearch';
import {
	chatModelField,
	chatModelProblem,
	enableWebSearchField,
	reasoningEffortField,
} from '../Rivya/actions/chat/fields';
import { getChatReasoningEfforts } from '../Rivya/methods/loadOptions';
import { RivyaChatModel as RivyaChatModelClient } from './model';

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
				displayName:
					'Each call starts a new Rivya chat session with the whole conversation in one message; the agent and its memory keep the history. Rivya models cannot call tools.',
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
		const modelId = String(
			this.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '',
		).trim();
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const fail = (message: string, fix: string) =>
			rivyaInputError(this.getNode(), message, fix, itemIndex);

		// Checked once, before the agent runs: a wrong model fails here, not in the middle of a reply.
		const model = await getModel.call(this, modelId, itemIndex);
		const enableWebSearch = options.enableWebSearch === true;
		const reasoningEffort = String(options.reasoningEffort ?? '').trim() || undefined;
		const problem = chatModelProblem(model, { enableWebSearch, reasoningEffort });
		if (problem) throw fail(problem.message, problem.fix);

		const chatModel = new RivyaChatModelClient(this, {
			modelId: model.id,
			maxPromptLength: model.max_prompt_length,
			enableWebSearch,
			reasoningEffort,
			itemIndex,
		});
		// The SDK declares its own copy of n8n-workflow's types; at runtime the host passes one context.
		return supplyModel(this as unknown as Parameters<typeof supplyModel>[0], chatModel);
	}
}
