/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// POST /api/v1/files (multipart, limits enforced while streaming, magic bytes), GET /api/v1/files/:id
// (§6), and GET /uploads/:fileId/:name, the no-auth download behind a file's `url`.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { DEFAULT_FILE_LIMITS, type MediaKind, type ModelDefinition } from '../models/catalog';
import {
	detectMimeType,
	estimateDurationSeconds,
	MultipartError,
	MultipartParser,
	multipartBoundary,
	SNIFF_BYTES,
	type PartHeaders,
} from './multipart';
import { ApiError, type RequestContext, type Router } from '../router';
import { FILE_LIFETIME_MS, type EmulatorState, type StoredFile } from '../state';
import { streamMedia } from '../generations/routes';

const MEDIA_KINDS: MediaKind[] = ['image', 'video', 'audio'];
const MAX_FIELD_BYTES = 4096;
const invalid = (message: string) => new ApiError(400, 'validation_failed', message);

export function register(router: Router, state: EmulatorState): void {
	router.add(
		'POST',
		'/api/v1/files',
		{
			auth: 'key',
			scope: 'files:create',
			idempotent: true,
			bodyFingerprint: 'handler',
			summary: 'Upload a file',
		},
		async (ctx) => {
			const upload = await receiveUpload(ctx);
			const file = storeUpload(ctx, upload);
			ctx.send(201, fileObject(state, file));
		},
	);

	router.add(
		'GET',
		'/api/v1/files/:fileId',
		{ auth: 'key', scope: 'files:read', summary: 'Get file metadata' },
		(ctx) => {
			const file = liveFile(state, ctx.params.fileId);
			if (!file || file.accountId !== ctx.account.id)
				throw new ApiError(404, 'not_found', `No file ${ctx.params.fileId}`);
			ctx.send(200, fileObject(state, file));
		},
	);

	router.add(
		'GET',
		'/uploads/:fileId/:name',
		{ auth: 'public', name: 'GET /uploads', summary: 'Download an uploaded file (no auth)' },
		(ctx) => {
			const file = liveFile(state, ctx.params.fileId);
			if (!file) throw new ApiError(404, 'not_found', 'No such file');
			streamMedia(ctx, file.mimeType, file.sizeBytes, () => Readable.from([file.data]));
		},
	);
}

function liveFile(state: EmulatorState, id: string): StoredFile | undefined {
	const file = state.files.byId(id);
	return file && Date.parse(file.expiresAt) > state.nowMs() ? file : undefined;
}

export function fileObject(state: EmulatorState, file: StoredFile) {
	return {
		id: file.id,
		object: 'file',
		kind: file.kind,
		name: file.name,
		mime_type: file.mimeType,
		size_bytes: file.sizeBytes,
		url: `${state.baseUrl}/uploads/${file.id}/${encodeURIComponent(file.name)}`,
		duration_seconds: file.durationSeconds,
		duration_token: file.durationToken,
		client_request_id: file.clientRequestId,
		created_at: file.createdAt,
		expires_at: file.expiresAt,
	};
}

/** The file id behind one of this emulator's `/uploads/...` URLs (any host), if it is one. */
export function fileIdFromUrl(_state: EmulatorState, url: string): string | undefined {
	try {
		return /^\/uploads\/(file_[0-9a-f]+)\//.exec(new URL(url).pathname)?.[1];
	} catch {
		return undefined;
	}
}

// ---- duration tokens: opaque to clients, HMAC-signed so the generations route can trust them ----
const TOKEN_SECRET = randomBytes(32);

interface DurationClaims {
	fileId: string;
	accountId: string;
	durationSeconds: number;
}

function tokenSignature(payload: string): Buffer {
	return createHmac('sha256', TOKEN_SECRET).update(payload).digest();
}

export function issueDurationToken(claims: DurationClaims): string {
	const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
	return `dur_${payload}.${tokenSignature(payload).toString('base64url')}`;
}

