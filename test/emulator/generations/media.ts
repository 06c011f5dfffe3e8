/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// Valid media files of any chosen size, generated on the fly. Each format is a small real file plus
// padding the format itself allows (a PNG ancillary chunk, JPEG COM segments, an MP4 mdat box, MP3 ID3
// padding and silent frames, WAV silence), so hundreds of MB stream through without being buffered.
import { Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import { promptPictureHead } from './picture';
import type { MediaFormat } from '../state';

const PIECE_BYTES = 64 * 1024;
/** Shared, never written: padding is zeros, so one buffer serves every stream. */
const ZEROS = Buffer.alloc(PIECE_BYTES);

export const CONTENT_TYPES: Record<MediaFormat, string> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	mp4: 'video/mp4',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
};

/** A streamed file: its exact size (for Content-Length) and a fresh byte stream. */
export interface GeneratedMedia {
	contentType: string;
	size: number;
	stream(): Readable;
}

/**
 * `prompt`: a PNG shows a 512×512 picture drawn from it (test/emulator/generations/picture.ts) when the requested size
 * leaves room for it (a few KB), else the 16×16 gradient; other formats ignore it.
 */
export function generateMedia(
	format: MediaFormat,
	requestedBytes: number,
	prompt?: string | null,
): GeneratedMedia {
	const requested = Math.max(0, Math.floor(requestedBytes));
	const layout =
		format === 'png' && prompt
			? pngLayout(requested, pictureHead(prompt))
			: LAYOUTS[format](requested);
	return {
		contentType: CONTENT_TYPES[format],
		size: layout.size,
		stream: () => Readable.from(layout.pieces(), { objectMode: false, highWaterMark: PIECE_BYTES }),
	};
}

interface Layout {
	size: number;
	pieces(): Generator<Buffer>;
}

function* zeros(count: number): Generator<Buffer> {
	let left = count;
	while (left > 0) {
		const size = Math.min(left, PIECE_BYTES);
		yield size === PIECE_BYTES ? ZEROS : ZEROS.subarray(0, size);
		left -= size;
	}
}

function uint32(value: number): Buffer {
	const buffer = Buffer.alloc(4);
	buffer.writeUInt32BE(value);
	return buffer;
}

// ---- PNG: signature, IHDR, IDAT (a 16×16 gradient), a private ancillary padding chunk, IEND ----
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_CHUNK_OVERHEAD = 12;
/** Ancillary (lower a), private (lower b), reserved bit clear (upper c), safe to copy (lower d). */
const PNG_PADDING_TYPE = Buffer.from('rvPd', 'latin1');

function pngChunk(type: string, data: Buffer): Buffer {
	const typeBytes = Buffer.from(type, 'latin1');
	return Buffer.concat([
		uint32(data.length),
		typeBytes,
		data,
		uint32(crc32(data, crc32(typeBytes))),
	]);
}

