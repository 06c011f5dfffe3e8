/**
 * Registration of the trigger's Rivya webhook endpoint (n8n's checkExists / create / delete).
 *
 * Invariants:
 * - At most one live Rivya endpoint per webhook URL: a stored endpoint is reused (and updated) rather
 *   than replaced, and an endpoint found by URL (static data lost) is adopted, not duplicated.
 * - Never fail open: an adopted endpoint whose secret we do not hold gets its secret rotated, so the
 *   trigger always has the secret that signs its deliveries.
 * - Only endpoints whose URL is this node's own webhook URL are ever adopted or removed.
 */
import type { IDataObject, IHookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { rivyaCodeOf } from '../shared/errors';
import { rivyaPaginate, rivyaRequest } from '../shared/transport';
import {
	forgetEndpoint,
	rememberEndpoint,
	rememberSecret,
	storedEndpointId,
	storedSecret,
	type RegisteredEndpoint,
} from './triggerState';

const WEBHOOKS_SCOPE = { requiredScope: 'webhooks:manage' };

interface DesiredEndpoint {
	name: string;
	url: string;
	eventTypes: string[];
}

/** Errors from the transport are node errors already; anything else is wrapped so n8n shows it well. */
function asNodeError(context: IHookFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error);
}

function sameEventTypes(a: unknown, b: string[]): boolean {
	if (!Array.isArray(a)) return false;
	const left = [...new Set(a.map(String))].sort();
	const right = [...new Set(b)].sort();
	return left.length === right.length && left.every((value, index) => value === right[index]);
}

/**
 * Whether a stored secret is the endpoint's current one, judged by `secret_preview` (e.g.
 * `whsec_...abcd`). An unfamiliar preview format counts as a match: the preview is a hint, not proof.
 */
function secretMatchesPreview(secret: string, preview: unknown): boolean {
	if (typeof preview !== 'string') return true;
	const visibleTail = /\.{3}([A-Za-z0-9+/=]{4,})$/.exec(preview)?.[1];
	return visibleTail === undefined || secret.endsWith(visibleTail);
}

export function desiredEndpoint(this: IHookFunctions): DesiredEndpoint {
	const url = this.getNodeWebhookUrl('default');
	if (!url) {
		throw new NodeOperationError(this.getNode(), 'n8n did not provide a webhook URL for this node');
	}
	const eventTypes = this.getNodeParameter('events', []) as string[];
	if (!eventTypes.length) {
		throw new NodeOperationError(this.getNode(), 'Select at least one event', {
			description: 'Pick "Generation Succeeded", "Generation Failed" or both under Events.',
		});
	}
	const givenName = String(this.getNodeParameter('endpointName', '') ?? '').trim();
	const workflowName = this.getWorkflow().name ?? this.getWorkflow().id ?? 'workflow';
	const name = (givenName || `n8n: ${workflowName}`).slice(0, 200);
	return { name, url, eventTypes: [...new Set(eventTypes)].sort() };
}

/** The endpoint, or undefined when Rivya no longer knows it (404). */
async function fetchEndpoint(
	this: IHookFunctions,
	endpointId: string,
): Promise<IDataObject | undefined> {
	try {
		return await rivyaRequest.call(this, {
			method: 'GET',
			path: `/webhooks/${encodeURIComponent(endpointId)}`,
			errorContext: WEBHOOKS_SCOPE,
		});
	} catch (error) {
		if (rivyaCodeOf(error) === 'not_found') {
			this.logger.info(`Rivya Trigger: webhook endpoint ${endpointId} no longer exists in Rivya`);
			return undefined;
		}
		throw asNodeError(this, error);
	}
}

/** Live (not revoked) endpoints of the account whose URL is exactly this node's webhook URL. */
async function endpointsWithUrl(this: IHookFunctions, url: string): Promise<IDataObject[]> {
	const all = await rivyaPaginate.call(this, '/webhooks', {}, { returnAll: true, limit: 0 });
	return all.filter((endpoint) => endpoint.url === url && endpoint.status !== 'revoked');
}

