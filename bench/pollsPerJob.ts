// Benchmark 2: status calls the node makes while waiting for one 60 s job, from the emulator's
// per-route request counters (one emulator per job, so nothing else is counted).
import { startEmulator } from '../test/emulator';
import { EmulatorClient } from '../test/emulator/client';
import { chain, runWorkflow, startNode } from '../test/workflow/harness';
import { generationCreateNode, POLL_ROUTE, type BenchRow } from './shared';

const JOB_MS = 60_000;
const TARGET = 12;

async function pollsFor(model: string, category: 'image' | 'video'): Promise<BenchRow> {
	const emulator = await startEmulator({ port: 0, credits: 10_000 });
	try {
		const client = new EmulatorClient(emulator.baseUrl, emulator.apiKey);
		await client.setModelBehavior(model, { durationMs: JOB_MS });
		const result = await runWorkflow({
			nodes: [startNode(), generationCreateNode(model, category)],
			connections: chain('Start', 'Rivya'),
			credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
			inputItems: [{ prompt: 'a one-minute job' }],
		});
		if (result.status !== 'success')
			throw new Error(`workflow ${result.status}: ${result.error?.message}`);
		const [item] = result.outputOf('Rivya');
		const counters = await client.counters();
		const polls = counters.requests[POLL_ROUTE] ?? 0;
		return {
			name: `Polls per job: one 60 s ${category} job (${model})`,
			value: String(polls),
			target: `≤ ${TARGET} status calls`,
			met: polls <= TARGET && counters.tasksCreated === 1 && item.json.status === 'succeeded',
			notes: `status ${String(item.json.status)}; ${counters.tasksCreated} task`,
		};
	} finally {
		await emulator.close();
	}
}

/** Video is what usually runs a minute; image uses a faster schedule, so it is measured as well. */
export async function benchPollsPerJob(): Promise<BenchRow[]> {
	return await Promise.all([pollsFor('veo3-1-lite', 'video'), pollsFor('z-image', 'image')]);
}
