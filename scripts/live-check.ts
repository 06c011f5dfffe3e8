/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// `npm run live-check`: does the live Rivya API still look the way these nodes expect?
//
// Rivya's docs do not describe everything the nodes rely on (SSE event names, the file object,
// webhook signatures, ...). This check runs the Rivya node, through n8n's own engine
// (test/workflow/harness.ts), against the real API, the way a workflow would: Model > Get Many,
// Credit > Get Balance, File > Upload (a 1x1 PNG), Chat > Send Message (streamed, the cheapest chat
// model, one short turn), Webhook > Get Many, and Generation > Get of a task that does not exist (for
// the error envelope). A local recording proxy sits between the node and Rivya, so the report shows
// exactly what Rivya answered: every field and event name the nodes rely on, found or missing.
//
// Read-only apart from the upload (a file, no task, free) and the chat turn (one short turn of the
// cheapest chat model; skipped when that model's base price is above MAX_CHAT_CREDITS).
//
// Environment: RIVYA_API_KEY (required), RIVYA_BASE_URL (default https://rivya.ai).
// Exit code: 0 all found, 1 something missing (drift), 2 the check could not run.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { INodeParameters } from 'n8n-workflow';

import { SseParser } from '../nodes/shared/sse';
import { chain, runWorkflow, startNode, type TestNode } from '../test/workflow/harness';

/** Spend cap: the chat turn is the only paid call; a short turn costs base_credits once. */
export const MAX_CHAT_CREDITS = 2;
const DEFAULT_BASE_URL = 'https://rivya.ai';
/** The smallest valid PNG (1x1, transparent). */
const TINY_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
	'base64',
);
/** Recorded JSON bodies are capped: the catalog is the largest answer, well below this. */
const MAX_RECORDED_BYTES = 8 * 1024 * 1024;

// ─── Recording proxy ────────────────────────────────────────────────────────────────────────────

interface RecordedExchange {
	method: string;
	path: string;
	status: number;
	headers: http.IncomingHttpHeaders;
	json?: unknown;
	/** SSE answers: every event, in order. */
	events?: Array<{ event: string; data: string }>;
}

interface RecordingProxy {
	url: string;
	exchanges: RecordedExchange[];
	close(): Promise<void>;
}