export function readDurationToken(token: string): DurationClaims | undefined {
	const match = /^dur_([\w-]+)\.([\w-]+)$/.exec(token);
	if (!match) return undefined;
	const given = Buffer.from(match[2], 'base64url');
	const expected = tokenSignature(match[1]);
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
	return JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as DurationClaims;
}

// ---- upload ----
interface ReceivedUpload {
	fields: Record<string, string>;
	fileName: string | undefined;
	chunks: Buffer[];
	size: number;
	detectedType: string | undefined;
	sawFile: boolean;
}

/** Kind and model as far as known; validates them, returns the byte limit and allowed types. */
function limitsFor(
	ctx: RequestContext,
	kindValue: string | undefined,
	modelId: string | undefined,
) {
	const kind = kindValue as MediaKind | undefined;
	if (kind !== undefined && !MEDIA_KINDS.includes(kind))
		throw invalid(`kind must be one of ${MEDIA_KINDS.join(', ')}`);
	let model: ModelDefinition | undefined;
	if (modelId !== undefined) {
		model = ctx.state.findModel(modelId);
		if (!model) throw invalid(`model: unknown model "${modelId}"`);
		if (kind && !model.file_kinds.includes(kind)) {
			throw invalid(
				`model: ${modelId} does not accept ${kind} files (file_kinds: ${model.file_kinds.join(', ') || 'none'})`,
			);
		}
	}
	if (!kind) {
		// Until `kind` arrives, only the largest limit anywhere applies; send kind first for early checks.
		const everyLimit = [...ctx.state.models.values()].flatMap((m) =>
			Object.values(m.reference_media?.max_bytes ?? {}),
		);
		const defaults = Object.values(DEFAULT_FILE_LIMITS).map((limit) => limit.maxBytes);
		return { kind, maxBytes: Math.max(...defaults, ...everyLimit), mimeTypes: undefined };
	}
	return {
		kind,
		maxBytes: model?.reference_media?.max_bytes[kind] ?? DEFAULT_FILE_LIMITS[kind].maxBytes,
		mimeTypes: model?.reference_media?.mime_types[kind] ?? DEFAULT_FILE_LIMITS[kind].mimeTypes,
	};
}

function checkSize(size: number, maxBytes: number, kind: string | undefined): void {
	if (size > maxBytes) {
		throw new ApiError(
			413,
			'file_too_large',
			`file is larger than ${maxBytes} bytes, the limit for ${kind ?? 'any'} files`,
		);
	}
}

function checkType(
	detected: string | undefined,
	mimeTypes: string[] | undefined,
	kind: string | undefined,
): void {
	if (!mimeTypes || (detected && mimeTypes.includes(detected))) return;
	throw new ApiError(
		415,
		'unsupported_media_type',
		`file: detected type ${detected ?? 'unknown'} is not allowed for ${kind} files (allowed: ${mimeTypes.join(', ')})`,
	);
}

