// Chat schemas (§7).
import { z } from 'zod/v4';

import { isoTimestamp, listSchema, type OperationDoc } from '../schemas';

export const REASONING_EFFORTS = ['default', 'minimal', 'low', 'medium', 'high', 'xhigh'];

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

/** For openapi.json: the chat routes. */
export const chatOperations: OperationDoc[] = [
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
];
