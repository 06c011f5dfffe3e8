// Model catalog schemas (§4).
import { z } from 'zod/v4';

import { mediaKind, type OperationDoc } from '../schemas';

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

/** For openapi.json: the model routes. */
export const modelOperations: OperationDoc[] = [
	{
		method: 'get',
		path: '/api/v1/models',
		status: 200,
		response: ModelListSchema,
		description: 'Public: no key needed',
	},
];
