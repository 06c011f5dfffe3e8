import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { fetchModels, isCallableMediaModel, type RivyaModel } from '../../shared/catalog';
import { rivyaPaginate } from '../../shared/transport';

function matchesText(model: RivyaModel, filter?: string): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return (
		model.id.toLowerCase().includes(needle) || model.display_name.toLowerCase().includes(needle)
	);
}

function toResults(models: RivyaModel[], filter?: string): INodeListSearchResult {
	return {
		results: models
			.filter((model) => matchesText(model, filter))
			.map((model) => ({
				name: `${model.display_name} (${model.base_credits} credit${model.base_credits === 1 ? '' : 's'})`,
				value: model.id,
			})),
	};
}

/** Generation models of the chosen category that the API can call. */
export async function searchMediaModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const category = this.getCurrentNodeParameter('category') as string | undefined;
	const models = (await fetchModels.call(this)).filter(
		(model) => isCallableMediaModel(model) && (!category || model.category === category),
	);
	return toResults(models, filter);
}

/** Chat models the API can call. */
export async function searchChatModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const models = (await fetchModels.call(this)).filter(
		(model) => model.category === 'chat' && model.api_status === 'available',
	);
	return toResults(models, filter);
}

/** Every model in the catalog, callable or not (for Model > Get). */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return toResults(await fetchModels.call(this), filter);
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
