// Webhook schemas (§9).
import { z } from 'zod/v4';

import { isoTimestamp, listSchema, nullableTimestamp, type OperationDoc } from '../schemas';
import { WEBHOOK_EVENT_TYPES } from './delivery';

const eventTypes = z
	.array(z.enum(WEBHOOK_EVENT_TYPES))
	.min(1)
	.transform((types) => [...new Set(types)]);
const endpointName = z.string().trim().min(1).max(200);
const endpointUrl = z
	.string()
	.min(1)
	.max(2048)
	.meta({ description: 'HTTPS, public host, no credentials or fragment' });

export const WebhookEndpointCreateSchema = z
	.object({ name: endpointName, url: endpointUrl, event_types: eventTypes })
	.meta({ id: 'WebhookEndpointCreate' });

export const WebhookEndpointUpdateSchema = z
	.object({
		name: endpointName.optional(),
		url: endpointUrl.optional(),
		event_types: eventTypes.optional(),
		status: z.enum(['active', 'disabled']).optional(),
	})
	.meta({ id: 'WebhookEndpointUpdate' });

export const WebhookEndpointSchema = z
	.object({
		id: z.string().startsWith('whend_'),
		object: z.literal('webhook_endpoint'),
		name: z.string(),
		url: z.string(),
		event_types: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
		status: z.enum(['active', 'disabled', 'revoked']),
		secret_preview: z.string(),
		signing_secret: z
			.string()
			.startsWith('whsec_')
			.optional()
			.meta({ description: 'only in create and rotate-secret answers' }),
		last_success_at: nullableTimestamp,
		last_failure_at: nullableTimestamp,
		failure_count: z.number().int(),
		created_at: isoTimestamp,
		updated_at: isoTimestamp,
		disabled_at: nullableTimestamp,
		revoked_at: nullableTimestamp,
	})
	.meta({ id: 'WebhookEndpoint' });

export const WebhookDeliverySchema = z
	.object({
		id: z.string().startsWith('whdel_'),
		endpoint_id: z.string(),
		event_id: z.string().startsWith('evt_'),
		event_type: z.enum(WEBHOOK_EVENT_TYPES),
		attempt: z.number().int(),
		status: z.enum(['pending', 'succeeded', 'failed']),
		response_status: z.number().int().nullable(),
		error: z.string().nullable(),
		created_at: isoTimestamp,
		next_retry_at: nullableTimestamp,
	})
	.meta({ id: 'WebhookDelivery' });

export const WebhookEventSchema = z
	.object({
		id: z.string().startsWith('evt_'),
		type: z.enum(WEBHOOK_EVENT_TYPES),
		api_version: z.literal('2026-05-11'),
		created_at: isoTimestamp,
		test: z
			.literal(true)
			.optional()
			.meta({ description: 'only on events sent by POST /webhooks/{id}/test' }),
		data: z
			.record(z.string(), z.unknown())
			.meta({ description: 'the Generation object, as GET /generations/{id}' }),
	})
	.meta({ id: 'WebhookEvent' });

/** For openapi.json: the webhook routes. */
export const webhookOperations: OperationDoc[] = [
	{
		method: 'post',
		path: '/api/v1/webhooks',
		scope: 'webhooks:manage',
		request: WebhookEndpointCreateSchema,
		status: 201,
		response: WebhookEndpointSchema,
	},
	{
		method: 'get',
		path: '/api/v1/webhooks',
		scope: 'webhooks:manage',
		status: 200,
		response: listSchema(WebhookEndpointSchema),
	},
	{
		method: 'get',
		path: '/api/v1/webhooks/{endpointId}',
		scope: 'webhooks:manage',
		status: 200,
		response: WebhookEndpointSchema,
	},
	{
		method: 'patch',
		path: '/api/v1/webhooks/{endpointId}',
		scope: 'webhooks:manage',
		request: WebhookEndpointUpdateSchema,
		status: 200,
		response: WebhookEndpointSchema,
	},
	{
		method: 'delete',
		path: '/api/v1/webhooks/{endpointId}',
		scope: 'webhooks:manage',
		status: 200,
		response: WebhookEndpointSchema,
	},
	{
		method: 'post',
		path: '/api/v1/webhooks/{endpointId}/rotate-secret',
		scope: 'webhooks:manage',
		status: 200,
		response: WebhookEndpointSchema,
	},
	{
		method: 'post',
		path: '/api/v1/webhooks/{endpointId}/test',
		scope: 'webhooks:manage',
		status: 200,
		response: WebhookDeliverySchema,
	},
	{
		method: 'get',
		path: '/api/v1/webhooks/{endpointId}/deliveries',
		scope: 'webhooks:manage',
		status: 200,
		response: listSchema(WebhookDeliverySchema),
	},
	{
		method: 'get',
		path: '/api/v1/webhook-events',
		scope: 'webhooks:manage',
		status: 200,
		response: listSchema(WebhookEventSchema),
	},
];
