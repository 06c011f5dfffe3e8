// The default model catalog: rivya-api.md §4's table, plus one coming_soon and one studio_only model so
// clients are tested against models that must not be offered for calls.
import { REASONING_EFFORTS } from '../chat/schemas';

export type MediaKind = 'image' | 'video' | 'audio';
export type ModelCategory = 'chat' | MediaKind;

export interface ParamDefinition {
	key: string;
	type: 'select' | 'text' | 'number' | 'array';
	required: boolean;
	default: string | number | null | unknown[];
	options?: string[];
	min?: number;
	max?: number;
	step?: number;
	description?: string;
}

export interface ReferenceMedia {
	kinds: MediaKind[];
	max_files: number;
	max_bytes: Partial<Record<MediaKind, number>>;
	mime_types: Partial<Record<MediaKind, string[]>>;
}

export interface ChatCapabilities {
	streaming: true;
	attachments: Array<'image'>;
	web_search: boolean;
	reasoning_efforts: string[];
}

/** Emulator-only rules; the models route strips them (they are not part of the wire model). */
export interface ModelRules {
	/** The prompt may be omitted (elevenlabs-dialogue-v3). */
	promptOptional?: boolean;
	/** The `params` object itself must be sent (elevenlabs-turbo-2-5). */
	paramsRequired?: boolean;
	/** With a video reference: at most this many videos and `imagesWithVideo` images (happyhorse-1-0). */
	videosWithImages?: { videos: number; imagesWithVideo: number };
}

export interface ModelDefinition {
	id: string;
	display_name: string;
	category: ModelCategory;
	runtime: 'async_task' | 'chat';
	base_credits: number;
	billing_type: 'FIXED' | 'METERED' | 'TOKEN_BASED';
	supported_modes: string[];
	max_prompt_length: number | null;
	reference_media: ReferenceMedia | null;
	params: ParamDefinition[];
	api_status: 'available' | 'coming_soon' | 'studio_only';
	api_input_status:
		| 'available_text'
		| 'available_url_input'
		| 'partial_requires_files'
		| 'requires_files_api';
	supported_api_inputs: string[];
	requires_files_api: boolean;
	requires_upload_for_modes: string[];
	url_input_supported: boolean;
	file_kinds: MediaKind[];
	chat_capabilities: ChatCapabilities | null;
	notices: string[];
	rules?: ModelRules;
}

const MB = 1024 * 1024;

/** The Files API's default limits per kind (rivya-api.md §6). */
export const DEFAULT_FILE_LIMITS: Record<MediaKind, { maxBytes: number; mimeTypes: string[] }> = {
	image: { maxBytes: 10 * MB, mimeTypes: ['image/jpeg', 'image/png', 'image/webp'] },
	video: { maxBytes: 50 * MB, mimeTypes: ['video/mp4', 'video/quicktime', 'video/webm'] },
	audio: {
		maxBytes: 10 * MB,
		mimeTypes: ['audio/mpeg', 'audio/mp4', 'audio/wav', 'audio/x-wav', 'audio/aac', 'audio/ogg'],
	},
};

// ---- param builders ----
function select(
	key: string,
	defaultValue: string,
	options: string[],
	description?: string,
): ParamDefinition {
	return { key, type: 'select', required: false, default: defaultValue, options, description };
}

function toggle(key: string, defaultValue: 'false' | 'true' = 'false'): ParamDefinition {
	return select(key, defaultValue, ['false', 'true']);
}

function numberParam(
	key: string,
	defaultValue: number | null,
	range: { min?: number; max?: number; step?: number } = {},
	description?: string,
): ParamDefinition {
	return { key, type: 'number', required: false, default: defaultValue, ...range, description };
}

function text(key: string, description?: string): ParamDefinition {
	return { key, type: 'text', required: false, default: null, description };
}

function images(maxFiles: number, maxMb = 10): ReferenceMedia {
	return {
		kinds: ['image'],
		max_files: maxFiles,
		max_bytes: { image: maxMb * MB },
		mime_types: { image: DEFAULT_FILE_LIMITS.image.mimeTypes },
	};
}

/**
 * Models whose pages read "Text or URL ready; reference modes use Files API": text needs no upload,
 * references must be Files API URLs (rivya-api.md §4).
 */
const REFERENCES_VIA_FILES_API = (kind: MediaKind): Partial<MediaModelSpec> => ({
	inputStatus: 'partial_requires_files',
	uploadModes: [`reference-to-${kind}`],
});