/** Streams the multipart body, rejecting as soon as a limit or signature check fails. */
function receiveUpload(ctx: RequestContext): Promise<ReceivedUpload> {
	const boundary = multipartBoundary(ctx.req.headers['content-type']);
	if (!boundary) throw invalid('Content-Type must be multipart/form-data with a boundary');
	const upload: ReceivedUpload = {
		fields: {},
		fileName: undefined,
		chunks: [],
		size: 0,
		detectedType: undefined,
		sawFile: false,
	};
	let current: PartHeaders | undefined;
	let limits: ReturnType<typeof limitsFor> | undefined;
	let sniffed = false;

	const sniff = () => {
		sniffed = true;
		const head = Buffer.concat(upload.chunks).subarray(0, SNIFF_BYTES);
		upload.detectedType = detectMimeType(head, limits?.kind);
		checkType(upload.detectedType, limits?.mimeTypes, limits?.kind);
	};

	const parser = new MultipartParser(boundary, {
		onPartStart(part) {
			current = part;
			if (part.name === 'file') {
				if (upload.sawFile) throw invalid('file: send exactly one file');
				upload.sawFile = true;
				upload.fileName = part.filename;
				limits = limitsFor(ctx, upload.fields.kind, upload.fields.model);
			} else upload.fields[part.name] = '';
		},
		onPartData(chunk) {
			if (current?.name === 'file') {
				upload.size += chunk.length;
				checkSize(upload.size, limits!.maxBytes, limits!.kind);
				upload.chunks.push(chunk);
				if (!sniffed && upload.size >= SNIFF_BYTES) sniff();
				return;
			}
			const name = current!.name;
			upload.fields[name] += chunk.toString('utf8');
			if (upload.fields[name].length > MAX_FIELD_BYTES) throw invalid(`${name}: too long`);
		},
		onPartEnd() {
			if (current?.name === 'file' && !sniffed) sniff();
			current = undefined;
		},
	});

	return new Promise((resolve, reject) => {
		let failed = false;
		const fail = (error: unknown) => {
			if (failed) return;
			failed = true;
			// Stop reading: no more of a too-large upload enters the emulator; the connection closes after
			// the error response.
			ctx.req.pause();
			ctx.res.setHeader('Connection', 'close');
			ctx.res.once('finish', () => setTimeout(() => ctx.req.socket.destroy(), 100).unref());
			reject(error instanceof MultipartError ? invalid(error.message) : error);
		};
		ctx.req.on('data', (chunk: Buffer) => {
			if (failed) return;
			ctx.state.counters.bump('uploadBytesRead', chunk.length);
			try {
				parser.write(chunk);
			} catch (error) {
				fail(error);
			}
		});
		ctx.req.on('end', () => {
			if (failed) return;
			try {
				parser.end();
				resolve(upload);
			} catch (error) {
				fail(error);
			}
		});
		ctx.req.on('error', fail);
	});
}

function storeUpload(ctx: RequestContext, upload: ReceivedUpload): StoredFile {
	const { fields } = upload;
	if (fields.kind === undefined) throw invalid('kind: required (image, video or audio)');
	if (!upload.sawFile) throw invalid('file: required');
	if (upload.size === 0) throw invalid('file: empty');
	if (fields.client_request_id !== undefined && fields.client_request_id.length > 128) {
		throw invalid('client_request_id: at most 128 characters');
	}
	// Checked again in full: `kind`/`model` may have come after the file.
	const limits = limitsFor(ctx, fields.kind, fields.model);
	checkSize(upload.size, limits.maxBytes, limits.kind);
	const data = Buffer.concat(upload.chunks);
	const detected = detectMimeType(data.subarray(0, SNIFF_BYTES), limits.kind);
	checkType(detected, limits.mimeTypes, limits.kind);

	ctx.idempotencyCheckpoint(
		createHash('sha256')
			.update(JSON.stringify(Object.entries(fields).sort()))
			.update(`\n${upload.fileName ?? ''}\n`)
			.update(data)
			.digest('hex'),
	);

	const state = ctx.state;
	const kind = limits.kind!;
	const id = state.newId('file');
	const timed = kind !== 'image';
	const durationSeconds = timed ? estimateDurationSeconds(data, detected!, kind) : null;
	const file: StoredFile = {
		id,
		accountId: ctx.account.id,
		kind,
		name: upload.fileName || `${kind}-upload`,
		mimeType: detected!,
		sizeBytes: data.length,
		data,
		durationSeconds,
		durationToken: timed
			? issueDurationToken({
					fileId: id,
					accountId: ctx.account.id,
					durationSeconds: durationSeconds!,
				})
			: null,
		clientRequestId: fields.client_request_id ?? null,
		createdAt: state.now(),
		expiresAt: new Date(state.nowMs() + FILE_LIFETIME_MS).toISOString(),
	};
	state.files.add(file);
	state.counters.bump('filesUploaded');
	return file;
}
