/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// §5 through real HTTP: validation, the time-driven state machine, credits, ownership, idempotency and
// the result media (real, valid, streamed).
import { crc32 } from 'node:zlib';
import { expectError, sleep, useEmulator } from '../core-test-setup';
import type { ModelDefinition } from '../models/catalog';
import { generateMedia } from './media';

const emulator = useEmulator();

async function pngOf(bytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of generateMedia('png', bytes).stream()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

describe('POST /generations validation', () => {
	const invalidRequests: Array<[Record<string, unknown>, string]> = [
		[{ model: 'no-such-model', prompt: 'x' }, 'model: unknown model'],
		[{ model: 'gpt-5-2-chat', prompt: 'x' }, 'is a chat model'],
		[{ model: 'veo4-preview', prompt: 'x' }, 'coming_soon'],
		[{ model: 'studio-upscaler', prompt: 'x' }, 'studio_only'],
		[{ model: 'z-image' }, 'prompt: required'],
		[{ model: 'z-image', prompt: '   ' }, 'prompt: required'],
		[{ model: 'z-image', prompt: 'x'.repeat(1001) }, 'prompt: longer than 1000'],
		[
			{ model: 'kling-2-6', prompt: 'x', params: { duration: 5 } },
			'params.duration must be one of 5, 10 (select values are strings)',
		],
		[
			{ model: 'seedream-3-0', prompt: 'x', params: { guidance_scale: 11 } },
			'params.guidance_scale must be at most 10',
		],
		[
			{ model: 'seedream-3-0', prompt: 'x', params: { guidance_scale: 2.55 } },
			'params.guidance_scale must be a multiple of 0.1',
		],
		[
			{ model: 'google-imagen4-fast', prompt: 'x', params: { seed: -1 } },
			'params.seed must be at least 0',
		],
		[
			{ model: 'google-imagen4-fast', prompt: 'x', params: { negative_prompt: 3 } },
			'params.negative_prompt must be a string',
		],
		[
			{ model: 'z-image', prompt: 'x', params: { colour: 'red' } },
			'params.colour: not a parameter',
		],
		[{ model: 'elevenlabs-turbo-2-5', prompt: 'x' }, 'params: required'],
		[{ model: 'elevenlabs-turbo-2-5', prompt: 'x', params: {} }, 'params.voice: required'],
		[
			{ model: 'elevenlabs-turbo-2-5', prompt: 'x', params: { voice: 'nobody' } },
			'params.voice must be one of',
		],
		[{ model: 'elevenlabs-dialogue-v3', params: {} }, 'params.dialogue: required'],
		[
			{ model: 'elevenlabs-dialogue-v3', params: { dialogue: [{ voice: 'Adam' }] } },
			'params.dialogue[0].text',
		],
		[
			{ model: 'z-image', prompt: 'x', params: { referenceMediaItems: [] } },
			'does not accept reference media',
		],
		[
			{
				model: 'kling-2-6',
				prompt: 'x',
				params: {
					referenceMediaItems: [
						{ url: 'https://e.com/a.png', kind: 'image' },
						{ url: 'https://e.com/b.png', kind: 'image' },
					],
				},
			},
			'at most 1 files',
		],
		[
			{
				model: 'nano-banana',
				prompt: 'x',
				params: { referenceMediaItems: [{ url: 'https://e.com/a.mp4', kind: 'video' }] },
			},
			'params.referenceMediaItems[0].kind must be one of image',
		],
		[
			{
				model: 'nano-banana',
				prompt: 'x',
				params: { referenceMediaItems: [{ url: 'ftp://e.com/a.png', kind: 'image' }] },
			},
			'params.referenceMediaItems[0].url',
		],
		[
			{
				model: 'nano-banana',
				prompt: 'x',
				params: {
					referenceMediaItems: [
						{ url: 'https://e.com/a.gif', kind: 'image', mimeType: 'image/gif' },
					],
				},
			},
			'mimeType must be one of',
		],
		[
			{
				model: 'wan-2-6',
				prompt: 'x',
				params: { referenceMediaItems: [{ url: 'https://e.com/a.png', kind: 'image' }] },
			},
			'must be a Files API url',
		],
		[{ model: 'z-image', prompt: 'x', client_request_id: 'c'.repeat(129) }, 'client_request_id'],
	];

	it.each(invalidRequests.map(([body, message]) => [message, body] as const))(
		'answers 400 validation_failed: %s',
		async (message, body) => {
			const response = await emulator.api.createGeneration(body);
			expectError(response, 400, 'validation_failed');
			expect(response.body.error.message).toContain(message);
			expect((await emulator.api.counters()).tasksCreated).toBe(0);
		},
	);

	it('accepts the optional prompt of elevenlabs-dialogue-v3, defaults and valid references', async () => {
		const { api } = emulator;
		const dialogue = await api.createGeneration({
			model: 'elevenlabs-dialogue-v3',
			params: { dialogue: [{ voice: 'Adam', text: 'Hi' }] },
		});
		expect(dialogue.status).toBe(202);
		const references = await api.createGeneration({
			model: 'kling-2-6',
			prompt: 'x',
			params: {
				referenceMediaItems: [
					{ url: 'https://example.com/a.png', kind: 'image', name: 'a.png', mimeType: 'image/png' },
				],
			},
		});
		expect(references.status).toBe(202);
		const tasks = (await api.tasks()).tasks;
		expect(tasks.find((t) => t.id === dialogue.body.id)!.params).toMatchObject({
			default_voice: 'Adam',
			stability: '0.5',
		});
	});
});

describe('generation lifecycle', () => {
	it('moves queued → processing → succeeded with time; final_credits stays 0 until the end', async () => {
		const { api } = emulator;
		await api.setModelBehavior('z-image', { durationMs: 800 });
		const created = await api.createGeneration({ model: 'z-image', prompt: 'x' });
		expect(created.status).toBe(202);
		expect(created.body.status).toBe('queued');
		await sleep(350);
		const processing = await api.getGeneration(created.body.id);
		expect(processing.body).toMatchObject({ status: 'processing', final_credits: 0, result: null });
		expect(Date.parse(processing.body.updated_at)).toBeGreaterThan(
			Date.parse(processing.body.created_at),
		);
		const done = await api.waitForGeneration(created.body.id);
		expect(done.body).toMatchObject({ status: 'succeeded', final_credits: 1, error: null });
		expect(done.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	});

	it('fires generation.terminal exactly once per task, even when nobody polls', async () => {
		const { api, handle } = emulator;
		const seen: string[] = [];
		const listener = (task: { id: string }) => seen.push(task.id);
		handle.state.events.on('generation.terminal', listener);
		try {
			const created = await api.createGeneration({ model: 'z-image', prompt: 'x' });
			await sleep(400);
			expect(seen).toEqual([created.body.id]);
			await api.getGeneration(created.body.id);
			await api.getGeneration(created.body.id);
			expect(seen).toEqual([created.body.id]);
		} finally {
			handle.state.events.off('generation.terminal', listener);
		}
	});

	it('refunds a failed generation: final_credits 0, error generation_failed, result null', async () => {
		const { api } = emulator;
		await api.setModelBehavior('sora-2', { outcome: 'fail' });
		const created = await api.createGeneration({ model: 'sora-2', prompt: 'x' });
		expect((await api.getCredits()).body.current_credits).toBe(994);
		const failed = await api.waitForGeneration(created.body.id);
		expect(failed.body).toMatchObject({
			status: 'failed',
			final_credits: 0,
			result: null,
			error: { code: 'generation_failed' },
		});
		expect(typeof failed.body.error.message).toBe('string');
		expect((await api.getCredits()).body.current_credits).toBe(1000);
		expect(await api.counters()).toMatchObject({
			creditsReserved: 6,
			creditsRefunded: 6,
			creditsCharged: 0,
		});
	});

	it('answers 402 insufficient_credits and creates no task when the balance is short', async () => {
		const { api } = emulator;
		const { apiKey } = await api.createAccount({ credits: 3 });
		const poor = api.withKey(apiKey);
		expectError(
			await poor.createGeneration({ model: 'google-imagen4-fast', prompt: 'x' }),
			402,
			'insufficient_credits',
		);
		expect((await api.counters()).tasksCreated).toBe(0);
		expect((await poor.getCredits()).body.current_credits).toBe(3);
		expect((await poor.createGeneration({ model: '4o-image', prompt: 'x' })).status).toBe(202);
	});

	it('can fail a started task for credits (fail_credits) and report final_credits as set', async () => {
		const { api } = emulator;
		await api.setModelBehavior('sora-2', { outcome: 'fail_credits', failedFinalCredits: 2 });
		const created = await api.createGeneration({ model: 'sora-2', prompt: 'x' });
		expect(created.status).toBe(202);
		const failed = await api.waitForGeneration(created.body.id);
		expect(failed.body).toMatchObject({
			status: 'failed',
			reserved_credits: 6,
			final_credits: 2,
			result: null,
			error: { code: 'generation_failed' },
		});
		expect(failed.body.error.message).toMatch(/credits/i);
		expect((await api.getCredits()).body.current_credits).toBe(998);
		expect(await api.counters()).toMatchObject({ tasksCreated: 1, creditsCharged: 2 });
	});

	it("answers 404 not_found for another account's task, exactly like a missing one", async () => {
		const { api } = emulator;
		const created = await api.createGeneration({ model: 'z-image', prompt: 'x' });
		const { apiKey } = await api.createAccount();
		const foreign = await api.withKey(apiKey).getGeneration(created.body.id);
		const missing = await api.getGeneration('task_000000000000000000000000');
		expectError(foreign, 404, 'not_found');
		expectError(missing, 404, 'not_found');
	});

	it('returns several result URLs when the behaviour asks for them', async () => {
		const { api } = emulator;
		await api.setModelBehavior('seedream-4-0', { resultCount: 3 });
		const done = await api.waitForGeneration(
			(await api.createGeneration({ model: 'seedream-4-0', prompt: 'x' })).body.id,
		);
		expect(done.body.result.urls).toHaveLength(3);
		for (const url of done.body.result.urls) expect((await api.download(url)).status).toBe(200);
	});
});

describe('idempotency (§3)', () => {
	const body = { model: 'z-image', prompt: 'same' };

	it('replays the first response for the same key and body: no new task, no new charge', async () => {
		const { api } = emulator;
		const first = await api.createGeneration(body, { idempotencyKey: 'key-1' });
		const second = await api.createGeneration(body, { idempotencyKey: 'key-1' });
		expect(second.status).toBe(first.status);
		expect(second.body).toEqual(first.body);
		expect(second.headers['idempotent-replayed']).toBe('true');
		expect(first.headers['idempotent-replayed']).toBeUndefined();
		expect(second.requestId).not.toBe(first.requestId);
		expect((await api.counters()).tasksCreated).toBe(1);
		expect((await api.getCredits()).body.current_credits).toBe(999);
	});

	it('answers 409 idempotency_conflict for the same key with a different body', async () => {
		const { api } = emulator;
		await api.createGeneration(body, { idempotencyKey: 'key-2' });
		expectError(
			await api.createGeneration({ ...body, prompt: 'other' }, { idempotencyKey: 'key-2' }),
			409,
			'idempotency_conflict',
		);
	});

	it('answers 409 while the first request with the key is still in flight', async () => {
		const { api } = emulator;
		await api.addFault({ route: 'POST /api/v1/generations', kind: 'delay', delayMs: 400 });
		const first = api.createGeneration(body, { idempotencyKey: 'key-3' });
		await sleep(100);
		const second = await api.createGeneration(body, { idempotencyKey: 'key-3' });
		expectError(second, 409, 'idempotency_conflict');
		expect(second.body.error.message).toMatch(/in flight/);
		expect((await first).status).toBe(202);
	});

	it('keeps keys per account and route, bounds them to 255 characters and forgets them after 24 h', async () => {
		const { api } = emulator;
		const { apiKey } = await api.createAccount();
		await api.createGeneration(body, { idempotencyKey: 'shared' });
		expect(
			(
				await api
					.withKey(apiKey)
					.createGeneration({ ...body, prompt: 'b' }, { idempotencyKey: 'shared' })
			).status,
		).toBe(202);
		expect((await api.createGeneration(body, { idempotencyKey: 'k'.repeat(255) })).status).toBe(
			202,
		);
		expectError(
			await api.createGeneration(body, { idempotencyKey: 'k'.repeat(256) }),
			400,
			'validation_failed',
		);
		await api.settings({ advanceClockMs: 24 * 3600 * 1000 + 1000 });
		const fresh = await api.createGeneration(body, { idempotencyKey: 'shared' });
		expect(fresh.headers['idempotent-replayed']).toBeUndefined();
		expect((await api.counters()).tasksCreated).toBe(4);
	});

	it('does not remember failures: a 402 can be retried with the same key after a top-up', async () => {
		const { api } = emulator;
		const { apiKey, accountId } = await api.createAccount({ credits: 0 });
		const poor = api.withKey(apiKey);
		expectError(
			await poor.createGeneration(body, { idempotencyKey: 'retry' }),
			402,
			'insufficient_credits',
		);
		await api.setCredits(accountId, 5);
		expect((await poor.createGeneration(body, { idempotencyKey: 'retry' })).status).toBe(202);
	});
});

describe('result media', () => {
	async function resultOf(
		model: string,
		params: Record<string, unknown> = {},
		resultBytes?: number,
	) {
		const { api } = emulator;
		if (resultBytes) await api.setModelBehavior(model, { resultBytes });
		const created = await api.createGeneration({ model, prompt: 'x', params });
		const done = await api.waitForGeneration(created.body.id);
		expect(done.body.status).toBe('succeeded');
		return api.fetchBytes(done.body.result.primary_url);
	}

	function expectLength(media: { headers: Record<string, unknown>; body: Buffer }, size?: number) {
		expect(Number(media.headers['content-length'])).toBe(media.body.length);
		if (size !== undefined) expect(media.body.length).toBe(size);
	}

	it('serves a valid PNG (signature, IHDR first, correct CRCs, IEND last) of the configured size', async () => {
		const media = await resultOf('z-image', {}, 200_000);
		expect(media.headers['content-type']).toBe('image/png');
		expectLength(media, 200_000);
		expect(media.body.subarray(0, 8)).toEqual(
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		);
		const types: string[] = [];
		for (let offset = 8; offset < media.body.length; ) {
			const length = media.body.readUInt32BE(offset);
			const typeAndData = media.body.subarray(offset + 4, offset + 8 + length);
			expect(media.body.readUInt32BE(offset + 8 + length)).toBe(crc32(typeAndData));
			types.push(typeAndData.subarray(0, 4).toString('latin1'));
			offset += 12 + length;
		}
		expect(types[0]).toBe('IHDR');
		expect(types).toContain('IDAT');
		expect(types[types.length - 1]).toBe('IEND');
	});

	it('serves a JPEG (SOI … EOI) when output_format asks for it', async () => {
		const media = await resultOf('nano-banana', { output_format: 'jpeg' }, 150_001);
		expect(media.headers['content-type']).toBe('image/jpeg');
		expectLength(media, 150_001);
		expect(media.body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
		expect(media.body.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
		expect(media.body.indexOf(Buffer.from([0xff, 0xc0]))).toBeGreaterThan(0);
	});

	it('serves an MP4 starting with an ftyp box for video', async () => {
		const media = await resultOf('sora-2', {}, 100_000);
		expect(media.headers['content-type']).toBe('video/mp4');
		expectLength(media, 100_000);
		expect(media.body.subarray(4, 8).toString('latin1')).toBe('ftyp');
		const ftypSize = media.body.readUInt32BE(0);
		expect(media.body.subarray(ftypSize + 4, ftypSize + 8).toString('latin1')).toBe('moov');
	});

	it('serves an MP3 (ID3 tag, then MPEG frame sync) for audio, and WAV for pcm output', async () => {
		const mp3 = await resultOf('suno-music', {}, 50_000);
		expect(mp3.headers['content-type']).toBe('audio/mpeg');
		expectLength(mp3, 50_000);
		expect(mp3.body.subarray(0, 3).toString('latin1')).toBe('ID3');
		const tag = 10 + ((mp3.body[6] << 21) | (mp3.body[7] << 14) | (mp3.body[8] << 7) | mp3.body[9]);
		expect(mp3.body[tag]).toBe(0xff);
		expect(mp3.body[tag + 1] & 0xe0).toBe(0xe0);
		const wav = await resultOf('elevenlabs-sound-effect-v2', { output_format: 'pcm_44100' });
		expect(wav.headers['content-type']).toBe('audio/wav');
		expect(wav.body.subarray(0, 4).toString('latin1')).toBe('RIFF');
		expect(wav.body.subarray(8, 12).toString('latin1')).toBe('WAVE');
		expect(wav.body.readUInt32LE(4)).toBe(wav.body.length - 8);
	});

	it('answers 404 for results of unfinished, failed or unknown tasks; needs no auth', async () => {
		const { api, handle } = emulator;
		await api.setModelBehavior('z-image', { durationMs: 5000 });
		const created = await api.createGeneration({ model: 'z-image', prompt: 'x' });
		expect((await api.download(`${handle.baseUrl}/media/${created.body.id}/0.png`)).status).toBe(
			404,
		);
		expect((await api.download(`${handle.baseUrl}/media/task_nope/0.png`)).status).toBe(404);
	});

	it('streams a 300 MB result without growing the heap', async () => {
		const { api } = emulator;
		await api.setModelBehavior('sora-2', { resultBytes: 300 * 1024 * 1024 });
		const done = await api.waitForGeneration(
			(await api.createGeneration({ model: 'sora-2', prompt: 'x' })).body.id,
		);
		global.gc?.();
		const heapBefore = process.memoryUsage().heapUsed;
		let heapPeak = heapBefore;
		const sampler = setInterval(
			() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)),
			20,
		);
		const download = await api.download(done.body.result.primary_url);
		clearInterval(sampler);
		expect(download.error).toBeUndefined();
		expect(download.bytes).toBe(300 * 1024 * 1024);
		expect(Number(download.headers['content-length'])).toBe(300 * 1024 * 1024);
		expect(download.head.subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(heapPeak - heapBefore).toBeLessThan(64 * 1024 * 1024);
	});
});

describe('reference media through the Files API (nano-banana family, happyhorse-1-0, wan-2-6)', () => {
	const filesApiModels: Array<[string, 'image' | 'video']> = [
		['nano-banana', 'image'],
		['nano-banana-2', 'image'],
		['nano-banana-pro', 'image'],
		['happyhorse-1-0', 'image'],
		['wan-2-6', 'image'],
	];

	it('lists them as not taking URL input, with the documented limits', async () => {
		const models = (await emulator.api.listModels()).body.data as ModelDefinition[];
		const byId = Object.fromEntries(models.map((model) => [model.id, model]));
		for (const [id] of filesApiModels) {
			expect({ id, url: byId[id].url_input_supported }).toEqual({ id, url: false });
			expect(byId[id].requires_upload_for_modes).toEqual([
				id.startsWith('nano') ? 'reference-to-image' : 'reference-to-video',
			]);
		}
		expect(byId['kling-2-6'].url_input_supported).toBe(true);
		const limits = (id: string) => {
			const { max_files, max_bytes } = byId[id].reference_media!;
			return { max_files, max_bytes };
		};
		const MB = 1024 * 1024;
		expect(limits('nano-banana')).toEqual({ max_files: 10, max_bytes: { image: 10 * MB } });
		expect(limits('nano-banana-2')).toEqual({ max_files: 14, max_bytes: { image: 30 * MB } });
		expect(limits('nano-banana-pro')).toEqual({ max_files: 8, max_bytes: { image: 30 * MB } });
		expect(limits('happyhorse-1-0')).toEqual({
			max_files: 10,
			max_bytes: { image: 10 * MB, video: 95 * MB },
		});
		expect(limits('wan-2-6')).toEqual({
			max_files: 1,
			max_bytes: { image: 10 * MB, video: 10 * MB },
		});
	});

	it.each(filesApiModels)(
		'%s refuses an external reference URL with 400 validation_failed and accepts a Files API URL',
		async (model, kind) => {
			const { api } = emulator;
			const external = await api.createGeneration({
				model,
				prompt: 'x',
				params: { referenceMediaItems: [{ url: 'https://cdn.example.com/a.png', kind }] },
			});
			expectError(external, 400, 'validation_failed');
			expect(external.body.error.message).toContain(
				'params.referenceMediaItems[0].url must be a Files API url',
			);
			const uploaded = await api.uploadFile({ data: await pngOf(4096), kind: 'image', model });
			expect(uploaded.status).toBe(201);
			const accepted = await api.createGeneration({
				model,
				prompt: 'x',
				params: { referenceMediaItems: [{ url: uploaded.body.url, kind }] },
			});
			expect(accepted.status).toBe(202);
			expect((await api.counters()).tasksCreated).toBe(1);
		},
	);

	it('happyhorse-1-0 takes 10 reference files, not 11', async () => {
		const { api } = emulator;
		const uploaded = await api.uploadFile({ data: await pngOf(4096), kind: 'image' });
		const items = (count: number) =>
			Array.from({ length: count }, () => ({ url: uploaded.body.url, kind: 'image' }));
		const ten = await api.createGeneration({
			model: 'happyhorse-1-0',
			prompt: 'x',
			params: { referenceMediaItems: items(10) },
		});
		expect(ten.status).toBe(202);
		const eleven = await api.createGeneration({
			model: 'happyhorse-1-0',
			prompt: 'x',
			params: { referenceMediaItems: items(11) },
		});
		expectError(eleven, 400, 'validation_failed');
		expect(eleven.body.error.message).toContain('at most 10 files');
	});
});
