/** Models as results of an editor list search ("From List" of a Model field), filtered by the typed text. */
import type { INodeListSearchResult } from 'n8n-workflow';

import type { RivyaModel } from './catalog';

function matchesText(model: RivyaModel, filter?: string): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return (
		model.id.toLowerCase().includes(needle) || model.display_name.toLowerCase().includes(needle)
	);
}

export function modelSearchResults(models: RivyaModel[], filter?: string): INodeListSearchResult {
	return {
		results: models
			.filter((model) => matchesText(model, filter))
			.map((model) => ({
				name: `${model.display_name} (${model.base_credits} credit${model.base_credits === 1 ? '' : 's'})`,
				value: model.id,
			})),
	};
}
