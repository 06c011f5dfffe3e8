/**
 * Media kinds, MIME types and file names: which kind a MIME type is, which extension it takes, and
 * sizes as people read them. Pure tables and functions, shared by uploads, downloads and the catalog
 * checks.
 */

export type MediaKind = 'image' | 'video' | 'audio';
export const MEDIA_KINDS: MediaKind[] = ['image', 'video', 'audio'];

const EXTENSION_BY_MIME: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/jpg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'image/avif': 'avif',
	'image/heic': 'heic',
	'image/bmp': 'bmp',
	'image/svg+xml': 'svg',
	'image/tiff': 'tiff',
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
	'video/webm': 'webm',
	'video/x-matroska': 'mkv',
	'video/mpeg': 'mpeg',
	'video/x-msvideo': 'avi',
	'audio/mpeg': 'mp3',
	'audio/mp3': 'mp3',
	'audio/mp4': 'm4a',
	'audio/x-m4a': 'm4a',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/wave': 'wav',
	'audio/aac': 'aac',
	'audio/ogg': 'ogg',
	'audio/flac': 'flac',
	'audio/webm': 'weba',
	'application/json': 'json',
	'text/plain': 'txt',
};

const MIME_BY_EXTENSION: Record<string, string> = {
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	png: 'image/png',
	webp: 'image/webp',
	gif: 'image/gif',
	avif: 'image/avif',
	heic: 'image/heic',
	bmp: 'image/bmp',
	svg: 'image/svg+xml',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	webm: 'video/webm',
	mkv: 'video/x-matroska',
	mpeg: 'video/mpeg',
	avi: 'video/x-msvideo',
	mp3: 'audio/mpeg',
	m4a: 'audio/mp4',
	wav: 'audio/wav',
	aac: 'audio/aac',
	ogg: 'audio/ogg',
	oga: 'audio/ogg',
	flac: 'audio/flac',
	weba: 'audio/webm',
	json: 'application/json',
	txt: 'text/plain',
};

/** "Image/PNG; charset=x" → "image/png". */
export function baseMimeType(mimeType: string | undefined): string {
	return (mimeType ?? '').split(';')[0].trim().toLowerCase();
}

/** The Rivya file kind for a mime type, or undefined when it is not an image, video or audio type. */
export function kindFromMimeType(mimeType: string): MediaKind | undefined {
	const type = baseMimeType(mimeType);
	if (type.startsWith('image/')) return 'image';
	if (type.startsWith('video/')) return 'video';
	if (type.startsWith('audio/') || type === 'application/ogg') return 'audio';
	return undefined;
}

/**
 * File extension (without the dot) for a mime type: "image/png" → "png", "video/quicktime" → "mov".
 * Unknown types fall back to a safe form of the subtype, or "bin".
 */
export function extensionForMimeType(mimeType: string): string {
	const type = baseMimeType(mimeType);
	const known = EXTENSION_BY_MIME[type];
	if (known) return known;
	const subtype = (type.split('/')[1] ?? '').replace(/^x-/, '').replace(/\+.*$/, '');
	return /^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin';
}

export function mimeTypeForFileName(fileName: string): string | undefined {
	const match = /\.([a-z0-9]{1,8})$/i.exec(fileName);
	return match ? MIME_BY_EXTENSION[match[1].toLowerCase()] : undefined;
}

/** Makes sure the file name ends with an extension that matches its mime type. */
export function withExtension(fileName: string, mimeType: string): string {
	const extension = extensionForMimeType(mimeType);
	const current = /\.([a-z0-9]{1,8})$/i.exec(fileName)?.[1]?.toLowerCase();
	if (current && (current === extension || MIME_BY_EXTENSION[current] === baseMimeType(mimeType))) {
		return fileName;
	}
	if (extension === 'bin' && current) return fileName;
	return `${fileName}.${extension}`;
}

/** "12.3 MB", for messages about file sizes. */
export function formatMegabytes(bytes: number): string {
	return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
