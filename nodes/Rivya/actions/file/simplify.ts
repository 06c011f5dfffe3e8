import type { IDataObject } from 'n8n-workflow';

/** The fields a workflow uses next (reference media, chat attachments); the raw object stays available with Simplify off. */
export function simplifyFile(file: IDataObject): IDataObject {
	return {
		id: file.id,
		kind: file.kind,
		name: file.name,
		mimeType: file.mime_type,
		sizeBytes: file.size_bytes,
		url: file.url,
		durationSeconds: file.duration_seconds ?? null,
		durationToken: file.duration_token ?? null,
		expiresAt: file.expires_at ?? null,
	};
}
