import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { fetchModels } from '../../shared/catalog';
import { fieldForParam } from '../actions/generation/form';
import { categoryMismatch } from '../actions/generation/params';

/** The Model Parameters form of the selected model, from the live catalog. */
export async function getModelParams(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const modelId = String(this.getNodeParameter('model', undefined, { extractValue: true }) ?? '');
	if (!modelId) return { fields: [], emptyFieldsNotice: 'Choose a model first' };
	const model = (await fetchModels.call(this)).find((candidate) => candidate.id === modelId);
	if (!model)
		return { fields: [], emptyFieldsNotice: `Model "${modelId}" is not in Rivya's catalog` };
	// Category changed after the model was picked: say so here, long before a run.
	const mismatch = categoryMismatch(model, String(this.getNodeParameter('category', '') ?? ''));
	if (mismatch) return { fields: [], emptyFieldsNotice: `${mismatch.message}. ${mismatch.fix}` };
	return {
		fields: model.params.map(fieldForParam),
		emptyFieldsNotice: 'This model has no parameters',
	};
}
