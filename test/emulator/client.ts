/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers loosely; the zod schemas and assertions check their shape */
// A typed client for the emulator: the Rivya API routes tests need and the /_emulator/ control API.
// Plain node:http, so tests see exactly what went over the wire (statuses, headers, resets).
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { MediaKind } from './models/catalog';
import type { Scope } from './router';
import type { FaultSpec, ModelBehavior } from './state';

export interface HttpResult<T = any> {
	status: number;
	headers: http.IncomingHttpHeaders;
	/** Parsed JSON when the response is JSON, else the text. */
	body: T;
	raw: Buffer;
	requestId: string | undefined;
}

export interface RequestOptions {
	/** Overrides the client's key; `null` sends no Authorization header. */
	apiKey?: string | null;
	headers?: Record<string, string>;
	/** JSON-serialised unless a Buffer. */
	body?: unknown;
	idempotencyKey?: string;
}

export interface UploadInput {
	data: Buffer;
	kind?: MediaKind | string;
	model?: string;
	fileName?: string;
	/** What the client claims; the emulator ignores it and sniffs the bytes. */
	contentType?: string;
	clientRequestId?: string;
	idempotencyKey?: string;
	/** Put the file part before the text fields (the emulator then checks limits at the end). */
	fileFirst?: boolean;
}

export interface DownloadSummary {
	status: number;
	headers: http.IncomingHttpHeaders;
	bytes: number;
	head: Buffer;
	tail: Buffer;
	/** Set when the connection broke before the body was complete. */
	error?: Error;
}

export interface FaultInput extends FaultSpec {
	/** How many matching requests it hits (default 1). */
	times?: number;
}

const SAMPLE_BYTES = 64;

