/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// Benchmark 4: peak RSS growth while a 200 MB video result is downloaded into binary data, and while a
// 45 MB file is uploaded from binary data, both in n8n's filesystem binary mode. Each runs in a fresh
// child process (memoryChild.ts) sampling process.memoryUsage().rss every few ms; the emulator serving
// and receiving the bytes runs here, so its buffers are not counted.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { startEmulator, type EmulatorHandle } from '../test/emulator';
import { EmulatorClient } from '../test/emulator/client';
import { generateMedia } from '../test/emulator/generations/media';
import type { INodeType } from 'n8n-workflow';
import { mb, runChild, type BenchRow } from './shared';

const DOWNLOAD_BYTES = 200 * 1024 * 1024;
const UPLOAD_BYTES = 45 * 1024 * 1024;
const TARGET_BYTES = 64 * 1024 * 1024;
const VIDEO_MODEL = 'veo3-1-lite';
const WARM_UP_MODEL = 'veo3-1-fast';

interface ChildResult {
	baseline: number;
	peak: number;
	growth: number;
	samples: number;
	bytes: number;
	detail: string;
}

function hasFileUpload(): boolean {
	// By file name: a bare '../nodes/Rivya/Rivya.node' would resolve to Rivya.node.json.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Rivya } = require(path.resolve(__dirname, '../nodes/Rivya/Rivya.node.ts')) as {
		Rivya: new () => INodeType;
	};
	const operation = new Rivya().description.properties.find(
		(property) =>
			property.name === 'operation' && property.displayOptions?.show?.resource?.includes('file'),
	);
	return Boolean(
		operation?.options?.some((option) => 'value' in option && option.value === 'upload'),
	);
}

function row(name: string, expectedBytes: number, result: ChildResult): BenchRow {
	return {
		name,
		value: mb(result.growth),
		target: `≤ ${mb(TARGET_BYTES)}`,
		met: result.growth <= TARGET_BYTES && result.bytes === expectedBytes,
		notes: `${mb(result.bytes)} of ${mb(expectedBytes)} transferred; RSS ${mb(result.baseline)} → peak ${mb(result.peak)} (${result.samples} samples); ${result.detail}`,
	};
}

export async function benchMemory(): Promise<BenchRow[]> {
	const workDir = mkdtempSync(path.join(tmpdir(), 'rivya-bench-memory-'));
	let emulator: EmulatorHandle | undefined;
	try {
		emulator = await startEmulator({ port: 0, credits: 100_000, rateLimitPerMinute: 100_000 });
		const client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
		await client.setModelBehavior(VIDEO_MODEL, { durationMs: 300, resultBytes: DOWNLOAD_BYTES });
		await client.setModelBehavior(WARM_UP_MODEL, { durationMs: 100 });

		const uploadPath = path.join(workDir, 'clip.mp4');
		await pipeline(generateMedia('mp4', UPLOAD_BYTES).stream(), createWriteStream(uploadPath));

		const common = {
			baseUrl: emulator.baseUrl,
			apiKey: emulator.apiKey,
			model: VIDEO_MODEL,
			warmUpModel: WARM_UP_MODEL,
			uploadPath,
			fileUploadOperation: hasFileUpload(),
		};
		const download = await runChild<ChildResult>('memoryChild.ts', 'RIVYA_BENCH_MEMORY', {
			...common,
			scenario: 'download',
		});
		const upload = await runChild<ChildResult>('memoryChild.ts', 'RIVYA_BENCH_MEMORY', {
			...common,
			scenario: 'upload',
		});
		const uploaded = (await client.counters()).uploadBytesRead;
		const uploadRow = row(
			'Memory: 45 MB file upload from filesystem binary, peak RSS growth',
			UPLOAD_BYTES,
			upload,
		);
		uploadRow.notes += `; emulator read ${mb(uploaded)}`;
		return [
			row(
				'Memory: 200 MB video result into filesystem binary, peak RSS growth',
				DOWNLOAD_BYTES,
				download,
			),
			uploadRow,
		];
	} finally {
		await emulator?.close();
		rmSync(workDir, { recursive: true, force: true });
	}
}
