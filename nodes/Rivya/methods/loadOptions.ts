import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { fetchModels } from '../../shared/catalog';

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
	const efforts = model?.chat_capabilities?.reasoning_efforts;
	if (!Array.isArray(efforts)) return [];
	return efforts.map((effort) => ({
		name: REASONING_EFFORT_LABELS[String(effort)] ?? String(effort),
		value: String(effort),
	}));
}
