/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// Webhook endpoints, events and real outgoing deliveries (rivya-api.md §9): signed POSTs, the retry schedule,
// auto-disable after a run of failed deliveries, secret rotation, and on-demand delivery faults.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import type { EmulatorState } from '../state';
import { generateSigningSecret, secretPreview, signatureHeader } from './signing';
import { isDevelopmentLoopbackUrl, isDisallowedAddress } from './url-rules';

/**
 * The event a generation's end state sends: every webhook event type the emulator knows (a new one is
 * one entry here and one in nodes/shared/webhookEvents.ts).
 */
export const GENERATION_EVENT_BY_STATUS = {
	succeeded: 'generation.succeeded',
	failed: 'generation.failed',
} as const;
export type WebhookEventType =
	(typeof GENERATION_EVENT_BY_STATUS)[keyof typeof GENERATION_EVENT_BY_STATUS];
export const WEBHOOK_EVENT_TYPES = Object.values(GENERATION_EVENT_BY_STATUS) as [
	WebhookEventType,
	...WebhookEventType[],
];
export type WebhookEndpointStatus = 'active' | 'disabled' | 'revoked';
export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';
export const WEBHOOK_FAULT_KINDS = ['duplicate', 'out_of_order', 'bad_signature', 'drop'] as const;
export type WebhookFaultKind = (typeof WEBHOOK_FAULT_KINDS)[number];

export const WEBHOOK_API_VERSION = '2026-05-11';
/** The contract's schedule: 5 s, 30 s, 2 min, 10 min, 30 min, 2 h, 6 h (8 attempts in all). */
export const DEFAULT_RETRY_SCHEDULE_MS = [
	5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000, 21_600_000,
];
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const FAILED_DELIVERIES_BEFORE_DISABLE = 20;
export const ROTATED_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;
/** A delivery held back by the out_of_order fault goes out at the latest after this long. */
export const OUT_OF_ORDER_MAX_HOLD_MS = 10_000;
const MAX_RESPONSE_BYTES_READ = 64 * 1024;

export interface WebhookEndpointRecord {
	id: string;
	accountId: string;
	name: string;
	url: string;
	eventTypes: WebhookEventType[];
	status: WebhookEndpointStatus;
	signingSecret: string;
	/** Rotated-out secrets still signing deliveries until `validUntilMs`. */
	previousSecrets: Array<{ secret: string; validUntilMs: number }>;
	lastSuccessAt: string | null;
	lastFailureAt: string | null;
	/** Failed deliveries in a row (a success resets it); reaching the threshold disables the endpoint. */
	failureCount: number;
	createdAt: string;
	updatedAt: string;
	disabledAt: string | null;
	revokedAt: string | null;
}

export interface WebhookEventRecord {
	id: string;
	accountId: string;
	type: WebhookEventType;
	createdAt: string;
	test: boolean;
	/** The exact bytes every delivery of this event sends (and signs). */
	rawBody: string;
}

export interface WebhookDeliveryRecord {
	id: string;
	accountId: string;
	endpointId: string;
	eventId: string;
	eventType: WebhookEventType;
	attempt: number;
	status: WebhookDeliveryStatus;
	responseStatus: number | null;
	error: string | null;
	createdAt: string;
	nextRetryAt: string | null;
}

export interface WebhookCounters {
	deliveriesSent: number;
	deliveriesSucceeded: number;
	deliveriesFailed: number;
	deliveryAttemptsFailed: number;
	deliveriesDropped: number;
	deliveriesDuplicated: number;
	deliveriesReordered: number;
	deliveriesBadlySigned: number;
}

export const ZERO_WEBHOOK_COUNTERS: Readonly<WebhookCounters> = {
	deliveriesSent: 0,
	deliveriesSucceeded: 0,
	deliveriesFailed: 0,
	deliveryAttemptsFailed: 0,
	deliveriesDropped: 0,
	deliveriesReordered: 0,
	deliveriesDuplicated: 0,
	deliveriesBadlySigned: 0,
};

export interface WebhookServiceOptions {
	/** ISO-8601 with milliseconds; the emulator's clock. */
	now(): string;
	newId(prefix: string): string;
	/** Mirrors every counter change into the emulator-wide counters. */
	bumpCounter?(name: keyof WebhookCounters): void;
	allowLocalWebhooks: boolean;
	retryScheduleMs?: number[];
	timeoutMs?: number;
}

interface AttemptOutcome {
	responseStatus: number | null;
	error: string | null;
}

