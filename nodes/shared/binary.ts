/**
 * n8n binary data ↔ Rivya files: uploads an item's binary property to POST /files, and downloads
 * public result URLs into n8n binary data. Both stream: n8n's filesystem (or S3) binary mode never has
 * the whole file in this process's memory.
 */
import { createHash } from 'crypto';
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getModel, referenceProblems } from './catalog';
import { itemLabel, rivyaInputError } from './errors';
import { idempotencyKeyFor, validateUserIdempotencyKey } from './idempotency';
import { MultipartBody, multipartBoundary, type ChunkSource } from './multipart';
import {
	nextRetryDelayMs,
	DEFAULT_RETRY_POLICY,
	isRetryableNetworkError,
	isRetryableStatus,
	parseRetryAfterMs,
	type RetryPolicy,
} from './retry';
import { cancellableSleep, ExecutionCancelledError } from './sleep';
import { cancelSignalOf, headerValue, rivyaRequestFull } from './transport';

export type RivyaFileKind = 'image' | 'video' | 'audio';

export interface RivyaFile {
	id: string;
	object: 'file';
	kind: RivyaFileKind;
	name: string;
	mime_type: string;
	size_bytes: number;
	url: string;
	duration_seconds: number | null;
	duration_token: string | null;
	created_at: string;
	expires_at?: string;
}

/** Rivya allows client_request_id up to this length. */
export const MAX_CLIENT_REQUEST_ID_LENGTH = 128;

const EXTENSION_BY_MIME: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/jpg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'image/avif': 'avif',
	'image/heic': 'heic',
	'image/bmp': 'bmp',
	'image/svg+xml': 'svg',
	'image/tiff': 'tiff',
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
	'video/webm': 'webm',
	'video/x-matroska': 'mkv',
	'video/mpeg': 'mpeg',
	'video/x-msvideo': 'avi',
	'audio/mpeg': 'mp3',
	'audio/mp3': 'mp3',
	'audio/mp4': 'm4a',
	'audio/x-m4a': 'm4a',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/wave': 'wav',
	'audio/aac': 'aac',
	'audio/ogg': 'ogg',
	'audio/flac': 'flac',
	'audio/webm': 'weba',
	'application/json': 'json',
	'text/plain': 'txt',
};

const MIME_BY_EXTENSION: Record<string, string> = {
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	png: 'image/png',
	webp: 'image/webp',
	gif: 'image/gif',
	avif: 'image/avif',
	heic: 'image/heic',
	bmp: 'image/bmp',
	svg: 'image/svg+xml',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	webm: 'video/webm',
	mkv: 'video/x-matroska',
	mpeg: 'video/mpeg',
	avi: 'video/x-msvideo',
	mp3: 'audio/mpeg',
	m4a: 'audio/mp4',
	wav: 'audio/wav',
	aac: 'audio/aac',
	ogg: 'audio/ogg',
	oga: 'audio/ogg',
	flac: 'audio/flac',
	weba: 'audio/webm',
	json: 'application/json',
	txt: 'text/plain',
};

/** "Image/PNG; charset=x" → "image/png". */
function baseMimeType(mimeType: string | undefined): string {
	return (mimeType ?? '').split(';')[0].trim().toLowerCase();
}

/** The Rivya file kind for a mime type, or undefined when it is not an image, video or audio type. */
export function kindFromMimeType(mimeType: string): RivyaFileKind | undefined {
	const type = baseMimeType(mimeType);
	if (type.startsWith('image/')) return 'image';
	if (type.startsWith('video/')) return 'video';
	if (type.startsWith('audio/') || type === 'application/ogg') return 'audio';
	return undefined;
}

/**
 * File extension (without the dot) for a mime type: "image/png" → "png", "video/quicktime" → "mov".
 * Unknown types fall back to a safe form of the subtype, or "bin".
 */
export function extensionForMimeType(mimeType: string): string {
	const type = baseMimeType(mimeType);
	const known = EXTENSION_BY_MIME[type];
	if (known) return known;
	const subtype = (type.split('/')[1] ?? '').replace(/^x-/, '').replace(/\+.*$/, '');
	return /^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin';
}

function mimeTypeForFileName(fileName: string): string | undefined {
	const match = /\.([a-z0-9]{1,8})$/i.exec(fileName);
	return match ? MIME_BY_EXTENSION[match[1].toLowerCase()] : undefined;
}

