/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// Small HTTP helpers shared by chat.test.ts and webhooks.test.ts: JSON calls with a key, control-API
// accounts, real multipart uploads, and a local webhook receiver that records raw requests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { z } from 'zod/v4';

import { generateMedia } from './generations/media';
import type { MediaFormat } from './state';

// Response bodies are asserted field by field in the tests; a loose record keeps that readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;

/** Asserts that `value` matches `schema`; a mismatch fails the test with zod's list of differences. */
export function expectSchema(schema: z.ZodType, value: unknown): void {
	const result = schema.safeParse(value);
	expect(result.success ? [] : result.error.issues).toEqual([]);
}

export interface ApiAnswer {
	status: number;
	headers: Headers;
	body: JsonBody;
}

export type ApiCall = (
	method: string,
	path: string,
	body?: unknown,
	headers?: Record<string, string>,
) => Promise<ApiAnswer>;

/** A caller bound to one emulator and key; `path` is relative to the base URL. */
export function apiCaller(baseUrl: string, apiKey: string | null): ApiCall {
	return async (method, path, body, headers = {}) => {
		const response = await fetch(`${baseUrl}${path}`, {
			method,
			headers: {
				...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
				...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		return {
			status: response.status,
			headers: response.headers,
			body: text ? (JSON.parse(text) as JsonBody) : {},
		};
	};
}

export async function createAccount(
	baseUrl: string,
	input: { credits?: number; scopes?: string[] } = {},
): Promise<{ accountId: string; apiKey: string }> {
	const answer = await apiCaller(baseUrl, null)('POST', '/_emulator/accounts', input);
	if (answer.status >= 300)
		throw new Error(`account creation failed: ${JSON.stringify(answer.body)}`);
	return answer.body as { accountId: string; apiKey: string };
}

async function mediaBytes(format: MediaFormat, size: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of generateMedia(format, size).stream()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Uploads a generated file through `POST /api/v1/files` and returns the file object. */
export async function uploadFile(
	baseUrl: string,
	apiKey: string,
	kind: 'image' | 'video' | 'audio',
	format: MediaFormat,
): Promise<JsonBody> {
	const form = new FormData();
	form.append('kind', kind);
	form.append(
		'file',
		new Blob([new Uint8Array(await mediaBytes(format, 4096))]),
		`upload.${format}`,
	);
	const response = await fetch(`${baseUrl}/api/v1/files`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${apiKey}` },
		body: form,
	});
	const body = (await response.json()) as JsonBody;
	if (response.status !== 201)
		throw new Error(`upload failed: ${response.status} ${JSON.stringify(body)}`);
	return body;
}

export interface ReceivedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	rawBody: Buffer;
	receivedAtMs: number;
}

/** What the receiver answers to request number `index` (0-based); default 200. */
export type ReceiverReply = (request: ReceivedRequest, index: number) => number | 'hang';

export interface WebhookReceiver {
	url: string;
	requests: ReceivedRequest[];
	/** Resolves once `count` requests have arrived (rejects after `timeoutMs`). */
	waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
	close(): Promise<void>;
}

export async function startReceiver(reply: ReceiverReply = () => 200): Promise<WebhookReceiver> {
	const requests: ReceivedRequest[] = [];
	const waiters: Array<() => void> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request: ReceivedRequest = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				rawBody: Buffer.concat(chunks),
				receivedAtMs: Date.now(),
			};
			requests.push(request);
			const status = reply(request, requests.length - 1);
			for (const wake of waiters.splice(0)) wake();
			if (status === 'hang') return;
			res.writeHead(status, { 'Content-Type': 'text/plain' });
			res.end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hooks/rivya`,
		requests,
		async waitForRequests(count, timeoutMs = 10_000) {
			const deadline = Date.now() + timeoutMs;
			while (requests.length < count) {
				if (Date.now() > deadline) {
					throw new Error(`expected ${count} webhook requests, got ${requests.length}`);
				}
				await new Promise<void>((resolve) => {
					waiters.push(resolve);
					setTimeout(resolve, 50);
				});
			}
			return requests.slice(0, count);
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(
	check: () => Promise<T | undefined>,
	timeoutMs = 10_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}
