/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// File resource through n8n's real engine against the Rivya emulator: uploads from binary data in both
// binary modes (streamed from disk in filesystem mode), kind detection, model checks before upload,
// Rivya's 413/415 answers, Get, and idempotent replay of an upload whose answer was lost.
import { createHash } from 'crypto';
import { BinaryDataService } from 'n8n-core';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { once } from 'events';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { Transform, type Readable } from 'stream';

import { downloadToBinary } from '../../nodes/shared/download';

import { generateMedia } from '../emulator/generations/media';
import type { MediaFormat } from '../emulator/state';
import {
	chain,
	readBinary,
	runWorkflow,
	startNode,
	type BinaryMode,
	type NodeTypeMap,
	type TestNode,
} from './harness';
import { useEmulatorPerFile } from './emulator-fixture';

const MB = 1024 * 1024;

/** Makes binary `data` of a real media format and size, streamed into n8n's binary store. */
class MakeMediaNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Make Media',
		name: 'makeMedia',
		group: ['transform'],
		version: 1,
		description: 'Test node: writes generated media into binary data',
		usableAsTool: true,
		defaults: { name: 'Make Media' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Format', name: 'format', type: 'string', default: 'png' },
			{ displayName: 'Size', name: 'size', type: 'number', default: 1024 },
			{ displayName: 'Mime Type', name: 'mimeType', type: 'string', default: '' },
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
			const format = this.getNodeParameter('format', itemIndex) as MediaFormat;
			const media = generateMedia(format, this.getNodeParameter('size', itemIndex) as number);
			const mimeType =
				(this.getNodeParameter('mimeType', itemIndex) as string) || media.contentType;
			const fileName =
				(this.getNodeParameter('fileName', itemIndex) as string) || `input-${itemIndex}.${format}`;
			const hash = createHash('sha256');
			const hashing = new Transform({
				transform(chunk: Buffer, _encoding, callback) {
					hash.update(chunk);
					callback(null, chunk);
				},
			});
			const binary = await this.helpers.prepareBinaryData(
				media.stream().pipe(hashing),
				fileName,
				mimeType,
			);
			output.push({
				json: { sha256: hash.digest('hex'), size: media.size },
				binary: { data: binary },
				pairedItem: { item: itemIndex },
			});
		}
		return [output];
	}
}

/** Downloads `url` with downloadToBinary (fast retries for the test). */
class DownloadNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Download',
		name: 'download',
		group: ['transform'],
		version: 1,
		description: 'Test node: downloads a URL into binary data',
		usableAsTool: true,
		defaults: { name: 'Download' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'URL', name: 'url', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const binary = await downloadToBinary.call(this, this.getNodeParameter('url', 0) as string, {
			retry: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 4 },
		});
		return [[{ json: {}, binary: { data: binary }, pairedItem: { item: 0 } }]];
	}
}

const nodeTypes: NodeTypeMap = {
	'test.makeMedia': new MakeMediaNode(),
	'test.download': new DownloadNode(),
};

const fixture = useEmulatorPerFile({}, 'clearFaults');

afterEach(() => {
	jest.restoreAllMocks();
});

interface UploadRun {
	media?: IDataObject;
	upload?: IDataObject;
	binaryMode?: BinaryMode;
	items?: number;
	executionId?: string;
	apiKey?: string;
	extra?: Partial<TestNode>;
}

/** Make Media → Rivya File > Upload. */
async function runUpload({
	media = {},
	upload = {},
	binaryMode = 'default',
	items = 1,
	executionId,
	apiKey = fixture.emulator.apiKey,
	extra = {},
}: UploadRun) {
	return await runWorkflow({
		nodes: [
			startNode(),
			{ name: 'Make Media', type: 'test.makeMedia', parameters: { format: 'png', ...media } },
			{
				name: 'Rivya',
				type: 'n8n-nodes-rivya.rivya',
				parameters: { resource: 'file', operation: 'upload', ...upload },
				...extra,
			},
		],
		connections: chain('Start', 'Make Media', 'Rivya'),
		nodeTypes,
		credentials: { rivyaApi: { apiKey, baseUrl: fixture.emulator.baseUrl } },
		binaryMode,
		executionId,
		inputItems: Array.from({ length: items }, (_, index) => ({ index })),
	});
}

