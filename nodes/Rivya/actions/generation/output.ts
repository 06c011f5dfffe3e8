/**
 * Turning generation tasks into output items: wait (optional), download results into binary data,
 * and report failures per item with the task id.
 *
 * Rules that must not regress:
 * - Every failure names the task id, and an error that stops the node lists the batch's other tasks,
 *   so a paid task is never lost from sight.
 * - In AI-tool mode no binaries are attached: agents get URLs and ids.
 */
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isDownloadTimeout, redactUrl } from '../../../shared/download';
import { itemLabel } from '../../../shared/errors';
import type { MediaKind } from '../../../shared/media';
import { downloadResults, resultUrlsOf } from '../../../shared/results';
import { cancelSignalOf } from '../../../shared/transport';
import type { Limiter, Settled } from '../../helpers/concurrency';
import { attachItemIndex, errorItem } from '../../helpers/items';
import {
	fetchGenerationStatus,
	hasFailed,
	isTerminal,
	type WaitOutcome,
} from '../../helpers/polling';
import { StatusScheduler } from '../../helpers/statusScheduler';
import type { FinishOptions } from './fields';

/** One input item on its way to an output item: a task (just created or looked up) or an error. */
export type TaskEntry =
	| { itemIndex: number; error: Error; taskId?: string }
	| {
			itemIndex: number;
			generation: IDataObject;
			kind?: MediaKind | string;
			/** When it was submitted (Date.now()), for tasks this run created. */
			submittedAtMs?: number;
	  };

function text(value: unknown): string | null {
	return typeof value === 'string' ? value : null;
}

/** The fields people use, with camelCase names; the raw object stays available via Simplify off. */
export function simplifyGeneration(generation: IDataObject): IDataObject {
	const { primaryUrl, urls } = resultUrlsOf(generation);
	const error = generation.error as IDataObject | null | undefined;
	return {
		taskId: generation.id,
		status: generation.status,
		model: generation.model,
		credits: {
			reserved: generation.reserved_credits ?? null,
			final: generation.final_credits ?? null,
		},
		primaryUrl,
		resultUrls: urls,
		error: error ? (text(error.message) ?? text(error.code)) : null,
		errorCode: error ? text(error.code) : null,
		clientRequestId: text(generation.client_request_id),
		createdAt: generation.created_at ?? null,
		updatedAt: generation.updated_at ?? null,
	};
}

/**
 * Rivya's task-lifecycle docs: a started task can be marked failed when credits run low (unlike the
 * 402 at submit, which creates no task). The error code for it is not documented: code or message.
 */
export function failedForCredits(error: IDataObject): boolean {
	return /credit/i.test(text(error.code) ?? '') || /\bcredits?\b/i.test(text(error.message) ?? '');
}

/** `final_credits` exactly as Rivya returned it: refunds follow Rivya's policy, never assumed here. */
function finalCreditsNote(generation: IDataObject): string {
	const final = generation.final_credits;
	return typeof final === 'number' || typeof final === 'string'
		? `Rivya reports final_credits ${String(final)} for this task (reserved ${String(generation.reserved_credits ?? 'unknown')}).`
		: 'Rivya did not report final_credits for this task.';
}

export function generationFailedError(
	context: IExecuteFunctions,
	generation: IDataObject,
	itemIndex: number,
): NodeApiError {
	const error = (generation.error as IDataObject | null) ?? {};
	const code = text(error.code) ?? 'generation_failed';
	const message = text(error.message) ?? 'Rivya reported the generation as failed';
	const taskId = String(generation.id);
	const description = failedForCredits(error)
		? `Task ${taskId} (model ${String(generation.model)}) started, then Rivya marked it failed because the account ran low on credits. ${finalCreditsNote(generation)} Top up credits in Rivya (Credit > Get Balance shows the balance), then run again.`
		: `Rivya could not produce a result for task ${taskId} (model ${String(generation.model)}). ${finalCreditsNote(generation)} Adjust the prompt or parameters and run again.`;
	return new NodeApiError(context.getNode(), { code, message, taskId } as JsonObject, {
		message: failedForCredits(error)
			? `Generation ${taskId} failed for lack of credits: ${message} [${code}]`
			: `Generation ${taskId} failed: ${message} [${code}]`,
		description,
		itemIndex,
	});
}

