/**
 * Choosing a Rivya chat model, as the Rivya node (Chat > Send Message) and the Rivya Chat Model
 * sub-node both do: the Model, Enable Web Search and Reasoning Effort fields, the editor lists behind
 * them, the model's chat capabilities and the check of model and options before a paid turn.
 */
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
	INodeProperties,
} from 'n8n-workflow';

import { fetchModels, getModel, type RivyaModel } from './catalog';
import { modelSearchResults } from './modelSearch';
import type { RivyaContext } from './transport';

export const chatModelField: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Rivya chat model to use',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchChatModels', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. gpt-5-2-chat',
		},
	],
};

export const enableWebSearchField: INodeProperties = {
	displayName: 'Enable Web Search',
	name: 'enableWebSearch',
	type: 'boolean',
	default: false,
	description: 'Whether the model may search the web (only models that support it)',
};

export const reasoningEffortField: INodeProperties = {
	displayName: 'Reasoning Effort Name or ID',
	name: 'reasoningEffort',
	type: 'options',
	typeOptions: {
		loadOptionsMethod: 'getChatReasoningEfforts',
		loadOptionsDependsOn: ['model.value'],
	},
	default: '',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

export interface ChatCapabilities {
	streaming: boolean;
	attachments: string[];
	webSearch: boolean;
	reasoningEfforts: string[];
}

/** Reads `chat_capabilities`, tolerating a partial object (the shape is assumed). */
export function chatCapabilitiesOf(model: RivyaModel): ChatCapabilities {
	const raw = (model.chat_capabilities ?? {}) as IDataObject;
	return {
		streaming: raw.streaming !== false,
		attachments: Array.isArray(raw.attachments) ? raw.attachments.map(String) : [],
		webSearch: raw.web_search === true,
		reasoningEfforts: Array.isArray(raw.reasoning_efforts) ? raw.reasoning_efforts.map(String) : [],
	};
}

export interface ChatProblem {
	message: string;
	fix: string;
}

/** Why the model cannot take a chat turn with these options, or undefined when it can. */
export function chatModelProblem(
	model: RivyaModel,
	options: { enableWebSearch: boolean; reasoningEffort?: string },
): ChatProblem | undefined {
	if (model.category !== 'chat') {
		return {
			message: `"${model.id}" is ${model.category === 'image' ? 'an' : 'a'} ${model.category} model, not a chat model`,
			fix: 'Pick a model from the "Model" list (it shows chat models only); media models run through Generation > Create.',
		};
	}
	if (model.api_status !== 'available') {
		return {
			message: `the chat model "${model.id}" is not callable through the API (status "${model.api_status}")`,
			fix: 'Pick another chat model from the "Model" list; it shows only models the API can call.',
		};
	}
	const capabilities = chatCapabilitiesOf(model);
	if (options.enableWebSearch && !capabilities.webSearch) {
		return {
			message: `"${model.id}" does not support web search`,
			fix: 'Turn off "Enable Web Search", or pick a chat model that supports it.',
		};
	}
	const effort = options.reasoningEffort;
	if (effort && !capabilities.reasoningEfforts.includes(effort)) {
		return {
			message: `"${model.id}" does not support the reasoning effort "${effort}"`,
			fix: capabilities.reasoningEfforts.length
				? `Use one of: ${capabilities.reasoningEfforts.join(', ')}.`
				: 'This model takes no reasoning effort: remove the option.',
		};
	}
	return undefined;
}

export interface ChosenChatModel {
	model: RivyaModel;
	enableWebSearch: boolean;
	reasoningEffort?: string;
}

/** A node's parameters, as both the Rivya node and the Chat Model read them. */
interface ParameterReader {
	getNodeParameter(
		name: string,
		itemIndex: number,
		fallback?: unknown,
		options?: { extractValue?: boolean },
	): unknown;
}

/**
 * The Model field and the Options' web search and reasoning effort, checked against the catalog before
 * any paid turn; `fail` makes the error in the caller's words (with or without the item's number).
 */
export async function chosenChatModel(
	this: RivyaContext & ParameterReader,
	itemIndex: number,
	fail: (message: string, fix: string) => Error,
): Promise<ChosenChatModel> {
	const modelId = String(
		this.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '',
	).trim();
	const options = (this.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
	const model = await getModel.call(this, modelId, itemIndex);
	const enableWebSearch = options.enableWebSearch === true;
	const reasoningEffort = String(options.reasoningEffort ?? '').trim() || undefined;
	const problem = chatModelProblem(model, { enableWebSearch, reasoningEffort });
	if (problem) throw fail(problem.message, problem.fix);
	return { model, enableWebSearch, reasoningEffort };
}

/** Chat models the API can call (the Model field's list). */
export async function searchChatModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const models = (await fetchModels.call(this)).filter(
		(model) => model.category === 'chat' && model.api_status === 'available',
	);
	return modelSearchResults(models, filter);
}

const REASONING_EFFORT_LABELS: Record<string, string> = {
	default: "Default (the Model's Own)",
	minimal: 'Minimal',
	low: 'Low',
	medium: 'Medium',
	high: 'High',
	xhigh: 'Extra High',
};

/** The model chosen in the "Model" resource locator, whichever mode it is in. */
function currentModelId(context: ILoadOptionsFunctions): string {
	const model = context.getCurrentNodeParameter('model', { extractValue: true }) as unknown;
	if (model && typeof model === 'object') return String((model as IDataObject).value ?? '').trim();
	return typeof model === 'string' ? model.trim() : '';
}

/** Reasoning efforts the chosen chat model supports (from its catalog entry); none before a model is chosen. */
export async function getChatReasoningEfforts(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const modelId = currentModelId(this);
	if (!modelId) return [];
	const model = (await fetchModels.call(this)).find((candidate) => candidate.id === modelId);
	if (!model) return [];
	return chatCapabilitiesOf(model).reasoningEfforts.map((effort) => ({
		name: REASONING_EFFORT_LABELS[effort] ?? effort,
		value: effort,
	}));
}
