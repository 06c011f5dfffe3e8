// Request and response schemas of the core routes (§§2, 4, 5, 6, 8) and the control API. Requests are
// validated with them, openapi.json is generated from them, and the tests parse answers with them.
import { z } from 'zod/v4';

import { ALL_SCOPES } from './router';
import { WEBHOOK_FAULT_KINDS } from './webhooks/delivery';

const isoTimestamp = z.string().meta({ description: 'ISO-8601 UTC with milliseconds' });
const mediaKind = z.enum(['image', 'video', 'audio']);

// ---- errors (§2) ----
export const ErrorEnvelopeSchema = z
	.object({
		error: z.object({
			code: z.string().meta({ description: 'the stable contract; messages may change' }),
			message: z.string(),
			requestId: z.string().startsWith('req_'),
		}),
	})
	.meta({ id: 'Error' });

// ---- models (§4) ----
export const ParamSchema = z
	.object({
		key: z.string(),
		type: z.enum(['select', 'text', 'number', 'array']),
		required: z.boolean(),
		default: z.union([z.string(), z.number(), z.null(), z.array(z.unknown())]),
		options: z
			.array(z.string())
			.optional()
			.meta({ description: 'select values travel as strings' }),
		min: z.number().optional(),
		max: z.number().optional(),
		step: z.number().optional(),
		description: z.string().optional(),
	})
	.meta({ id: 'ModelParam' });

export const ReferenceMediaSchema = z
	.object({
		kinds: z.array(mediaKind),
		max_files: z.number().int(),
		max_bytes: z.object({
			image: z.number().optional(),
			video: z.number().optional(),
			audio: z.number().optional(),
		}),
		mime_types: z.object({
			image: z.array(z.string()).optional(),
			video: z.array(z.string()).optional(),
			audio: z.array(z.string()).optional(),
		}),
	})
	.meta({ id: 'ReferenceMedia' });

export const ChatCapabilitiesSchema = z
	.object({
		streaming: z.literal(true),
		attachments: z.array(z.literal('image')),
		web_search: z.boolean(),
		reasoning_efforts: z.array(z.string()),
	})
	.meta({ id: 'ChatCapabilities' });

export const ModelSchema = z
	.object({
		id: z.string(),
		display_name: z.string(),
		category: z.enum(['chat', 'image', 'video', 'audio']),
		runtime: z.enum(['async_task', 'chat']),
		base_credits: z.number(),
		billing_type: z.enum(['FIXED', 'METERED', 'TOKEN_BASED']),
		supported_modes: z.array(z.string()),
		max_prompt_length: z.number().int().nullable(),
		reference_media: ReferenceMediaSchema.nullable(),
		params: z.array(ParamSchema),
		api_status: z.enum(['available', 'coming_soon', 'studio_only']),
		api_input_status: z.enum([
			'available_text',
			'available_url_input',
			'partial_requires_files',
			'requires_files_api',
		]),
		supported_api_inputs: z.array(z.enum(['text', 'file'])),
		requires_files_api: z.boolean(),
		requires_upload_for_modes: z.array(z.string()),
		url_input_supported: z.boolean(),
		file_kinds: z.array(mediaKind),
		chat_capabilities: ChatCapabilitiesSchema.nullable(),
		notices: z.array(z.string()),
	})
	.meta({ id: 'Model' });

export const ModelListSchema = z
	.object({ object: z.literal('list'), data: z.array(ModelSchema) })
	.meta({ id: 'ModelList' });

// ---- generations (§5) ----
export const ReferenceMediaItemSchema = z
	.object({
		url: z.string().min(1),
		kind: mediaKind,
		name: z.string().optional(),
		mimeType: z.string().optional(),
		durationSeconds: z.number().nonnegative().optional(),
		durationToken: z.string().optional().meta({ description: "a Files API file's duration_token" }),
	})
	.meta({ id: 'ReferenceMediaItem' });

export const CreateGenerationRequestSchema = z
	.object({
		model: z.string().min(1),
		prompt: z
			.string()
			.optional()
			.meta({ description: 'required by most models; max_prompt_length' }),
		params: z
			.record(z.string(), z.unknown())
			.optional()
			.meta({ description: 'model params; reference media in params.referenceMediaItems' }),
		client_request_id: z.string().max(128).optional(),
	})
	.meta({ id: 'CreateGenerationRequest' });
export type CreateGenerationRequest = z.infer<typeof CreateGenerationRequestSchema>;

export const GenerationSchema = z
	.object({
		id: z.string().startsWith('task_'),
		object: z.literal('generation'),
		status: z.enum(['queued', 'processing', 'succeeded', 'failed']),
		model: z.string(),
		reserved_credits: z.number(),
		final_credits: z.number().meta({ description: 'stays 0 until the end; 0 when failed' }),
		client_request_id: z.string().nullable(),
		created_at: isoTimestamp,
		updated_at: isoTimestamp,
		result: z.object({ primary_url: z.string(), urls: z.array(z.string()) }).nullable(),
		error: z.object({ code: z.string(), message: z.string() }).nullable(),
	})
	.meta({ id: 'Generation' });

