import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { fetchModels } from '../shared/catalog';
import { MEDIA_KINDS, type MediaKind } from '../shared/media';

/** Media models (the ones whose generations send webhooks), for the trigger's model filter. */
export async function getGenerationModels(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const models = await fetchModels.call(this);
	return models
		.filter((model) => MEDIA_KINDS.includes(model.category as MediaKind))
		.map((model) => ({
			name: `${model.display_name} (${model.category})`,
			value: model.id,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}
