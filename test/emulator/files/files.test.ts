/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// §6 through real HTTP: multipart uploads, limits enforced while streaming, magic bytes, durations and
// tokens, ownership, idempotent uploads; plus the streaming parser against every split point.
import * as http from 'node:http';
import { multipartBody } from '../client';
import { expectError, useEmulator } from '../core-test-setup';
import { generateMedia } from '../generations/media';
import { MultipartParser } from './multipart';
import type { MediaFormat } from '../state';

const emulator = useEmulator();

async function sample(format: MediaFormat, bytes = 4096): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of generateMedia(format, bytes).stream()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

const padded = (head: Buffer) => Buffer.concat([head, Buffer.alloc(256)]);
const ftyp = (brand: string) =>
	padded(
		Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from(`ftyp${brand}\0\0\0\0isom`, 'latin1')]),
	);

describe('POST /files', () => {
	it('answers 201 with the file object; GET returns the same object; the url serves the bytes; no task', async () => {
		const { api } = emulator;
		const png = await sample('png', 5000);
		const created = await api.uploadFile({
			data: png,
			kind: 'image',
			fileName: 'cat.png',
			clientRequestId: 'up-1',
		});
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			object: 'file',
			kind: 'image',
			name: 'cat.png',
			mime_type: 'image/png',
			size_bytes: 5000,
			duration_seconds: null,
			duration_token: null,
			client_request_id: 'up-1',
		});
		expect(created.body.id).toMatch(/^file_/);
		expect(Date.parse(created.body.expires_at)).toBeGreaterThan(
			Date.parse(created.body.created_at),
		);
		const fetched = await api.getFile(created.body.id);
		expect(fetched.body).toEqual(created.body);
		const content = await api.fetchBytes(created.body.url);
		expect(content.headers['content-type']).toBe('image/png');
		expect(content.body.equals(png)).toBe(true);
		expect((await api.counters()).tasksCreated).toBe(0);
	});

	it("answers 404 for another account's file and needs the files scopes", async () => {
		const { api } = emulator;
		const created = await api.uploadFile({ data: await sample('png'), kind: 'image' });
		const { apiKey } = await api.createAccount();
		expectError(await api.withKey(apiKey).getFile(created.body.id), 404, 'not_found');
		const { apiKey: readOnly } = await api.createAccount({ scopes: ['files:read'] });
		expectError(
			await api.withKey(readOnly).uploadFile({ data: await sample('png'), kind: 'image' }),
			403,
			'api_scope_denied',
		);
	});

	it.each<[string, () => Promise<Buffer>, string, string]>([
		['jpeg', () => sample('jpeg'), 'image', 'image/jpeg'],
		['png', () => sample('png'), 'image', 'image/png'],
		[
			'webp',
			async () => padded(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1')),
			'image',
			'image/webp',
		],
		['mp4', () => sample('mp4'), 'video', 'video/mp4'],
		['quicktime', async () => ftyp('qt  '), 'video', 'video/quicktime'],
		[
			'webm',
			async () =>
				padded(
					Buffer.concat([
						Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84]),
						Buffer.from('webm', 'latin1'),
					]),
				),
			'video',
			'video/webm',
		],
		['mp3 with ID3', () => sample('mp3'), 'audio', 'audio/mpeg'],
		[
			'mp3 frame sync',
			async () => (await sample('mp3', 5000)).subarray(10 + 5000 - 10 - 11 * 417),
			'audio',
			'audio/mpeg',
		],
		['m4a', async () => ftyp('M4A '), 'audio', 'audio/mp4'],
		['wav', () => sample('wav'), 'audio', 'audio/wav'],
		['aac (ADTS)', async () => padded(Buffer.from([0xff, 0xf1, 0x50, 0x80])), 'audio', 'audio/aac'],
		['ogg', async () => padded(Buffer.from('OggS\0\x02', 'latin1')), 'audio', 'audio/ogg'],
	])('detects %s by its signature', async (_label, bytes, kind, mimeType) => {
		const created = await emulator.api.uploadFile({
			data: await bytes(),
			kind,
			fileName: 'misleading.txt',
			contentType: 'text/plain',
		});
		expect(created.status).toBe(201);
		expect(created.body.mime_type).toBe(mimeType);
	});

	it('answers 415 unsupported_media_type when the signature is not allowed, whatever the name says', async () => {
		const { api } = emulator;
		const text = Buffer.from('hello, this is not an image at all'.repeat(4));
		expectError(
			await api.uploadFile({
				data: text,
				kind: 'image',
				fileName: 'photo.png',
				contentType: 'image/png',
			}),
			415,
			'unsupported_media_type',
		);
		expectError(
			await api.uploadFile({ data: await sample('mp3'), kind: 'image', fileName: 'photo.jpg' }),
			415,
			'unsupported_media_type',
		);
		const webmToHappyhorse = await api.uploadFile({
			data: padded(
				Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.from('webm', 'latin1')]),
			),
			kind: 'video',
			model: 'happyhorse-1-0',
		});
		expectError(webmToHappyhorse, 415, 'unsupported_media_type');
	});

	it('validates kind, file, model and client_request_id, naming the field', async () => {
		const { api } = emulator;
		const png = await sample('png');
		const noKind = await api.uploadFile({ data: png });
		expectError(noKind, 400, 'validation_failed');
		expect(noKind.body.error.message).toContain('kind');
		expect((await api.uploadFile({ data: png, kind: 'document' })).body.error.message).toContain(
			'kind must be one of',
		);
		expect(
			(await api.uploadFile({ data: png, kind: 'image', model: 'suno-music' })).body.error.message,
		).toContain('does not accept image files');
		expect(
			(await api.uploadFile({ data: png, kind: 'image', model: 'nope' })).body.error.message,
		).toContain('unknown model');
		expect(
			(await api.uploadFile({ data: png, kind: 'image', clientRequestId: 'x'.repeat(129) })).body
				.error.message,
		).toContain('client_request_id');
		const { body, contentType } = multipartBody([['kind', 'image']]);
		const noFile = await api.request('POST', '/api/v1/files', {
			body,
			headers: { 'Content-Type': contentType },
		});
		expect(noFile.body.error.message).toContain('file: required');
		expectError(
			await api.request('POST', '/api/v1/files', { body: { kind: 'image' } }),
			400,
			'validation_failed',
		);
	});

	it("applies the model's limits when model is given (larger or smaller than the defaults)", async () => {
		const { api } = emulator;
		const big = await sample('png', 12 * 1024 * 1024);
		expectError(await api.uploadFile({ data: big, kind: 'image' }), 413, 'file_too_large');
		expect(
			(await api.uploadFile({ data: big, kind: 'image', model: 'nano-banana-2' })).status,
		).toBe(201);
		const video = await sample('mp4', 11 * 1024 * 1024);
		expect((await api.uploadFile({ data: video, kind: 'video' })).status).toBe(201);
		expectError(
			await api.uploadFile({ data: video, kind: 'video', model: 'wan-2-6' }),
			413,
			'file_too_large',
		);
		// kind after the file: the limit is checked once it is known.
		expectError(
			await api.uploadFile({ data: big, kind: 'image', fileFirst: true }),
			413,
			'file_too_large',
		);
	});

	it('rejects a 60 MB image upload with 413 while it streams, without reading it all', async () => {
		const { api, handle } = emulator;
		const before = (await api.counters()).uploadBytesRead;
		const boundary = 'big-upload-boundary';
		const head = Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nimage\r\n` +
				`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n`,
		);
		const png = await sample('png', 1024 * 1024);
		const total = 60 * 1024 * 1024;
		const outcome = await new Promise<{ status?: number; body: string; sent: number }>(
			(resolve) => {
				let sent = 0;
				let body = '';
				let status: number | undefined;
				const req = http.request(`${handle.baseUrl}/api/v1/files`, {
					method: 'POST',
					agent: false,
					headers: {
						Authorization: `Bearer ${handle.apiKey}`,
						'Content-Type': `multipart/form-data; boundary=${boundary}`,
						'Content-Length': String(total + head.length),
					},
				});
				req.on('response', (res) => {
					status = res.statusCode;
					res.on('data', (chunk) => (body += chunk));
					res.on('end', () => resolve({ status, body, sent }));
				});
				req.on('error', () => resolve({ status, body, sent }));
				req.write(head);
				const pump = () => {
					while (sent < total) {
						sent += png.length;
						if (!req.write(png)) return void req.once('drain', pump);
					}
					req.end();
				};
				pump();
			},
		);
		const read = (await api.counters()).uploadBytesRead - before;
		expect(read).toBeLessThan(20 * 1024 * 1024);
		if (outcome.status !== undefined) {
			expect(outcome.status).toBe(413);
			expect(JSON.parse(outcome.body).error.code).toBe('file_too_large');
		}
		expect(outcome.sent).toBeLessThan(total);
	});

	it('gives audio and video a duration and a signed duration_token; the token feeds referenceMediaItems', async () => {
		const { api } = emulator;
		const wav = await sample('wav', 44 + 22050 * 2 * 3);
		const audio = await api.uploadFile({ data: wav, kind: 'audio' });
		expect(audio.body.duration_seconds).toBe(3);
		expect(audio.body.duration_token).toMatch(/^dur_[\w-]+\.[\w-]+$/);
		expect((await api.getFile(audio.body.id)).body.duration_token).toBe(audio.body.duration_token);

		const video = await api.uploadFile({
			data: await sample('mp4', 200_000),
			kind: 'video',
			model: 'happyhorse-1-0',
		});
		expect(video.body.duration_seconds).toBe(5);
		const item = {
			url: video.body.url,
			kind: 'video',
			name: video.body.name,
			mimeType: video.body.mime_type,
		};
		const ok = await api.createGeneration({
			model: 'happyhorse-1-0',
			prompt: 'x',
			params: { referenceMediaItems: [{ ...item, durationToken: video.body.duration_token }] },
		});
		expect(ok.status).toBe(202);
		const missing = await api.createGeneration({
			model: 'happyhorse-1-0',
			prompt: 'x',
			params: { referenceMediaItems: [item] },
		});
		expect(missing.body.error.message).toContain(
			'params.referenceMediaItems[0].durationToken is required',
		);
		const forged = await api.createGeneration({
			model: 'happyhorse-1-0',
			prompt: 'x',
			params: { referenceMediaItems: [{ ...item, durationToken: audio.body.duration_token }] },
		});
		expect(forged.body.error.message).toContain('not a valid duration_token');
		const image = await api.uploadFile({ data: await sample('png'), kind: 'image' });
		const tooMany = Array.from({ length: 6 }, () => ({ url: image.body.url, kind: 'image' }));
		const combo = await api.createGeneration({
			model: 'happyhorse-1-0',
			prompt: 'x',
			params: {
				referenceMediaItems: [{ ...item, durationToken: video.body.duration_token }, ...tooMany],
			},
		});
		expect(combo.body.error.message).toContain('with a video');
	});

	it('checks uploaded references against the model limits in POST /generations', async () => {
		const { api } = emulator;
		const big = await api.uploadFile({
			data: await sample('png', 11 * 1024 * 1024),
			kind: 'image',
			model: 'nano-banana-2',
		});
		const tooBig = await api.createGeneration({
			model: 'nano-banana',
			prompt: 'x',
			params: { referenceMediaItems: [{ url: big.body.url, kind: 'image' }] },
		});
		expect(tooBig.body.error.message).toContain('larger than');
		const ok = await api.createGeneration({
			model: 'nano-banana-2',
			prompt: 'x',
			params: { referenceMediaItems: [{ url: big.body.url, kind: 'image' }] },
		});
		expect(ok.status).toBe(202);
	});

	it('replays an upload retried with the same Idempotency-Key, even with a new multipart boundary', async () => {
		const { api } = emulator;
		const png = await sample('png');
		const first = await api.uploadFile({ data: png, kind: 'image', idempotencyKey: 'upload-1' });
		const again = await api.uploadFile({ data: png, kind: 'image', idempotencyKey: 'upload-1' });
		expect(again.status).toBe(201);
		expect(again.headers['idempotent-replayed']).toBe('true');
		expect(again.body.id).toBe(first.body.id);
		const other = await api.uploadFile({
			data: await sample('jpeg'),
			kind: 'image',
			idempotencyKey: 'upload-1',
		});
		expectError(other, 409, 'idempotency_conflict');
		expect((await api.counters()).filesUploaded).toBe(1);
	});
});

describe('MultipartParser', () => {
	it('parses the same body identically whatever the chunk boundaries', () => {
		const file = Buffer.from('\r\n--not-the-boundary\r\nbinary\0data\r\n-');
		const { body, contentType } = multipartBody(
			[
				['kind', 'image'],
				['model', 'z-image'],
			],
			{ data: file, fileName: 'a b.png' },
		);
		const boundary = contentType.split('boundary=')[1];
		const parse = (pieces: Buffer[]) => {
			const parts: Array<{ name: string; filename?: string; data: string }> = [];
			const parser = new MultipartParser(boundary, {
				onPartStart: (part) => parts.push({ name: part.name, filename: part.filename, data: '' }),
				onPartData: (chunk) => (parts[parts.length - 1].data += chunk.toString('latin1')),
				onPartEnd: () => undefined,
			});
			for (const piece of pieces) parser.write(piece);
			parser.end();
			return parts;
		};
		const whole = parse([body]);
		expect(whole).toEqual([
			{ name: 'kind', filename: undefined, data: 'image' },
			{ name: 'model', filename: undefined, data: 'z-image' },
			{ name: 'file', filename: 'a b.png', data: file.toString('latin1') },
		]);
		for (let split = 1; split < body.length; split++) {
			expect(parse([body.subarray(0, split), body.subarray(split)])).toEqual(whole);
		}
		expect(parse([...body].map((byte) => Buffer.from([byte])))).toEqual(whole);
	});

	it('refuses a body that ends before its closing boundary', () => {
		const parser = new MultipartParser('b', {
			onPartStart: () => undefined,
			onPartData: () => undefined,
			onPartEnd: () => undefined,
		});
		parser.write(Buffer.from('--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\nimage'));
		expect(() => parser.end()).toThrow(/closing boundary/);
	});
});
