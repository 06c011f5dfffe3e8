/**
 * n8n binary data → Rivya files: uploads an item's binary property to POST /files, after every check
 * that can be made without sending anything. Streams: in n8n's filesystem (or S3) binary mode the file
 * is never whole in this process's memory.
 */
import { createHash } from 'crypto';
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { getModel } from './catalog';
import { itemLabel, rivyaInputError } from './errors';
import { clientRequestIdProblem } from './ids';
import { idempotencyKeyFor, validateUserIdempotencyKey } from './idempotency';
import { referenceProblems } from './inputChecks';
import {
	baseMimeType,
	formatMegabytes,
	kindFromMimeType,
	mimeTypeForFileName,
	type MediaKind,
} from './media';
import { MultipartBody, multipartBoundary, type ChunkSource } from './multipart';
import type { RetryPolicy } from './retry';
import { rivyaRequestFull } from './transport';

export interface RivyaFile {
	id: string;
	object: 'file';
	kind: MediaKind;
	name: string;
	mime_type: string;
	size_bytes: number;
	url: string;
	duration_seconds: number | null;
	duration_token: string | null;
	created_at: string;
	expires_at?: string;
}

export interface UploadOptions {
	kind?: MediaKind;
	/** Model ID to validate against: Rivya checks the model accepts this kind and applies its limits. */
	model?: string;
	clientRequestId?: string;
	idempotencyKey?: string;
	retry?: Partial<RetryPolicy>;
	/**
	 * Bytes to upload that are not on the item (a reference downloaded from its URL); then
	 * `binaryPropertyName` is only the key for idempotency and `sourceLabel` names them in messages.
	 */
	binaryData?: IBinaryData;
	sourceLabel?: string;
}

/**
 * Read size for streamed uploads. The HTTP client buffers up to 16 chunks ahead of the socket, so this
 * bounds memory (about 4 MB); much smaller chunks make uploads slow (per-chunk overhead in the client).
 */
const UPLOAD_CHUNK_BYTES = 256 * 1024;

/** An item's binary property, ready to send: bytes in memory (default mode) or a stream opener. */
interface BinarySource {
	fileName: string;
	mimeType: string;
	size: number;
	content: Buffer | ChunkSource;
	/** Identifies these exact bytes, for the idempotency key. */
	identity: string;
}

/** SHA-256 of bytes in n8n's binary store, read as a stream (never whole in memory). */
async function storedBytesHash(this: IExecuteFunctions, binaryId: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of await this.helpers.getBinaryStream(binaryId, UPLOAD_CHUNK_BYTES)) {
		hash.update(chunk as Buffer);
	}
	return hash.digest('hex');
}

async function readBinarySource(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	detached?: IBinaryData,
): Promise<BinarySource> {
	const binaryData = detached ?? this.helpers.assertBinaryData(itemIndex, binaryPropertyName);
	const mimeType = baseMimeType(binaryData.mimeType) || 'application/octet-stream';
	if (binaryData.id) {
		// Filesystem/S3 mode: the bytes stay in n8n's store and are streamed when the request is sent.
		const binaryId = binaryData.id;
		const metadata = await this.helpers.getBinaryMetadata(binaryId);
		const size = Number(metadata.fileSize ?? binaryData.bytes);
		if (Number.isFinite(size) && size >= 0) {
			const fileName = binaryData.fileName ?? metadata.fileName ?? 'file';
			return {
				fileName,
				mimeType: baseMimeType(metadata.mimeType) || mimeType,
				size,
				content: async () => await this.helpers.getBinaryStream(binaryId, UPLOAD_CHUNK_BYTES),
				// A detached copy gets a new id each run: only its bytes identify it across a retry.
				identity: detached
					? `sha256:${await storedBytesHash.call(this, binaryId)}`
					: `${binaryId}:${size}`,
			};
		}
	}
	// Default mode (bytes already in the item) or a store that cannot tell the size.
	const buffer = detached
		? await this.helpers.binaryToBuffer(
				detached.id
					? await this.helpers.getBinaryStream(detached.id)
					: Buffer.from(detached.data, 'base64'),
			)
		: await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	return {
		fileName: binaryData.fileName ?? 'file',
		mimeType,
		size: buffer.length,
		content: buffer,
		identity: `sha256:${createHash('sha256').update(buffer).digest('hex')}`,
	};
}

function chooseKind(
	this: IExecuteFunctions,
	source: BinarySource,
	where: string,
	itemIndex: number,
	requested?: MediaKind,
): MediaKind {
	if (requested) return requested;
	const kind =
		kindFromMimeType(source.mimeType) ??
		kindFromMimeType(mimeTypeForFileName(source.fileName) ?? '');
	if (kind) return kind;
	throw rivyaInputError(
		this.getNode(),
		`${itemLabel(itemIndex)}: cannot tell whether "${source.fileName}" (${source.mimeType}) ${where} is an image, video or audio file`,
		'Set "Kind" to Image, Video or Audio, or give the binary data an image/*, video/* or audio/* mime type. Rivya accepts JPEG/PNG/WebP images, MP4/MOV/WebM videos and MP3/M4A/WAV/AAC/OGG audio.',
		itemIndex,
	);
}