/** Forwards every request to `target` unchanged (but for Host and compression) and records answers. */
async function startRecordingProxy(target: string): Promise<RecordingProxy> {
	const upstream = new URL(target);
	const client = upstream.protocol === 'https:' ? https : http;
	const exchanges: RecordedExchange[] = [];
	const server = http.createServer((req, res) => {
		const headers = { ...req.headers, host: upstream.host };
		// Identity encoding, so the recorder reads what it records.
		delete headers['accept-encoding'];
		const forwarded = client.request(
			{
				protocol: upstream.protocol,
				hostname: upstream.hostname,
				port: upstream.port || undefined,
				method: req.method,
				path: req.url,
				headers,
				// A connection per request, as n8n's HTTP helper does (no reuse across requests).
				agent: false,
			},
			(answer) => {
				const exchange: RecordedExchange = {
					method: req.method ?? 'GET',
					path: (req.url ?? '/').split('?')[0],
					status: answer.statusCode ?? 0,
					headers: answer.headers,
				};
				exchanges.push(exchange);
				const type = String(answer.headers['content-type'] ?? '');
				const chunks: Buffer[] = [];
				let size = 0;
				const parser = /event-stream/i.test(type)
					? new SseParser({
							onEvent: (event) =>
								(exchange.events ??= []).push({ event: event.event, data: event.data }),
						})
					: undefined;
				answer.on('data', (chunk: Buffer) => {
					if (parser) parser.push(chunk);
					else if (size < MAX_RECORDED_BYTES) chunks.push(chunk);
					size += chunk.length;
				});
				answer.on('end', () => {
					if (parser) {
						parser.end();
						exchange.events ??= [];
					} else if (/json/i.test(type)) {
						try {
							exchange.json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
						} catch {
							exchange.json = undefined;
						}
					}
				});
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		forwarded.on('error', (error) => {
			exchanges.push({
				method: req.method ?? 'GET',
				path: (req.url ?? '/').split('?')[0],
				status: 0,
				headers: {},
				json: { proxyError: error.message },
			});
			if (!res.headersSent) res.writeHead(502);
			res.end();
		});
		req.pipe(forwarded);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		exchanges,
		close: async () =>
			await new Promise<void>((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}

// ─── The report ─────────────────────────────────────────────────────────────────────────────────

export interface DriftLine {
	area: string;
	/** A field path (`data[].id`), an event name (`event: done`) or a header. */
	item: string;
	found: boolean;
	note?: string;
}

export interface LiveCheckResult {
	lines: DriftLine[];
	missing: DriftLine[];
	/** Steps that could not run (not drift in a field, but worth reading). */
	problems: string[];
	report: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function has(value: unknown, key: string): boolean {
	return isObject(value) && key in value;
}

class Report {
	readonly lines: DriftLine[] = [];
	readonly problems: string[] = [];

	check(area: string, item: string, found: boolean, note?: string): void {
		this.lines.push({ area, item, found, ...(note ? { note } : {}) });
	}

	/** Each key on one object. */
	keys(area: string, prefix: string, value: unknown, keys: string[]): void {
		for (const key of keys) this.check(area, `${prefix}${key}`, has(value, key));
	}

	/** Each key on every element of a list: found when all elements have it. */
	keysOnEach(area: string, prefix: string, list: unknown[], keys: string[]): void {
		for (const key of keys) {
			const lacking = list.filter((entry) => !has(entry, key)).length;
			this.check(
				area,
				`${prefix}${key}`,
				list.length > 0 && lacking === 0,
				list.length === 0
					? 'no element to look at'
					: lacking
						? `${lacking} of ${list.length} lack it`
						: undefined,
			);
		}
	}

	render(): string {
		const out: string[] = ['Rivya live check: fields and events the nodes rely on', ''];
		let area = '';
		for (const line of this.lines) {
			if (line.area !== area) {
				area = line.area;
				out.push(area);
			}
			out.push(
				`  ${line.found ? 'found  ' : 'MISSING'}  ${line.item}${line.note ? `  (${line.note})` : ''}`,
			);
		}
		const missing = this.lines.filter((line) => !line.found).length;
		out.push('');
		for (const problem of this.problems) out.push(`Problem: ${problem}`);
		out.push(
			missing === 0 && this.problems.length === 0
				? `All ${this.lines.length} found: the live API matches what the nodes expect.`
				: `${missing} of ${this.lines.length} missing${this.problems.length ? `, ${this.problems.length} problem(s)` : ''}: the live API differs from what the nodes expect (see README's "Assumed behaviour" and test/emulator/ASSUMED.md).`,
		);
		return out.join('\n');
	}
}

// ─── The steps ──────────────────────────────────────────────────────────────────────────────────

export interface LiveCheckOptions {
	apiKey: string;
	baseUrl?: string;
	/** Progress lines (default: none). */
	log?: (line: string) => void;
}

function rivyaNode(name: string, parameters: INodeParameters): TestNode {
	return { name, type: 'n8n-nodes-rivya.rivya', parameters };
}

const MODEL_FIELDS = [
	'id',
	'display_name',
	'category',
	'runtime',
	'base_credits',
	'max_prompt_length',
	'reference_media',
	'params',
	'api_status',
	'api_input_status',
	'supported_api_inputs',
	'requires_files_api',
	'url_input_supported',
	'file_kinds',
	'chat_capabilities',
];

export async function runLiveCheck(options: LiveCheckOptions): Promise<LiveCheckResult> {
	const log = options.log ?? (() => undefined);
	const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
	const proxy = await startRecordingProxy(baseUrl);
	const report = new Report();
	const credentials = { rivyaApi: { apiKey: options.apiKey, baseUrl: proxy.url } };

	/** Runs one Rivya node; returns the exchanges it made (a failed run is a problem, not a crash). */
	async function step(
		label: string,
		parameters: INodeParameters,
		extra: {
			inputItems?: Parameters<typeof runWorkflow>[0]['inputItems'];
			expectError?: boolean;
		} = {},
	): Promise<RecordedExchange[]> {
		log(`${label} …`);
		const before = proxy.exchanges.length;
		const result = await runWorkflow({
			nodes: [startNode(), rivyaNode('Rivya', parameters)],
			connections: chain('Start', 'Rivya'),
			credentials,
			...(extra.inputItems ? { inputItems: extra.inputItems } : {}),
		});
		if (result.error && !extra.expectError) {
			report.problems.push(`${label}: ${result.error.message}`);
		}
		return proxy.exchanges.slice(before);
	}

	try {
		// Models (the live catalog: every choice the nodes make comes from it).
		const models = await step('Model > Get Many', {
			resource: 'model',
			operation: 'getAll',
			returnAll: true,
			simplify: false,
		});
		const catalog = models.find((exchange) => exchange.path === '/api/v1/models')?.json;
		const list = isObject(catalog) && Array.isArray(catalog.data) ? catalog.data : [];
		report.check('GET /api/v1/models', 'data[]', list.length > 0, `${list.length} models`);
		report.keysOnEach('GET /api/v1/models', 'data[].', list, MODEL_FIELDS);
		const params = list.flatMap((model) =>
			isObject(model) && Array.isArray(model.params) ? model.params : [],
		);
		report.keysOnEach('GET /api/v1/models', 'data[].params[].', params, ['key', 'type']);
		const withReferences = list
			.map((model) => (isObject(model) ? model.reference_media : undefined))
			.filter(isObject);
		report.keysOnEach('GET /api/v1/models', 'data[].reference_media.', withReferences, [
			'kinds',
			'max_files',
			'max_bytes',
		]);
		const chatModels = list.filter(
			(model): model is Json => isObject(model) && model.category === 'chat',
		);
		report.keysOnEach(
			'GET /api/v1/models',
			'data[].chat_capabilities.',
			chatModels.map((model) => model.chat_capabilities),
			['streaming', 'attachments', 'web_search', 'reasoning_efforts'],
		);
		report.check(
			'GET /api/v1/models',
			'a model with url_input_supported: false (references via the Files API)',
			list.some((model) => isObject(model) && model.url_input_supported === false),
		);

		// Credits.
		const credits = await step('Credit > Get Balance', {
			resource: 'credit',
			operation: 'getBalance',
		});
		const balance = credits.find((exchange) => exchange.path === '/api/v1/credits');
		report.keys('GET /api/v1/credits', '', balance?.json, ['current_credits']);
		report.check(
			'GET /api/v1/credits',
			'header x-request-id',
			Boolean(balance?.headers['x-request-id']),
		);

		// Files: a 1x1 PNG (uploading creates no task).
		const upload = await step(
			'File > Upload',
			{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', kind: 'image' },
			{
				inputItems: [
					{
						json: {},
						binary: {
							data: {
								data: TINY_PNG.toString('base64'),
								mimeType: 'image/png',
								fileName: 'live-check.png',
							},
						},
					},
				],
			},
		);
		const file = upload.find((exchange) => exchange.path === '/api/v1/files');
		report.check(
			'POST /api/v1/files',
			'status 2xx',
			Boolean(file && file.status < 300),
			`status ${file?.status ?? 'none'}`,
		);
		report.keys('POST /api/v1/files', '', file?.json, [
			'id',
			'url',
			'kind',
			'name',
			'mime_type',
			'size_bytes',
			'duration_token',
		]);

		// Chat: one short streamed turn of the cheapest chat model.
		const cheapest = chatModels
			.filter((model) => model.api_status === 'available')
			.sort((a, b) => Number(a.base_credits) - Number(b.base_credits))[0];
		if (!cheapest) {
			report.problems.push(
				'Chat: no available chat model in the catalog; the stream was not checked',
			);
		} else if (Number(cheapest.base_credits) > MAX_CHAT_CREDITS) {
			report.problems.push(
				`Chat: the cheapest chat model (${String(cheapest.id)}) costs ${String(cheapest.base_credits)} credits, above this check's limit of ${MAX_CHAT_CREDITS}; the stream was not checked`,
			);
		} else {
			const chat = await step('Chat > Send Message (streamed)', {
				resource: 'chat',
				operation: 'sendMessage',
				model: { __rl: true, mode: 'id', value: String(cheapest.id) },
				message: 'Reply with the single word: ok',
				options: { stream: true },
			});
			const stream = chat.find((exchange) => exchange.path === '/api/v1/chat/completions/stream');
			const events = stream?.events ?? [];
			const area = `POST /api/v1/chat/completions/stream (${String(cheapest.id)})`;
			report.check(
				area,
				'content-type text/event-stream',
				/event-stream/i.test(String(stream?.headers['content-type'] ?? '')),
				`status ${stream?.status ?? 'none'}`,
			);
			const names = [...new Set(events.map((event) => event.event))];
			for (const name of ['start', 'delta', 'done']) {
				report.check(area, `event: ${name}`, names.includes(name));
			}
			const unknown = names.filter((name) => !['start', 'delta', 'done', 'error'].includes(name));
			if (unknown.length)
				report.problems.push(`Chat stream: events the nodes do not read: ${unknown.join(', ')}`);
			const parse = (name: string) => {
				const data = events.find((event) => event.event === name)?.data;
				try {
					return data === undefined ? undefined : (JSON.parse(data) as unknown);
				} catch {
					return undefined;
				}
			};
			report.keys(area, 'start.', parse('start'), ['session_id']);
			report.keys(area, 'delta.', parse('delta'), ['content']);
			const done = parse('done');
			report.keys(area, 'done.', done, [
				'id',
				'session_id',
				'model',
				'message',
				'usage',
				'credits',
			]);
			report.keys(area, 'done.message.', isObject(done) ? done.message : undefined, ['content']);
			report.keys(area, 'done.credits.', isObject(done) ? done.credits : undefined, [
				'reserved',
				'final',
			]);
		}

		// Webhook endpoints (listing only).
		const webhooks = await step('Webhook > Get Many', {
			resource: 'webhook',
			operation: 'getAll',
			returnAll: false,
			limit: 10,
		});
		const endpoints = webhooks.find((exchange) => exchange.path === '/api/v1/webhooks');
		report.keys('GET /api/v1/webhooks', '', endpoints?.json, ['data', 'has_more']);
		const endpointList =
			isObject(endpoints?.json) && Array.isArray(endpoints.json.data) ? endpoints.json.data : [];
		if (endpointList.length) {
			report.keysOnEach('GET /api/v1/webhooks', 'data[].', endpointList, [
				'id',
				'url',
				'event_types',
				'status',
			]);
		}

		// The error envelope: a task id that cannot exist (404, free).
		const missing = await step(
			'Generation > Get (a task that does not exist, for the error envelope)',
			{ resource: 'generation', operation: 'get', taskId: 'task_live_check_does_not_exist' },
			{ expectError: true },
		);
		const notFound = missing.find((exchange) => exchange.path.startsWith('/api/v1/generations/'));
		const envelope = isObject(notFound?.json) ? notFound.json.error : undefined;
		const area = 'error envelope (GET /api/v1/generations/{missing})';
		report.check(
			area,
			'status 404',
			notFound?.status === 404,
			`status ${notFound?.status ?? 'none'}`,
		);
		report.keys(area, 'error.', envelope, ['code', 'message', 'requestId']);
		report.check(area, 'error.code not_found', isObject(envelope) && envelope.code === 'not_found');
	} finally {
		await proxy.close();
	}

	const missingLines = report.lines.filter((line) => !line.found);
	return {
		lines: report.lines,
		missing: missingLines,
		problems: report.problems,
		report: report.render(),
	};
}

async function main(): Promise<number> {
	const apiKey = process.env.RIVYA_API_KEY?.trim();
	if (!apiKey) {
		console.error('Set RIVYA_API_KEY (a Rivya API key, rvya_sk_...). Optional: RIVYA_BASE_URL.');
		return 2;
	}
	const result = await runLiveCheck({
		apiKey,
		baseUrl: process.env.RIVYA_BASE_URL?.trim() || undefined,
		log: (line) => console.error(`live-check: ${line}`),
	});
	console.log(result.report);
	return result.missing.length === 0 && result.problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(error: unknown) => {
			console.error('live-check could not run:', error instanceof Error ? error.message : error);
			process.exit(2);
		},
	);
}
