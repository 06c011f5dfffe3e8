// A streaming multipart/form-data parser (RFC 7578) that never holds more than one delimiter's worth of
// unconsumed bytes, so callers can enforce size limits while the upload is still arriving; plus the
// magic-byte detection and light duration parsing the Files API needs.

export interface PartHeaders {
	name: string;
	filename?: string;
	contentType?: string;
}

export interface MultipartHandlers {
	onPartStart(part: PartHeaders): void;
	onPartData(chunk: Buffer): void;
	onPartEnd(): void;
}

export class MultipartError extends Error {}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

type Phase = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

export class MultipartParser {
	private readonly delimiter: Buffer;
	private buffer: Buffer = Buffer.alloc(0);
	private phase: Phase = 'preamble';

	constructor(
		boundary: string,
		private handlers: MultipartHandlers,
	) {
		// Every delimiter is CRLF + "--" + boundary; the stream's first one may lack the CRLF, so the
		// parser starts as if a CRLF had been seen.
		this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
		this.buffer = Buffer.from(CRLF);
	}

	get finished(): boolean {
		return this.phase === 'done';
	}

	write(chunk: Buffer): void {
		if (this.phase === 'done') return; // epilogue is ignored
		this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
		let progressed = true;
		while (progressed && !this.finished) progressed = this.step();
	}

	/** Call at the end of the stream: a body that never closed its last part is malformed. */
	end(): void {
		if (this.phase !== 'done')
			throw new MultipartError('multipart body ended before its closing boundary');
	}

	private step(): boolean {
		switch (this.phase) {
			case 'preamble': {
				const at = this.buffer.indexOf(this.delimiter);
				if (at < 0) {
					this.keepTail();
					return false;
				}
				this.buffer = this.buffer.subarray(at + this.delimiter.length);
				this.phase = 'after-delimiter';
				return true;
			}
			case 'after-delimiter': {
				if (this.buffer.length < 2) return false;
				if (this.buffer[0] === 0x2d && this.buffer[1] === 0x2d) {
					this.phase = 'done';
					this.buffer = Buffer.alloc(0);
					return false;
				}
				// Transport padding (spaces/tabs) may precede the CRLF.
				const lineEnd = this.buffer.indexOf(CRLF);
				if (lineEnd < 0) return false;
				this.buffer = this.buffer.subarray(lineEnd + 2);
				this.phase = 'headers';
				return true;
			}
			case 'headers': {
				// An empty header block ends right away with CRLF.
				const end = this.buffer.indexOf(HEADER_END);
				const emptyHeaders =
					this.buffer.length >= 2 && this.buffer[0] === 0x0d && this.buffer[1] === 0x0a;
				if (end < 0 && !emptyHeaders) {
					if (this.buffer.length > MAX_HEADER_BYTES)
						throw new MultipartError('multipart part headers too large');
					return false;
				}
				const headerText = emptyHeaders ? '' : this.buffer.subarray(0, end).toString('utf8');
				this.buffer = this.buffer.subarray(emptyHeaders ? 2 : end + 4);
				this.handlers.onPartStart(parsePartHeaders(headerText));
				this.phase = 'body';
				return true;
			}
			case 'body': {
				const at = this.buffer.indexOf(this.delimiter);
				if (at < 0) {
					// Everything except a possible delimiter prefix at the end is part data.
					const safe = this.buffer.length - (this.delimiter.length - 1);
					if (safe > 0) {
						this.handlers.onPartData(this.buffer.subarray(0, safe));
						this.buffer = this.buffer.subarray(safe);
					}
					return false;
				}
				if (at > 0) this.handlers.onPartData(this.buffer.subarray(0, at));
				this.handlers.onPartEnd();
				this.buffer = this.buffer.subarray(at + this.delimiter.length);
				this.phase = 'after-delimiter';
				return true;
			}
			default:
				return false;
		}
	}

	private keepTail(): void {
		const keep = this.delimiter.length - 1;
		if (this.buffer.length > keep) this.buffer = this.buffer.subarray(this.buffer.length - keep);
	}
}

function parsePartHeaders(text: string): PartHeaders {
	const headers = new Map<string, string>();
	for (const line of text.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0)
			headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
	}
	const disposition = headers.get('content-disposition') ?? '';
	const name = dispositionParameter(disposition, 'name');
	if (!/^form-data\b/i.test(disposition) || name === undefined) {
		throw new MultipartError(
			'each multipart part needs Content-Disposition: form-data; name="..."',
		);
	}
	return {
		name,
		filename: dispositionParameter(disposition, 'filename'),
		contentType: headers.get('content-type'),
	};
}

