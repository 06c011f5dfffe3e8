// Generation schemas (§5).
import { z } from 'zod/v4';

import { isoTimestamp, mediaKind, type OperationDoc } from '../schemas';

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

/** For openapi.json: the generation routes. */
export const generationOperations: OperationDoc[] = [
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
];