const SEED_RANGE = { min: 0, max: 2147483647, step: 1 };
const VEO_ASPECT = select('aspectRatio', '16:9', ['16:9', '9:16', 'Auto']);
const VEO_SEEDS = numberParam('seeds', null, { min: 10000, max: 99999, step: 1 });

interface MediaModelSpec {
	id: string;
	name: string;
	category: MediaKind;
	credits: number;
	billing?: 'FIXED' | 'METERED';
	promptMax: number | null;
	params: ParamDefinition[];
	references?: ReferenceMedia;
	status?: ModelDefinition['api_status'];
	inputStatus?: ModelDefinition['api_input_status'];
	uploadModes?: string[];
	notices?: string[];
	rules?: ModelRules;
}

function mediaModel(spec: MediaModelSpec): ModelDefinition {
	const references = spec.references ?? null;
	const inputStatus = spec.inputStatus ?? (references ? 'available_url_input' : 'available_text');
	const fromReference = { image: 'image', video: 'video', audio: 'audio' }[spec.category];
	return {
		id: spec.id,
		display_name: spec.name,
		category: spec.category,
		runtime: 'async_task',
		base_credits: spec.credits,
		billing_type: spec.billing ?? 'FIXED',
		supported_modes: references
			? [`text-to-${spec.category}`, `reference-to-${fromReference}`]
			: [`text-to-${spec.category}`],
		max_prompt_length: spec.promptMax,
		reference_media: references,
		params: spec.params,
		api_status: spec.status ?? 'available',
		api_input_status: inputStatus,
		supported_api_inputs: references ? ['text', 'file'] : ['text'],
		requires_files_api: inputStatus === 'requires_files_api',
		requires_upload_for_modes: spec.uploadModes ?? [],
		// Only "available_url_input" takes external reference URLs; the other statuses need Files API URLs.
		url_input_supported: references !== null && inputStatus === 'available_url_input',
		file_kinds: references ? [...references.kinds] : [],
		chat_capabilities: null,
		notices: spec.notices ?? [],
		rules: spec.rules,
	};
}

function chatModel(
	id: string,
	name: string,
	credits: number,
	imageAttachments: boolean,
	webSearch: boolean,
): ModelDefinition {
	return {
		id,
		display_name: name,
		category: 'chat',
		runtime: 'chat',
		base_credits: credits,
		billing_type: 'TOKEN_BASED',
		supported_modes: ['chat'],
		max_prompt_length: 20000,
		reference_media: null,
		params: [],
		api_status: 'available',
		api_input_status: imageAttachments ? 'partial_requires_files' : 'available_text',
		supported_api_inputs: imageAttachments ? ['text', 'file'] : ['text'],
		requires_files_api: false,
		requires_upload_for_modes: imageAttachments ? ['chat-with-images'] : [],
		url_input_supported: false,
		file_kinds: imageAttachments ? ['image'] : [],
		chat_capabilities: {
			streaming: true,
			attachments: imageAttachments ? ['image'] : [],
			web_search: webSearch,
			reasoning_efforts: REASONING_EFFORTS,
		},
		notices: [],
	};
}

const TURBO_VOICES = [
	'TX3LPaxmHKxFdv7VOQHJ',
	'21m00Tcm4TlvDq8ikWAM',
	'EXAVITQu4vr4xnJ2Ue8z',
	'ErXwobaYiN019PkySvjV',
	'pNInz6obpgDQGcFmaJgB',
];
const DIALOGUE_VOICES = [
	'Adam',
	'Alice',
	'Antoni',
	'Aria',
	'Bill',
	'Brian',
	'Callum',
	'Charlie',
	'Charlotte',
	'Chris',
	'Daniel',
	'Eric',
	'George',
	'Jessica',
	'Laura',
	'Liam',
	'Lily',
	'Matilda',
	'River',
	'Sarah',
];
const NOTES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const SOUND_KEYS = ['Any', ...NOTES.flatMap((note) => [`${note} major`, `${note} minor`])];
const SOUND_EFFECT_FORMATS = [
	'mp3_22050_32',
	'mp3_44100_32',
	'mp3_44100_64',
	'mp3_44100_96',
	'mp3_44100_128',
	'mp3_44100_192',
	'pcm_16000',
	'pcm_22050',
	'pcm_24000',
	'pcm_44100',
];
const KLING_ASPECT = ['1:1', '16:9', '9:16'];
const SEEDREAM_3_SIZES = [
	'square',
	'square_hd',
	'portrait_4_3',
	'portrait_16_9',
	'landscape_4_3',
	'landscape_16_9',
];