async function uploadsSoFar(): Promise<number> {
	return (await fixture.client.counters()).requests['POST /api/v1/files'] ?? 0;
}

async function downloadStored(url: string): Promise<Buffer> {
	const response = await fixture.client.fetchBytes(url);
	expect(response.status).toBe(200);
	return response.body;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each<BinaryMode>(['default', 'filesystem'])(
	'File > Upload in %s binary mode',
	(binaryMode) => {
		it('uploads the bytes unchanged and returns the simplified file', async () => {
			const result = await runUpload({ binaryMode, media: { format: 'png', size: 300_000 } });
			expect(result.error).toBeUndefined();
			const [made] = result.outputOf('Make Media');
			const [item] = result.outputOf('Rivya');
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toEqual({
				id: expect.stringMatching(/^file_/),
				kind: 'image',
				name: 'input-0.png',
				mimeType: 'image/png',
				sizeBytes: made.json.size,
				url: expect.stringContaining('/uploads/'),
				durationSeconds: null,
				durationToken: null,
				expiresAt: expect.any(String),
			});
			const stored = await downloadStored(item.json.url as string);
			expect(sha256(stored)).toBe(made.json.sha256);
			expect(stored.equals(await readBinary(made, 'data'))).toBe(true);
		});

		it('detects video and audio from the mime type and returns duration tokens', async () => {
			const video = await runUpload({ binaryMode, media: { format: 'mp4', size: 200_000 } });
			const audio = await runUpload({ binaryMode, media: { format: 'mp3', size: 100_000 } });
			const [videoFile] = video.outputOf('Rivya');
			const [audioFile] = audio.outputOf('Rivya');
			expect(videoFile.json).toMatchObject({ kind: 'video', mimeType: 'video/mp4' });
			expect(audioFile.json).toMatchObject({ kind: 'audio', mimeType: 'audio/mpeg' });
			expect(videoFile.json.durationToken).toEqual(expect.any(String));
			expect(audioFile.json.durationSeconds).toEqual(expect.any(Number));
		});
	},
);

describe('File > Upload streaming (filesystem binary mode)', () => {
	it('streams a 40 MB video from n8n storage: never buffered, read only as fast as it is sent', async () => {
		const size = 40 * MB;
		const bufferReads = jest.spyOn(BinaryDataService.prototype, 'getAsBuffer');
		const originalGetAsStream = BinaryDataService.prototype.getAsStream;
		let bytesRead = 0;
		let maxLead = 0;
		const streamReads = jest
			.spyOn(BinaryDataService.prototype, 'getAsStream')
			.mockImplementation(async function (this: BinaryDataService, ...args) {
				const source: Readable = await originalGetAsStream.apply(this, args);
				// Counts bytes as the upload pulls them and how far reading runs ahead of what Rivya received.
				const counter = new Transform({
					transform(chunk: Buffer, _encoding, callback) {
						bytesRead += chunk.length;
						const received = fixture.emulator.state.counters.extra.uploadBytesRead ?? 0;
						maxLead = Math.max(maxLead, bytesRead - received);
						callback(null, chunk);
					},
				});
				source.on('error', (error) => counter.destroy(error));
				return source.pipe(counter);
			});
		// Rivya starts reading the upload only after a pause: without backpressure the whole file
		// would be read (and held in memory) meanwhile.
		await fixture.client.addFault({
			route: 'POST /api/v1/files',
			kind: 'delay',
			delayMs: 2000,
			times: 1,
		});
		const receivedBefore = fixture.emulator.state.counters.extra.uploadBytesRead ?? 0;
		fixture.emulator.state.counters.extra.uploadBytesRead = 0;

		const result = await runUpload({
			binaryMode: 'filesystem',
			media: { format: 'mp4', size },
			upload: { kind: 'auto' },
		});

		fixture.emulator.state.counters.extra.uploadBytesRead += receivedBefore;
		expect(result.error).toBeUndefined();
		const [made] = result.outputOf('Make Media');
		const [item] = result.outputOf('Rivya');
		expect(made.binary?.data.id).toMatch(/^filesystem-v2:/);
		expect(item.json).toMatchObject({ kind: 'video', sizeBytes: size });
		// The node read the file as a stream, once, and never as a whole buffer.
		expect(streamReads).toHaveBeenCalledTimes(1);
		expect(bufferReads).not.toHaveBeenCalled();
		expect(bytesRead).toBe(size);
		// Backpressure: reading never ran far ahead of the socket (sockets buffer a few MB at most).
		expect(maxLead).toBeLessThan(size / 4);
		bufferReads.mockRestore();
		expect(sha256(await downloadStored(item.json.url as string))).toBe(made.json.sha256);
	});
});

describe('File > Upload options and checks', () => {
	it('uses the chosen kind and sends the client request ID', async () => {
		const result = await runUpload({
			media: { format: 'png', size: 5_000, mimeType: 'application/octet-stream', fileName: 'blob' },
			upload: { kind: 'image', options: { clientRequestId: 'trace-42' }, simplify: false },
		});
		const [item] = result.outputOf('Rivya');
		expect(item.json).toMatchObject({
			object: 'file',
			kind: 'image',
			mime_type: 'image/png',
			client_request_id: 'trace-42',
		});
	});

	it('names the field when the kind cannot be detected, before any upload', async () => {
		const before = await uploadsSoFar();
		const result = await runUpload({
			media: { format: 'png', size: 5_000, mimeType: 'application/pdf', fileName: 'doc.pdf' },
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/Item 1: cannot tell whether "doc.pdf" \(application\/pdf\)/,
		);
		expect(result.error?.description).toMatch(/"Kind"/);
		expect(await uploadsSoFar()).toBe(before);
	});

	it('rejects an over-long client request ID before any upload', async () => {
		const before = await uploadsSoFar();
		const result = await runUpload({ upload: { options: { clientRequestId: 'x'.repeat(129) } } });
		expect(result.error?.message).toMatch(/"Client Request ID" is 129 characters long/);
		expect(await uploadsSoFar()).toBe(before);
	});

	it("checks the file against the chosen model's limits before uploading", async () => {
		const before = await uploadsSoFar();
		const tooBig = await runUpload({
			binaryMode: 'filesystem',
			media: { format: 'mp4', size: 12 * MB },
			upload: { model: { __rl: true, mode: 'id', value: 'wan-2-6' } },
		});
		expect(tooBig.status).toBe('error');
		expect(tooBig.error?.message).toMatch(/12 MB; "wan-2-6" accepts video references up to 10 MB/);
		expect(tooBig.error?.description).toMatch(/nothing was uploaded/);

		const noReferences = await runUpload({
			upload: { model: { __rl: true, mode: 'id', value: 'z-image' } },
		});
		expect(noReferences.error?.message).toMatch(/"z-image" does not accept reference media/);

		const unknown = await runUpload({
			upload: { model: { __rl: true, mode: 'id', value: 'no-such-model' } },
		});
		expect(unknown.error?.message).toMatch(/the model "no-such-model" is not in Rivya's catalog/);
		expect(await uploadsSoFar()).toBe(before);
	});

	it('uploads when the file fits the model, and Rivya records the model check', async () => {
		const result = await runUpload({
			media: { format: 'jpeg', size: 50_000 },
			upload: { model: { __rl: true, mode: 'id', value: 'nano-banana-2' } },
		});
		expect(result.error).toBeUndefined();
		expect(result.outputOf('Rivya')[0].json).toMatchObject({
			kind: 'image',
			mimeType: 'image/jpeg',
		});
	});

	it("rejects a file over Rivya's default limit for its kind before uploading", async () => {
		const before = await uploadsSoFar();
		const result = await runUpload({
			binaryMode: 'filesystem',
			media: { format: 'png', size: 11 * MB },
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/Item 1: "input-0.png" in binary property "data" is 11 MB; Rivya accepts image files up to 10 MB/,
		);
		expect(result.error?.description).toMatch(/Nothing was uploaded/);
		expect(await uploadsSoFar()).toBe(before);
	});

	it("maps Rivya's 413 (file too large) to a clear error", async () => {
		// Limits on the live API may be stricter than documented: Rivya's answer must still read well.
		await fixture.client.addFault({
			route: 'POST /api/v1/files',
			kind: 'status',
			status: 413,
			code: 'file_too_large',
			times: 1,
		});
		const result = await runUpload({ media: { format: 'png', size: 20_000 } });
		expect(result.status).toBe('error');
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '413' });
		expect(result.error?.message).toMatch(/\[file_too_large\]/);
		expect(result.error?.description).toMatch(/larger than Rivya allows/);
	});

	it("maps Rivya's 415 (contents are not the claimed kind) to a clear error", async () => {
		const result = await runUpload({
			media: { format: 'png', size: 5_000 },
			upload: { kind: 'video' },
		});
		expect(result.status).toBe('error');
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '415' });
		expect(result.error?.message).toMatch(/\[unsupported_media_type\]/);
		expect(result.error?.description).toMatch(/real file type from its contents/);
	});

	it('gives one error item per failing item with Continue On Fail', async () => {
		const result = await runUpload({
			media: { format: 'png', size: 5_000, mimeType: 'text/plain', fileName: 'notes.txt' },
			items: 2,
			extra: { onError: 'continueRegularOutput' },
		});
		const items = result.outputOf('Rivya');
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(String(items[1].json.error)).toMatch(/Item 2: cannot tell/);
	});
});

