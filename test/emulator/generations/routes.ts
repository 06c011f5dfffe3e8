/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// POST /api/v1/generations and GET /api/v1/generations/:taskId (§5), plus GET /media/:taskId/:file,
// the no-auth download of result media.
import { pipeline } from 'node:stream';
import type { MediaKind, ModelDefinition, ParamDefinition } from '../models/catalog';
import { resultFormatFor } from '../models/catalog';
import { generateMedia } from './media';
import { ApiError, type RequestContext, type Router } from '../router';
import { CreateGenerationRequestSchema, type CreateGenerationRequest } from './schemas';
import { extensionOf, type EmulatorState, type Task } from '../state';
import { fileIdFromUrl, readDurationToken } from '../files/routes';

const invalid = (message: string) => new ApiError(400, 'validation_failed', message);

export function register(router: Router, state: EmulatorState): void {
	router.add(
		'POST',
		'/api/v1/generations',
		{ auth: 'key', scope: 'generations:create', idempotent: true, summary: 'Create a generation' },
		async (ctx) => {
			const body = await ctx.json(CreateGenerationRequestSchema);
			const model = callableModel(state, body.model);
			const params = validateRequest(ctx, model, body);
			const reserved = model.base_credits;
			state.reserveCredits(ctx.account, reserved);
			const behavior = state.behaviorFor(model.id);
			const task: Task = {
				id: state.newId('task'),
				accountId: ctx.account.id,
				model: model.id,
				prompt: body.prompt ?? null,
				params,
				clientRequestId: body.client_request_id ?? null,
				reservedCredits: reserved,
				finalCredits: 0,
				createdAtMs: state.nowMs(),
				durationMs: behavior.durationMs ?? state.options.defaultJobMs,
				outcome: behavior.outcome ?? 'succeed',
				failedFinalCredits: behavior.failedFinalCredits ?? 0,
				resultBytes: behavior.resultBytes ?? state.options.resultBytes[model.category as MediaKind],
				resultCount: behavior.resultCount ?? defaultResultCount(params),
				format: resultFormatFor(model, params),
				status: 'queued',
				settled: false,
			};
			state.addTask(task);
			ctx.send(202, state.generationObject(task));
		},
	);

	router.add(
		'GET',
		'/api/v1/generations/:taskId',
		{ auth: 'key', scope: 'generations:read', summary: 'Get a generation' },
		(ctx) => {
			const task = state.getTask(ctx.params.taskId, ctx.account.id);
			if (!task) throw new ApiError(404, 'not_found', `No generation ${ctx.params.taskId}`);
			ctx.send(200, state.generationObject(task));
		},
	);

	router.add(
		'GET',
		'/media/:taskId/:fileName',
		{ auth: 'public', name: 'GET /media', summary: 'Download a result (no auth)' },
		(ctx) => serveResult(ctx, state),
	);
}

function serveResult(ctx: RequestContext, state: EmulatorState): void {
	const task = state.tasks.get(ctx.params.taskId);
	const match = /^(\d+)\.(\w+)$/.exec(ctx.params.fileName);
	if (task) state.refreshTask(task);
	if (
		!task ||
		task.status !== 'succeeded' ||
		!match ||
		Number(match[1]) >= task.resultCount ||
		match[2] !== extensionOf(task.format)
	) {
		throw new ApiError(404, 'not_found', 'No such result file');
	}
	const prompt = ctx.state.options.promptPictures ? task.prompt : null;
	const media = generateMedia(task.format, task.resultBytes, prompt);
	streamMedia(ctx, media.contentType, media.size, () => media.stream());
}

/** Streams a body with backpressure; a client that goes away stops the generator. */
export function streamMedia(
	ctx: RequestContext,
	contentType: string,
	size: number,
	open: () => NodeJS.ReadableStream,
): void {
	ctx.res.setHeader('Content-Type', contentType);
	ctx.res.setHeader('Content-Length', String(size));
	ctx.res.setHeader('Cache-Control', 'private, max-age=3600');
	ctx.res.writeHead(200);
	if (ctx.req.method === 'HEAD') {
		ctx.res.end();
		return;
	}
	pipeline(open(), ctx.res, () => {
		// Errors here are client disconnects or injected cuts; nothing more to send.
	});
}