function urlRejectedError(
	context: IHookFunctions,
	error: unknown,
	url: string,
): NodeApiError | NodeOperationError {
	if (rivyaCodeOf(error) !== 'webhook_url_rejected') return asNodeError(context, error);
	return new NodeApiError(
		context.getNode(),
		{ code: 'webhook_url_rejected', message: (error as Error).message } as JsonObject,
		{
			// The fix is in the message: publishing shows only the message in its toast.
			message: `Rivya cannot send webhooks to this n8n: ${url} is not a public HTTPS address. Set N8N_WEBHOOK_URL to this n8n's public HTTPS address, restart n8n and publish again`,
			description:
				'Rivya only delivers to public HTTPS URLs. This n8n announces its webhooks on http, localhost or a private network address. ' +
				'Set N8N_WEBHOOK_URL (WEBHOOK_URL on older n8n versions) to the public HTTPS address of this n8n, for example behind a reverse proxy with a certificate or through a tunnel (Cloudflare Tunnel, ngrok), restart n8n and activate the workflow again.',
			httpCode: '400',
		},
	);
}

async function sendEndpointChange(
	this: IHookFunctions,
	request: { method: 'POST' | 'PATCH'; path: string; body: IDataObject },
	url: string,
): Promise<IDataObject> {
	try {
		return await rivyaRequest.call(this, { ...request, errorContext: WEBHOOKS_SCOPE });
	} catch (error) {
		throw urlRejectedError(this, error, url);
	}
}

/** Brings an existing endpoint in line with the node's settings (and re-enables a disabled one). */
async function reconcile(
	this: IHookFunctions,
	endpoint: IDataObject,
	desired: DesiredEndpoint,
): Promise<IDataObject> {
	const changes: IDataObject = {};
	if (endpoint.name !== desired.name) changes.name = desired.name;
	if (endpoint.url !== desired.url) changes.url = desired.url;
	if (!sameEventTypes(endpoint.event_types, desired.eventTypes))
		changes.event_types = desired.eventTypes;
	if (endpoint.status !== 'active') changes.status = 'active';
	if (Object.keys(changes).length === 0) return endpoint;
	return await sendEndpointChange.call(
		this,
		{
			method: 'PATCH',
			path: `/webhooks/${encodeURIComponent(String(endpoint.id))}`,
			body: changes,
		},
		desired.url,
	);
}

function newSecretOf(context: IHookFunctions, response: IDataObject, what: string): string {
	const secret = response.signing_secret;
	if (typeof secret !== 'string' || !secret) {
		throw new NodeApiError(
			context.getNode(),
			{ message: `No signing_secret in the answer to ${what}` } as JsonObject,
			{
				message: `Rivya did not return a signing secret when the trigger ${what}`,
				description:
					'Without the secret the trigger cannot verify deliveries, so it refuses to activate. Try activating again.',
			},
		);
	}
	return secret;
}

function registered(endpoint: IDataObject, desired: DesiredEndpoint): RegisteredEndpoint {
	return {
		endpointId: String(endpoint.id),
		url: desired.url,
		eventTypes: desired.eventTypes,
		name: desired.name,
	};
}

/** checkExists: true only for a live, matching endpoint whose current secret we hold. */
export async function endpointIsRegistered(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	const endpointId = storedEndpointId(data);
	const secret = storedSecret(data);
	if (!endpointId) return false;
	if (!secret) {
		this.logger.warn(
			`Rivya Trigger: no signing secret stored for webhook endpoint ${endpointId}; it will be re-registered with a new secret`,
		);
		return false;
	}
	const desired = desiredEndpoint.call(this);
	const endpoint = await fetchEndpoint.call(this, endpointId);
	if (!endpoint || endpoint.status === 'revoked') {
		forgetEndpoint(data);
		return false;
	}
	return (
		endpoint.status === 'active' &&
		endpoint.url === desired.url &&
		endpoint.name === desired.name &&
		sameEventTypes(endpoint.event_types, desired.eventTypes) &&
		secretMatchesPreview(secret, endpoint.secret_preview)
	);
}

