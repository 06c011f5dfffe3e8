/**
 * A multipart/form-data request body built by hand: community nodes may not use the `form-data`
 * package, nor import `stream` or `fs`.
 *
 * How the file travels without being read into memory: the body presents itself to n8n's HTTP client
 * (axios, Node http adapter) as a Blob: `[object Blob]` tag, `type`, `size` and `stream()`. For a Blob
 * axios sets `Content-Type` from `type`, `Content-Length` from `size`, and sends
 * `Readable.from(blob.stream())`, which pulls the next chunk only when the socket wants more
 * (backpressure). `stream()` yields the part headers, then the file's own chunks (read from n8n's
 * binary store as they are needed), then the closing boundary.
 *
 * `stream()` opens the file afresh on every call, so the same body can be sent again by a retry.
 */
import { createHash, randomBytes } from 'crypto';

/** Opens the file's bytes as chunks; called once per send, so it must start from the beginning. */
export type ChunkSource = () => Promise<AsyncIterable<Uint8Array | string>>;

export interface MultipartFile {
	/** Form field name, e.g. "file". */
	name: string;
	fileName: string;
	contentType: string;
	/** Exact byte length of the content: it becomes part of Content-Length. */
	size: number;
	/** The bytes in memory, or a way to stream them. */
	content: Buffer | ChunkSource;
}

const CRLF = '\r\n';

/**
 * A boundary that cannot plausibly occur in the content. With a seed (e.g. the Idempotency-Key) it
 * is the same for the same request, so a repeated upload sends byte-identical bodies and the server
 * can replay its first answer.
 */
export function multipartBoundary(seed?: string): string {
	const entropy =
		seed === undefined
			? randomBytes(16).toString('hex')
			: createHash('sha256').update(seed).digest('hex').slice(0, 32);
	return `----RivyaFormBoundary${entropy}`;
}

/** Quotes a name for Content-Disposition the way browsers do: no raw quotes or line breaks. */
function quoted(text: string): string {
	return `"${text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

/** Raised when a streamed file yields a different number of bytes than announced. */
export class MultipartLengthError extends Error {
	constructor(expected: number, actual: number) {
		super(`The binary file has ${actual} bytes, but its metadata said ${expected}`);
		this.name = 'MultipartLengthError';
	}
}

/** Raised for a form field value that could start a new part (a line break or the boundary). */
export class MultipartFieldError extends Error {
	constructor() {
		super('A form field value contains a line break, which could start a new part of the upload');
		this.name = 'MultipartFieldError';
	}
}

export class MultipartBody {
	/** Content-Type header value, boundary included. */
	readonly type: string;
	/** Total body length in bytes (Content-Length). */
	readonly size: number;
	readonly boundary: string;
	private readonly head: Buffer;
	private readonly tail: Buffer;
	private readonly file: MultipartFile;

	/** `fields` are sent in their insertion order, before the file. */
	constructor(fields: Record<string, string>, file: MultipartFile, boundary = multipartBoundary()) {
		// Last line of defence against a value that ends its part and forges another one.
		for (const value of [...Object.values(fields), file.contentType]) {
			if (/[\r\n]/.test(value) || value.includes(boundary)) {
				throw new MultipartFieldError();
			}
		}
		this.boundary = boundary;
		this.type = `multipart/form-data; boundary=${boundary}`;
		const fieldParts = Object.entries(fields).map(
			([name, value]) =>
				`--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(name)}${CRLF}${CRLF}${value}${CRLF}`,
		);
		const fileHeader =
			`--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(file.name)}; filename=${quoted(file.fileName)}${CRLF}` +
			`Content-Type: ${file.contentType}${CRLF}${CRLF}`;
		this.head = Buffer.from(fieldParts.join('') + fileHeader, 'utf8');
		this.tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'utf8');
		this.file = file;
		this.size = this.head.length + file.size + this.tail.length;
	}

	/** Makes HTTP clients treat the body as a Blob (see the module comment). */
	get [Symbol.toStringTag](): string {
		return 'Blob';
	}

	/** The whole body, chunk by chunk; the file is opened now and read only as fast as it is sent. */
	async *stream(): AsyncGenerator<Buffer> {
		yield this.head;
		const { content, size } = this.file;
		if (Buffer.isBuffer(content)) {
			yield content;
		} else {
			const chunks = await content();
			let sent = 0;
			try {
				for await (const chunk of chunks) {
					const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
					sent += bytes.length;
					// A length other than announced would corrupt the request: stop rather than send it.
					if (sent > size) throw new MultipartLengthError(size, sent);
					yield bytes;
				}
			} finally {
				// An aborted send must not leave the file open.
				(chunks as { destroy?: () => void }).destroy?.();
			}
			if (sent !== size) throw new MultipartLengthError(size, sent);
		}
		yield this.tail;
	}

	/** The whole body in memory; for small bodies and tests. */
	async toBuffer(): Promise<Buffer> {
		const parts: Buffer[] = [];
		for await (const part of this.stream()) parts.push(part);
		return Buffer.concat(parts);
	}
}
