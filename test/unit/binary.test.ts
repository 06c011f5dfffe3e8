import { fileNameFromContentDisposition, redactUrl } from '../../nodes/shared/download';
import { extensionForMimeType, kindFromMimeType } from '../../nodes/shared/media';

describe('kindFromMimeType', () => {
	it.each([
		['image/png', 'image'],
		['image/jpeg', 'image'],
		['IMAGE/WEBP', 'image'],
		['video/mp4', 'video'],
		['video/quicktime; codecs="avc1"', 'video'],
		['audio/mpeg', 'audio'],
		['audio/x-wav', 'audio'],
		['application/ogg', 'audio'],
	])('%s is %s', (mimeType, kind) => {
		expect(kindFromMimeType(mimeType)).toBe(kind);
	});

	it.each(['application/pdf', 'text/plain', 'application/octet-stream', '', 'imagepng'])(
		'%s is not a media kind',
		(mimeType) => {
			expect(kindFromMimeType(mimeType)).toBeUndefined();
		},
	);
});

describe('extensionForMimeType', () => {
	it.each([
		['image/jpeg', 'jpg'],
		['image/png', 'png'],
		['image/webp', 'webp'],
		['video/mp4', 'mp4'],
		['video/quicktime', 'mov'],
		['video/x-matroska', 'mkv'],
		['audio/mpeg', 'mp3'],
		['audio/mp4', 'm4a'],
		['audio/wav', 'wav'],
		['audio/x-wav', 'wav'],
		['Image/PNG; charset=binary', 'png'],
	])('%s → %s', (mimeType, extension) => {
		expect(extensionForMimeType(mimeType)).toBe(extension);
	});

	it('falls back to a safe subtype, else "bin"', () => {
		expect(extensionForMimeType('image/x-portable')).toBe('portable');
		expect(extensionForMimeType('model/gltf+json')).toBe('gltf');
		expect(extensionForMimeType('application/vnd.something.weird')).toBe('bin');
		expect(extensionForMimeType('')).toBe('bin');
	});
});

describe('redactUrl', () => {
	it('drops query strings and fragments that may carry tokens', () => {
		expect(redactUrl('https://cdn.rivya.ai/r/task_1/0.png?X-Amz-Signature=abc&token=t#x')).toBe(
			'https://cdn.rivya.ai/r/task_1/0.png',
		);
		expect(redactUrl('not a url?secret=1')).toBe('not a url');
	});

	it('drops credentials in the authority', () => {
		expect(redactUrl('https://user:pass@cdn.rivya.ai/a.png')).toBe('https://cdn.rivya.ai/a.png');
	});
});

describe('fileNameFromContentDisposition', () => {
	it.each([
		['attachment; filename="cat.png"', 'cat.png'],
		['attachment; filename=cat.png', 'cat.png'],
		['inline; filename="a b.mp4"; size=3', 'a b.mp4'],
		["attachment; filename*=UTF-8''k%C3%A4tzchen.png", 'kätzchen.png'],
		['attachment; filename="fallback.png"; filename*=UTF-8\'\'echt.png', 'echt.png'],
	])('%s → %s', (header, name) => {
		expect(fileNameFromContentDisposition(header)).toBe(name);
	});

	it('is undefined without a file name', () => {
		expect(fileNameFromContentDisposition(undefined)).toBeUndefined();
		expect(fileNameFromContentDisposition('inline')).toBeUndefined();
		expect(fileNameFromContentDisposition('attachment; filename=""')).toBeUndefined();
	});
});