describe('File > Upload idempotency', () => {
	it('replays instead of storing the file twice when the answer to an upload is lost', async () => {
		const before = await fixture.client.counters();
		await fixture.client.addFault({
			route: 'POST /api/v1/files',
			kind: 'drop_after_response',
			times: 1,
		});
		const result = await runUpload({
			binaryMode: 'filesystem',
			media: { format: 'png', size: 2 * MB },
			upload: { options: { maxRetryTime: 30 } },
		});
		expect(result.error).toBeUndefined();
		const [item] = result.outputOf('Rivya');
		const after = await fixture.client.counters();
		// Two requests (the lost one and the retry), one stored file: the retry was replayed.
		expect(after.requests['POST /api/v1/files'] - before.requests['POST /api/v1/files']).toBe(2);
		expect((after.filesUploaded as number) - (before.filesUploaded as number)).toBe(1);
		expect((await fixture.client.getFile(item.json.id as string)).status).toBe(200);
	});

	it('replays the same file when n8n re-runs the same execution (Retry On Fail)', async () => {
		const executionId = `retry-${Date.now()}`;
		// A saved workflow keeps its node ids; the harness would otherwise make new ones per run.
		const extra = { id: 'file-upload-node' };
		const first = await runUpload({ executionId, extra, media: { size: 10_000 } });
		const again = await runUpload({ executionId, extra, media: { size: 10_000 } });
		expect(again.outputOf('Rivya')[0].json.id).toBe(first.outputOf('Rivya')[0].json.id);
		const other = await runUpload({ extra, media: { size: 10_000 } });
		expect(other.outputOf('Rivya')[0].json.id).not.toBe(first.outputOf('Rivya')[0].json.id);
	});
});

