// Request and response schemas of the chat (§7) and webhook (§9) routes. Requests are validated with them;
// responses are described by them for openapi.json, and the emulator's tests parse answers with them.
import { z } from 'zod/v4';

import { ApiError, fieldPath, type RequestContext } from './router';
import type { OperationDoc } from './schemas';
import { WEBHOOK_EVENT_TYPES } from './webhooks/delivery';

export const REASONING_EFFORTS = ['default', 'minimal', 'low', 'medium', 'high', 'xhigh'];

const isoTimestamp = z.string().meta({ description: 'ISO-8601 UTC with milliseconds' });
const nullableTimestamp = isoTimestamp.nullable();

// ---- chat -----------------------------------------------------------------------------------------

export const ChatCompletionRequestSchema = z
	.object({
		model: z.string().min(1).meta({ description: 'a chat model id (category "chat")' }),
		message: z
			.string()
			.min(1)
			.meta({ description: 'the next user message; the session holds the history' }),
		session_id: z
			.string()
			.min(1)
			.optional()
			.meta({ description: 'omit to start a session; pass it back to continue' }),
		// Elements stay loose here so that URL attachments get the contract's chat_attachment_not_supported
		// instead of a generic validation error; the route checks each element.
		attachments: z.array(z.unknown()).optional().meta({
			description:
				'image files uploaded through the Files API: [{"file_id": "file_..."}]; URLs are rejected',
		}),
		enable_web_search: z.boolean().optional(),
		reasoning_effort: z.enum(REASONING_EFFORTS).optional(),
		client_request_id: z.string().max(128).optional(),
	})
	.meta({ id: 'ChatCompletionRequest' });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const ChatUsageSchema = z.object({
	input_tokens: z.number().int(),
	output_tokens: z.number().int(),
	total_tokens: z.number().int(),
});

export const ChatCompletionSchema = z
	.object({
		id: z.string().startsWith('chatcmpl_'),
		object: z.literal('chat.completion'),
		session_id: z.string().startsWith('chs_'),
		model: z.string(),
		created_at: isoTimestamp,
		message: z.object({ id: z.string(), role: z.literal('assistant'), content: z.string() }),
		usage: ChatUsageSchema,
		credits: z.object({ reserved: z.number(), final: z.number() }),
	})
	.meta({ id: 'ChatCompletion' });

export const ChatStreamStartSchema = z.object({
	id: z.string(),
	session_id: z.string(),
	model: z.string(),
	created_at: isoTimestamp,
});
export const ChatStreamDeltaSchema = z.object({ content: z.string() });

export const ChatSessionSchema = z
	.object({
		id: z.string().startsWith('chs_'),
		object: z.literal('chat.session'),
		model: z.string(),
		created_at: isoTimestamp,
		updated_at: isoTimestamp,
		message_count: z.number().int(),
	})
	.meta({ id: 'ChatSession' });

export const ChatMessageSchema = z.object({
	id: z.string().startsWith('msg_'),
	role: z.enum(['user', 'assistant']),
	content: z.string(),
	created_at: isoTimestamp,
	attachments: z.array(z.object({ file_id: z.string() })),
});

export const ChatSessionWithMessagesSchema = ChatSessionSchema.extend({
	messages: z.array(ChatMessageSchema),
}).meta({
	id: 'ChatSessionWithMessages',
});

// ---- webhooks -------------------------------------------------------------------------------------

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

// ---- lists ----------------------------------------------------------------------------------------

export function listSchema<Item extends z.ZodType>(item: Item) {
	return z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() });
}

/** `?limit=` (1–100, default 20) and `?after=<id of the last item of the previous page>`; lists are newest first. */
export const ListQuerySchema = z.object({
	limit: z.coerce.number().int().min(1).max(100).default(20),
	after: z.string().min(1).optional(),
});

/**
 * Answers a list route with one page of `itemsInCreationOrder`, newest first: `limit` items after the
 * `after` cursor, and whether more follow. An unknown cursor is a validation error naming it.
 */
export function sendListPage<Item extends { id: string }>(
	ctx: RequestContext,
	itemsInCreationOrder: Item[],
	view: (item: Item) => unknown,
): void {
	const items = [...itemsInCreationOrder].reverse();
	const parsed = ListQuerySchema.safeParse(Object.fromEntries(ctx.query));
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new ApiError(400, 'validation_failed', `${fieldPath(issue.path)}: ${issue.message}`);
	}
	const { limit, after } = parsed.data;
	let start = 0;
	if (after !== undefined) {
		start = items.findIndex((item) => item.id === after) + 1;
		if (start === 0)
			throw new ApiError(400, 'validation_failed', `after: no item with id ${after} in this list`);
	}
	ctx.send(200, {
		object: 'list',
		data: items.slice(start, start + limit).map(view),
		has_more: start + limit < items.length,
	});
}

/** For openapi.json: every chat and webhook route with its scope and schemas. */
export const chatAndWebhookOperations: OperationDoc[] = [
	{
		method: 'post',
		path: '/api/v1/chat/completions',
		scope: 'chat:create',
		request: ChatCompletionRequestSchema,
		status: 200,
		response: ChatCompletionSchema,
	},
	{
		method: 'post',
		path: '/api/v1/chat/completions/stream',
		scope: 'chat:create',
		request: ChatCompletionRequestSchema,
		status: 200,
		response: null,
		responseContentType: 'text/event-stream',
		description:
			'text/event-stream: start, delta..., done (the chat.completion), error; ": ping" comments',
	},
	{
		method: 'get',
		path: '/api/v1/chat/sessions',
		scope: 'chat:read',
		status: 200,
		response: listSchema(ChatSessionSchema),
	},
	{
		method: 'get',
		path: '/api/v1/chat/sessions/{sessionId}',
		scope: 'chat:read',
		status: 200,
		response: ChatSessionWithMessagesSchema,
	},
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