function pngCore(): { head: Buffer; tail: Buffer } {
	const side = 16;
	const header = Buffer.alloc(13);
	header.writeUInt32BE(side, 0);
	header.writeUInt32BE(side, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, adaptive filter, no interlace
	const rows: number[] = [];
	for (let y = 0; y < side; y++) {
		rows.push(0); // filter type None
		for (let x = 0; x < side; x++) rows.push(x * 16, y * 16, 128);
	}
	const head = Buffer.concat([
		PNG_SIGNATURE,
		pngChunk('IHDR', header),
		pngChunk('IDAT', deflateSync(Buffer.from(rows))),
	]);
	return { head, tail: pngChunk('IEND', Buffer.alloc(0)) };
}

const pictures = new Map<string, Buffer>();

/** Drawn once per prompt (a few ms each); the last 100 are kept. */
function pictureHead(prompt: string): Buffer {
	let head = pictures.get(prompt);
	if (!head) {
		head = promptPictureHead(prompt);
		if (pictures.size >= 100) pictures.delete(pictures.keys().next().value as string);
		pictures.set(prompt, head);
	}
	return head;
}

function pngLayout(requested: number, picture?: Buffer): Layout {
	const core16 = pngCore();
	const tail = core16.tail;
	const head = picture && picture.length + tail.length <= requested ? picture : core16.head;
	const core = head.length + tail.length;
	// A padding chunk costs 12 bytes of framing, so sizes just above the core round up to fit one.
	const padding = requested <= core ? 0 : Math.max(requested - core - PNG_CHUNK_OVERHEAD, 0);
	const withChunk = requested > core;
	return {
		size: core + (withChunk ? PNG_CHUNK_OVERHEAD + padding : 0),
		*pieces() {
			yield head;
			if (withChunk) {
				yield Buffer.concat([uint32(padding), PNG_PADDING_TYPE]);
				let crc = crc32(PNG_PADDING_TYPE);
				for (const piece of zeros(padding)) {
					crc = crc32(piece, crc);
					yield piece;
				}
				yield uint32(crc);
			}
			yield tail;
		},
	};
}

// ---- JPEG: a baseline 8×8 grey image; padding as COM segments (and 0xFF fill bytes) ----
const JPEG_SEGMENT_MAX = 2 + 65535; // marker + length field's maximum

function jpegCore(): { head: Buffer; body: Buffer } {
	const head = Buffer.from([
		0xff,
		0xd8, // SOI
		0xff,
		0xe0,
		0x00,
		0x10,
		0x4a,
		0x46,
		0x49,
		0x46,
		0x00,
		0x01,
		0x01,
		0x00,
		0x00,
		0x01,
		0x00,
		0x01,
		0x00,
		0x00, // APP0 JFIF
	]);
	const quantization = Buffer.concat([
		Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]),
		Buffer.alloc(64, 1),
	]);
	const frame = Buffer.from([
		0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
	]);
	// One Huffman code of length 1 each: DC "category 0" and AC "end of block".
	const huffmanDc = Buffer.from([0xff, 0xc4, 0x00, 0x14, 0x00, 1, ...Array(15).fill(0), 0x00]);
	const huffmanAc = Buffer.from([0xff, 0xc4, 0x00, 0x14, 0x10, 1, ...Array(15).fill(0), 0x00]);
	const scan = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
	// Entropy data: bits 0 (DC) 0 (EOB), padded with ones; then EOI.
	const entropyAndEnd = Buffer.from([0x3f, 0xff, 0xd9]);
	return {
		head,
		body: Buffer.concat([quantization, frame, huffmanDc, huffmanAc, scan, entropyAndEnd]),
	};
}

function jpegLayout(requested: number): Layout {
	const { head, body } = jpegCore();
	const padding = Math.max(0, requested - head.length - body.length);
	return {
		size: head.length + body.length + padding,
		*pieces() {
			yield head;
			let left = padding;
			while (left >= 4) {
				let segment = Math.min(left, JPEG_SEGMENT_MAX);
				// Never leave 1-3 bytes: they cannot form a segment.
				if (left - segment > 0 && left - segment < 4) segment -= 4;
				yield Buffer.from([0xff, 0xfe, (segment - 2) >> 8, (segment - 2) & 0xff]);
				yield* zeros(segment - 4);
				left -= segment;
			}
			// Any marker may be preceded by 0xFF fill bytes (ITU T.81 B.1.1.2).
			if (left > 0) yield Buffer.alloc(left, 0xff);
			yield body;
		},
	};
}

// ---- MP4: ftyp, moov with mvhd (5 s), and an mdat box carrying the padding ----
function mp4Head(durationMs: number): Buffer {
	const ftyp = Buffer.concat([
		uint32(28),
		Buffer.from('ftypisom', 'latin1'),
		uint32(0x200),
		Buffer.from('isomiso2mp41', 'latin1'),
	]);
	const mvhd = Buffer.alloc(108);
	mvhd.writeUInt32BE(108, 0);
	mvhd.write('mvhd', 4, 'latin1');
	mvhd.writeUInt32BE(1000, 20); // timescale: ms
	mvhd.writeUInt32BE(durationMs, 24);
	mvhd.writeUInt32BE(0x00010000, 28); // rate 1.0
	mvhd.writeUInt16BE(0x0100, 32); // volume 1.0
	// Identity matrix.
	mvhd.writeUInt32BE(0x00010000, 44);
	mvhd.writeUInt32BE(0x00010000, 60);
	mvhd.writeUInt32BE(0x40000000, 76);
	mvhd.writeUInt32BE(2, 104); // next track id
	const moov = Buffer.concat([uint32(8 + mvhd.length), Buffer.from('moov', 'latin1'), mvhd]);
	return Buffer.concat([ftyp, moov]);
}

