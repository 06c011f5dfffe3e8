/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// A 512×512 PNG drawn from a generation's prompt, so the emulator's results are worth looking at in a demo:
// the sky, ground, sun or moon and the subject's colour follow words of the prompt ("night", "snow",
// "golden hour", "red fox", ...), hills are placed from a hash of the prompt, and the prompt is written
// across the bottom in a small bitmap font. Pure TypeScript plus Node's zlib (test code only).
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

export const PICTURE_SIDE = 512;

type Rgb = [number, number, number];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
	const typeBytes = Buffer.from(type, 'latin1');
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(data, crc32(typeBytes)));
	return Buffer.concat([length, typeBytes, data, crc]);
}

const has = (text: string, words: string[]) => words.some((word) => text.includes(word));

const COLOUR_WORDS: Array<[string[], Rgb]> = [
	[
		['red', 'fox', 'crimson'],
		[214, 72, 38],
	],
	[
		['orange', 'tiger', 'pumpkin'],
		[240, 140, 40],
	],
	[
		['yellow', 'lemon', 'banana'],
		[245, 210, 60],
	],
	[
		['green', 'frog', 'leaf', 'forest'],
		[60, 150, 70],
	],
	[
		['blue', 'whale'],
		[50, 100, 200],
	],
	[
		['purple', 'violet', 'lavender'],
		[140, 80, 180],
	],
	[
		['pink', 'flamingo'],
		[235, 120, 170],
	],
	[
		['white', 'polar', 'swan'],
		[245, 245, 245],
	],
	[
		['black', 'raven', 'crow'],
		[40, 40, 45],
	],
	[
		['grey', 'gray', 'owl', 'wolf', 'elephant'],
		[130, 130, 135],
	],
	[
		['brown', 'bear', 'dog', 'horse', 'coffee', 'mug'],
		[130, 85, 50],
	],
];

interface Scene {
	skyTop: Rgb;
	skyBottom: Rgb;
	ground: Rgb;
	hills: Rgb;
	light: Rgb;
	subject: Rgb;
	seed: Buffer;
}

function sceneFor(prompt: string): Scene {
	const text = prompt.toLowerCase();
	const seed = createHash('sha256').update(prompt).digest();
	const night = has(text, ['night', 'moon', 'dark', 'space', 'star']);
	const warm = has(text, ['golden', 'sunset', 'dusk', 'dawn', 'sunrise', 'autumn']);
	const skyTop: Rgb = night ? [10, 16, 48] : warm ? [120, 90, 170] : [70, 140, 220];
	const skyBottom: Rgb = night ? [40, 50, 100] : warm ? [250, 170, 90] : [180, 215, 245];
	const ground: Rgb = has(text, ['snow', 'winter', 'ice', 'frost'])
		? [235, 240, 248]
		: has(text, ['sea', 'ocean', 'beach', 'lake', 'water', 'river'])
			? [40, 110, 170]
			: has(text, ['desert', 'sand', 'dune'])
				? [220, 190, 130]
				: [90, 160, 80];
	const hills: Rgb = ground.map((value, index) =>
		Math.round(value * 0.8 + skyTop[index] * 0.1),
	) as Rgb;
	const light: Rgb = night ? [235, 235, 210] : warm ? [255, 200, 90] : [255, 235, 120];
	const subject =
		COLOUR_WORDS.find(([words]) => has(text, words))?.[1] ??
		([80 + (seed[0] % 150), 80 + (seed[1] % 150), 80 + (seed[2] % 150)] as Rgb);
	return { skyTop, skyBottom, ground, hills, light, subject, seed };
}

// 5×7 glyphs, one number per row, the highest of 5 bits is the left column.
const GLYPHS: Record<string, number[]> = {
	A: [14, 17, 17, 31, 17, 17, 17],
	B: [30, 17, 17, 30, 17, 17, 30],
	C: [14, 17, 16, 16, 16, 17, 14],
	D: [30, 17, 17, 17, 17, 17, 30],
	E: [31, 16, 16, 30, 16, 16, 31],
	F: [31, 16, 16, 30, 16, 16, 16],
	G: [14, 17, 16, 23, 17, 17, 15],
	H: [17, 17, 17, 31, 17, 17, 17],
	I: [14, 4, 4, 4, 4, 4, 14],
	J: [7, 2, 2, 2, 2, 18, 12],
	K: [17, 18, 20, 24, 20, 18, 17],
	L: [16, 16, 16, 16, 16, 16, 31],
	M: [17, 27, 21, 21, 17, 17, 17],
	N: [17, 17, 25, 21, 19, 17, 17],
	O: [14, 17, 17, 17, 17, 17, 14],
	P: [30, 17, 17, 30, 16, 16, 16],
	Q: [14, 17, 17, 17, 21, 18, 13],
	R: [30, 17, 17, 30, 20, 18, 17],
	S: [15, 16, 16, 14, 1, 1, 30],
	T: [31, 4, 4, 4, 4, 4, 4],
	U: [17, 17, 17, 17, 17, 17, 14],
	V: [17, 17, 17, 17, 17, 10, 4],
	W: [17, 17, 17, 21, 21, 21, 10],
	X: [17, 17, 10, 4, 10, 17, 17],
	Y: [17, 17, 10, 4, 4, 4, 4],
	Z: [31, 1, 2, 4, 8, 16, 31],
	'0': [14, 17, 19, 21, 25, 17, 14],
	'1': [4, 12, 4, 4, 4, 4, 14],
	'2': [14, 17, 1, 2, 4, 8, 31],
	'3': [31, 2, 4, 2, 1, 17, 14],
	'4': [2, 6, 10, 18, 31, 2, 2],
	'5': [31, 16, 30, 1, 1, 17, 14],
	'6': [6, 8, 16, 30, 17, 17, 14],
	'7': [31, 1, 2, 4, 8, 8, 8],
	'8': [14, 17, 17, 14, 17, 17, 14],
	'9': [14, 17, 17, 15, 1, 2, 12],
	',': [0, 0, 0, 0, 12, 4, 8],
	'.': [0, 0, 0, 0, 0, 12, 12],
	'-': [0, 0, 0, 31, 0, 0, 0],
	"'": [4, 4, 8, 0, 0, 0, 0],
	'!': [4, 4, 4, 4, 4, 0, 4],
	'?': [14, 17, 1, 2, 4, 0, 4],
	':': [0, 12, 12, 0, 12, 12, 0],
	' ': [0, 0, 0, 0, 0, 0, 0],
};