describe('File > Get', () => {
	async function runGet(fileId: string, parameters: IDataObject = {}) {
		return await runWorkflow({
			nodes: [
				startNode(),
				{
					name: 'Rivya',
					type: 'n8n-nodes-rivya.rivya',
					parameters: { resource: 'file', operation: 'get', fileId, ...parameters },
				},
			],
			connections: chain('Start', 'Rivya'),
			credentials: {
				rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
			},
		});
	}

	it('returns the metadata of an uploaded file', async () => {
		const uploaded = await runUpload({ media: { format: 'wav', size: 40_000 } });
		const file = uploaded.outputOf('Rivya')[0].json;
		const result = await runGet(file.id as string);
		expect(result.outputOf('Rivya')[0].json).toEqual(file);
		const raw = await runGet(file.id as string, { simplify: false });
		expect(raw.outputOf('Rivya')[0].json).toMatchObject({ object: 'file', id: file.id });
	});

	it('names the file in a 404', async () => {
		const result = await runGet('file_0000missing');
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '404' });
		expect(result.error?.message).toMatch(/\[not_found\]/);
		expect(result.error?.description).toMatch(/File file_0000missing was not found/);
	});

	it('asks for the ID when it is empty', async () => {
		const result = await runGet('  ');
		expect(result.error?.message).toMatch(/"File ID" is empty/);
	});
});

