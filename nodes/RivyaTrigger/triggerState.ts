/**
 * What the Rivya Trigger keeps in the workflow's node static data (saved by n8n with the workflow):
 * the endpoint it registered and its signing secret(s).
 *
 * n8n saves static data when a property of the object is assigned, so lists are always replaced,
 * never mutated in place.
 */
import type { IDataObject } from 'n8n-workflow';

/** Rivya keeps signing with a rotated-out secret for 24 hours (ASSUMED.md, webhook signing). */
export const ROTATED_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

interface PreviousSecret {
	secret: string;
	expiresAtMs: number;
}

/**
 * Earlier versions kept accepted event ids here; dedupe now lives in n8n's database (claimEvents.ts).
 * Dropped on the next activation.
 */
const RETIRED_EVENT_MEMORY_KEYS = ['recentEventIds', 'seenEvents'];

export interface RegisteredEndpoint {
	endpointId: string;
	url: string;
	eventTypes: string[];
	name: string;
}

function previousSecretsOf(data: IDataObject): PreviousSecret[] {
	const list = Array.isArray(data.previousSecrets) ? (data.previousSecrets as IDataObject[]) : [];
	return list.filter(
		(entry): entry is IDataObject & PreviousSecret =>
			typeof entry?.secret === 'string' && typeof entry?.expiresAtMs === 'number',
	);
}

export function storedEndpointId(data: IDataObject): string | undefined {
	return typeof data.endpointId === 'string' && data.endpointId ? data.endpointId : undefined;
}

export function storedSecret(data: IDataObject): string | undefined {
	return typeof data.signingSecret === 'string' && data.signingSecret
		? data.signingSecret
		: undefined;
}

/** The current secret first, then rotated-out ones that Rivya may still sign with. */
export function acceptedSecrets(data: IDataObject, nowMs: number): string[] {
	const current = storedSecret(data);
	const previous = previousSecretsOf(data)
		.filter((entry) => entry.expiresAtMs > nowMs)
		.map((entry) => entry.secret);
	return current ? [current, ...previous] : previous;
}

export function rememberEndpoint(data: IDataObject, endpoint: RegisteredEndpoint): void {
	data.endpointId = endpoint.endpointId;
	data.endpointUrl = endpoint.url;
	data.eventTypes = [...endpoint.eventTypes];
	data.endpointName = endpoint.name;
	for (const key of RETIRED_EVENT_MEMORY_KEYS) delete data[key];
}

/** Stores a new secret; a different current one stays accepted for the rotation grace period. */
export function rememberSecret(data: IDataObject, secret: string, nowMs: number): void {
	const current = storedSecret(data);
	const previous = previousSecretsOf(data).filter(
		(entry) => entry.expiresAtMs > nowMs && entry.secret !== secret,
	);
	if (current && current !== secret) {
		previous.push({ secret: current, expiresAtMs: nowMs + ROTATED_SECRET_GRACE_MS });
	}
	data.previousSecrets = previous as unknown as IDataObject[];
	data.signingSecret = secret;
}

/** Forgets the endpoint and its secrets. */
export function forgetEndpoint(data: IDataObject): void {
	for (const key of [
		'endpointId',
		'endpointUrl',
		'eventTypes',
		'endpointName',
		'signingSecret',
		'previousSecrets',
	]) {
		delete data[key];
	}
}
