/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// Runs ONE memory scenario in a fresh process (started by memory.ts), so nothing earlier in the bench
// inflates the heap. The emulator lives in the parent; only n8n's engine and our node run here.
// Input: env RIVYA_BENCH_MEMORY = JSON {scenario, baseUrl, apiKey, model?, uploadPath?}.
// Output: last stdout line `RESULT <json>`.
import { createReadStream, statSync } from 'node:fs';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	binaryFilePath,
	chain,
	runWorkflow,
	startNode,
	type NodeTypeMap,
	type TestNode,
} from '../test/workflow/harness';
import { generationCreateNode, RIVYA_NODE_TYPE } from './shared';

interface Config {
	scenario: 'download' | 'upload';
	baseUrl: string;
	apiKey: string;
	/** Video model whose results are large (set up by the parent). */
	model: string;
	/** Small-result model for the warm-up run. */
	warmUpModel: string;
	uploadPath: string;
	/** Whether the Rivya node has File > Upload (else the shared upload helper runs in a stand-in node). */
	fileUploadOperation: boolean;
}

const config = JSON.parse(process.env.RIVYA_BENCH_MEMORY ?? '{}') as Config;
const SAMPLE_EVERY_MS = 5;

let baseline = process.memoryUsage().rss;
let peak = baseline;
let samples = 0;
const sample = () => {
	const rss = process.memoryUsage().rss;
	samples++;
	if (rss > peak) peak = rss;
};

const gc = (globalThis as { gc?: () => void }).gc;

function throwawayNode(
	name: string,
	run: (context: IExecuteFunctions) => Promise<INodeExecutionData[]>,
): INodeType {
	return {
		description: {
			displayName: name,
			name,
			group: ['transform'],
			version: 1,
			description: 'Benchmark helper',
			defaults: { name },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			return [await run(this)];
		},
	};
}

/** Starts the measured window right before the Rivya node: baseline after a GC, peak reset. */
const markNode = throwawayNode('benchMark', async (context) => {
	gc?.();
	baseline = process.memoryUsage().rss;
	peak = baseline;
	samples = 0;
	return context.getInputData();
});

/** Puts the upload file into n8n's binary store as a stream (filesystem mode: straight to disk). */
const makeBinaryNode = throwawayNode('benchMakeBinary', async (context) => {
	const binary = await context.helpers.prepareBinaryData(
		createReadStream(config.uploadPath),
		'clip.mp4',
		'video/mp4',
	);
	return [{ json: {}, binary: { data: binary }, pairedItem: { item: 0 } }];
});

/** Stand-in for File > Upload while that operation does not exist: the shared upload helper. */
const uploadStandIn = throwawayNode('benchUpload', async (context) => {
	const { uploadBinaryToRivya } = await import('../nodes/shared/upload');
	const file = await uploadBinaryToRivya.call(context, 0, 'data', { kind: 'video' });
	return [{ json: file as unknown as INodeExecutionData['json'], pairedItem: { item: 0 } }];
});

const nodeTypes: NodeTypeMap = {
	benchMark: markNode,
	benchMakeBinary: makeBinaryNode,
	benchUpload: uploadStandIn,
};

async function run(nodes: TestNode[]) {
	const result = await runWorkflow({
		nodes: [startNode(), ...nodes],
		connections: chain('Start', ...nodes.map((node) => node.name)),
		credentials: { rivyaApi: { apiKey: config.apiKey, baseUrl: config.baseUrl } },
		binaryMode: 'filesystem',
		nodeTypes,
		inputItems: [{ prompt: 'a long drone shot over a glacier' }],
	});
	if (result.status !== 'success')
		throw new Error(`workflow ${result.status}: ${result.error?.message}`);
	return result;
}

const downloadNodes = (model: string): TestNode[] => [
	{ name: 'Mark', type: 'benchMark' },
	generationCreateNode(model, 'video'),
];

function uploadNodes(): TestNode[] {
	const upload: TestNode = config.fileUploadOperation
		? {
				name: 'Rivya',
				type: RIVYA_NODE_TYPE,
				parameters: { resource: 'file', operation: 'upload', binaryPropertyName: 'data' },
			}
		: { name: 'Rivya', type: 'benchUpload' };
	return [
		{ name: 'Make Binary', type: 'benchMakeBinary' },
		{ name: 'Mark', type: 'benchMark' },
		upload,
	];
}

async function main() {
	// Warm-up: loads n8n-core, compiles our node from source, sets up the binary store.
	await run(downloadNodes(config.warmUpModel));

	const timer = setInterval(sample, SAMPLE_EVERY_MS);
	let bytes = 0;
	let detail = '';
	try {
		if (config.scenario === 'download') {
			const result = await run(downloadNodes(config.model));
			sample();
			const [item] = result.outputOf('Rivya');
			const file = await binaryFilePath(item, 'data');
			bytes = file ? statSync(file).size : 0;
			detail = `binary on disk: ${file ? 'yes' : 'no'}; ${String(item.binary?.data?.mimeType)}`;
		} else {
			const result = await run(uploadNodes());
			sample();
			const [item] = result.outputOf('Rivya');
			bytes = Number(item.json.size_bytes ?? item.json.sizeBytes ?? 0);
			detail = `${config.fileUploadOperation ? 'File > Upload' : 'uploadBinaryToRivya stand-in'}; file ${String(item.json.id)}`;
		}
	} finally {
		clearInterval(timer);
	}
	console.log(
		`RESULT ${JSON.stringify({ baseline, peak, growth: peak - baseline, samples, bytes, detail })}`,
	);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