export class WebhookService {
	readonly endpoints = new Map<string, WebhookEndpointRecord>();
	readonly events: WebhookEventRecord[] = [];
	readonly deliveries: WebhookDeliveryRecord[] = [];
	readonly counters: WebhookCounters = { ...ZERO_WEBHOOK_COUNTERS };

	private readonly eventsById = new Map<string, WebhookEventRecord>();
	private readonly pendingFaults: Record<WebhookFaultKind, number> = {
		duplicate: 0,
		out_of_order: 0,
		bad_signature: 0,
		drop: 0,
	};
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly inFlight = new Set<AbortController>();
	private heldDeliveries: WebhookDeliveryRecord[] = [];
	private stopped = false;

	constructor(private readonly options: WebhookServiceOptions) {}

	get retryScheduleMs(): number[] {
		return this.options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
	}

	get maxAttempts(): number {
		return this.retryScheduleMs.length + 1;
	}

	// Lists below are in creation order; the routes answer newest first.

	// ---- endpoints -------------------------------------------------------------------------------

	createEndpoint(
		accountId: string,
		input: { name: string; url: string; eventTypes: WebhookEventType[] },
	): WebhookEndpointRecord {
		const now = this.options.now();
		const endpoint: WebhookEndpointRecord = {
			id: this.options.newId('whend'),
			accountId,
			name: input.name,
			url: input.url,
			eventTypes: input.eventTypes,
			status: 'active',
			signingSecret: generateSigningSecret(),
			previousSecrets: [],
			lastSuccessAt: null,
			lastFailureAt: null,
			failureCount: 0,
			createdAt: now,
			updatedAt: now,
			disabledAt: null,
			revokedAt: null,
		};
		this.endpoints.set(endpoint.id, endpoint);
		return endpoint;
	}

	findEndpoint(accountId: string, endpointId: string): WebhookEndpointRecord | undefined {
		const endpoint = this.endpoints.get(endpointId);
		return endpoint && endpoint.accountId === accountId ? endpoint : undefined;
	}

	endpointsOf(accountId: string): WebhookEndpointRecord[] {
		return [...this.endpoints.values()].filter((endpoint) => endpoint.accountId === accountId);
	}

	updateEndpoint(
		endpoint: WebhookEndpointRecord,
		changes: {
			name?: string;
			url?: string;
			eventTypes?: WebhookEventType[];
			status?: 'active' | 'disabled';
		},
	): void {
		const now = this.options.now();
		if (changes.name !== undefined) endpoint.name = changes.name;
		if (changes.url !== undefined) endpoint.url = changes.url;
		if (changes.eventTypes !== undefined) endpoint.eventTypes = changes.eventTypes;
		if (changes.status === 'disabled' && endpoint.status !== 'disabled')
			this.disable(endpoint, now);
		if (changes.status === 'active' && endpoint.status !== 'active') {
			// Re-enabling gives the endpoint a fresh run before auto-disable can strike again.
			endpoint.status = 'active';
			endpoint.disabledAt = null;
			endpoint.failureCount = 0;
		}
		endpoint.updatedAt = now;
	}

	revokeEndpoint(endpoint: WebhookEndpointRecord): void {
		if (endpoint.status === 'revoked') return;
		const now = this.options.now();
		endpoint.status = 'revoked';
		endpoint.revokedAt = now;
		endpoint.updatedAt = now;
	}

	rotateSecret(endpoint: WebhookEndpointRecord): void {
		const nowMs = Date.parse(this.options.now());
		endpoint.previousSecrets = [
			...this.validPreviousSecrets(endpoint, nowMs),
			{ secret: endpoint.signingSecret, validUntilMs: nowMs + ROTATED_SECRET_GRACE_MS },
		];
		endpoint.signingSecret = generateSigningSecret();
		endpoint.updatedAt = this.options.now();
	}

	private validPreviousSecrets(endpoint: WebhookEndpointRecord, nowMs: number) {
		return endpoint.previousSecrets.filter((previous) => previous.validUntilMs > nowMs);
	}

	private disable(endpoint: WebhookEndpointRecord, now: string): void {
		endpoint.status = 'disabled';
		endpoint.disabledAt = now;
		endpoint.updatedAt = now;
	}

	// ---- events and deliveries -------------------------------------------------------------------