function dispositionParameter(disposition: string, parameter: string): string | undefined {
	const match = new RegExp(
		`;\\s*${parameter}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${parameter}=([^;\\s]+)`,
		'i',
	).exec(disposition);
	if (!match) return undefined;
	return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

/** The boundary of a multipart/form-data Content-Type, or undefined for anything else. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
	if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
	const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	const boundary = match ? (match[1] ?? match[2]) : undefined;
	return boundary && boundary.length <= 70 ? boundary : undefined;
}

// ---- magic bytes ----

/** Bytes needed to tell every supported format apart (EBML DocType sits in the first few dozen). */
export const SNIFF_BYTES = 64;

function ascii(bytes: Buffer, start: number, end: number): string {
	return bytes.subarray(start, end).toString('latin1');
}

/**
 * The MIME type the file's signature shows, ignoring its name and declared type. `kind` settles the
 * one ambiguity: an ISO-BMFF file with a generic brand is audio/mp4 when uploaded as audio.
 */
export function detectMimeType(head: Buffer, kind?: string): string | undefined {
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff)
		return 'image/jpeg';
	if (
		head.length >= 8 &&
		head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
	) {
		return 'image/png';
	}
	if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF') {
		const form = ascii(head, 8, 12);
		if (form === 'WEBP') return 'image/webp';
		if (form === 'WAVE') return 'audio/wav';
	}
	if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp') {
		const brand = ascii(head, 8, 12);
		if (brand === 'qt  ') return 'video/quicktime';
		if (brand === 'M4A ' || brand === 'M4B ' || brand === 'M4P ') return 'audio/mp4';
		return kind === 'audio' ? 'audio/mp4' : 'video/mp4';
	}
	if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) {
		return ascii(head, 4, head.length).includes('webm') ? 'video/webm' : 'video/x-matroska';
	}
	if (head.length >= 4 && ascii(head, 0, 4) === 'OggS') return 'audio/ogg';
	if (head.length >= 3 && ascii(head, 0, 3) === 'ID3') return 'audio/mpeg';
	if (head.length >= 2 && head[0] === 0xff) {
		// ADTS (AAC) has layer bits 00; MPEG audio frames (MP3) have a non-zero layer.
		if ((head[1] & 0xf6) === 0xf0) return 'audio/aac';
		if ((head[1] & 0xe0) === 0xe0 && ((head[1] >> 1) & 0x03) !== 0) return 'audio/mpeg';
	}
	return undefined;
}

// ---- duration ----

const MPEG1_LAYER3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
/** Fallback byte rates when a file's own header does not say: 128 kbps audio, 2 Mbps video. */
const FALLBACK_BYTES_PER_SECOND: Record<string, number> = { audio: 16_000, video: 250_000 };

/**
 * Duration from the file's own header where that is cheap (WAV byte rate, MP4/MOV mvhd, MP3 first
 * frame's bitrate); otherwise estimated from the size at a typical bitrate.
 */
export function estimateDurationSeconds(data: Buffer, mimeType: string, kind: string): number {
	const seconds =
		(mimeType === 'audio/wav' ? wavDuration(data) : undefined) ??
		(mimeType.endsWith('/mp4') || mimeType === 'video/quicktime'
			? mvhdDuration(data)
			: undefined) ??
		(mimeType === 'audio/mpeg' ? mp3Duration(data) : undefined) ??
		data.length / (FALLBACK_BYTES_PER_SECOND[kind] ?? FALLBACK_BYTES_PER_SECOND.audio);
	return Math.round(seconds * 1000) / 1000;
}

function wavDuration(data: Buffer): number | undefined {
	if (data.length < 44) return undefined;
	const byteRate = data.readUInt32LE(28);
	return byteRate > 0 ? (data.length - 44) / byteRate : undefined;
}

function mvhdDuration(data: Buffer): number | undefined {
	const moov = findBox(data, 0, data.length, 'moov');
	const mvhd = moov && findBox(data, moov.start, moov.end, 'mvhd');
	if (!mvhd || mvhd.end - mvhd.start < 20) return undefined;
	const version = data[mvhd.start];
	if (version === 1) {
		if (mvhd.end - mvhd.start < 32) return undefined;
		const timescale = data.readUInt32BE(mvhd.start + 20);
		return timescale ? Number(data.readBigUInt64BE(mvhd.start + 24)) / timescale : undefined;
	}
	const timescale = data.readUInt32BE(mvhd.start + 12);
	return timescale ? data.readUInt32BE(mvhd.start + 16) / timescale : undefined;
}

/** Walks ISO-BMFF boxes in [start, end) and returns the payload range of the first box of `type`. */
function findBox(data: Buffer, start: number, end: number, type: string) {
	let offset = start;
	while (offset + 8 <= end) {
		let size = data.readUInt32BE(offset);
		let header = 8;
		if (size === 1 && offset + 16 <= end) {
			size = Number(data.readBigUInt64BE(offset + 8));
			header = 16;
		} else if (size === 0) size = end - offset;
		if (size < header) return undefined;
		if (ascii(data, offset + 4, offset + 8) === type) {
			return { start: offset + header, end: Math.min(end, offset + size) };
		}
		offset += size;
	}
	return undefined;
}

function mp3Duration(data: Buffer): number | undefined {
	let offset = 0;
	if (data.length >= 10 && ascii(data, 0, 3) === 'ID3') {
		offset = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]);
	}
	if (offset + 4 > data.length || data[offset] !== 0xff) return undefined;
	const isMpeg1Layer3 = (data[offset + 1] & 0xfe) === 0xfa;
	const kbps = isMpeg1Layer3 ? MPEG1_LAYER3_KBPS[data[offset + 2] >> 4] : 128;
	return kbps ? ((data.length - offset) * 8) / (kbps * 1000) : undefined;
}
