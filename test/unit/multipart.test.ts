/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
import axios from 'axios';
import { once } from 'events';
import { createServer, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';

import {
	MultipartBody,
	multipartBoundary,
	MultipartLengthError,
	type ChunkSource,
} from '../../nodes/shared/multipart';

/** A minimal multipart reader for assertions: splits on the boundary, reads headers and bytes. */
function parseMultipart(body: Buffer, boundary: string) {
	const parts: Array<{ headers: string; content: Buffer }> = [];
	const delimiter = Buffer.from(`--${boundary}`);
	let position = body.indexOf(delimiter);
	for (;;) {
		const start = position + delimiter.length;
		if (body.subarray(start, start + 2).toString() === '--') break;
		const next = body.indexOf(delimiter, start);
		const part = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
		const split = part.indexOf('\r\n\r\n');
		parts.push({ headers: part.subarray(0, split).toString(), content: part.subarray(split + 4) });
		position = next;
	}
	return parts;
}

/** Chunks of `chunkSize` bytes produced on demand; reports how many bytes were pulled so far. */
function lazySource(total: number, chunkSize = 64 * 1024) {
	const progress = { pulled: 0, opened: 0 };
	const open: ChunkSource = async () => {
		progress.opened++;
		return (async function* () {
			let sent = 0;
			while (sent < total) {
				const size = Math.min(chunkSize, total - sent);
				const chunk = Buffer.alloc(size, sent % 251);
				sent += size;
				progress.pulled = sent;
				yield chunk;
			}
		})();
	};
	return { open, progress };
}

describe('multipartBoundary', () => {
	it('is random without a seed and the same for the same seed', () => {
		expect(multipartBoundary()).not.toBe(multipartBoundary());
		expect(multipartBoundary('key-1')).toBe(multipartBoundary('key-1'));
		expect(multipartBoundary('key-1')).not.toBe(multipartBoundary('key-2'));
		expect(multipartBoundary('key-1')).toMatch(/^[-A-Za-z0-9]{27,70}$/);
	});
});

describe('MultipartBody', () => {
	const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

	it('lays out fields then the file, and announces its exact size and type', async () => {
		const body = new MultipartBody(
			{ kind: 'image', client_request_id: 'trace-1' },
			{
				name: 'file',
				fileName: 'cat.png',
				contentType: 'image/png',
				size: png.length,
				content: png,
			},
			'----test-boundary-1234567890',
		);
		const bytes = await body.toBuffer();
		expect(body.size).toBe(bytes.length);
		expect(body.type).toBe('multipart/form-data; boundary=----test-boundary-1234567890');
		const parts = parseMultipart(bytes, body.boundary);
		expect(parts.map((part) => part.headers)).toEqual([
			'Content-Disposition: form-data; name="kind"',
			'Content-Disposition: form-data; name="client_request_id"',
			'Content-Disposition: form-data; name="file"; filename="cat.png"\r\nContent-Type: image/png',
		]);
		expect(parts[0].content.toString()).toBe('image');
		expect(parts[1].content.toString()).toBe('trace-1');
		expect(parts[2].content.equals(png)).toBe(true);
		expect(bytes.subarray(-4).toString()).toBe('--\r\n');
	});

	it('escapes quotes and line breaks in names, and keeps UTF-8 file names', async () => {
		const body = new MultipartBody(
			{},
			{
				name: 'file',
				fileName: 'a"b\r\nc-ünï.png',
				contentType: 'image/png',
				size: 1,
				content: Buffer.from('x'),
			},
		);
		const [part] = parseMultipart(await body.toBuffer(), body.boundary);
		expect(part.headers).toContain('filename="a%22b%0D%0Ac-ünï.png"');
		expect(body.size).toBe((await body.toBuffer()).length);
	});

	it('looks like a Blob to HTTP clients (tag, type, size, stream)', () => {
		const body = new MultipartBody(
			{},
			{ name: 'file', fileName: 'x', contentType: 'image/png', size: 1, content: Buffer.from('x') },
		);
		expect(Object.prototype.toString.call(body)).toBe('[object Blob]');
		expect(typeof body.stream).toBe('function');
		// n8n drops bodies it considers empty objects; own enumerable fields keep this one.
		expect(Object.keys(body).length).toBeGreaterThan(0);
	});

	it('opens a streamed file only when sent, and afresh on every send (retries)', async () => {
		const { open, progress } = lazySource(300_000);
		const body = new MultipartBody(
			{ kind: 'video' },
			{ name: 'file', fileName: 'v.mp4', contentType: 'video/mp4', size: 300_000, content: open },
		);
		expect(progress.opened).toBe(0);
		const first = await body.toBuffer();
		const second = await body.toBuffer();
		expect(progress.opened).toBe(2);
		expect(second.equals(first)).toBe(true);
		expect(first.length).toBe(body.size);
	});

	it('refuses to send a file whose length differs from the announced size', async () => {
		const { open: longer } = lazySource(1_000);
		const tooLong = new MultipartBody(
			{},
			{ name: 'file', fileName: 'a', contentType: 'image/png', size: 999, content: longer },
		);
		await expect(tooLong.toBuffer()).rejects.toBeInstanceOf(MultipartLengthError);
		const { open: shorter } = lazySource(500);
		const tooShort = new MultipartBody(
			{},
			{ name: 'file', fileName: 'a', contentType: 'image/png', size: 501, content: shorter },
		);
		await expect(tooShort.toBuffer()).rejects.toThrow('has 500 bytes, but its metadata said 501');
	});

	it('closes the file when a send is abandoned half way', async () => {
		let destroyed = false;
		const open: ChunkSource = async () => {
			const chunks = (async function* () {
				for (let index = 0; index < 10; index++) yield Buffer.alloc(10);
			})();
			return Object.assign(chunks, { destroy: () => (destroyed = true) });
		};
		const body = new MultipartBody(
			{},
			{ name: 'file', fileName: 'a', contentType: 'image/png', size: 100, content: open },
		);
		const iterator = body.stream();
		await iterator.next(); // head
		await iterator.next(); // first file chunk
		await iterator.return(undefined);
		expect(destroyed).toBe(true);
	});
});

// n8n passes `disableFollowRedirect` as maxRedirects 0; with redirects on, axios's follow-redirects
// keeps a copy of the whole body, so uploads turn it off (the transport's disableFollowRedirect).
describe('MultipartBody through axios (the client n8n sends with)', () => {
	let server: Server;
	let url: string;
	let handler: (request: IncomingMessage, body: Promise<Buffer>) => void = () => {};

	beforeAll(async () => {
		server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			const body = new Promise<Buffer>((resolve) => {
				request.on('data', (chunk: Buffer) => chunks.push(chunk));
				request.on('end', () => resolve(Buffer.concat(chunks)));
			});
			handler(request, body);
			void body.then((bytes) => {
				response.setHeader('Content-Type', 'application/json');
				response.end(JSON.stringify({ received: bytes.length }));
			});
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
	});

	afterAll(async () => {
		server.close();
		await once(server, 'close');
	});

	it('sends Content-Type with the boundary, an exact Content-Length and the bytes unchanged', async () => {
		const total = 2 * 1024 * 1024 + 17;
		const { open } = lazySource(total);
		const body = new MultipartBody(
			{ kind: 'video' },
			{ name: 'file', fileName: 'v.mp4', contentType: 'video/mp4', size: total, content: open },
		);
		let seen: { headers: IncomingMessage['headers']; bytes: Buffer } | undefined;
		handler = (request, received) => {
			void received.then((bytes) => (seen = { headers: request.headers, bytes }));
		};
		const response = await axios.post(url, body, {
			headers: { 'Content-Type': body.type },
			maxBodyLength: Infinity,
			maxRedirects: 0,
		});
		expect(response.data).toEqual({ received: body.size });
		expect(seen?.headers['content-type']).toBe(body.type);
		expect(Number(seen?.headers['content-length'])).toBe(body.size);
		expect(seen?.headers['transfer-encoding']).toBeUndefined();
		expect(seen?.bytes.equals(await body.toBuffer())).toBe(true);
	});

	it('reads the file only as fast as the server takes it (backpressure, no buffering)', async () => {
		const total = 64 * 1024 * 1024;
		const { open, progress } = lazySource(total);
		const body = new MultipartBody(
			{ kind: 'video' },
			{ name: 'file', fileName: 'big.mp4', contentType: 'video/mp4', size: total, content: open },
		);
		let pulledWhileServerPaused = -1;
		handler = (request) => {
			request.pause();
			// Once the client is blocked on a full socket, the source must not have been drained.
			void waitUntilStable(() => progress.pulled).then((pulled) => {
				pulledWhileServerPaused = pulled;
				request.resume();
			});
		};
		const response = await axios.post(url, body, {
			headers: { 'Content-Type': body.type },
			maxBodyLength: Infinity,
			maxRedirects: 0,
		});
		expect(response.data).toEqual({ received: body.size });
		expect(pulledWhileServerPaused).toBeGreaterThan(0);
		expect(pulledWhileServerPaused).toBeLessThan(total / 4);
	});
});

/** Resolves with the value once it has stopped changing for a few polls. */
async function waitUntilStable(read: () => number): Promise<number> {
	let last = -1;
	let stableFor = 0;
	while (stableFor < 5) {
		await new Promise((resolve) => setTimeout(resolve, 20));
		const value = read();
		stableFor = value === last ? stableFor + 1 : 0;
		last = value;
	}
	return last;
}
