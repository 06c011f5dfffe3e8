/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// `npm run demo`: the package running inside a real n8n, end to end.
//
// Starts the Rivya emulator (or uses the real API when RIVYA_API_KEY is set) and a real n8n with this
// package installed as a community package, creates the Rivya credential, imports every workflow in
// examples/, and runs examples/generate-image.json through n8n: credits → create → wait + download →
// respond with the image → credits. The image is saved under demo-output/.
//
// Environment (all optional):
//   RIVYA_API_KEY, RIVYA_BASE_URL   use the real Rivya API instead of the emulator (costs credits)
//   RIVYA_DEMO_PROMPT, RIVYA_DEMO_MODEL   what to generate (default: a fox, model z-image, 1 credit)
//   N8N_PORT (default 5678), RIVYA_EMULATOR_PORT (default 4010); 0 picks a free port
//   RIVYA_DEMO_INTERACTIVE=1|0   keep n8n running for the editor (default: when stdin is a terminal)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { startEmulator, type EmulatorHandle } from '../test/emulator';
import {
	OWNER,
	REPO_DIR,
	buildPackage,
	installN8n,
	reservePort,
	startN8n,
	type ExecutionRecord,
	type N8nClient,
	type RunningN8n,
} from '../test/e2e/n8n-instance';
import { readExamples, webhookPathOf, withRivyaCredential, type ExampleWorkflow } from './examples';

const OUTPUT_DIR = path.join(REPO_DIR, 'demo-output');
const DEMO_WORKFLOW_FILE = 'generate-image.json';
const DEFAULT_PROMPT = 'A red fox in fresh snow, golden hour';
const DEFAULT_MODEL = 'z-image';

const startedAt = Date.now();
function progress(message: string): void {
	const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);
	console.log(`[demo ${seconds}s] ${message}`);
}

/** Awaits `work`, printing `message` every few seconds so a long step never looks stuck. */
async function withProgress<T>(message: string, work: Promise<T>): Promise<T> {
	const ticker = setInterval(() => progress(message), 10_000);
	try {
		return await work;
	} finally {
		clearInterval(ticker);
	}
}

/** A port from the environment ("0" = any free one), checked up front so a busy port fails clearly. */
async function portFromEnv(variable: string, fallback: number, user: string): Promise<number> {
	const raw = process.env[variable];
	const requested = raw === undefined || raw === '' ? fallback : Number(raw);
	if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
		throw new Error(`${variable} must be a port number (0 for any free port), got "${raw}"`);
	}
	if (requested === 0) return await reservePort(undefined, user);
	const reserved = await reservePort(requested, user).catch((error: Error) => error);
	if (reserved instanceof Error) {
		throw new Error(
			`Port ${requested} on 127.0.0.1 is busy, so ${user} cannot use it (${reserved.message}). Stop whatever listens there, or run with ${variable}=<another port> (0 = any free port)`,
		);
	}
	return reserved;
}

function isInteractive(): boolean {
	const forced = process.env.RIVYA_DEMO_INTERACTIVE;
	if (forced === '1' || forced === '0') return forced === '1';
	return process.stdin.isTTY === true;
}

/** First output item's JSON of a node in a finished execution. */
function nodeOutput(
	execution: ExecutionRecord,
	nodeName: string,
): Record<string, unknown> | undefined {
	const runs = execution.data?.resultData.runData[nodeName];
	return runs?.[0]?.data?.main?.[0]?.[0]?.json as Record<string, unknown> | undefined;
}

function extensionFor(contentType: string): string {
	const subtype = contentType.split(';')[0].trim().split('/')[1] ?? 'bin';
	return subtype === 'jpeg' ? 'jpg' : subtype.replace(/[^a-z0-9]/gi, '') || 'bin';
}