/** The prompt in up to two lines of at most `perLine` characters, cut at word ends where possible. */
function captionLines(prompt: string, perLine: number): string[] {
	const words = prompt.toUpperCase().replace(/\s+/g, ' ').trim().split(' ');
	const lines: string[] = [''];
	for (const word of words) {
		const current = lines[lines.length - 1];
		if (!current || current.length + 1 + word.length <= perLine) {
			lines[lines.length - 1] = current ? `${current} ${word}` : word;
		} else if (lines.length < 2) lines.push(word);
		else {
			lines[1] = `${lines[1]}…`;
			break;
		}
	}
	return lines.map((line) => (line.length > perLine ? `${line.slice(0, perLine - 1)}…` : line));
}

/** The PNG file's bytes before IEND (signature, IHDR, IDAT) for a picture of the prompt. */
export function promptPictureHead(prompt: string): Buffer {
	const side = PICTURE_SIDE;
	const scene = sceneFor(prompt);
	const pixels = Buffer.alloc(side * side * 3);
	const set = (x: number, y: number, [r, g, b]: Rgb) => {
		if (x < 0 || y < 0 || x >= side || y >= side) return;
		const offset = (y * side + x) * 3;
		pixels[offset] = r;
		pixels[offset + 1] = g;
		pixels[offset + 2] = b;
	};
	const horizon = 330;
	const mix = (a: Rgb, b: Rgb, t: number) =>
		a.map((value, i) => Math.round(value + (b[i] - value) * t)) as Rgb;

	// Sky (vertical gradient) and ground.
	for (let y = 0; y < side; y++) {
		const colour = y < horizon ? mix(scene.skyTop, scene.skyBottom, y / horizon) : scene.ground;
		for (let x = 0; x < side; x++) set(x, y, colour);
	}
	// Sun or moon.
	const lightX = 80 + (scene.seed[3] % 350);
	const lightY = 70 + (scene.seed[4] % 90);
	for (let y = lightY - 40; y <= lightY + 40; y++)
		for (let x = lightX - 40; x <= lightX + 40; x++)
			if ((x - lightX) ** 2 + (y - lightY) ** 2 <= 38 ** 2) set(x, y, scene.light);
	// Two hills on the horizon.
	for (let hill = 0; hill < 2; hill++) {
		const centre = 60 + (scene.seed[5 + hill] % 400);
		const height = 50 + (scene.seed[7 + hill] % 60);
		const width = 160 + (scene.seed[9 + hill] % 120);
		for (let x = centre - width; x <= centre + width; x++) {
			const top = horizon - Math.round(height * Math.cos(((x - centre) / width) * (Math.PI / 2)));
			for (let y = top; y < horizon; y++) set(x, y, scene.hills);
		}
	}
	// The subject: a rounded body with a head, in the prompt's colour, standing on the ground.
	const bodyX = 256 + ((scene.seed[11] % 120) - 60);
	for (let y = 330; y <= 420; y++)
		for (let x = bodyX - 80; x <= bodyX + 80; x++)
			if (((x - bodyX) / 80) ** 2 + ((y - 375) / 45) ** 2 <= 1) set(x, y, scene.subject);
	for (let y = 290; y <= 360; y++)
		for (let x = bodyX + 40; x <= bodyX + 110; x++)
			if ((x - bodyX - 75) ** 2 + (y - 325) ** 2 <= 34 ** 2) set(x, y, scene.subject);
	const eye: Rgb = [30, 30, 30];
	for (let y = 314; y <= 320; y++) for (let x = bodyX + 84; x <= bodyX + 90; x++) set(x, y, eye);

	// Caption bar with the prompt.
	const scale = 3;
	const advance = 6 * scale;
	const perLine = Math.floor((side - 24) / advance);
	for (let y = 440; y < side; y++) for (let x = 0; x < side; x++) set(x, y, [25, 25, 30]);
	captionLines(prompt, perLine).forEach((line, row) => {
		[...line].forEach((char, column) => {
			const glyph = GLYPHS[char] ?? GLYPHS[char === '…' ? '.' : '?'];
			glyph.forEach((bits, gy) => {
				for (let gx = 0; gx < 5; gx++) {
					if (!(bits & (1 << (4 - gx)))) continue;
					for (let dy = 0; dy < scale; dy++)
						for (let dx = 0; dx < scale; dx++)
							set(
								12 + column * advance + gx * scale + dx,
								450 + row * 28 + gy * scale + dy,
								[240, 240, 240],
							);
				}
			});
		});
	});

	const rows = Buffer.alloc(side * (side * 3 + 1));
	for (let y = 0; y < side; y++) {
		rows[y * (side * 3 + 1)] = 0; // filter type None
		pixels.copy(rows, y * (side * 3 + 1) + 1, y * side * 3, (y + 1) * side * 3);
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(side, 0);
	header.writeUInt32BE(side, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, adaptive filter, no interlace
	return Buffer.concat([
		PNG_SIGNATURE,
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(rows, { level: 9 })),
	]);
}