/** create: reuse the stored endpoint, else adopt one at our URL, else register a new one. */
export async function registerEndpoint(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	const desired = desiredEndpoint.call(this);

	const storedId = storedEndpointId(data);
	let endpoint = storedId ? await fetchEndpoint.call(this, storedId) : undefined;
	if (endpoint?.status === 'revoked') endpoint = undefined;
	if (!endpoint && storedId) forgetEndpoint(data);

	if (!endpoint) {
		const [adopted, ...extras] = await endpointsWithUrl.call(this, desired.url);
		endpoint = adopted;
		// Several live endpoints at our own URL would deliver every event several times.
		for (const extra of extras) {
			this.logger.warn(
				`Rivya Trigger: removing duplicate webhook endpoint ${String(extra.id)} for ${desired.url}`,
			);
			await rivyaRequest.call(this, {
				method: 'DELETE',
				path: `/webhooks/${encodeURIComponent(String(extra.id))}`,
				errorContext: WEBHOOKS_SCOPE,
			});
		}
	}

	if (endpoint) {
		const secret = storedSecret(data);
		const secretKnown =
			String(endpoint.id) === storedId &&
			secret !== undefined &&
			secretMatchesPreview(secret, endpoint.secret_preview);
		const updated = await reconcile.call(this, endpoint, desired);
		if (!secretKnown) {
			// The endpoint's secret is unknown here (static data lost or secret rotated elsewhere):
			// rotate it so we hold the one that signs deliveries, instead of accepting unverified ones.
			this.logger.info(
				`Rivya Trigger: rotating the signing secret of webhook endpoint ${String(endpoint.id)} because the stored one is missing or outdated`,
			);
			const rotated = await rivyaRequest.call(this, {
				method: 'POST',
				path: `/webhooks/${encodeURIComponent(String(endpoint.id))}/rotate-secret`,
				errorContext: WEBHOOKS_SCOPE,
			});
			rememberSecret(data, newSecretOf(this, rotated, 'rotated the secret'), Date.now());
		}
		rememberEndpoint(data, registered(updated, desired));
		return true;
	}

	const created = await sendEndpointChange.call(
		this,
		{
			method: 'POST',
			path: '/webhooks',
			body: { name: desired.name, url: desired.url, event_types: desired.eventTypes },
		},
		desired.url,
	);
	if (typeof created.id !== 'string' || !created.id) {
		throw new NodeApiError(this.getNode(), created as JsonObject, {
			message: 'Rivya did not return an endpoint ID for the new webhook',
		});
	}
	forgetEndpoint(data);
	rememberSecret(data, newSecretOf(this, created, 'registered the webhook'), Date.now());
	rememberEndpoint(data, registered(created, desired));
	return true;
}

/** delete: revoke the endpoint; keep the record when Rivya could not be reached so it is not lost. */
export async function unregisterEndpoint(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	const endpointId = storedEndpointId(data);
	if (!endpointId) return true;
	try {
		await rivyaRequest.call(this, {
			method: 'DELETE',
			path: `/webhooks/${encodeURIComponent(endpointId)}`,
			errorContext: WEBHOOKS_SCOPE,
		});
	} catch (error) {
		if (rivyaCodeOf(error) !== 'not_found') {
			this.logger.warn(
				`Rivya Trigger: could not delete webhook endpoint ${endpointId} (${(error as Error).message}); it is kept on record and reused on the next activation`,
			);
			return false;
		}
		this.logger.info(`Rivya Trigger: webhook endpoint ${endpointId} was already gone`);
	}
	forgetEndpoint(data);
	return true;
}