describe('downloadToBinary (result URLs)', () => {
	let server: Server;
	let base: string;
	const hits: Record<string, number> = {};
	const png = generateMedia('png', 70_000);
	let pngBytes: Buffer;

	beforeAll(async () => {
		const chunks: Buffer[] = [];
		for await (const chunk of png.stream()) chunks.push(chunk as Buffer);
		pngBytes = Buffer.concat(chunks);
		server = createServer((request, response) => {
			const path = new URL(request.url ?? '/', 'http://x').pathname;
			hits[path] = (hits[path] ?? 0) + 1;
			if (path === '/results/photo') {
				response.writeHead(200, { 'Content-Type': 'image/png' });
				response.end(pngBytes);
			} else if (path === '/flaky.png' && hits[path] <= 2) {
				response.writeHead(503);
				response.end('busy');
			} else if (path === '/flaky.png') {
				response.writeHead(200, { 'Content-Type': 'image/png' });
				response.end(pngBytes);
			} else if (path === '/named') {
				response.writeHead(200, {
					'Content-Type': 'application/octet-stream',
					'Content-Disposition': 'attachment; filename="clip.mp4"',
				});
				response.end(Buffer.from('0000001866747970', 'hex'));
			} else {
				response.writeHead(404);
				response.end('gone');
			}
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		server.close();
		await once(server, 'close');
	});

	async function runDownload(url: string, binaryMode: BinaryMode = 'default') {
		return await runWorkflow({
			nodes: [startNode(), { name: 'Download', type: 'test.download', parameters: { url } }],
			connections: chain('Start', 'Download'),
			nodeTypes,
			binaryMode,
		});
	}

	it.each<BinaryMode>(['default', 'filesystem'])(
		'stores the bytes with mime type and extension (%s mode)',
		async (binaryMode) => {
			const result = await runDownload(`${base}/results/photo?sig=abc`, binaryMode);
			expect(result.error).toBeUndefined();
			const [item] = result.outputOf('Download');
			expect(item.binary?.data).toMatchObject({ mimeType: 'image/png', fileName: 'photo.png' });
			if (binaryMode === 'filesystem') expect(item.binary?.data.id).toMatch(/^filesystem-v2:/);
			expect((await readBinary(item, 'data')).equals(pngBytes)).toBe(true);
		},
	);

	it('retries 5xx answers (a GET is safe to repeat)', async () => {
		const result = await runDownload(`${base}/flaky.png`);
		expect(result.error).toBeUndefined();
		expect(hits['/flaky.png']).toBe(3);
		expect((await readBinary(result.outputOf('Download')[0], 'data')).equals(pngBytes)).toBe(true);
	});

	it('takes the name from Content-Disposition and the type from its extension', async () => {
		const result = await runDownload(`${base}/named`);
		expect(result.outputOf('Download')[0].binary?.data).toMatchObject({
			fileName: 'clip.mp4',
			mimeType: 'video/mp4',
		});
	});

	it('names the URL without its query string when the download fails, and does not retry a 404', async () => {
		const signature = ['X', 'Signature', '0123456789abcdef'].join('-');
		const result = await runDownload(`${base}/expired.png?token=${signature}`);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(`Could not download ${base}/expired.png: HTTP 404`);
		expect(result.error?.description).toMatch(/may expire/);
		// (The node's own URL parameter holds it, of course; the error text must not.)
		expect(`${result.error?.message} ${result.error?.description}`).not.toContain(signature);
		expect(hits['/expired.png']).toBe(1);
	});
});
