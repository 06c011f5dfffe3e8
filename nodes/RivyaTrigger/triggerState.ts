/**
 * What the Rivya Trigger keeps in the workflow's node static data (saved by n8n with the workflow):
 * the endpoint it registered, its signing secret(s) and the ids of recently accepted events.
 *
 * n8n saves static data when a property of the object is assigned, so lists are always replaced,
 * never mutated in place.
 */
import type { IDataObject } from 'n8n-workflow';

/** Rivya keeps signing with a rotated-out secret for 24 hours (ASSUMED.md, webhook signing). */
export const ROTATED_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;
/**
 * Dedupe memory. Rivya retries a delivery for about 9 hours, so an accepted event id is kept for at
 * least 24 hours (ids are grouped by the hour they arrived and an hour is dropped once it is more than
 * 24 hours old, so ids live 24 to 25 hours). n8n saves the static data with the workflow after every
 * delivery, so the memory is also bounded in size: at most MAX_REMEMBERED_EVENTS ids (about 30 bytes
 * each as JSON, ~150 KB at the cap), oldest dropped first. Trade-off: an account receiving more than
 * 5,000 events within Rivya's ~9 hour retry window (about 9 a minute, sustained) could see a late
 * retry of an old event start a second execution; below that, every retry is recognised.
 */
export const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_REMEMBERED_EVENTS = 5000;
const HOUR_MS = 60 * 60 * 1000;

interface PreviousSecret {
	secret: string;
	expiresAtMs: number;
}

/** Static data key: `{ "<hours since 1970>": ["evt_…", …] }`, each hour's ids in arrival order. */
const RECENT_EVENTS_KEY = 'recentEventIds';
/** Before 24-hour retention: `[{ id, atMs }]`, the last 500 ids. Read once, then replaced. */
const LEGACY_SEEN_EVENTS_KEY = 'seenEvents';

type EventIdsByHour = Array<{ hour: number; ids: string[] }>;

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

/** Remembered ids by hour, oldest hour first (legacy entries folded in). */
function eventIdsByHour(data: IDataObject): EventIdsByHour {
	const byHour = new Map<number, string[]>();
	const add = (hour: number, id: string) => {
		if (!Number.isFinite(hour) || typeof id !== 'string') return;
		const ids = byHour.get(hour);
		if (ids) ids.push(id);
		else byHour.set(hour, [id]);
	};
	const legacy = data[LEGACY_SEEN_EVENTS_KEY];
	if (Array.isArray(legacy)) {
		for (const entry of legacy as IDataObject[]) {
			if (typeof entry?.atMs === 'number')
				add(Math.floor(entry.atMs / HOUR_MS), entry.id as string);
		}
	}
	const stored = data[RECENT_EVENTS_KEY];
	if (stored && typeof stored === 'object' && !Array.isArray(stored)) {
		for (const [hour, ids] of Object.entries(stored as IDataObject)) {
			if (Array.isArray(ids)) for (const id of ids) add(Number(hour), id as string);
		}
	}
	return [...byHour.entries()].sort(([a], [b]) => a - b).map(([hour, ids]) => ({ hour, ids }));
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

/** Forgets the endpoint and its secrets; the dedupe memory stays, event ids are unique account-wide. */
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

export function wasEventSeen(data: IDataObject, eventId: string): boolean {
	return eventIdsByHour(data).some(({ ids }) => ids.includes(eventId));
}

/**
 * Remembers an accepted event id; forgets hours older than DEDUPE_WINDOW_MS, then the oldest ids
 * beyond MAX_REMEMBERED_EVENTS.
 */
export function rememberEvent(data: IDataObject, eventId: string, nowMs: number): void {
	const currentHour = Math.floor(nowMs / HOUR_MS);
	// An hour is kept while any part of it is within the window: every id lives at least 24 hours.
	const oldestKeptHour = Math.floor((nowMs - DEDUPE_WINDOW_MS) / HOUR_MS);
	const hours = eventIdsByHour(data)
		.filter(({ hour }) => hour >= oldestKeptHour)
		.map(({ hour, ids }) => ({ hour, ids: ids.filter((id) => id !== eventId) }));
	const current = hours.find(({ hour }) => hour === currentHour);
	if (current) current.ids.push(eventId);
	else hours.push({ hour: currentHour, ids: [eventId] });

	let excess = hours.reduce((sum, { ids }) => sum + ids.length, 0) - MAX_REMEMBERED_EVENTS;
	for (const entry of hours) {
		if (excess <= 0) break;
		const dropped = Math.min(excess, entry.ids.length);
		entry.ids = entry.ids.slice(dropped);
		excess -= dropped;
	}
	const compact: IDataObject = {};
	for (const { hour, ids } of hours) if (ids.length) compact[String(hour)] = ids;
	// A new object (not a mutation), so n8n notices the change and saves it.
	data[RECENT_EVENTS_KEY] = compact;
	delete data[LEGACY_SEEN_EVENTS_KEY];
}

/**
 * Deliveries of one event can arrive at the same moment (Rivya may send duplicates). n8n hands each
 * request a copy of the static data loaded before either was saved, so both would look unseen there.
 * This process-wide claim is checked and taken synchronously, before any await, so exactly one of
 * them wins; the static data then carries the memory across restarts. (Several n8n main processes can
 * still each accept one copy: README says so.)
 */
const CLAIM_TTL_MS = 10 * 60 * 1000;
const MAX_CLAIMS = 10_000;
const claimedEvents = new Map<string, number>();

/** True for the first caller with this key within CLAIM_TTL_MS, false for every later one. */
export function claimEventInProcess(key: string, nowMs: number): boolean {
	const claimedAt = claimedEvents.get(key);
	if (claimedAt !== undefined && nowMs - claimedAt < CLAIM_TTL_MS) return false;
	claimedEvents.set(key, nowMs);
	if (claimedEvents.size > MAX_CLAIMS) {
		// Maps iterate in insertion order: the first keys are the oldest claims.
		for (const [oldKey, at] of claimedEvents) {
			if (claimedEvents.size <= MAX_CLAIMS && nowMs - at < CLAIM_TTL_MS) break;
			claimedEvents.delete(oldKey);
		}
	}
	return true;
}