// ---- files (§6) ----
export const FileSchema = z
	.object({
		id: z.string().startsWith('file_'),
		object: z.literal('file'),
		kind: mediaKind,
		name: z.string(),
		mime_type: z.string(),
		size_bytes: z.number().int(),
		url: z.string(),
		duration_seconds: z.number().nullable(),
		duration_token: z.string().nullable(),
		client_request_id: z.string().nullable(),
		created_at: isoTimestamp,
		expires_at: isoTimestamp,
	})
	.meta({ id: 'File' });

export const FileUploadRequestSchema = z
	.object({
		file: z.string().meta({ format: 'binary', description: 'detected by signature (magic bytes)' }),
		kind: mediaKind,
		model: z.string().optional(),
		client_request_id: z.string().max(128).optional(),
	})
	.meta({ id: 'FileUploadRequest' });

// ---- credits (§8) ----
export const CreditsSchema = z.object({ current_credits: z.number() }).meta({ id: 'Credits' });

// ---- control API (/_emulator/) ----
const scopeList = z.array(z.enum(ALL_SCOPES));

export const ControlCreateAccountSchema = z.object({
	credits: z.number().nonnegative().optional(),
	scopes: scopeList.optional(),
});
export const ControlCreateKeySchema = z.object({
	accountId: z.string(),
	scopes: scopeList.optional(),
	expiresAt: z.string().optional(),
});
export const ControlKeySchema = z.object({ apiKey: z.string() });
export const ControlCreditsSchema = z.object({ credits: z.number().nonnegative() });
export const ControlBehaviorSchema = z.object({
	durationMs: z.number().nonnegative().optional(),
	outcome: z.enum(['succeed', 'fail', 'fail_credits']).optional(),
	failedFinalCredits: z.number().int().nonnegative().optional(),
	resultBytes: z.number().int().nonnegative().optional(),
	resultCount: z.number().int().min(1).max(10).optional(),
});
export const ControlFaultSchema = z.object({
	route: z.string().optional(),
	kind: z.enum([
		'status',
		'drop_after_response',
		'reset_before',
		'delay',
		'rate_limit_storm',
		'cut_stream',
	]),
	status: z.number().int().min(100).max(599).optional(),
	code: z.string().optional(),
	retryAfter: z.number().int().nonnegative().optional(),
	delayMs: z.number().nonnegative().optional(),
	times: z.number().int().min(1).optional(),
	afterBytes: z.number().int().nonnegative().optional(),
});
export const ControlSettingsSchema = z.object({
	publicApiEnabled: z.boolean().optional(),
	rateLimitPerMinute: z.number().int().min(1).optional(),
	rateLimitWindowMs: z.number().int().min(100).optional(),
	advanceClockMs: z.number().nonnegative().optional(),
});

export const ControlChatStreamFaultSchema = z.object({
	kind: z.literal('stream_error'),
	code: z.string().min(1).default('internal_error'),
	message: z.string().min(1).default('The model stopped unexpectedly (injected)'),
	afterDeltas: z.number().int().min(0).default(2),
	times: z.number().int().min(1).default(1),
});
export const ControlChatStreamEventNamesSchema = z.object({
	start: z.string().min(1).optional(),
	delta: z.string().min(1).optional(),
	done: z.string().min(1).optional(),
	error: z.string().min(1).optional(),
});
export const ControlChatStreamTimingSchema = z.object({
	pingIntervalMs: z.number().int().min(1).optional(),
	deltaDelayMs: z.number().int().min(0).optional(),
});
export const ControlStudioSessionSchema = z.object({
	accountId: z.string().min(1),
	model: z.string().min(1),
});
export const ControlWebhookFaultSchema = z.object({
	kind: z.enum(WEBHOOK_FAULT_KINDS),
	times: z.number().int().min(1).optional(),
});

/** One documented operation for openapi.json (the chat/webhook module exports the same shape). */
export interface OperationDoc {
	method: string;
	path: string;
	scope?: string;
	request?: z.ZodType;
	requestContentType?: string;
	status: number;
	response: z.ZodType | null;
	responseContentType?: string;
	description?: string;
}

export const coreOperations: OperationDoc[] = [
	{
		method: 'get',
		path: '/api/v1/models',
		status: 200,
		response: ModelListSchema,
		description: 'Public: no key needed',
	},
	{
		method: 'post',
		path: '/api/v1/generations',
		scope: 'generations:create',
		request: CreateGenerationRequestSchema,
		status: 202,
		response: GenerationSchema,
	},
	{
		method: 'get',
		path: '/api/v1/generations/{taskId}',
		scope: 'generations:read',
		status: 200,
		response: GenerationSchema,
	},
	{
		method: 'post',
		path: '/api/v1/files',
		scope: 'files:create',
		request: FileUploadRequestSchema,
		requestContentType: 'multipart/form-data',
		status: 201,
		response: FileSchema,
	},
	{
		method: 'get',
		path: '/api/v1/files/{fileId}',
		scope: 'files:read',
		status: 200,
		response: FileSchema,
	},
	{
		method: 'get',
		path: '/api/v1/credits',
		scope: 'credits:read',
		status: 200,
		response: CreditsSchema,
	},
	{
		method: 'get',
		path: '/api/v1/openapi.json',
		status: 200,
		response: null,
		responseContentType: 'application/json',
		description: 'Public: this document',
	},
];
