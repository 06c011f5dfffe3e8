/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// What every benchmark shares: the result row shape, the emulator + workflow helpers and the
// versions of n8n's engine that were measured.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import type { TestNode } from '../test/workflow/harness';

/** One line of the printed table. `met` is undefined when a row has no target (info only). */
export interface BenchRow {
	name: string;
	value: string;
	target: string;
	met?: boolean;
	notes?: string;
}

export const RIVYA_NODE_TYPE = 'n8n-nodes-rivya.rivya';
export const TRIGGER_NODE_TYPE = 'n8n-nodes-rivya.rivyaTrigger';
export const CREATE_ROUTE = 'POST /api/v1/generations';
export const POLL_ROUTE = 'GET /api/v1/generations/:taskId';
export const CREDITS_ROUTE = 'GET /api/v1/credits';

/** A Rivya node running Generation > Create with a model given by id. */
export function generationCreateNode(
	model: string,
	category: 'image' | 'video' | 'audio',
	extra: IDataObject = {},
): TestNode {
	return {
		name: 'Rivya',
		type: RIVYA_NODE_TYPE,
		parameters: {
			resource: 'generation',
			operation: 'create',
			category,
			model: { __rl: true, mode: 'id', value: model },
			prompt: '={{ $json.prompt }}',
			...extra,
		},
	};
}

export const prompts = (count: number) =>
	Array.from({ length: count }, (_, index) => ({ prompt: `benchmark picture ${index}` }));

/** The version of an installed package, found from its resolved entry point. */
export function packageVersion(name: string): string {
	let dir = path.dirname(require.resolve(name));
	for (;;) {
		const candidate = path.join(dir, 'package.json');
		try {
			const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as {
				name?: string;
				version?: string;
			};
			if (pkg.name === name && pkg.version) return pkg.version;
		} catch {
			// not here; go up
		}
		const parent = path.dirname(dir);
		if (parent === dir) return 'unknown';
		dir = parent;
	}
}

export const ratio = (value: number) => `${value.toFixed(2)}×`;
export const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

/** The q-quantile (0..1) of a list of numbers (nearest rank). */
export function quantile(values: number[], q: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
	return sorted[rank];
}

/**
 * Runs `script` (a file in bench/) in a fresh Node process (clean heap and RSS: the point of the
 * memory benchmarks), passing `config` as JSON in the environment variable `envName`, and returns
 * what the child printed on its `RESULT {json}` line.
 */
export function runChild<Result>(
	script: string,
	envName: string,
	config: Record<string, unknown>,
): Promise<Result> {
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions
	const child = spawn(
		process.execPath,
		['--expose-gc', '-r', 'ts-node/register/transpile-only', path.join(__dirname, script)],
		{
			cwd: path.resolve(__dirname, '..'),
			env: { ...process.env, [envName]: JSON.stringify(config) },
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	return new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code) => {
			const line = stdout.split('\n').find((entry) => entry.startsWith('RESULT '));
			if (code !== 0 || !line) {
				reject(new Error(`${script} exited ${code}: ${stderr.slice(-600)}`));
				return;
			}
			resolve(JSON.parse(line.slice('RESULT '.length)) as Result);
		});
	});
}

/** A failed benchmark becomes a row that says so, so one failure does not hide the others. */
export async function guarded(name: string, run: () => Promise<BenchRow[]>): Promise<BenchRow[]> {
	try {
		return await run();
	} catch (error) {
		console.error(`[bench] ${name} failed:`, error);
		return [
			{
				name,
				value: 'ERROR',
				target: '-',
				met: false,
				notes: String((error as Error).message ?? error).slice(0, 160),
			},
		];
	}
}

export function formatTable(rows: BenchRow[]): string {
	const header = ['Benchmark', 'Measured', 'Target', 'Met', 'Notes'];
	const lines = rows.map((row) => [
		row.name,
		row.value,
		row.target,
		row.met === undefined ? '-' : row.met ? 'met' : 'MISSED',
		row.notes ?? '',
	]);
	const escape = (cell: string) => cell.replace(/\|/g, '\\|');
	return [
		`| ${header.join(' | ')} |`,
		`|${header.map(() => '---').join('|')}|`,
		...lines.map((line) => `| ${line.map(escape).join(' | ')} |`),
	].join('\n');
}

/**
 * Loads n8n-core, our node sources (compiled on first require) and the trigger once, so the first
 * benchmark does not pay for module loading.
 */
export async function warmUp(): Promise<void> {
	const { startEmulator } = await import('../test/emulator');
	const { chain, runWorkflow, startNode, createTriggerHarness } =
		await import('../test/workflow/harness');
	const emulator = await startEmulator({ port: 0 });
	try {
		const credentials = { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } };
		await runWorkflow({
			nodes: [
				startNode(),
				{
					name: 'Rivya',
					type: RIVYA_NODE_TYPE,
					parameters: { resource: 'credit', operation: 'getBalance' },
				},
			],
			connections: chain('Start', 'Rivya'),
			credentials,
		});
		await createTriggerHarness({
			node: { name: 'Rivya Trigger', type: TRIGGER_NODE_TYPE },
			credentials,
		});
	} finally {
		await emulator.close();
	}
}