	/** Records the event and starts one delivery per active endpoint of the account subscribed to its type. */
	publish(accountId: string, type: WebhookEventType, data: unknown): WebhookEventRecord {
		const event = this.recordEvent(accountId, type, data, false);
		for (const endpoint of this.endpointsOf(accountId)) {
			if (endpoint.status === 'active' && endpoint.eventTypes.includes(type)) {
				void this.startDelivery(endpoint, event);
			}
		}
		return event;
	}

	/** `POST /webhooks/{id}/test`: sends a test event now and resolves once its first attempt is over. */
	async sendTestEvent(
		endpoint: WebhookEndpointRecord,
		data: unknown,
	): Promise<WebhookDeliveryRecord> {
		const event = this.recordEvent(endpoint.accountId, endpoint.eventTypes[0], data, true);
		const delivery = this.newDelivery(endpoint, event);
		await this.startDelivery(endpoint, event, delivery);
		return delivery;
	}

	eventsOf(accountId: string): WebhookEventRecord[] {
		return this.events.filter((event) => event.accountId === accountId);
	}

	deliveriesOf(endpointId: string): WebhookDeliveryRecord[] {
		return this.deliveries.filter((delivery) => delivery.endpointId === endpointId);
	}

	private recordEvent(
		accountId: string,
		type: WebhookEventType,
		data: unknown,
		test: boolean,
	): WebhookEventRecord {
		const id = this.options.newId('evt');
		const createdAt = this.options.now();
		const payload = {
			id,
			type,
			api_version: WEBHOOK_API_VERSION,
			created_at: createdAt,
			...(test ? { test: true } : {}),
			data,
		};
		const event: WebhookEventRecord = {
			id,
			accountId,
			type,
			createdAt,
			test,
			rawBody: JSON.stringify(payload),
		};
		this.events.push(event);
		this.eventsById.set(id, event);
		return event;
	}

	private newDelivery(
		endpoint: WebhookEndpointRecord,
		event: WebhookEventRecord,
	): WebhookDeliveryRecord {
		const delivery: WebhookDeliveryRecord = {
			id: this.options.newId('whdel'),
			accountId: endpoint.accountId,
			endpointId: endpoint.id,
			eventId: event.id,
			eventType: event.type,
			attempt: 0,
			status: 'pending',
			responseStatus: null,
			error: null,
			createdAt: this.options.now(),
			nextRetryAt: null,
		};
		this.deliveries.push(delivery);
		return delivery;
	}

	/** First attempt of a new delivery, applying the duplicate and out_of_order faults. */
	private async startDelivery(
		endpoint: WebhookEndpointRecord,
		event: WebhookEventRecord,
		delivery = this.newDelivery(endpoint, event),
	): Promise<void> {
		if (this.takeFault('duplicate')) {
			this.count('deliveriesDuplicated');
			void this.attempt(this.newDelivery(endpoint, event));
		}
		if (this.takeFault('out_of_order')) {
			this.count('deliveriesReordered');
			this.hold(delivery);
			return;
		}
		await this.attempt(delivery);
		this.releaseHeldDeliveries();
	}

	/** Holds a delivery back until the next one has gone out, so the receiver sees them swapped. */
	private hold(delivery: WebhookDeliveryRecord): void {
		this.heldDeliveries.push(delivery);
		this.schedule(OUT_OF_ORDER_MAX_HOLD_MS, () => this.releaseHeldDeliveries());
	}

	private releaseHeldDeliveries(): void {
		const held = this.heldDeliveries;
		this.heldDeliveries = [];
		for (const delivery of held) void this.attempt(delivery);
	}

	private async attempt(delivery: WebhookDeliveryRecord): Promise<void> {
		if (this.stopped || delivery.status !== 'pending') return;
		const endpoint = this.endpoints.get(delivery.endpointId);
		const event = this.eventsById.get(delivery.eventId);
		if (!endpoint || !event) return;
		// Revoked endpoints get nothing more; disabled ones only the test events a user asks for.
		if (endpoint.status === 'revoked' || (endpoint.status === 'disabled' && !event.test)) {
			this.finish(delivery, 'failed', `endpoint ${endpoint.status}`, false);
			return;
		}
		delivery.attempt += 1;
		delivery.nextRetryAt = null;
		const outcome = await this.sendAttempt(endpoint, event);
		if (this.stopped) return;
		delivery.responseStatus = outcome.responseStatus;
		if (isSuccessStatus(outcome.responseStatus)) {
			endpoint.lastSuccessAt = this.options.now();
			endpoint.failureCount = 0;
			this.finish(delivery, 'succeeded', null, false);
			return;
		}
		this.count('deliveryAttemptsFailed');
		endpoint.lastFailureAt = this.options.now();
		if (delivery.attempt >= this.maxAttempts) {
			this.finish(delivery, 'failed', outcome.error, true);
			return;
		}
		delivery.error = outcome.error;
		const delayMs = this.retryScheduleMs[delivery.attempt - 1];
		delivery.nextRetryAt = new Date(Date.parse(this.options.now()) + delayMs).toISOString();
		this.schedule(delayMs, () => void this.attempt(delivery));
	}