/** Builds a multipart/form-data body; returns it with its Content-Type. */
export function multipartBody(
	fields: Array<[string, string]>,
	file?: { data: Buffer; fileName?: string; contentType?: string },
	fileFirst = false,
): { body: Buffer; contentType: string } {
	const boundary = `----rivya-test-${randomBytes(8).toString('hex')}`;
	const textParts = fields.map(([name, value]) =>
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
		),
	);
	const fileParts = file
		? [
				Buffer.from(
					`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.fileName ?? 'upload.bin'}"\r\n` +
						`Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
				),
				file.data,
				Buffer.from('\r\n'),
			]
		: [];
	const parts = fileFirst ? [...fileParts, ...textParts] : [...textParts, ...fileParts];
	return {
		body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
		contentType: `multipart/form-data; boundary=${boundary}`,
	};
}

export class EmulatorClient {
	constructor(
		readonly baseUrl: string,
		readonly apiKey?: string,
	) {}

	/** The same emulator, another key. */
	withKey(apiKey: string | undefined): EmulatorClient {
		return new EmulatorClient(this.baseUrl, apiKey);
	}

	request<T = any>(
		method: string,
		path: string,
		options: RequestOptions = {},
	): Promise<HttpResult<T>> {
		const headers: Record<string, string> = { ...options.headers };
		const apiKey = options.apiKey === undefined ? this.apiKey : options.apiKey;
		if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
		if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;
		let payload: Buffer | undefined;
		if (Buffer.isBuffer(options.body)) payload = options.body;
		else if (options.body !== undefined) {
			payload = Buffer.from(JSON.stringify(options.body));
			headers['Content-Type'] ??= 'application/json';
		}
		if (payload) headers['Content-Length'] = String(payload.length);
		const url = new URL(path, this.baseUrl);
		return new Promise((resolve, reject) => {
			const req = http.request(url, { method, headers, agent: false }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					const raw = Buffer.concat(chunks);
					const isJson = String(res.headers['content-type'] ?? '').includes('json');
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: (isJson && raw.length
							? JSON.parse(raw.toString('utf8'))
							: raw.toString('utf8')) as T,
						raw,
						requestId: res.headers['x-request-id'] as string | undefined,
					});
				});
			});
			req.on('error', reject);
			req.end(payload);
		});
	}

	// ---- Rivya API ----
	listModels() {
		return this.request('GET', '/api/v1/models');
	}

	createGeneration(body: unknown, options: { idempotencyKey?: string } = {}) {
		return this.request('POST', '/api/v1/generations', { body, ...options });
	}

	getGeneration(taskId: string) {
		return this.request('GET', `/api/v1/generations/${encodeURIComponent(taskId)}`);
	}

	/** Polls until succeeded or failed (the contract's guidance, compressed for tests). */
	async waitForGeneration(taskId: string, { timeoutMs = 15_000, intervalMs = 50 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const response = await this.getGeneration(taskId);
			if (response.status !== 200)
				throw new Error(`poll failed: ${response.status} ${response.raw.toString()}`);
			if (response.body.status === 'succeeded' || response.body.status === 'failed')
				return response;
			if (Date.now() > deadline) throw new Error(`task ${taskId} still ${response.body.status}`);
			await new Promise((resolve) => setTimeout(resolve, intervalMs));
		}
	}

	getCredits() {
		return this.request('GET', '/api/v1/credits');
	}

	uploadFile(input: UploadInput) {
		const fields: Array<[string, string]> = [];
		if (input.kind !== undefined) fields.push(['kind', input.kind]);
		if (input.model !== undefined) fields.push(['model', input.model]);
		if (input.clientRequestId !== undefined)
			fields.push(['client_request_id', input.clientRequestId]);
		const { body, contentType } = multipartBody(
			fields,
			{ data: input.data, fileName: input.fileName, contentType: input.contentType },
			input.fileFirst,
		);
		return this.request('POST', '/api/v1/files', {
			body,
			headers: { 'Content-Type': contentType },
			idempotencyKey: input.idempotencyKey,
		});
	}

	getFile(fileId: string) {
		return this.request('GET', `/api/v1/files/${encodeURIComponent(fileId)}`);
	}

	/** Downloads without keeping the body: counts bytes and keeps the first and last 64. */
	download(url: string): Promise<DownloadSummary> {
		return new Promise((resolve, reject) => {
			const req = http.get(url, { agent: false }, (res) => {
				let bytes = 0;
				let head = Buffer.alloc(0);
				let tail = Buffer.alloc(0);
				const summary = (error?: Error): DownloadSummary => ({
					status: res.statusCode ?? 0,
					headers: res.headers,
					bytes,
					head,
					tail,
					error,
				});
				res.on('data', (chunk: Buffer) => {
					if (head.length < SAMPLE_BYTES)
						head = Buffer.concat([head, chunk.subarray(0, SAMPLE_BYTES - head.length)]);
					tail = Buffer.concat([tail, chunk]).subarray(-SAMPLE_BYTES);
					bytes += chunk.length;
				});
				res.on('end', () => resolve(summary()));
				res.on('error', (error) => resolve(summary(error)));
				res.on('aborted', () => resolve(summary(new Error('aborted'))));
			});
			req.on('error', reject);
		});
	}

	/** Downloads a whole (small) body into memory. */
	async fetchBytes(
		url: string,
	): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
		const response = await this.request('GET', url, { apiKey: null });
		return { status: response.status, headers: response.headers, body: response.raw };
	}

	// ---- control API ----
	private control<T = any>(method: string, path: string, body?: unknown): Promise<T> {
		return this.request<T>(method, `/_emulator${path}`, { body, apiKey: null }).then((response) => {
			if (response.status >= 300) {
				throw new Error(
					`control ${method} ${path} failed: ${response.status} ${response.raw.toString()}`,
				);
			}
			return response.body;
		});
	}

	reset() {
		return this.control<{ accountId: string; apiKey: string }>('POST', '/reset');
	}

	createAccount(input: { credits?: number; scopes?: Scope[] } = {}) {
		return this.control<{ accountId: string; apiKey: string; credits: number }>(
			'POST',
			'/accounts',
			input,
		);
	}

	getAccount(accountId: string) {
		return this.control<{ id: string; credits: number; keys: unknown[] }>(
			'GET',
			`/accounts/${accountId}`,
		);
	}

	setCredits(accountId: string, credits: number) {
		return this.control('PUT', `/accounts/${accountId}/credits`, { credits });
	}

	createKey(input: { accountId: string; scopes?: Scope[]; expiresAt?: string }) {
		return this.control<{ apiKey: string }>('POST', '/keys', input);
	}

	revokeKey(apiKey: string) {
		return this.control('POST', '/keys/revoke', { apiKey });
	}

	expireKey(apiKey: string) {
		return this.control('POST', '/keys/expire', { apiKey });
	}

	setModelBehavior(modelId: string, behavior: ModelBehavior) {
		return this.control('PUT', `/models/${modelId}/behavior`, behavior);
	}

	/** Renames the chat stream's events; `{}` restores the contract's names. */
	setChatStreamEventNames(names: { start?: string; delta?: string; done?: string; error?: string }) {
		return this.control('PUT', '/chat/stream-event-names', names);
	}

	addFault(fault: FaultInput) {
		return this.control<{ faultId: string }>('POST', '/faults', fault);
	}

	clearFaults() {
		return this.control('DELETE', '/faults');
	}

	addWebhookFault(fault: {
		kind: 'duplicate' | 'out_of_order' | 'bad_signature' | 'drop';
		times?: number;
	}) {
		return this.control('POST', '/webhooks/faults', fault);
	}

	/** publicApiEnabled, rateLimitPerMinute (per rateLimitWindowMs, default one minute), advanceClockMs. */
	settings(input: {
		publicApiEnabled?: boolean;
		rateLimitPerMinute?: number;
		rateLimitWindowMs?: number;
		advanceClockMs?: number;
	}) {
		return this.control('PUT', '/settings', input);
	}

	counters() {
		return this.control<{
			tasksCreated: number;
			creditsCharged: number;
			creditsReserved: number;
			creditsRefunded: number;
			uploadBytesRead: number;
			deliveriesSent: number;
			requests: Record<string, number>;
			[name: string]: unknown;
		}>('GET', '/counters');
	}

	tasks() {
		return this.control<{ tasks: Array<Record<string, any> & { id: string; accountId: string }> }>(
			'GET',
			'/tasks',
		);
	}
}
