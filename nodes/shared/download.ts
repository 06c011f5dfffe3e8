/**
 * Public result URLs → n8n binary data: downloads as a stream (n8n's filesystem or S3 binary mode never
 * has the whole file in this process's memory), with its own retry for network errors, 429 and 5xx.
 */
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { baseMimeType, mimeTypeForFileName, withExtension } from './media';
import {
	nextRetryDelayMs,
	DEFAULT_RETRY_POLICY,
	isRetryableNetworkError,
	isRetryableStatus,
	parseRetryAfterMs,
	type RetryPolicy,
} from './retry';
import { cancellableSleep, ExecutionCancelledError } from './sleep';
import { cancelSignalOf, headerValue } from './transport';

export interface DownloadOptions {
	/** What to tell the user when the download fails for good (default: about Rivya result URLs). */
	failureHint?: string;
	fileName?: string;
	mimeType?: string;
	signal?: AbortSignal;
	retry?: Partial<RetryPolicy>;
	/** Epoch milliseconds by which the download (all attempts) must be done, e.g. the node's Timeout. */
	deadlineMs?: number;
}

/** The error for a download still running at its deadline (it was stopped); see isDownloadTimeout. */
function downloadTimeoutError(context: DownloadContext, url: string): NodeOperationError {
	const error = new NodeOperationError(
		context.getNode(),
		`The download of ${redactUrl(url)} did not finish before the timeout`,
	);
	(error as NodeOperationError & { downloadTimedOut?: boolean }).downloadTimedOut = true;
	return error;
}

/** True for an error raised because a download reached its deadline. */
export function isDownloadTimeout(error: unknown): boolean {
	return (error as { downloadTimedOut?: unknown } | undefined)?.downloadTimedOut === true;
}

type DownloadContext = IExecuteFunctions | IWebhookFunctions;
type BinaryInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** The URL without query string or fragment: result URLs may carry access tokens there. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return url.split(/[?#]/)[0];
	}
}

/** File name from a Content-Disposition header (RFC 6266 `filename*` preferred). */
export function fileNameFromContentDisposition(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const extended = /filename\*\s*=\s*(?:[\w-]+)?'[^']*'([^;]+)/i.exec(header);
	if (extended) {
		try {
			return decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ''));
		} catch {
			// fall through to the plain form
		}
	}
	const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
	const name = (plain?.[1] ?? plain?.[2])?.trim();
	return name || undefined;
}

function fileNameFromUrl(url: string): string | undefined {
	try {
		const last = new URL(url).pathname.split('/').filter(Boolean).pop();
		return last ? decodeURIComponent(last) : undefined;
	} catch {
		return undefined;
	}
}

/** Only the last path segment, without characters file systems dislike. */
function safeFileName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? '';
	const cleaned = Array.from(base, (char) =>
		char.charCodeAt(0) < 32 || '<>:"|?*'.includes(char) ? '_' : char,
	)
		.join('')
		.trim();
	return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : 'result';
}

/** Lets go of a response body we will not read, so its socket is freed. */
function discard(body: unknown): void {
	(body as { destroy?: () => void } | undefined)?.destroy?.();
}

function downloadError(
	context: DownloadContext,
	url: string,
	reason: string,
	attempts: number,
	failureHint?: string,
): NodeOperationError {
	const hint =
		failureHint ??
		'Rivya result URLs are plain downloads that may expire: if the task finished long ago, run Generation > Get for a fresh result, or turn off "Download Results" and use the URLs directly.';
	return new NodeOperationError(
		context.getNode(),
		`Could not download ${redactUrl(url)}: ${reason}`,
		{ description: `Tried ${attempts} time${attempts === 1 ? '' : 's'}. ${hint}` },
	);
}

/**
 * Downloads a public result URL (no auth header: result URLs are plain downloads) as a stream into n8n
 * binary data with the right mime type and extension. Retries network errors, 429 and 5xx (a GET is
 * safe to repeat), and stops when the execution is cancelled.
 */
export async function downloadToBinary(
	this: DownloadContext,
	url: string,
	options: DownloadOptions = {},
): Promise<IBinaryData> {
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
	const cancelSignal = options.signal ?? cancelSignalOf(this);
	const deadlineSignal =
		options.deadlineMs === undefined
			? undefined
			: AbortSignal.timeout(Math.max(1, options.deadlineMs - Date.now()));
	const signal =
		deadlineSignal && cancelSignal
			? AbortSignal.any([cancelSignal, deadlineSignal])
			: (deadlineSignal ?? cancelSignal);
	// The deadline, not the user, stopped it: a timeout, not a cancellation.
	const timedOut = () => deadlineSignal?.aborted === true && cancelSignal?.aborted !== true;
	const startedAt = Date.now();
	const request: IHttpRequestOptions = {
		method: 'GET',
		url,
		encoding: 'stream',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 60_000,
		abortSignal: signal,
	};

	for (let attempt = 1; ; attempt++) {
		if (timedOut()) throw downloadTimeoutError(this, url);
		if (signal?.aborted) throw new ExecutionCancelledError();
		let failure: string;
		let retryAfterMs: number | undefined;
		let retryable: boolean;
		try {
			const response = (await this.helpers.httpRequest(request)) as {
				statusCode: number;
				body: unknown;
				headers: IDataObject;
			};
			if (response.statusCode >= 200 && response.statusCode < 300) {
				const { fileName, mimeType } = describeDownload(url, response.headers, options);
				return await this.helpers.prepareBinaryData(
					response.body as BinaryInput,
					fileName,
					mimeType,
				);
			}
			discard(response.body);
			failure = `HTTP ${response.statusCode}`;
			retryable = isRetryableStatus(response.statusCode);
			retryAfterMs = parseRetryAfterMs(headerValue(response.headers, 'retry-after'));
		} catch (error) {
			if (timedOut()) throw downloadTimeoutError(this, url);
			if (signal?.aborted) {
				throw new NodeOperationError(this.getNode(), new ExecutionCancelledError());
			}
			const { code, message } = (error ?? {}) as { code?: string; message?: string };
			// Never echo the error's message as is: it may quote the full URL with its token.
			failure = code ?? (message ? message.split(url).join(redactUrl(url)) : 'network error');
			retryable = isRetryableNetworkError(error);
			retryAfterMs = undefined;
		}
		const delay = retryable
			? nextRetryDelayMs(attempt, policy, startedAt, retryAfterMs)
			: undefined;
		if (delay === undefined) {
			throw downloadError(this, url, failure, attempt, options.failureHint);
		}
		// A retry that could only start after the deadline is a timeout now.
		if (options.deadlineMs !== undefined && Date.now() + delay >= options.deadlineMs) {
			throw downloadTimeoutError(this, url);
		}
		await cancellableSleep(delay, cancelSignal);
	}
}

/** Mime type from the response (else the URL's extension), file name from the header or the URL. */
function describeDownload(
	url: string,
	headers: IDataObject,
	options: DownloadOptions,
): { fileName: string; mimeType: string } {
	const headerMime = baseMimeType(headerValue(headers, 'content-type'));
	const nameHint =
		options.fileName ??
		fileNameFromContentDisposition(headerValue(headers, 'content-disposition')) ??
		fileNameFromUrl(url) ??
		'result';
	const generic =
		!headerMime ||
		headerMime === 'application/octet-stream' ||
		headerMime === 'binary/octet-stream';
	const mimeType =
		options.mimeType ??
		(generic
			? (mimeTypeForFileName(nameHint) ?? (headerMime || 'application/octet-stream'))
			: headerMime);
	return { fileName: withExtension(safeFileName(nameHint), mimeType), mimeType };
}