	private finish(
		delivery: WebhookDeliveryRecord,
		status: 'succeeded' | 'failed',
		error: string | null,
		countsTowardDisable: boolean,
	): void {
		delivery.status = status;
		delivery.error = error;
		delivery.nextRetryAt = null;
		this.count(status === 'succeeded' ? 'deliveriesSucceeded' : 'deliveriesFailed');
		const endpoint = this.endpoints.get(delivery.endpointId);
		if (!countsTowardDisable || !endpoint) return;
		endpoint.failureCount += 1;
		if (endpoint.status === 'active' && endpoint.failureCount >= FAILED_DELIVERIES_BEFORE_DISABLE) {
			this.disable(endpoint, this.options.now());
		}
	}

	private async sendAttempt(
		endpoint: WebhookEndpointRecord,
		event: WebhookEventRecord,
	): Promise<AttemptOutcome> {
		if (this.takeFault('drop')) {
			// Lost on the way: the receiver never sees it, the emulator retries like after a timeout.
			this.count('deliveriesDropped');
			return { responseStatus: null, error: 'delivery dropped (emulator fault)' };
		}
		const nowMs = Date.parse(this.options.now());
		const timestampSeconds = Math.floor(nowMs / 1000);
		let secrets = [
			endpoint.signingSecret,
			...this.validPreviousSecrets(endpoint, nowMs).map((entry) => entry.secret),
		];
		if (this.takeFault('bad_signature')) {
			this.count('deliveriesBadlySigned');
			secrets = [generateSigningSecret()];
		}
		const headers = {
			'content-type': 'application/json',
			'user-agent': 'Rivya-Webhooks (emulator)',
			'webhook-id': event.id,
			'webhook-timestamp': String(timestampSeconds),
			'webhook-signature': signatureHeader(secrets, event.id, timestampSeconds, event.rawBody),
		};
		this.count('deliveriesSent');
		return await this.post(endpoint.url, headers, event.rawBody);
	}

	/** One POST: no redirects followed, the whole exchange bounded by the timeout, the answer read and discarded. */
	private post(
		rawUrl: string,
		headers: Record<string, string>,
		body: string,
	): Promise<AttemptOutcome> {
		const url = new URL(rawUrl);
		const developmentLoopback = this.options.allowLocalWebhooks && isDevelopmentLoopbackUrl(url);
		const transport = url.protocol === 'https:' ? https : http;
		const abort = new AbortController();
		this.inFlight.add(abort);
		const timeoutMs = this.options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
		const timeout = setTimeout(
			() => abort.abort(new Error(`timed out after ${timeoutMs} ms`)),
			timeoutMs,
		);
		return new Promise<AttemptOutcome>((resolve) => {
			const request = transport.request(
				url,
				{
					method: 'POST',
					headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
					signal: abort.signal,
					agent: false,
					lookup: developmentLoopback ? undefined : publicOnlyLookup,
					// A developer's local HTTPS receiver has a self-signed certificate.
					rejectUnauthorized: !developmentLoopback,
				},
				(response) => {
					let bytesRead = 0;
					response.on('data', (chunk: Buffer) => {
						bytesRead += chunk.length;
						if (bytesRead > MAX_RESPONSE_BYTES_READ) response.destroy();
					});
					const status = response.statusCode ?? null;
					const settle = () =>
						resolve({
							responseStatus: status,
							error: isSuccessStatus(status) ? null : `receiver answered ${status}`,
						});
					response.on('end', settle);
					response.on('close', settle);
					response.on('error', settle);
				},
			);
			request.on('error', (error: Error) => {
				const reason =
					abort.signal.aborted && abort.signal.reason instanceof Error
						? abort.signal.reason
						: error;
				resolve({ responseStatus: null, error: reason.message });
			});
			request.end(body);
		}).finally(() => {
			clearTimeout(timeout);
			this.inFlight.delete(abort);
		});
	}

	// ---- faults, timers, shutdown ----------------------------------------------------------------