function checkClientRequestId(
	this: IExecuteFunctions,
	value: string | undefined,
	itemIndex: number,
) {
	// A line break could end the form field and start a forged part of the upload.
	// eslint-disable-next-line no-control-regex
	if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value)) {
		throw rivyaInputError(
			this.getNode(),
			`${itemLabel(itemIndex)}: "Client Request ID" contains a line break or another control character`,
			'Use a single line of visible characters, e.g. an order number.',
			itemIndex,
		);
	}
	const tooLong = value === undefined ? undefined : clientRequestIdProblem(value);
	if (tooLong) {
		throw rivyaInputError(
			this.getNode(),
			`${itemLabel(itemIndex)}: "Client Request ID" ${tooLong.message}`,
			tooLong.fix,
			itemIndex,
		);
	}
}

const MiB = 1024 * 1024;

/**
 * Rivya's documented size limits per kind when no model is given. Checked before uploading because
 * Rivya stops reading an oversized upload and closes the connection, which the HTTP client may report
 * as a broken connection instead of the 413 answer.
 */
export const DEFAULT_MAX_BYTES: Record<MediaKind, number> = {
	image: 10 * MiB,
	video: 50 * MiB,
	audio: 10 * MiB,
};

function checkDefaultSize(
	this: IExecuteFunctions,
	source: BinarySource,
	kind: MediaKind,
	where: string,
	itemIndex: number,
): void {
	const limit = DEFAULT_MAX_BYTES[kind];
	if (source.size <= limit) return;
	throw rivyaInputError(
		this.getNode(),
		`${itemLabel(itemIndex)}: "${source.fileName}" ${where} is ${formatMegabytes(source.size)}; Rivya accepts ${kind} files up to ${formatMegabytes(limit)}`,
		'Compress or shorten the file, or choose the model it is for in "Model": some models accept larger files. Nothing was uploaded.',
		itemIndex,
	);
}

/** Checks kind, type and size against the model's reference media limits before sending anything. */
async function checkAgainstModel(
	this: IExecuteFunctions,
	modelId: string,
	source: BinarySource,
	kind: MediaKind,
	where: string,
	itemIndex: number,
): Promise<void> {
	const model = await getModel.call(this, modelId, itemIndex);
	const [problem] = referenceProblems(model, [
		{
			label: `"${source.fileName}" ${where}`,
			kind,
			mimeType: source.mimeType,
			sizeBytes: source.size,
		},
	]);
	if (problem) {
		throw rivyaInputError(
			this.getNode(),
			`${itemLabel(itemIndex)}: ${problem.message}`,
			`${problem.fix} (Checked against the model in "Model"; nothing was uploaded.)`,
			itemIndex,
		);
	}
}

/** Every check made before an upload, without sending anything: for checking a whole batch first. */
export async function checkUpload(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	options: UploadOptions = {},
): Promise<void> {
	await prepareUpload.call(this, itemIndex, binaryPropertyName, options);
}

async function prepareUpload(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	options: UploadOptions,
) {
	const clientRequestId = options.clientRequestId?.trim() || undefined;
	checkClientRequestId.call(this, clientRequestId, itemIndex);
	validateUserIdempotencyKey.call(this, options.idempotencyKey, itemIndex);
	const source = await readBinarySource.call(
		this,
		itemIndex,
		binaryPropertyName,
		options.binaryData,
	);
	const where = options.sourceLabel ?? `in binary property "${binaryPropertyName}"`;
	if (source.size === 0) {
		throw rivyaInputError(
			this.getNode(),
			`${itemLabel(itemIndex)}: "${source.fileName}" ${where} is empty (0 bytes)`,
			'Check the node that produced the file: Rivya cannot store an empty file. Nothing was uploaded.',
			itemIndex,
		);
	}
	const kind = chooseKind.call(this, source, where, itemIndex, options.kind);
	const model = options.model?.trim() || undefined;
	if (model) {
		await checkAgainstModel.call(this, model, source, kind, where, itemIndex);
	} else {
		checkDefaultSize.call(this, source, kind, where, itemIndex);
	}
	return { clientRequestId, source, kind, model };
}

/**
 * Uploads an item's binary property to POST /files (multipart, streamed from disk in filesystem mode).
 * Kind auto-detected from mime type unless given. Idempotency key derived per item + property + file
 * unless given, so a repeated step replays Rivya's first answer instead of storing the file twice.
 */
export async function uploadBinaryToRivya(
	this: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	options: UploadOptions = {},
): Promise<RivyaFile> {
	const { clientRequestId, source, kind, model } = await prepareUpload.call(
		this,
		itemIndex,
		binaryPropertyName,
		options,
	);

	const fields: Record<string, string> = { kind };
	if (model) fields.model = model;
	if (clientRequestId) fields.client_request_id = clientRequestId;
	const idempotencyKey = idempotencyKeyFor.call(
		this,
		itemIndex,
		'POST /files',
		{ binaryPropertyName, file: source.identity, fileName: source.fileName, fields },
		options.idempotencyKey,
	);
	// Same key → same boundary → byte-identical body, which is what lets Rivya replay it.
	const body = new MultipartBody(
		fields,
		{
			name: 'file',
			fileName: source.fileName,
			contentType: source.mimeType,
			size: source.size,
			content: source.content,
		},
		multipartBoundary(idempotencyKey),
	);

	const response = await rivyaRequestFull.call(this, {
		method: 'POST',
		path: '/files',
		// n8n's HTTP client sends Blob-like bodies as streams; see multipart.ts.
		body: body as unknown as IDataObject,
		headers: { 'Content-Type': body.type },
		idempotencyKey,
		retry: options.retry,
		itemIndex,
		errorContext: { requiredScope: 'files:create' },
		// Following redirects would keep a copy of the whole body in memory.
		disableFollowRedirect: true,
	});
	return response.body as unknown as RivyaFile;
}