export function defaultCatalog(): ModelDefinition[] {
	return [
		mediaModel({
			id: 'z-image',
			name: 'Z-Image',
			category: 'image',
			credits: 1,
			promptMax: 1000,
			params: [select('aspect_ratio', '1:1', ['1:1', '4:3', '3:4', '16:9', '9:16'])],
		}),
		mediaModel({
			id: 'google-imagen4-fast',
			name: 'Google Imagen 4 Fast',
			category: 'image',
			credits: 4,
			promptMax: 5000,
			params: [
				select('aspect_ratio', '16:9', ['1:1', '16:9', '9:16', '3:4', '4:3']),
				text('negative_prompt', 'What to keep out of the image'),
				numberParam('seed', null, { min: 0, step: 1 }),
			],
		}),
		mediaModel({
			id: '4o-image',
			name: 'GPT-4o Image',
			category: 'image',
			credits: 3,
			promptMax: null,
			params: [select('size', '1:1', ['1:1', '3:2', '2:3'])],
		}),
		mediaModel({
			id: 'nano-banana',
			name: 'Nano Banana',
			category: 'image',
			credits: 3,
			promptMax: 5000,
			...REFERENCES_VIA_FILES_API('image'),
			references: images(10),
			params: [
				select('imageSize', '1:1', [
					'1:1',
					'9:16',
					'16:9',
					'3:4',
					'4:3',
					'3:2',
					'2:3',
					'5:4',
					'4:5',
					'21:9',
					'auto',
				]),
				select('output_format', 'png', ['png', 'jpeg']),
			],
		}),
		mediaModel({
			id: 'nano-banana-2',
			name: 'Nano Banana 2',
			category: 'image',
			credits: 5,
			promptMax: 20000,
			...REFERENCES_VIA_FILES_API('image'),
			references: images(14, 30),
			params: [
				select('aspect_ratio', 'auto', [
					'auto',
					'1:1',
					'16:9',
					'9:16',
					'3:2',
					'2:3',
					'4:3',
					'3:4',
					'5:4',
					'4:5',
					'21:9',
					'4:1',
					'1:4',
					'8:1',
					'1:8',
				]),
				select('resolution', '1K', ['1K', '2K', '4K']),
				select('output_format', 'jpg', ['jpg', 'png']),
				toggle('google_search'),
			],
		}),
		mediaModel({
			id: 'nano-banana-pro',
			name: 'Nano Banana Pro',
			category: 'image',
			credits: 8,
			promptMax: 10000,
			...REFERENCES_VIA_FILES_API('image'),
			references: images(8, 30),
			params: [
				select('aspect_ratio', '1:1', [
					'1:1',
					'2:3',
					'3:2',
					'3:4',
					'4:3',
					'4:5',
					'5:4',
					'9:16',
					'16:9',
					'21:9',
					'auto',
				]),
				select('resolution', '1K', ['1K', '2K', '4K']),
				select('output_format', 'png', ['png', 'jpg']),
			],
		}),
		mediaModel({
			id: 'seedream-3-0',
			name: 'Seedream 3.0',
			category: 'image',
			credits: 5,
			promptMax: 5000,
			params: [
				select('image_size', 'square_hd', SEEDREAM_3_SIZES),
				numberParam('guidance_scale', 2.5, { min: 1, max: 10, step: 0.1 }),
				numberParam('seed', null, SEED_RANGE),
			],
		}),
		mediaModel({
			id: 'seedream-4-0',
			name: 'Seedream 4.0',
			category: 'image',
			credits: 6,
			promptMax: 5000,
			references: images(10),
			params: [
				select('image_size', 'square_hd', [
					...SEEDREAM_3_SIZES,
					'portrait_3_2',
					'landscape_3_2',
					'landscape_21_9',
				]),
				select('image_resolution', '1K', ['1K', '2K', '4K']),
				numberParam('max_images', 1, { min: 1, max: 6, step: 1 }),
				numberParam('seed', null, SEED_RANGE),
				toggle('nsfw_checker'),
			],
		}),
		mediaModel({
			id: 'veo3-1-lite',
			name: 'Veo 3.1 Lite',
			category: 'video',
			credits: 10,
			promptMax: 5000,
			references: images(2),
			params: [VEO_ASPECT, text('watermark'), VEO_SEEDS, toggle('enableTranslation', 'true')],
		}),
		mediaModel({
			id: 'veo3-1-fast',
			name: 'Veo 3.1 Fast',
			category: 'video',
			credits: 20,
			promptMax: 5000,
			references: images(3),
			params: [
				select('generationType', 'FIRST_AND_LAST_FRAMES_2_VIDEO', [
					'FIRST_AND_LAST_FRAMES_2_VIDEO',
					'REFERENCE_2_VIDEO',
				]),
				VEO_ASPECT,
				text('watermark'),
				VEO_SEEDS,
				toggle('enableTranslation', 'true'),
			],
		}),
		mediaModel({
			id: 'hailuo-standard',
			name: 'Hailuo Standard',
			category: 'video',
			credits: 30,
			promptMax: 1500,
			references: images(1),
			params: [
				select('duration', '6', ['6', '10']),
				select('resolution', '512P', ['512P', '768P']),
				toggle('prompt_optimizer'),
			],
		}),
		mediaModel({
			id: 'kling-2-6',
			name: 'Kling 2.6',
			category: 'video',
			credits: 55,
			promptMax: 1000,
			references: images(1),
			params: [
				select('duration', '5', ['5', '10']),
				toggle('sound'),
				select('aspect_ratio', '1:1', KLING_ASPECT),
			],
		}),
		mediaModel({
			id: 'kling-3-0',
			name: 'Kling 3.0',
			category: 'video',
			credits: 90,
			promptMax: 2000,
			references: images(2),
			params: [
				select('mode', 'pro', ['std', 'pro']),
				toggle('multi_shots'),
				numberParam('duration', 5, { min: 3, max: 15, step: 1 }),
				toggle('sound'),
				select('aspect_ratio', '16:9', ['16:9', '9:16', '1:1']),
			],
		}),
		mediaModel({
			id: 'happyhorse-1-0',
			name: 'HappyHorse 1.0',
			category: 'video',
			credits: 28,
			promptMax: 5000,
			inputStatus: 'partial_requires_files',
			uploadModes: ['reference-to-video'],
			notices: ['Video references must be uploaded through the Files API (duration token).'],
			rules: { videosWithImages: { videos: 1, imagesWithVideo: 5 } },
			references: {
				kinds: ['image', 'video'],
				max_files: 10,
				max_bytes: { image: 10 * MB, video: 95 * MB },
				mime_types: {
					image: DEFAULT_FILE_LIMITS.image.mimeTypes,
					video: ['video/mp4', 'video/quicktime'],
				},
			},
			params: [
				select('resolution', '1080p', ['720p', '1080p']),
				select('aspect_ratio', '16:9', ['16:9', '9:16', '1:1', '4:3', '3:4']),
				numberParam('duration', 5, { min: 3, max: 15, step: 1 }),
				select('audio_setting', 'auto', ['auto', 'origin']),
				numberParam('seed', 0, SEED_RANGE),
			],
		}),
		mediaModel({
			id: 'sora-2',
			name: 'Sora 2',
			category: 'video',
			credits: 6,
			promptMax: 10000,
			references: images(1),
			params: [
				select('n_frames', '10', ['10', '15']),
				select('aspect_ratio', 'landscape', ['landscape', 'portrait']),
				toggle('remove_watermark'),
				select('upload_method', 's3', ['s3', 'oss']),
			],
		}),
		mediaModel({
			id: 'runway',
			name: 'Runway',
			category: 'video',
			credits: 12,
			promptMax: 1800,
			references: images(1),
			params: [
				select('duration', '5', ['5', '10']),
				select('quality', '720p', ['720p', '1080p']),
				select('aspectRatio', '16:9', ['16:9', '4:3', '1:1', '3:4', '9:16']),
				text('waterMark'),
			],
		}),
		mediaModel({
			id: 'wan-2-6',
			name: 'Wan 2.6',
			category: 'video',
			credits: 70,
			promptMax: 5000,
			inputStatus: 'requires_files_api',
			uploadModes: ['reference-to-video'],
			notices: ['References must be uploaded through the Files API.'],
			references: {
				kinds: ['image', 'video'],
				max_files: 1,
				max_bytes: { image: 10 * MB, video: 10 * MB },
				mime_types: {
					image: DEFAULT_FILE_LIMITS.image.mimeTypes,
					video: ['video/mp4', 'video/quicktime', 'video/x-matroska'],
				},
			},
			params: [
				select('resolution', '720p', ['720p', '1080p']),
				select('duration', '5', ['5', '10', '15']),
			],
		}),
		mediaModel({
			id: 'suno-music',
			name: 'Suno Music',
			category: 'audio',
			credits: 12,
			promptMax: 500,
			params: [
				select(
					'model',
					'V4_5',
					['V4', 'V4_5', 'V4_5PLUS', 'V4_5ALL', 'V5', 'V5_5'],
					'Suno engine version (not the top-level model)',
				),
				toggle('instrumental'),
			],
		}),
		mediaModel({
			id: 'suno-sounds',
			name: 'Suno Sounds',
			category: 'audio',
			credits: 3,
			promptMax: 500,
			params: [
				select('model', 'V5', ['V5', 'V5_5'], 'Suno engine version (not the top-level model)'),
				toggle('soundLoop'),
				numberParam('soundTempo', null, { min: 1, max: 300, step: 1 }),
				select('soundKey', 'Any', SOUND_KEYS),
			],
		}),
		mediaModel({
			id: 'elevenlabs-sound-effect-v2',
			name: 'ElevenLabs Sound Effect v2',
			category: 'audio',
			credits: 3,
			billing: 'METERED',
			promptMax: 5000,
			params: [
				toggle('loop'),
				numberParam('duration_seconds', 3, { min: 0.5, max: 22, step: 0.5 }),
				numberParam('prompt_influence', 0.3, { min: 0, max: 1 }),
				select('output_format', 'mp3_44100_128', SOUND_EFFECT_FORMATS),
			],
		}),
		mediaModel({
			id: 'elevenlabs-turbo-2-5',
			name: 'ElevenLabs Turbo 2.5',
			category: 'audio',
			credits: 6,
			billing: 'METERED',
			promptMax: 5000,
			rules: { paramsRequired: true },
			notices: ['params is required, with a voice.'],
			params: [
				{ ...select('voice', 'TX3LPaxmHKxFdv7VOQHJ', TURBO_VOICES, 'Voice id'), required: true },
				numberParam('stability', 0.5, { min: 0, max: 1 }),
				numberParam('similarity_boost', 0.75, { min: 0, max: 1 }),
				numberParam('style', 0, { min: 0, max: 1 }),
				numberParam('speed', 1, { min: 0.7, max: 1.2 }),
				toggle('timestamps'),
				text('previous_text'),
				text('next_text'),
				text('language_code'),
			],
		}),
		mediaModel({
			id: 'elevenlabs-dialogue-v3',
			name: 'ElevenLabs Dialogue v3',
			category: 'audio',
			credits: 14,
			billing: 'METERED',
			promptMax: 5000,
			rules: { promptOptional: true },
			notices: ['prompt is optional; params.dialogue is required.'],
			params: [
				{
					key: 'dialogue',
					type: 'array',
					required: true,
					default: [],
					description: 'Lines of the dialogue: [{voice, text}]',
				},
				select('default_voice', 'Adam', DIALOGUE_VOICES),
				select('stability', '0.5', ['0', '0.5', '1']),
				text('language_code'),
			],
		}),
		chatModel('gpt-5-2-chat', 'GPT-5.2 Chat', 3, true, true),
		chatModel('gemini-2-5-flash-chat', 'Gemini 2.5 Flash Chat', 1, true, true),
		chatModel('claude-sonnet-4-6-chat', 'Claude Sonnet 4.6 Chat', 4, false, false),
		mediaModel({
			id: 'veo4-preview',
			name: 'Veo 4 Preview',
			category: 'video',
			credits: 40,
			promptMax: 5000,
			status: 'coming_soon',
			notices: ['Not callable through the API yet.'],
			params: [select('aspectRatio', '16:9', ['16:9', '9:16'])],
		}),
		mediaModel({
			id: 'studio-upscaler',
			name: 'Studio Upscaler',
			category: 'image',
			credits: 2,
			promptMax: null,
			status: 'studio_only',
			references: images(1),
			notices: ['Only available in Rivya Studio.'],
			params: [select('scale', '2x', ['2x', '4x'])],
		}),
	];
}

/** The default catalog with `overrides` replacing same-id models and appending new ones. */
export function buildCatalog(overrides: ModelDefinition[] = []): ModelDefinition[] {
	const byId = new Map(defaultCatalog().map((model) => [model.id, model]));
	for (const model of overrides) byId.set(model.id, model);
	return [...byId.values()];
}

/** Which container a model's results use: output_format where the model has one, else per category. */
export function resultFormatFor(
	model: ModelDefinition,
	params: Record<string, unknown>,
): 'png' | 'jpeg' | 'mp4' | 'mp3' | 'wav' {
	const outputFormat = String(
		params.output_format ?? model.params.find((p) => p.key === 'output_format')?.default ?? '',
	);
	if (model.category === 'image')
		return outputFormat === 'jpg' || outputFormat === 'jpeg' ? 'jpeg' : 'png';
	if (model.category === 'video') return 'mp4';
	return outputFormat.startsWith('pcm_') ? 'wav' : 'mp3';
}