/** Why the demo workflow failed, from its execution (n8n answers a failed run with a generic 500). */
async function failureReport(n8n: N8nClient, workflowId: string): Promise<string> {
	try {
		const execution = await n8n.waitForExecution(
			workflowId,
			(candidate) => candidate.status !== 'running' && candidate.status !== 'new',
			15_000,
		);
		const result = execution.data?.resultData;
		const node = result?.lastNodeExecuted ? ` in node "${result.lastNodeExecuted}"` : '';
		return `execution ${execution.id} ended "${execution.status}"${node}: ${result?.error?.message ?? 'no error message recorded'}`;
	} catch (error) {
		return `no finished execution found (${(error as Error).message})`;
	}
}

interface Services {
	emulator?: EmulatorHandle;
	n8n?: RunningN8n;
}

async function stopServices(services: Services): Promise<void> {
	if (services.n8n) {
		progress('stopping n8n');
		await services.n8n
			.stop()
			.catch((error: Error) => console.error(`stopping n8n: ${error.message}`));
		services.n8n = undefined;
	}
	if (services.emulator) {
		await services.emulator.close();
		services.emulator = undefined;
	}
}

async function runDemo(services: Services): Promise<void> {
	const liveKey = process.env.RIVYA_API_KEY?.trim();
	const n8nPort = await portFromEnv('N8N_PORT', 5678, 'n8n');
	const emulatorPort = liveKey
		? 0
		: await portFromEnv('RIVYA_EMULATOR_PORT', 4010, 'the Rivya emulator');

	if (!fs.existsSync(path.join(REPO_DIR, 'dist', 'nodes', 'Rivya', 'Rivya.node.js'))) {
		progress('dist/ is missing: building the package');
		buildPackage();
	}
	progress(
		'checking the real n8n install (first run: installs n8n 2.41.1 into ~/.cache/n8n-nodes-rivya, several minutes)',
	);
	installN8n();

	let rivya: { apiKey: string; baseUrl: string; label: string };
	if (liveKey) {
		const baseUrl = (process.env.RIVYA_BASE_URL?.trim() || 'https://rivya.ai').replace(/\/+$/, '');
		rivya = { apiKey: liveKey, baseUrl, label: `the real Rivya API at ${baseUrl}` };
		progress(`using ${rivya.label} (RIVYA_API_KEY is set; this run spends real credits)`);
	} else {
		services.emulator = await startEmulator({
			port: emulatorPort,
			allowLocalWebhooks: true,
			defaultJobMs: 3000,
		});
		rivya = {
			apiKey: services.emulator.apiKey,
			baseUrl: services.emulator.baseUrl,
			label: `the Rivya emulator at ${services.emulator.baseUrl}`,
		};
		progress(`started ${rivya.label} (set RIVYA_API_KEY to use the real API instead)`);
	}

	// n8n's user folder stays outside the repository: n8n writes hundreds of .js files there.
	const userFolder = path.join(os.tmpdir(), 'n8n-nodes-rivya-demo');
	fs.rmSync(userFolder, { recursive: true, force: true }); // owner setup needs a fresh database
	fs.mkdirSync(userFolder, { recursive: true });
	progress(`starting n8n on port ${n8nPort} with n8n-nodes-rivya installed as a community package`);
	services.n8n = await withProgress(
		'…n8n is still starting (database migrations and node loading take a while on a first start)',
		startN8n({ port: n8nPort, userFolder }),
	);
	const n8n = services.n8n;
	progress(`n8n is up at ${n8n.baseUrl} (log: ${path.relative(process.cwd(), n8n.logFile)})`);

	const credential = await n8n.createCredential(
		'rivyaApi',
		liveKey ? 'Rivya account' : 'Rivya (emulator)',
		{
			apiKey: rivya.apiKey,
			baseUrl: rivya.baseUrl,
		},
	);
	progress(`created the credential "${credential.name}"`);

	let demoWorkflow: { id: string; workflow: ExampleWorkflow } | undefined;
	for (const { file, workflow } of readExamples()) {
		const prepared = withRivyaCredential(workflow, credential);
		const created = await n8n.importWorkflow({ ...prepared });
		progress(
			`imported examples/${file} → "${created.name}" (${n8n.baseUrl}/workflow/${created.id})`,
		);
		if (file === DEMO_WORKFLOW_FILE) demoWorkflow = { id: created.id, workflow: prepared };
	}
	if (!demoWorkflow) throw new Error(`examples/${DEMO_WORKFLOW_FILE} is missing`);

	const webhookPath = webhookPathOf(demoWorkflow.workflow);
	await n8n.activate(demoWorkflow.id);
	await n8n.waitForWebhook(webhookPath);
	progress(
		`published "${demoWorkflow.workflow.name}"; its webhook is ${n8n.webhookUrl(webhookPath)}`,
	);

	const request = {
		prompt: process.env.RIVYA_DEMO_PROMPT?.trim() || DEFAULT_PROMPT,
		model: process.env.RIVYA_DEMO_MODEL?.trim() || DEFAULT_MODEL,
	};
	progress(`running it: model ${request.model}, prompt "${request.prompt}"`);
	const response = await withProgress(
		'…n8n is still running the workflow (create → wait → download)',
		n8n.callWebhook(webhookPath, request),
	);
	const contentType = response.headers.get('content-type') ?? '';
	if (response.status !== 200 || !contentType.startsWith('image/')) {
		const why = await failureReport(n8n, demoWorkflow.id);
		throw new Error(
			`the workflow did not answer with an image (HTTP ${response.status}, ${contentType || 'no content type'}): ${why}`,
		);
	}

	fs.mkdirSync(OUTPUT_DIR, { recursive: true });
	const imageFile = path.join(OUTPUT_DIR, `rivya-image.${extensionFor(contentType)}`);
	fs.writeFileSync(imageFile, response.bytes);
	const taskId = response.headers.get('x-rivya-task-id') ?? '?';
	progress(
		`generation ${taskId} finished; n8n answered with ${response.bytes.length} bytes of ${contentType}`,
	);

	// The webhook answers before "Credits After" runs: read that from the finished execution.
	const execution = await n8n.waitForExecution(
		demoWorkflow.id,
		(candidate) => candidate.status !== 'running' && candidate.status !== 'new',
	);
	if (execution.status !== 'success') {
		throw new Error(`the image arrived, but ${await failureReport(n8n, demoWorkflow.id)}`);
	}
	const before = nodeOutput(execution, 'Credits Before')?.current_credits;
	const after = nodeOutput(execution, 'Credits After')?.current_credits;
	const spent =
		typeof before === 'number' && typeof after === 'number' ? ` (spent ${before - after})` : '';

	console.log('');
	console.log(`Image saved to ${path.relative(process.cwd(), imageFile) || imageFile}`);
	console.log(`Credits before: ${String(before)}, after: ${String(after)}${spent}`);
	console.log(
		`Execution ${execution.id}: ${n8n.baseUrl}/workflow/${demoWorkflow.id}/executions/${execution.id}`,
	);
	console.log('');
}

async function main(): Promise<void> {
	const services: Services = {};
	let stopping = false;
	const stopAndExit = (code: number) => {
		if (stopping) return;
		stopping = true;
		void stopServices(services).finally(() => process.exit(code));
	};
	process.on('SIGINT', () => stopAndExit(130));
	process.on('SIGTERM', () => stopAndExit(143));

	try {
		await runDemo(services);
	} catch (error) {
		console.error(`\nDemo failed: ${(error as Error).message}`);
		if (services.n8n) console.error(`n8n log: ${services.n8n.logFile}`);
		stopAndExit(1);
		return;
	}

	if (!isInteractive() || !services.n8n) {
		stopAndExit(0);
		return;
	}
	console.log(`n8n keeps running. Open the editor: ${services.n8n.baseUrl}`);
	console.log(`Log in as ${OWNER.email} / ${OWNER.loginPhrase} (a local demo account)`);
	console.log(
		'The example workflows are under Overview. Press Ctrl+C to stop n8n and the emulator.',
	);
}

void main();
