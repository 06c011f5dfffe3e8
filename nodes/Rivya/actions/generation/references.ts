/**
 * Reference media for a generation: n8n binary properties or public URLs, sent as
 * `params.referenceMediaItems`. Limits are checked from binary metadata BEFORE anything is uploaded or
 * paid for.
 *
 * Rivya's docs: reference modes use the Files API. So every reference is uploaded through it, a URL
 * after downloading it, unless the live catalog entry says the model takes URL input
 * (`url_input_supported: true`); then the URL is sent as it is. Keyed off the catalog, never a model id.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	downloadToBinary,
	kindFromMimeType,
	redactUrl,
	uploadBinaryToRivya,
	type RivyaFile,
} from '../../../shared/binary';
import {
	MEDIA_KINDS,
	type MediaKind,
	type ReferenceCandidate,
	type RivyaModel,
} from '../../../shared/catalog';
import { itemLabel, rivyaInputError } from '../../../shared/errors';
import type { RetryPolicy } from '../../../shared/retry';

export const referenceMediaField: INodeProperties = {
	displayName: 'Reference Media',
	name: 'referenceMedia',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Reference',
	default: {},
	description:
		"Images, video or audio the model should start from. Files from n8n are uploaded through Rivya's Files API first; the model's limits (kinds, count, size, type) are checked before anything is paid.",
	options: [
		{
			displayName: 'Reference',
			name: 'references',
			values: [
				{
					// First in the list (n8n's lint sorts these by name): which of the fields below apply.
					displayName: 'File Source',
					name: 'source',
					type: 'options',
					options: [
						{
							name: 'Binary File',
							value: 'binary',
							description: 'A binary property of the input item',
						},
						{
							name: 'Public URL',
							value: 'url',
							description:
								"A public HTTPS URL of the file; downloaded and uploaded through Rivya's Files API unless the model takes URL input",
						},
					],
					default: 'binary',
				},
				{
					displayName: 'Input Binary Field',
					name: 'binaryPropertyName',
					type: 'string',
					default: 'data',
					displayOptions: { show: { source: ['binary'] } },
					description: 'Name of the binary property of the input item that holds the file',
				},
				{
					displayName: 'Kind',
					name: 'kind',
					type: 'options',
					options: [
						{ name: 'Audio', value: 'audio' },
						{ name: 'Detect From File Type', value: 'auto' },
						{ name: 'Image', value: 'image' },
						{ name: 'Video', value: 'video' },
					],
					default: 'auto',
					description:
						'What the file is; a URL with "Detect" counts as an image unless its MIME type says otherwise',
				},
				{
					displayName: 'MIME Type',
					name: 'mimeType',
					type: 'string',
					default: '',
					placeholder: 'e.g. image/png',
					displayOptions: { show: { source: ['url'] } },
					description: 'MIME type of the file at the URL (optional)',
				},
				{
					displayName: 'URL',
					name: 'url',
					type: 'string',
					default: '',
					placeholder: 'e.g. https://example.com/reference.png',
					displayOptions: { show: { source: ['url'] } },
				},
			],
		},
	],
};

interface ReferenceEntryParameter {
	source?: 'binary' | 'url';
	binaryPropertyName?: string;
	url?: string;
	kind?: MediaKind | 'auto';
	mimeType?: string;
}

export interface ReferenceSpec extends ReferenceCandidate {
	source: 'binary' | 'url';
	binaryPropertyName?: string;
	url?: string;
	name?: string;
}

/** Size in bytes of a binary property, from metadata where n8n stores the file outside the item. */
async function binarySizeBytes(
	context: IExecuteFunctions,
	binary: { id?: string; data: string; fileSize?: string },
): Promise<number | undefined> {
	if (binary.id) {
		const metadata = await context.helpers.getBinaryMetadata(binary.id);
		return typeof metadata.fileSize === 'number' ? metadata.fileSize : undefined;
	}
	return binary.data ? Buffer.byteLength(binary.data, 'base64') : undefined;
}