	injectFault(kind: WebhookFaultKind, times = 1): void {
		this.pendingFaults[kind] += times;
	}

	clearFaults(): void {
		for (const kind of WEBHOOK_FAULT_KINDS) this.pendingFaults[kind] = 0;
	}

	private takeFault(kind: WebhookFaultKind): boolean {
		if (this.pendingFaults[kind] <= 0) return false;
		this.pendingFaults[kind] -= 1;
		return true;
	}

	private count(name: keyof WebhookCounters): void {
		this.counters[name] += 1;
		this.options.bumpCounter?.(name);
	}

	private schedule(delayMs: number, run: () => void): void {
		if (this.stopped) return;
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			run();
		}, delayMs);
		// Never keep a test process alive just for a pending retry.
		timer.unref();
		this.timers.add(timer);
	}

	/** Clears every retry timer and aborts deliveries in flight; called when the emulator closes. */
	stop(): void {
		this.stopped = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const abort of this.inFlight) abort.abort(new Error('emulator stopped'));
		this.inFlight.clear();
		this.heldDeliveries = [];
	}
}

function isSuccessStatus(status: number | null): boolean {
	return status !== null && status >= 200 && status < 300;
}

/** Resolves like dns.lookup but refuses host names that point at non-public addresses (DNS rebinding). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
	dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
		if (error) return callback(error, '', 0);
		const blocked = addresses.find((entry) => isDisallowedAddress(entry.address));
		if (blocked) {
			return callback(new Error(`${hostname} resolves to a non-public address`), '', 0);
		}
		if (options.all)
			return (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, addresses);
		return callback(null, addresses[0].address, addresses[0].family);
	});
};

export function endpointView(endpoint: WebhookEndpointRecord, options: { withSecret: boolean }) {
	return {
		id: endpoint.id,
		object: 'webhook_endpoint' as const,
		name: endpoint.name,
		url: endpoint.url,
		event_types: endpoint.eventTypes,
		status: endpoint.status,
		secret_preview: secretPreview(endpoint.signingSecret),
		...(options.withSecret ? { signing_secret: endpoint.signingSecret } : {}),
		last_success_at: endpoint.lastSuccessAt,
		last_failure_at: endpoint.lastFailureAt,
		failure_count: endpoint.failureCount,
		created_at: endpoint.createdAt,
		updated_at: endpoint.updatedAt,
		disabled_at: endpoint.disabledAt,
		revoked_at: endpoint.revokedAt,
	};
}

export function deliveryView(delivery: WebhookDeliveryRecord) {
	return {
		id: delivery.id,
		endpoint_id: delivery.endpointId,
		event_id: delivery.eventId,
		event_type: delivery.eventType,
		attempt: delivery.attempt,
		status: delivery.status,
		response_status: delivery.responseStatus,
		error: delivery.error,
		created_at: delivery.createdAt,
		next_retry_at: delivery.nextRetryAt,
	};
}

/** The event exactly as deliveries carry it. */
export function eventView(event: WebhookEventRecord): unknown {
	return JSON.parse(event.rawBody);
}

// ---- one service per emulator ------------------------------------------------------------------------

const servicesByState = new WeakMap<EmulatorState, WebhookService>();

/** The emulator's webhook service, created on first use from the emulator's options. */
export function webhookServiceFor(state: EmulatorState): WebhookService {
	let service = servicesByState.get(state);
	if (!service) {
		service = new WebhookService({
			now: () => state.now(),
			newId: (prefix) => state.newId(prefix),
			// Read state.counters on every bump: a reset replaces the Counters object.
			bumpCounter: (name) => state.counters.bump(name),
			allowLocalWebhooks: state.options.allowLocalWebhooks,
			retryScheduleMs: state.options.webhookRetryScheduleMs,
			timeoutMs: state.options.webhookTimeoutMs,
		});
		servicesByState.set(state, service);
	}
	return service;
}

/** Stops timers and in-flight deliveries and forgets all webhook data (emulator close and reset). */
export function stopWebhooks(state: EmulatorState): void {
	servicesByState.get(state)?.stop();
	servicesByState.delete(state);
}

/** Control-API hook behind `POST /_emulator/webhooks/faults`. */
export function injectWebhookFault(state: EmulatorState, kind: WebhookFaultKind, times = 1): void {
	webhookServiceFor(state).injectFault(kind, times);
}

export function webhookCounters(state: EmulatorState): WebhookCounters {
	return { ...webhookServiceFor(state).counters };
}
