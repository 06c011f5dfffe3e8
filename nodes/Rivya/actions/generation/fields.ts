import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { retryPolicyFrom } from '../descriptions';
import type { RetryPolicy } from '../../../shared/retry';

/** Default wait: long enough for most video and audio jobs; images finish far sooner. */
export const DEFAULT_TIMEOUT_SECONDS = 1800;
export const DEFAULT_CONCURRENCY = 5;

const timeoutField: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 86400 },
	default: DEFAULT_TIMEOUT_SECONDS,
	description:
		'How long to wait for the generations to finish and their results to download, from seconds up to 24 hours. Video and audio can take many minutes.',
};

const onTimeoutField: INodeProperties = {
	displayName: 'On Timeout',
	name: 'onTimeout',
	type: 'options',
	options: [
		{
			name: 'Return Task ID and Status',
			value: 'returnTask',
			description:
				'Output the task ID and its status, so the job can be picked up later with Generation > Wait or Get',
		},
		{
			name: 'Throw Error',
			value: 'throw',
			description: 'Fail the item with an error that names the task ID',
		},
	],
	default: 'returnTask',
	description: 'What to do when a generation is still running at the timeout',
};

const concurrencyField: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: DEFAULT_CONCURRENCY,
	description:
		"How many requests to Rivya this node sends at the same time at most, across all items. The node slows down by itself at the API key's rate limit.",
};

const downloadResultsField: INodeProperties = {
	displayName: 'Download Results',
	name: 'downloadResults',
	type: 'boolean',
	default: true,
	description:
		'Whether to download the result files of succeeded generations into binary data (not done when the node runs as an AI tool: URLs are returned instead)',
};

const binaryPropertyField: INodeProperties = {
	displayName: 'Binary Property',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description:
		'Name of the binary property for the first result file; more files get _1, _2, … appended (data, data_1, …)',
};

const fileNameField: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $json.sku }}',
	description:
		'Name of the downloaded result file, without extension (added from the file type); an expression can use the input item fields (e.g. a product SKU). More files of one task get -1, -2, … appended. Empty: &lt;model&gt;-&lt;task ID&gt;-&lt;n&gt;, e.g. z-image-gen_abc-1.png.',
};

/** Download fields; Get only downloads when asked, Create and Wait by default. */
export function downloadFields(defaultDownload: boolean): INodeProperties[] {
	return [
		{ ...downloadResultsField, default: defaultDownload },
		binaryPropertyField,
		fileNameField,
	];
}

/** Options shared by every operation that waits for tasks (Create, Wait). */
export const waitOptionFields: INodeProperties[] = [
	timeoutField,
	onTimeoutField,
	concurrencyField,
	...downloadFields(true),
];

export interface FinishOptions {
	wait: boolean;
	timeoutMs: number;
	onTimeout: 'returnTask' | 'throw';
	download: boolean;
	binaryPropertyName: string;
	concurrency: number;
	simplify: boolean;
	retry: Partial<RetryPolicy>;
}

/** Reads the shared options (taken from the first item: a batch waits and downloads one way). */
export function readFinishOptions(
	context: IExecuteFunctions,
	options: IDataObject,
	wait: boolean,
	simplify: boolean,
	defaultDownload = true,
): FinishOptions {
	const toolMode = context.isToolExecution?.() === true;
	const timeoutSeconds = Number(options.timeout ?? DEFAULT_TIMEOUT_SECONDS);
	return {
		wait,
		timeoutMs:
			Math.max(1, Number.isFinite(timeoutSeconds) ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS) *
			1000,
		onTimeout: options.onTimeout === 'throw' ? 'throw' : 'returnTask',
		// An AI agent cannot use binaries: it gets URLs and ids.
		download: !toolMode && (options.downloadResults ?? defaultDownload) === true,
		binaryPropertyName: String(options.binaryPropertyName || 'data').trim() || 'data',
		concurrency: Math.max(1, Number(options.concurrency ?? DEFAULT_CONCURRENCY) || 1),
		simplify,
		retry: retryPolicyFrom(options),
	};
}