/** Reads the item's reference entries with what the pre-check needs (kind, type, size). */
export async function readReferences(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<ReferenceSpec[]> {
	const collection = this.getNodeParameter('referenceMedia', itemIndex, {}) as IDataObject;
	const entries = (collection.references as ReferenceEntryParameter[] | undefined) ?? [];
	const specs: ReferenceSpec[] = [];
	for (const [position, entry] of entries.entries()) {
		const field = `Reference Media ${position + 1}`;
		if (entry.source === 'url') {
			const url = String(entry.url ?? '').trim();
			if (!/^https?:\/\/\S+$/i.test(url)) {
				throw rivyaInputError(
					this.getNode(),
					`${itemLabel(itemIndex)}: ${field} has no valid URL`,
					'Enter a public http(s) URL of the file, or switch File Source to "Binary File".',
					itemIndex,
				);
			}
			const mimeType = String(entry.mimeType ?? '').trim() || undefined;
			const kind =
				entry.kind && entry.kind !== 'auto'
					? entry.kind
					: ((mimeType ? kindFromMimeType(mimeType) : undefined) ?? 'image');
			specs.push({ source: 'url', url, kind, mimeType, label: `the URL ${url}` });
			continue;
		}
		const binaryPropertyName = String(entry.binaryPropertyName ?? 'data').trim() || 'data';
		const available = Object.keys(this.getInputData()[itemIndex]?.binary ?? {});
		if (!available.includes(binaryPropertyName)) {
			throw rivyaInputError(
				this.getNode(),
				`${itemLabel(itemIndex)}: ${field}: the input item has no binary field "${binaryPropertyName}"`,
				`${available.length > 0 ? `Its binary fields are: ${available.join(', ')}. Set "Input Binary Field" to one of them` : 'The input item has no binary data at all: add a node that reads or downloads the file before this one'}, or set File Source to "Public URL" and enter the file's public HTTPS URL.`,
				itemIndex,
			);
		}
		const binary = this.helpers.assertBinaryData(itemIndex, binaryPropertyName);
		const mimeType = binary.mimeType;
		const kind = entry.kind && entry.kind !== 'auto' ? entry.kind : kindFromMimeType(mimeType);
		if (!kind || !MEDIA_KINDS.includes(kind)) {
			throw rivyaInputError(
				this.getNode(),
				`${itemLabel(itemIndex)}: ${field}: the binary property "${binaryPropertyName}" has type ${mimeType || 'unknown'}, which is not an image, video or audio file`,
				'Pass an image, video or audio file, or set "Kind" on the reference.',
				itemIndex,
			);
		}
		specs.push({
			source: 'binary',
			binaryPropertyName,
			kind,
			mimeType,
			name: binary.fileName,
			sizeBytes: await binarySizeBytes(this, binary),
			label: `the binary property "${binaryPropertyName}"${binary.fileName ? ` (${binary.fileName})` : ''}`,
		});
	}
	return specs;
}

/** Whether the model's live catalog entry says it takes external URLs as references. */
export function takesReferenceUrls(model: RivyaModel): boolean {
	return model.url_input_supported === true;
}

/** A URL reference the model cannot take as a URL: downloaded, then uploaded like a binary file. */
async function uploadFromUrl(
	this: IExecuteFunctions,
	itemIndex: number,
	position: number,
	model: RivyaModel,
	spec: ReferenceSpec,
	retry: Partial<RetryPolicy>,
): Promise<RivyaFile> {
	const url = spec.url ?? '';
	const binaryData = await downloadToBinary.call(this, url, {
		mimeType: spec.mimeType,
		retry,
		failureHint: `"${model.id}" takes reference media only through Rivya's Files API, so the node downloads the URL and uploads it; nothing was submitted or charged. Check that the URL is public, or pass the file as binary data.`,
	});
	return await uploadBinaryToRivya.call(this, itemIndex, `referenceUrl${position}`, {
		kind: spec.kind,
		model: model.id,
		retry,
		binaryData,
		sourceLabel: `from ${redactUrl(url)}`,
	});
}

/** Uploads references through the Files API (URLs too, unless the model takes URLs) → `referenceMediaItems`. */
export async function toReferenceMediaItems(
	this: IExecuteFunctions,
	itemIndex: number,
	model: RivyaModel,
	specs: ReferenceSpec[],
	retry: Partial<RetryPolicy>,
): Promise<IDataObject[]> {
	const items: IDataObject[] = [];
	for (const [position, spec] of specs.entries()) {
		if (spec.source === 'url' && takesReferenceUrls(model)) {
			items.push({
				url: spec.url,
				kind: spec.kind,
				...(spec.mimeType ? { mimeType: spec.mimeType } : {}),
			});
			continue;
		}
		const file =
			spec.source === 'url'
				? await uploadFromUrl.call(this, itemIndex, position, model, spec, retry)
				: await uploadBinaryToRivya.call(this, itemIndex, spec.binaryPropertyName ?? 'data', {
						kind: spec.kind,
						model: model.id,
						retry,
					});
		items.push({
			url: file.url,
			kind: file.kind,
			name: file.name,
			mimeType: file.mime_type,
			...(file.duration_token ? { durationToken: file.duration_token } : {}),
		});
	}
	return items;
}
