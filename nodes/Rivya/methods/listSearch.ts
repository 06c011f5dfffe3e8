import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { fetchModels, isCallableMediaModel } from '../../shared/catalog';
import { modelSearchResults } from '../../shared/modelSearch';
import { rivyaPaginate } from '../../shared/transport';

/** Generation models of the chosen category that the API can call. */
export async function searchMediaModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const category = this.getCurrentNodeParameter('category') as string | undefined;
	const models = (await fetchModels.call(this)).filter(
		(model) => isCallableMediaModel(model) && (!category || model.category === category),
	);
	return modelSearchResults(models, filter);
}

/** Every model in the catalog, callable or not (for Model > Get). */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return modelSearchResults(await fetchModels.call(this), filter);
}

/** The account's webhook endpoints that are not revoked, for the Endpoint picker. */
export async function searchWebhookEndpoints(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const endpoints = await rivyaPaginate.call(this, '/webhooks', {}, { returnAll: true, limit: 0 });
	const needle = filter?.toLowerCase() ?? '';
	return {
		results: endpoints
			.filter((endpoint) => endpoint.status !== 'revoked')
			.map((endpoint) => ({
				name: `${String(endpoint.name || endpoint.id)} (${String(endpoint.status)}): ${String(endpoint.url)}`,
				value: String(endpoint.id),
			}))
			.filter(
				(result) => !needle || `${result.name} ${result.value}`.toLowerCase().includes(needle),
			),
	};
}