function mp4Layout(requested: number): Layout {
	const head = mp4Head(5000);
	const mdatPayload = Math.max(0, requested - head.length - 8);
	return {
		size: head.length + 8 + mdatPayload,
		*pieces() {
			yield head;
			yield Buffer.concat([uint32(8 + mdatPayload), Buffer.from('mdat', 'latin1')]);
			yield* zeros(mdatPayload);
		},
	};
}

// ---- MP3: an ID3v2.4 tag of padding only, then silent MPEG-1 Layer III frames (128 kbps, 44.1 kHz) ----
const MP3_FRAME_BYTES = 417;
/** Sync, MPEG-1, Layer III, no CRC; 128 kbps, 44.1 kHz, no padding bit; stereo. */
const MP3_FRAME = Buffer.concat([
	Buffer.from([0xff, 0xfb, 0x90, 0x00]),
	Buffer.alloc(MP3_FRAME_BYTES - 4),
]);
const MP3_FRAMES_PER_PIECE = 150;
const MP3_PIECE = Buffer.concat(Array(MP3_FRAMES_PER_PIECE).fill(MP3_FRAME));
export const MP3_SECONDS_PER_FRAME = 1152 / 44100;

function syncSafe(value: number): Buffer {
	return Buffer.from([
		(value >> 21) & 0x7f,
		(value >> 14) & 0x7f,
		(value >> 7) & 0x7f,
		value & 0x7f,
	]);
}

function mp3Layout(requested: number): Layout {
	const frames = Math.max(1, Math.floor((requested - 10) / MP3_FRAME_BYTES));
	const tagPadding = Math.max(0, requested - 10 - frames * MP3_FRAME_BYTES);
	return {
		size: 10 + tagPadding + frames * MP3_FRAME_BYTES,
		*pieces() {
			yield Buffer.concat([
				Buffer.from('ID3', 'latin1'),
				Buffer.from([4, 0, 0]),
				syncSafe(tagPadding),
			]);
			yield* zeros(tagPadding);
			let left = frames;
			while (left >= MP3_FRAMES_PER_PIECE) {
				yield MP3_PIECE;
				left -= MP3_FRAMES_PER_PIECE;
			}
			if (left > 0) yield MP3_PIECE.subarray(0, left * MP3_FRAME_BYTES);
		},
	};
}

// ---- WAV: RIFF/WAVE, 16-bit mono 22.05 kHz PCM silence (sizes round down to whole samples) ----
function wavLayout(requested: number): Layout {
	const dataBytes = Math.max(2, (requested - 44) & ~1);
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(36 + dataBytes, 4);
	header.write('WAVEfmt ', 8, 'latin1');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20); // PCM
	header.writeUInt16LE(1, 22); // mono
	header.writeUInt32LE(22050, 24);
	header.writeUInt32LE(22050 * 2, 28); // byte rate
	header.writeUInt16LE(2, 32); // block align
	header.writeUInt16LE(16, 34);
	header.write('data', 36, 'latin1');
	header.writeUInt32LE(dataBytes, 40);
	return {
		size: 44 + dataBytes,
		*pieces() {
			yield header;
			yield* zeros(dataBytes);
		},
	};
}

const LAYOUTS: Record<MediaFormat, (requested: number) => Layout> = {
	png: pngLayout,
	jpeg: jpegLayout,
	mp4: mp4Layout,
	mp3: mp3Layout,
	wav: wavLayout,
};