/** Characters that are awkward in file names on some system, or that n8n would reject. */
function fileNamePart(value: string): string {
	return value.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * The name a result file gets: Options > File Name (may be an expression over the input item), else
 * <model>-<task ID>-<n>, so files stay apart after an Aggregate. The extension comes from the file type.
 */
export function resultFileName(
	context: IExecuteFunctions,
	generation: IDataObject,
	itemIndex: number,
	index: number,
	count: number,
): string {
	const chosen = String(context.getNodeParameter('options.fileName', itemIndex, '') ?? '').trim();
	if (!chosen) {
		const model = fileNamePart(String(generation.model ?? 'rivya')) || 'rivya';
		return `${model}-${fileNamePart(String(generation.id))}-${index + 1}`;
	}
	if (count === 1) return chosen;
	// "photo.png" with two files: photo-1.png, photo-2.png
	const dot = chosen.lastIndexOf('.');
	return dot > 0
		? `${chosen.slice(0, dot)}-${index + 1}${chosen.slice(dot)}`
		: `${chosen}-${index + 1}`;
}

async function downloadGenerationResults(
	context: IExecuteFunctions,
	generation: IDataObject,
	itemIndex: number,
	binaryPropertyName: string,
	deadlineMs: number,
): Promise<Record<string, IBinaryData> | 'timedOut'> {
	const { urls } = resultUrlsOf(generation);
	const { binary, failure } = await downloadResults(context, urls, binaryPropertyName, (index) => ({
		signal: cancelSignalOf(context),
		deadlineMs,
		fileName: resultFileName(context, generation, itemIndex, index, urls.length),
	}));
	if (!failure) return binary;
	const { error, index } = failure;
	// The node's Timeout covers downloads too; settleEntry applies "On Timeout".
	if (isDownloadTimeout(error)) return 'timedOut';
	// Stopping the execution is not a download failure: keep the cancellation as it is.
	if (cancelSignalOf(context)?.aborted) {
		throw new NodeOperationError(context.getNode(), error as Error);
	}
	// A message string, not the error: n8n returns a NodeOperationError cause unchanged,
	// which would drop this task-level message.
	throw new NodeOperationError(
		context.getNode(),
		`Generation ${String(generation.id)} succeeded, but downloading result ${index + 1} of ${urls.length} failed: ${(error as Error).message}`,
		{
			itemIndex,
			description: `The results are not lost: the task ${String(generation.id)} still holds them (result URLs can expire). Run Generation > Get with this task ID to download again, or turn off "Download Results" to pass the URLs on: ${urls.map(redactUrl).join(' ')}`,
		},
	);
}

function timeoutError(
	context: IExecuteFunctions,
	outcome: WaitOutcome,
	itemIndex: number,
	timeoutMs: number,
): NodeOperationError {
	const taskId = String(outcome.generation.id);
	const pollNote =
		'lastError' in outcome && outcome.lastError
			? ` The last ${outcome.consecutiveFailures} status check(s) failed: ${outcome.lastError.message}.`
			: '';
	return new NodeOperationError(
		context.getNode(),
		`Generation ${taskId} did not finish within ${Math.round(timeoutMs / 1000)} seconds (status: ${String(outcome.generation.status)})`,
		{
			itemIndex,
			description: `The task keeps running in Rivya and is not lost.${pollNote} Raise "Timeout (Seconds)", or set "On Timeout" to "Return Task ID and Status" and pick the task up later with Generation > Wait using the task ID ${taskId}.`,
		},
	);
}

function outputJson(generation: IDataObject, simplify: boolean, extra: IDataObject): IDataObject {
	return { ...(simplify ? simplifyGeneration(generation) : generation), ...extra };
}

/** Builds one output item (or the item's error) from where its task ended up. */
async function settleEntry(
	context: IExecuteFunctions,
	entry: TaskEntry,
	outcome: WaitOutcome | undefined,
	options: FinishOptions,
	limit: Limiter,
	deadline: number,
): Promise<INodeExecutionData> {
	if ('error' in entry) throw entry.error;
	const itemIndex = entry.itemIndex;
	const state: WaitOutcome =
		outcome ??
		(isTerminal(entry.generation)
			? { done: true, generation: entry.generation }
			: { done: false, generation: entry.generation, consecutiveFailures: 0 });
	const generation = state.generation;

	if ('fatal' in state) {
		throw new NodeOperationError(context.getNode(), state.fatal, {
			itemIndex,
			message: `Checking generation ${String(generation.id)} failed: ${state.fatal.message}`,
			description: (state.fatal as { description?: string }).description ?? undefined,
		});
	}
	if (!state.done) {
		if (options.wait && options.onTimeout === 'throw') {
			throw timeoutError(context, state, itemIndex, options.timeoutMs);
		}
		const extra: IDataObject = options.wait ? { timedOut: true } : {};
		if (options.wait && 'lastError' in state && state.lastError) {
			extra.lastPollError = state.lastError.message;
		}
		return {
			json: outputJson(generation, options.simplify, extra),
			pairedItem: { item: itemIndex },
		};
	}
	if (hasFailed(generation)) {
		throw generationFailedError(context, generation, itemIndex);
	}
	const item: INodeExecutionData = {
		json: outputJson(generation, options.simplify, {}),
		pairedItem: { item: itemIndex },
	};
	if (options.download && String(generation.status) === 'succeeded') {
		const binary = await limit(
			async () =>
				await downloadGenerationResults(
					context,
					generation,
					itemIndex,
					options.binaryPropertyName,
					deadline,
				),
		);
		if (binary === 'timedOut') return downloadTimedOut(context, generation, itemIndex, options);
		if (Object.keys(binary).length > 0) item.binary = binary;
	}
	return item;
}

/** The task succeeded but its results were still downloading at the Timeout: "On Timeout" decides. */
function downloadTimedOut(
	context: IExecuteFunctions,
	generation: IDataObject,
	itemIndex: number,
	options: FinishOptions,
): INodeExecutionData {
	const taskId = String(generation.id);
	const seconds = Math.round(options.timeoutMs / 1000);
	if (options.onTimeout === 'throw') {
		throw new NodeOperationError(
			context.getNode(),
			`Generation ${taskId} succeeded, but its results did not finish downloading within the timeout (${seconds} seconds)`,
			{
				itemIndex,
				description: `"Timeout (Seconds)" covers the wait and the downloads. The results are not lost: raise the timeout, or run Generation > Get with the task ID ${taskId} to download them again: ${resultUrlsOf(generation).urls.map(redactUrl).join(' ')}`,
			},
		);
	}
	return {
		json: outputJson(generation, options.simplify, {
			timedOut: true,
			downloadTimedOut: true,
			resultUrls: resultUrlsOf(generation).urls,
		}),
		pairedItem: { item: itemIndex },
	};
}

function taskIdOf(entry: TaskEntry): string | undefined {
	return 'generation' in entry ? String(entry.generation.id) : entry.taskId;
}

/**
 * Adds the batch's other tasks to a stopping error, so none of them is lost from sight: they were
 * paid for, n8n's Retry of this execution replays them, and Generation > Wait collects them.
 */
function withOtherTasks(error: Error, entries: TaskEntry[], failedIndex: number): Error {
	const others = entries
		.filter((entry) => entry.itemIndex !== failedIndex && 'generation' in entry)
		.map((entry) => `${itemLabel(entry.itemIndex)}: ${taskIdOf(entry)}`);
	if (others.length === 0) return error;
	const withDescription = error as Error & { description?: string };
	const note = `Tasks this run already created (paid for, still valid): ${others.join(', ')}. Retry this execution from the executions list within 24 hours to get them back without paying again (the node replays them), or collect them with Generation > Wait using these task IDs.`;
	withDescription.description = withDescription.description
		? `${withDescription.description}\n${note}`
		: note;
	return error;
}

/** A task's wait outcome (when waiting), then its output item: downloads start as soon as it is done. */
async function finishEntry(
	context: IExecuteFunctions,
	entry: TaskEntry,
	deadline: number,
	options: FinishOptions,
	limit: Limiter,
	scheduler: StatusScheduler,
): Promise<{ settled: Settled<INodeExecutionData>; generation?: IDataObject }> {
	// Cancelling the execution rejects here, outside the per-item error handling: it stops the node.
	const outcome =
		options.wait && 'generation' in entry
			? await scheduler.watch(
					{
						taskId: String(entry.generation.id),
						kind: entry.kind,
						itemIndex: entry.itemIndex,
						generation: entry.generation,
						submittedAtMs: entry.submittedAtMs,
					},
					deadline,
				)
			: undefined;
	const generation = outcome?.generation ?? ('generation' in entry ? entry.generation : undefined);
	try {
		const item = await settleEntry(context, entry, outcome, options, limit, deadline);
		return { settled: { ok: true, value: item }, generation };
	} catch (error) {
		return { settled: { ok: false, error: error as Error }, generation };
	}
}

/**
 * Waits for all tasks together (when asked, one status scheduler for the run); each task's
 * results are downloaded as soon as it succeeds, while the others are still polled. Items come out in input order.
 * With Continue On Fail a failed item becomes an error item carrying its task id (and result URLs,
 * when a download failed); otherwise the first failure stops the node.
 */
export async function finishGenerations(
	this: IExecuteFunctions,
	entries: TaskEntry[],
	options: FinishOptions,
	limit: Limiter,
): Promise<INodeExecutionData[]> {
	// Without Continue On Fail the node stops anyway: say so now, naming the tasks already created.
	const firstError = entries.find((entry) => 'error' in entry);
	if (firstError && 'error' in firstError && !this.continueOnFail()) {
		throw attachItemIndex(
			this,
			withOtherTasks(firstError.error, entries, firstError.itemIndex),
			firstError.itemIndex,
		);
	}
	const deadline = Date.now() + options.timeoutMs;
	// One scheduler for the whole run: status calls are spread over all waiting tasks.
	const scheduler = new StatusScheduler({
		fetchStatus: async (task) => await fetchGenerationStatus.call(this, task, options.retry),
		limit,
		concurrency: options.concurrency,
		signal: cancelSignalOf(this),
	});
	const finished = await Promise.all(
		entries.map(
			async (entry) => await finishEntry(this, entry, deadline, options, limit, scheduler),
		),
	);

	const output: INodeExecutionData[] = [];
	for (const [index, { settled, generation }] of finished.entries()) {
		const entry = entries[index];
		if (settled.ok) {
			output.push(settled.value);
			continue;
		}
		if (this.continueOnFail()) {
			const facts: IDataObject = {};
			const taskId = taskIdOf(entry);
			if (taskId) facts.taskId = taskId;
			// A succeeded task whose download failed: its results stay reachable from the item.
			const resultUrls = generation ? resultUrlsOf(generation).urls : [];
			if (resultUrls.length > 0) {
				facts.status = generation?.status;
				facts.resultUrls = resultUrls;
			}
			const item = errorItem(this, settled.error, entry.itemIndex, facts);
			output.push(item);
			continue;
		}
		throw attachItemIndex(
			this,
			withOtherTasks(settled.error, entries, entry.itemIndex),
			entry.itemIndex,
		);
	}
	return output;
}