/** Makes sure the file name ends with an extension that matches its mime type. */
function withExtension(fileName: string, mimeType: string): string {
	const extension = extensionForMimeType(mimeType);
	const current = /\.([a-z0-9]{1,8})$/i.exec(fileName)?.[1]?.toLowerCase();
	if (current && (current === extension || MIME_BY_EXTENSION[current] === baseMimeType(mimeType))) {
		return fileName;
	}
	if (extension === 'bin' && current) return fileName;
	return `${fileName}.${extension}`;
}

// ─── Upload ──────────────────────────────────────────────────────────────────────────────────────

export interface UploadOptions {
	kind?: RivyaFileKind;
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
	requested?: RivyaFileKind,
): RivyaFileKind {
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
	if (value !== undefined && value.length > MAX_CLIENT_REQUEST_ID_LENGTH) {
		throw rivyaInputError(
			this.getNode(),
			`${itemLabel(itemIndex)}: "Client Request ID" is ${value.length} characters long; Rivya allows at most ${MAX_CLIENT_REQUEST_ID_LENGTH}`,
			'Shorten the Client Request ID, or leave it empty.',
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
export const DEFAULT_MAX_BYTES: Record<RivyaFileKind, number> = {
	image: 10 * MiB,
	video: 50 * MiB,
	audio: 10 * MiB,
};

function checkDefaultSize(
	this: IExecuteFunctions,
	source: BinarySource,
	kind: RivyaFileKind,
	where: string,
	itemIndex: number,
): void {
	const limit = DEFAULT_MAX_BYTES[kind];
	if (source.size <= limit) return;
	const megabytes = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MB`;
	throw rivyaInputError(
		this.getNode(),
		`${itemLabel(itemIndex)}: "${source.fileName}" ${where} is ${megabytes(source.size)}; Rivya accepts ${kind} files up to ${megabytes(limit)}`,
		'Compress or shorten the file, or choose the model it is for in "Model": some models accept larger files. Nothing was uploaded.',
		itemIndex,
	);
}

/** Checks kind, type and size against the model's reference media limits before sending anything. */
async function checkAgainstModel(
	this: IExecuteFunctions,
	modelId: string,
	source: BinarySource,
	kind: RivyaFileKind,
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

// ─── Download ────────────────────────────────────────────────────────────────────────────────────

export interface DownloadOptions {
	/** What to tell the user when the download fails for good (default: about Rivya result URLs). */
	failureHint?: string;
	fileName?: string;
	mimeType?: string;
	signal?: AbortSignal;
	retry?: Partial<RetryPolicy>;
	/** Epoch milliseconds by which the download (all attempts) must be done, e.g. the node's Timeout. */
	deadlineMs?: number;
}

/** The error for a download still running at its deadline (it was stopped); see isDownloadTimeout. */
function downloadTimeoutError(context: DownloadContext, url: string): NodeOperationError {
	const error = new NodeOperationError(
		context.getNode(),
		`The download of ${redactUrl(url)} did not finish before the timeout`,
	);
	(error as NodeOperationError & { downloadTimedOut?: boolean }).downloadTimedOut = true;
	return error;
}

/** True for an error raised because a download reached its deadline. */
export function isDownloadTimeout(error: unknown): boolean {
	return (error as { downloadTimedOut?: unknown } | undefined)?.downloadTimedOut === true;
}

type DownloadContext = IExecuteFunctions | IWebhookFunctions;
type BinaryInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** The URL without query string or fragment: result URLs may carry access tokens there. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return url.split(/[?#]/)[0];
	}
}

/** File name from a Content-Disposition header (RFC 6266 `filename*` preferred). */
export function fileNameFromContentDisposition(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const extended = /filename\*\s*=\s*(?:[\w-]+)?'[^']*'([^;]+)/i.exec(header);
	if (extended) {
		try {
			return decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ''));
		} catch {
			// fall through to the plain form
		}
	}
	const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
	const name = (plain?.[1] ?? plain?.[2])?.trim();
	return name || undefined;
}

function fileNameFromUrl(url: string): string | undefined {
	try {
		const last = new URL(url).pathname.split('/').filter(Boolean).pop();
		return last ? decodeURIComponent(last) : undefined;
	} catch {
		return undefined;
	}
}

/** Only the last path segment, without characters file systems dislike. */
function safeFileName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? '';
	const cleaned = Array.from(base, (char) =>
		char.charCodeAt(0) < 32 || '<>:"|?*'.includes(char) ? '_' : char,
	)
		.join('')
		.trim();
	return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : 'result';
}

/** Lets go of a response body we will not read, so its socket is freed. */
function discard(body: unknown): void {
	(body as { destroy?: () => void } | undefined)?.destroy?.();
}

function downloadError(
	context: DownloadContext,
	url: string,
	reason: string,
	attempts: number,
	failureHint?: string,
): NodeOperationError {
	const hint =
		failureHint ??
		'Rivya result URLs are plain downloads that may expire: if the task finished long ago, run Generation > Get for a fresh result, or turn off "Download Results" and use the URLs directly.';
	return new NodeOperationError(
		context.getNode(),
		`Could not download ${redactUrl(url)}: ${reason}`,
		{ description: `Tried ${attempts} time${attempts === 1 ? '' : 's'}. ${hint}` },
	);
}

/**
 * Downloads a public result URL (no auth header: result URLs are plain downloads) as a stream into n8n
 * binary data with the right mime type and extension. Retries network errors, 429 and 5xx (a GET is
 * safe to repeat), and stops when the execution is cancelled.
 */
export async function downloadToBinary(
	this: DownloadContext,
	url: string,
	options: DownloadOptions = {},
): Promise<IBinaryData> {
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
	const cancelSignal = options.signal ?? cancelSignalOf(this);
	const deadlineSignal =
		options.deadlineMs === undefined
			? undefined
			: AbortSignal.timeout(Math.max(1, options.deadlineMs - Date.now()));
	const signal =
		deadlineSignal && cancelSignal
			? AbortSignal.any([cancelSignal, deadlineSignal])
			: (deadlineSignal ?? cancelSignal);
	// The deadline, not the user, stopped it: a timeout, not a cancellation.
	const timedOut = () => deadlineSignal?.aborted === true && cancelSignal?.aborted !== true;
	const startedAt = Date.now();
	const request: IHttpRequestOptions = {
		method: 'GET',
		url,
		encoding: 'stream',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 60_000,
		abortSignal: signal,
	};

	for (let attempt = 1; ; attempt++) {
		if (timedOut()) throw downloadTimeoutError(this, url);
		if (signal?.aborted) throw new ExecutionCancelledError();
		let failure: string;
		let retryAfterMs: number | undefined;
		let retryable: boolean;
		try {
			const response = (await this.helpers.httpRequest(request)) as {
				statusCode: number;
				body: unknown;
				headers: IDataObject;
			};
			if (response.statusCode >= 200 && response.statusCode < 300) {
				const { fileName, mimeType } = describeDownload(url, response.headers, options);
				return await this.helpers.prepareBinaryData(
					response.body as BinaryInput,
					fileName,
					mimeType,
				);
			}
			discard(response.body);
			failure = `HTTP ${response.statusCode}`;
			retryable = isRetryableStatus(response.statusCode);
			retryAfterMs = parseRetryAfterMs(headerValue(response.headers, 'retry-after'));
		} catch (error) {
			if (timedOut()) throw downloadTimeoutError(this, url);
			if (signal?.aborted) {
				throw new NodeOperationError(this.getNode(), new ExecutionCancelledError());
			}
			const { code, message } = (error ?? {}) as { code?: string; message?: string };
			// Never echo the error's message as is: it may quote the full URL with its token.
			failure = code ?? (message ? message.split(url).join(redactUrl(url)) : 'network error');
			retryable = isRetryableNetworkError(error);
			retryAfterMs = undefined;
		}
		const delay = retryable
			? nextRetryDelayMs(attempt, policy, startedAt, retryAfterMs)
			: undefined;
		if (delay === undefined) {
			throw downloadError(this, url, failure, attempt, options.failureHint);
		}
		// A retry that could only start after the deadline is a timeout now.
		if (options.deadlineMs !== undefined && Date.now() + delay >= options.deadlineMs) {
			throw downloadTimeoutError(this, url);
		}
		await cancellableSleep(delay, cancelSignal);
	}
}

/** Mime type from the response (else the URL's extension), file name from the header or the URL. */
function describeDownload(
	url: string,
	headers: IDataObject,
	options: DownloadOptions,
): { fileName: string; mimeType: string } {
	const headerMime = baseMimeType(headerValue(headers, 'content-type'));
	const nameHint =
		options.fileName ??
		fileNameFromContentDisposition(headerValue(headers, 'content-disposition')) ??
		fileNameFromUrl(url) ??
		'result';
	const generic =
		!headerMime ||
		headerMime === 'application/octet-stream' ||
		headerMime === 'binary/octet-stream';
	const mimeType =
		options.mimeType ??
		(generic
			? (mimeTypeForFileName(nameHint) ?? (headerMime || 'application/octet-stream'))
			: headerMime);
	return { fileName: withExtension(safeFileName(nameHint), mimeType), mimeType };
}