function callableModel(state: EmulatorState, modelId: string): ModelDefinition {
	const model = state.findModel(modelId);
	if (!model) throw invalid(`model: unknown model "${modelId}"; see GET /api/v1/models`);
	if (model.category === 'chat') {
		throw invalid(`model: ${modelId} is a chat model; use POST /api/v1/chat/completions`);
	}
	if (model.api_status !== 'available') {
		throw invalid(`model: ${modelId} is ${model.api_status} and cannot be called through the API`);
	}
	return model;
}

function defaultResultCount(params: Record<string, unknown>): number {
	return typeof params.max_images === 'number' ? params.max_images : 1;
}

/** Checks prompt and params against the model; returns the params with defaults filled in. */
function validateRequest(
	ctx: RequestContext,
	model: ModelDefinition,
	body: CreateGenerationRequest,
): Record<string, unknown> {
	const prompt = body.prompt;
	if ((prompt === undefined || prompt.trim() === '') && !model.rules?.promptOptional) {
		throw invalid(`prompt: required for model ${model.id}`);
	}
	if (
		prompt !== undefined &&
		model.max_prompt_length !== null &&
		prompt.length > model.max_prompt_length
	) {
		throw invalid(
			`prompt: longer than ${model.max_prompt_length} characters (max_prompt_length of ${model.id})`,
		);
	}
	if (body.params === undefined && model.rules?.paramsRequired) {
		throw invalid(`params: required for model ${model.id}`);
	}
	const given = body.params ?? {};
	const known = new Set(model.params.map((param) => param.key));
	for (const key of Object.keys(given)) {
		if (key !== 'referenceMediaItems' && !known.has(key)) {
			throw invalid(`params.${key}: not a parameter of model ${model.id}`);
		}
	}
	const resolved: Record<string, unknown> = {};
	for (const param of model.params) {
		const value = given[param.key];
		if (value === undefined || value === null) {
			if (param.required) throw invalid(`params.${param.key}: required for model ${model.id}`);
			if (param.default !== null) resolved[param.key] = param.default;
			continue;
		}
		checkParam(param, value);
		resolved[param.key] = value;
	}
	if (given.referenceMediaItems !== undefined) {
		checkReferences(ctx, model, given.referenceMediaItems);
		resolved.referenceMediaItems = given.referenceMediaItems;
	}
	return resolved;
}

function checkParam(param: ParamDefinition, value: unknown): void {
	const field = `params.${param.key}`;
	switch (param.type) {
		case 'select':
			if (typeof value !== 'string' || !(param.options ?? []).includes(value)) {
				throw invalid(
					`${field} must be one of ${(param.options ?? []).join(', ')} (select values are strings)`,
				);
			}
			return;
		case 'text':
			if (typeof value !== 'string') throw invalid(`${field} must be a string`);
			return;
		case 'number': {
			if (typeof value !== 'number' || !Number.isFinite(value))
				throw invalid(`${field} must be a number`);
			if (param.min !== undefined && value < param.min)
				throw invalid(`${field} must be at least ${param.min}`);
			if (param.max !== undefined && value > param.max)
				throw invalid(`${field} must be at most ${param.max}`);
			if (param.step !== undefined) {
				const steps = (value - (param.min ?? 0)) / param.step;
				if (Math.abs(steps - Math.round(steps)) > 1e-6) {
					throw invalid(`${field} must be a multiple of ${param.step} from ${param.min ?? 0}`);
				}
			}
			return;
		}
		case 'array':
			checkArrayParam(field, value);
			return;
	}
}

/** The only array param is a dialogue: non-empty [{voice, text}]. */
function checkArrayParam(field: string, value: unknown): void {
	if (!Array.isArray(value) || value.length === 0)
		throw invalid(`${field} must be a non-empty array`);
	value.forEach((line, index) => {
		const item = line as { voice?: unknown; text?: unknown } | null;
		if (typeof item !== 'object' || item === null)
			throw invalid(`${field}[${index}] must be an object {voice, text}`);
		for (const key of ['voice', 'text'] as const) {
			if (typeof item[key] !== 'string' || (item[key] as string).trim() === '') {
				throw invalid(`${field}[${index}].${key} must be a non-empty string`);
			}
		}
	});
}

