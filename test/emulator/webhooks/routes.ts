// Webhook routes (rivya-api.md §9): endpoint CRUD, rotate-secret, test, deliveries and events lists, all
// under `webhooks:manage` (delivery faults: control/routes.ts). Terminal generations become events.
import { ApiError, type RequestContext, type RouteOptions, type Router } from '../router';
import { sendListPage } from '../schemas';
import { WebhookEndpointCreateSchema, WebhookEndpointUpdateSchema } from './schemas';
import type { Account, EmulatorState, Task } from '../state';
import {
	deliveryView,
	endpointView,
	eventView,
	GENERATION_EVENT_BY_STATUS,
	stopWebhooks,
	webhookServiceFor,
	type WebhookEndpointRecord,
	ZERO_WEBHOOK_COUNTERS,
} from './delivery';
import { webhookUrlProblem } from './url-rules';

const MANAGE: RouteOptions = { auth: 'key', scope: 'webhooks:manage' };

export function register(router: Router, state: EmulatorState): void {
	state.events.on('generation.terminal', (task: Task, account: Account | undefined) => {
		if (!account) return;
		if (task.status !== 'succeeded' && task.status !== 'failed') return;
		const type = GENERATION_EVENT_BY_STATUS[task.status];
		webhookServiceFor(state).publish(account.id, type, state.generationObject(task));
	});
	// /_emulator/counters shows the webhook counters from the start, zeros included.
	const zeroCounters = () => {
		for (const name of Object.keys(ZERO_WEBHOOK_COUNTERS)) state.counters.bump(name, 0);
	};
	zeroCounters();
	state.events.on('reset', () => {
		stopWebhooks(state);
		zeroCounters();
	});
	state.events.on('close', () => stopWebhooks(state));

	router.add(
		'POST',
		'/api/v1/webhooks',
		{ ...MANAGE, summary: 'Create a webhook endpoint' },
		async (ctx) => {
			const body = await ctx.json(WebhookEndpointCreateSchema);
			assertAllowedUrl(state, body.url);
			const endpoint = webhookServiceFor(state).createEndpoint(ctx.account.id, {
				name: body.name,
				url: body.url,
				eventTypes: body.event_types,
			});
			ctx.send(201, endpointView(endpoint, { withSecret: true }));
		},
	);

	router.add('GET', '/api/v1/webhooks', { ...MANAGE, summary: 'List webhook endpoints' }, (ctx) => {
		sendListPage(ctx, webhookServiceFor(state).endpointsOf(ctx.account.id), (endpoint) =>
			endpointView(endpoint, { withSecret: false }),
		);
	});

	router.add(
		'GET',
		'/api/v1/webhooks/:endpointId',
		{ ...MANAGE, summary: 'Get a webhook endpoint' },
		(ctx) => {
			ctx.send(200, endpointView(ownedEndpoint(ctx), { withSecret: false }));
		},
	);

	router.add(
		'PATCH',
		'/api/v1/webhooks/:endpointId',
		{ ...MANAGE, summary: 'Update a webhook endpoint' },
		async (ctx) => {
			const endpoint = changeableEndpoint(ctx);
			const body = await ctx.json(WebhookEndpointUpdateSchema);
			if (body.url !== undefined) assertAllowedUrl(state, body.url);
			webhookServiceFor(state).updateEndpoint(endpoint, {
				name: body.name,
				url: body.url,
				eventTypes: body.event_types,
				status: body.status,
			});
			ctx.send(200, endpointView(endpoint, { withSecret: false }));
		},
	);

	router.add(
		'DELETE',
		'/api/v1/webhooks/:endpointId',
		{ ...MANAGE, summary: 'Revoke a webhook endpoint' },
		(ctx) => {
			const endpoint = ownedEndpoint(ctx);
			webhookServiceFor(state).revokeEndpoint(endpoint);
			ctx.send(200, endpointView(endpoint, { withSecret: false }));
		},
	);

	router.add(
		'POST',
		'/api/v1/webhooks/:endpointId/rotate-secret',
		{ ...MANAGE, summary: 'Rotate the signing secret (the old one keeps signing for 24 h)' },
		(ctx) => {
			const endpoint = changeableEndpoint(ctx);
			webhookServiceFor(state).rotateSecret(endpoint);
			ctx.send(200, endpointView(endpoint, { withSecret: true }));
		},
	);

	router.add(
		'POST',
		'/api/v1/webhooks/:endpointId/test',
		{ ...MANAGE, summary: 'Send a test event now; answers the delivery' },
		async (ctx) => {
			const endpoint = changeableEndpoint(ctx);
			const delivery = await webhookServiceFor(state).sendTestEvent(
				endpoint,
				testGeneration(state, ctx.account),
			);
			ctx.send(200, deliveryView(delivery));
		},
	);

	router.add(
		'GET',
		'/api/v1/webhooks/:endpointId/deliveries',
		{ ...MANAGE, summary: 'List deliveries of an endpoint' },
		(ctx) => {
			const endpoint = ownedEndpoint(ctx);
			sendListPage(ctx, webhookServiceFor(state).deliveriesOf(endpoint.id), deliveryView);
		},
	);

	router.add(
		'GET',
		'/api/v1/webhook-events',
		{ ...MANAGE, summary: 'List webhook events' },
		(ctx) => {
			sendListPage(ctx, webhookServiceFor(state).eventsOf(ctx.account.id), eventView);
		},
	);
}

function assertAllowedUrl(state: EmulatorState, url: string): void {
	const problem = webhookUrlProblem(url, state.options.allowLocalWebhooks);
	if (problem) throw new ApiError(400, 'webhook_url_rejected', problem);
}

/** The account's endpoint; another account's endpoint is indistinguishable from a missing one. */
function ownedEndpoint(ctx: RequestContext): WebhookEndpointRecord {
	const endpoint = webhookServiceFor(ctx.state).findEndpoint(ctx.account.id, ctx.params.endpointId);
	if (!endpoint)
		throw new ApiError(404, 'not_found', `No webhook endpoint ${ctx.params.endpointId}`);
	return endpoint;
}

/** Revoked endpoints are kept for the record but cannot be changed, rotated or tested. */
function changeableEndpoint(ctx: RequestContext): WebhookEndpointRecord {
	const endpoint = ownedEndpoint(ctx);
	if (endpoint.status === 'revoked') {
		throw new ApiError(400, 'validation_failed', `Webhook endpoint ${endpoint.id} is revoked`);
	}
	return endpoint;
}

/** A synthetic succeeded generation, serialised by the same code as real ones (it is never stored). */
function testGeneration(state: EmulatorState, account: Account) {
	const createdAtMs = state.nowMs();
	const task: Task = {
		id: state.newId('task_test'),
		accountId: account.id,
		model: 'z-image',
		prompt: 'Rivya webhook test event',
		params: {},
		clientRequestId: null,
		reservedCredits: 1,
		finalCredits: 1,
		createdAtMs,
		durationMs: 0,
		outcome: 'succeed',
		failedFinalCredits: 0,
		resultBytes: 0,
		resultCount: 1,
		format: 'png',
		status: 'succeeded',
		settled: true,
	};
	return state.generationObject(task);
}
