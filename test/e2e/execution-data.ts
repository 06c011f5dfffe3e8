// Reads node outputs out of an execution fetched with includeData (n8n's public API).
import { pollUntil, type ExecutionRecord, type N8nClient } from './n8n-instance';

/** The JSON of every item a node put on its first output in one run; [] if the node did not run. */
export function nodeOutputJson(
	execution: ExecutionRecord,
	nodeName: string,
	runIndex = 0,
): Array<Record<string, unknown>> {
	const run = execution.data?.resultData.runData[nodeName]?.[runIndex];
	const items = run?.data?.main[0] ?? [];
	return items.map((item) => item.json as Record<string, unknown>);
}

/** Whether any item a node output in this execution satisfies `match`. */
export function someNodeOutput(
	execution: ExecutionRecord,
	nodeName: string,
	match: (json: Record<string, unknown>) => boolean,
): boolean {
	const runs = execution.data?.resultData.runData[nodeName] ?? [];
	return runs.some((_run, runIndex) => nodeOutputJson(execution, nodeName, runIndex).some(match));
}

/**
 * Every execution of the workflow once none is still starting or running, with run data. The public API
 * leaves running executions out, so the REST API (which lists them from the moment n8n creates them,
 * before a webhook caller gets its answer) tells when all have finished.
 */
export async function settledExecutions(
	n8n: N8nClient,
	workflowId: string,
	timeoutMs = 30_000,
): Promise<ExecutionRecord[]> {
	const query = new URLSearchParams({ filter: JSON.stringify({ workflowId }), limit: '100' });
	let executions: ExecutionRecord[] = [];
	await pollUntil(`executions of workflow ${workflowId} to finish`, timeoutMs, async () => {
		const { results } = await n8n.rest<{ results: Array<{ id: string; status: string }> }>(
			'GET',
			`/executions?${query}`,
		);
		if (results.some((execution) => ['new', 'running'].includes(execution.status))) return false;
		executions = await n8n.executions(workflowId, 100);
		return executions.length === results.length;
	});
	return executions;
}
