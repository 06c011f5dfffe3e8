// File schemas (§6).
import { z } from 'zod/v4';

import { isoTimestamp, mediaKind, type OperationDoc } from '../schemas';

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

/** For openapi.json: the file routes. */
export const fileOperations: OperationDoc[] = [
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
];