interface ReferenceItem {
	url?: unknown;
	kind?: unknown;
	mimeType?: unknown;
	durationToken?: unknown;
}

function checkReferences(ctx: RequestContext, model: ModelDefinition, items: unknown): void {
	const field = 'params.referenceMediaItems';
	const rules = model.reference_media;
	if (!rules) throw invalid(`${field}: model ${model.id} does not accept reference media`);
	if (!Array.isArray(items)) throw invalid(`${field} must be an array of {url, kind, ...}`);
	if (items.length > rules.max_files) {
		throw invalid(`${field}: at most ${rules.max_files} files for model ${model.id}`);
	}
	const counts: Record<string, number> = {};
	items.forEach((raw, index) => {
		const itemField = `${field}[${index}]`;
		const item = (typeof raw === 'object' && raw !== null ? raw : {}) as ReferenceItem;
		if (typeof item.url !== 'string' || !/^https?:\/\//.test(item.url)) {
			throw invalid(`${itemField}.url must be an http(s) URL`);
		}
		if (typeof item.kind !== 'string' || !rules.kinds.includes(item.kind as MediaKind)) {
			throw invalid(
				`${itemField}.kind must be one of ${rules.kinds.join(', ')} for model ${model.id}`,
			);
		}
		const kind = item.kind as MediaKind;
		counts[kind] = (counts[kind] ?? 0) + 1;
		const allowedTypes = rules.mime_types[kind] ?? [];
		if (typeof item.mimeType === 'string' && !allowedTypes.includes(item.mimeType)) {
			throw invalid(`${itemField}.mimeType must be one of ${allowedTypes.join(', ')}`);
		}
		checkUploadedReference(ctx, model, itemField, item, kind);
	});
	const combo = model.rules?.videosWithImages;
	if (combo && (counts.video ?? 0) > 0) {
		if ((counts.video ?? 0) > combo.videos || (counts.image ?? 0) > combo.imagesWithVideo) {
			throw invalid(
				`${field}: with a video, model ${model.id} takes at most ${combo.videos} video and ${combo.imagesWithVideo} images`,
			);
		}
	}
}

/** References to Files API uploads are checked against the model's limits; others only by URL rules. */
function checkUploadedReference(
	ctx: RequestContext,
	model: ModelDefinition,
	itemField: string,
	item: ReferenceItem,
	kind: MediaKind,
): void {
	const rules = model.reference_media!;
	const fileId = fileIdFromUrl(ctx.state, item.url as string);
	const file = fileId ? ctx.state.files.get(fileId, ctx.account.id) : undefined;
	if (fileId && !file) throw invalid(`${itemField}.url refers to an unknown file`);
	if (!file) {
		if (!model.url_input_supported) {
			throw invalid(`${itemField}.url must be a Files API url: model ${model.id} requires uploads`);
		}
	} else {
		if (file.kind !== kind)
			throw invalid(`${itemField}.kind is ${kind} but the file is ${file.kind}`);
		const maxBytes = rules.max_bytes[kind];
		if (maxBytes !== undefined && file.sizeBytes > maxBytes) {
			throw invalid(
				`${itemField}: file is larger than ${maxBytes} bytes, the limit of model ${model.id}`,
			);
		}
		if (!(rules.mime_types[kind] ?? []).includes(file.mimeType)) {
			throw invalid(`${itemField}: ${file.mimeType} is not accepted by model ${model.id}`);
		}
	}
	const needsDuration = kind !== 'image' && model.api_input_status !== 'available_url_input';
	if (item.durationToken === undefined) {
		if (needsDuration)
			throw invalid(
				`${itemField}.durationToken is required: upload the file and copy its duration_token`,
			);
		return;
	}
	const token =
		typeof item.durationToken === 'string' ? readDurationToken(item.durationToken) : undefined;
	if (!token || token.accountId !== ctx.account.id || (file && token.fileId !== file.id)) {
		throw invalid(`${itemField}.durationToken is not a valid duration_token for this file`);
	}
}
