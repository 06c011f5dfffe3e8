/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// `npm run bench`: runs every benchmark against local emulators and prints one table (Markdown).
// Figures are ratios or counts measured in this run; each row says whether its target was met.
// `npm run bench -- <name> ...` runs only some: batch, bigbatch, sharedkey, polls, overhead, memory,
// trigger, trigger-n8n.
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import { benchBatchWait } from './batchWait';
import { benchBigBatch, benchSharedKey } from './bigBatch';
import { benchMemory } from './memory';
import { benchNodeOverhead } from './nodeOverhead';
import { benchPollsPerJob } from './pollsPerJob';
import { formatTable, guarded, packageVersion, warmUp, type BenchRow } from './shared';
import { benchTrigger } from './trigger';
import { benchTriggerN8n } from './triggerN8n';

const BENCHMARKS: Record<string, () => Promise<BenchRow[]>> = {
	batch: benchBatchWait,
	bigbatch: benchBigBatch,
	sharedkey: benchSharedKey,
	polls: benchPollsPerJob,
	overhead: benchNodeOverhead,
	memory: benchMemory,
	trigger: benchTrigger,
	'trigger-n8n': benchTriggerN8n,
};

async function main(): Promise<void> {
	const wanted = process.argv.slice(2).filter((name) => name in BENCHMARKS);
	const selected = wanted.length ? wanted : Object.keys(BENCHMARKS);
	const started = performance.now();
	console.log(
		`n8n-nodes-rivya benchmarks: n8n-core ${packageVersion('n8n-core')}, n8n-workflow ${packageVersion('n8n-workflow')}, ` +
			`Node.js ${process.version}, ${os.cpus().length} CPU(s), ${os.platform()}`,
	);

	await warmUp();
	// The 60 s poll count is mostly waiting: it runs alongside the rest (a handful of requests on its
	// own emulator), so the whole run stays short. Memory runs in child processes.
	const background = selected.includes('polls') ? guarded('polls', BENCHMARKS.polls) : undefined;
	const rows: BenchRow[] = [];
	for (const name of selected.filter((entry) => entry !== 'polls')) {
		const benchStarted = performance.now();
		console.log(`[bench] ${name} ...`);
		rows.push(...(await guarded(name, BENCHMARKS[name])));
		console.log(
			`[bench] ${name} done in ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`,
		);
	}
	if (background) {
		console.log('[bench] polls (60 s jobs) ...');
		rows.splice(1, 0, ...(await background));
	}

	console.log('');
	console.log(formatTable(rows));
	console.log('');
	console.log(`Total ${((performance.now() - started) / 1000).toFixed(1)} s.`);
	const missed = rows.filter((row) => row.met === false).length;
	console.log(missed ? `${missed} target(s) missed.` : 'All targets met.');
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
