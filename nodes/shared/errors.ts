import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** Rivya's error envelope: `{"error": {"code", "message", "requestId"}}`. */
export interface RivyaErrorBody {
	code: string;
	message: string;
	requestId?: string;
}

/** What the caller knows that turns Rivya's code into a concrete fix. */
export interface RivyaErrorContext {
	/** Scope the called route needs, for `api_scope_denied`. */
	requiredScope?: string;
	/** Current balance, for `insufficient_credits` (the transport looks it up; the call is free). */
	balance?: number;
	/** Credits the failed request needed, when known. */
	creditsNeeded?: number;
	/** Human name of what was asked for, e.g. "generation task_123", for `not_found`. */
	resourceLabel?: string;
}

/** Shapes of secrets a server might echo back: API keys, signing secrets, bearer headers. */
const SECRET_PATTERNS = [
	/rvya_sk_[A-Za-z0-9_-]+/g,
	/whsec_[A-Za-z0-9+/=_-]+/g,
	/Bearer\s+[^\s"',;]+/gi,
];

/**
 * Replaces every known secret (the given values and anything shaped like a key) with "[redacted]".
 * Used on everything a server sends back before it goes into an error.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
	let redacted = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 8) redacted = redacted.split(secret).join('[redacted]');
	}
	for (const pattern of SECRET_PATTERNS) redacted = redacted.replace(pattern, '[redacted]');
	return redacted;
}

/** Reads Rivya's envelope from any response body; tolerates variation, as the live API may differ. */
export function readErrorEnvelope(body: unknown): RivyaErrorBody | undefined {
	let parsed = body;
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed);
		} catch {
			return undefined;
		}
	}
	if (!parsed || typeof parsed !== 'object') return undefined;
	const envelope = (parsed as { error?: unknown }).error;
	if (!envelope || typeof envelope !== 'object') return undefined;
	const { code, message, requestId, request_id } = envelope as Record<string, unknown>;
	if (typeof code !== 'string') return undefined;
	return {
		code,
		message: typeof message === 'string' ? message : code,
		requestId:
			typeof requestId === 'string'
				? requestId
				: typeof request_id === 'string'
					? request_id
					: undefined,
	};
}

/** "1 credit", "5 credits". */
export function credits(count: number): string {
	return `${count} credit${count === 1 ? '' : 's'}`;
}

/** A plain-language next step for each stable Rivya error code. */
export function hintForRivyaError(code: string, context: RivyaErrorContext = {}): string {
	switch (code) {
		case 'api_key_missing':
		case 'api_key_invalid':
			return 'Check the API key in the Rivya credential: it must be a current key that starts with rvya_sk_.';
		case 'api_key_revoked':
			return 'This API key was revoked. Create a new key in your Rivya account and update the Rivya credential.';
		case 'api_key_expired':
			return 'This API key has expired. Create a new key in your Rivya account and update the Rivya credential.';
		case 'api_scope_denied':
			return context.requiredScope
				? `The API key lacks the "${context.requiredScope}" scope. Create a key with that scope (new keys get all scopes) and update the Rivya credential.`
				: 'The API key lacks a scope this operation needs. Create a key with all scopes and update the Rivya credential.';
		case 'insufficient_credits': {
			const balance =
				context.balance !== undefined
					? `Your balance is ${credits(context.balance)}`
					: 'Your balance is too low';
			const needed =
				context.creditsNeeded !== undefined
					? `; this request needs ${credits(context.creditsNeeded)}`
					: '';
			return `${balance}${needed}. Top up credits in Rivya, or pick a cheaper model. No task was created and nothing was charged.`;
		}
		case 'rate_limited':
			return "Rivya's rate limit was still hit after retrying. Lower the number of items per run, or raise Options > Max Retry Time.";
		case 'validation_failed':
			return 'Rivya rejected the request. Fix the field named in the message and run again; nothing was charged.';
		case 'not_found':
			return `${context.resourceLabel ? `${context.resourceLabel} was` : 'It was'} not found in the account of this API key. Check the ID, and that the credential belongs to the same Rivya account.`;
		case 'webhook_url_rejected':
			return 'Rivya only delivers webhooks to public HTTPS addresses. Set N8N_WEBHOOK_URL (or WEBHOOK_URL) to the public HTTPS address of this n8n, e.g. through a reverse proxy or a tunnel, then activate again.';
		case 'chat_model_not_supported':
			return 'That model is not a chat model. Pick a model from the Chat Model list.';
		case 'chat_session_conflict':
			return "That chat session cannot be continued with this request: it was started with another model, by another account, or outside the API. Start a new session or use the session's own model.";
		case 'chat_attachment_not_supported':
			return 'Chat attachments must be images uploaded through the Files API (use their file IDs), and the model must accept image attachments.';
		case 'idempotency_conflict':
			return 'The Idempotency-Key was already used with a different request, or that request is still running. Use a new key for a new request.';
		case 'file_too_large':
			return 'The file is larger than Rivya allows for this kind (or for the chosen model). Compress or shorten it.';
		case 'unsupported_media_type':
			return 'Rivya checks the real file type from its contents, not its name. Convert the file to a type Rivya accepts for this kind.';
		case 'public_api_disabled':
			return "Rivya's API is switched off at the moment. Try again later.";
		case 'internal_error':
			return 'Rivya had an internal error. Retries were exhausted; try again later.';
		default:
			return 'See the message from Rivya.';
	}
}

const DEFAULT_MESSAGES: Record<number, string> = {
	400: 'Rivya rejected the request',
	401: 'Rivya did not accept the API key',
	402: 'Not enough Rivya credits',
	403: 'The API key is not allowed to do this',
	404: 'Not found in Rivya',
	409: 'Conflict in Rivya',
	413: 'File too large for Rivya',
	415: 'File type not accepted by Rivya',
	429: 'Rivya rate limit reached',
};

/**
 * Builds the NodeApiError a user sees for a failed Rivya call.
 * Only the envelope goes in: request options (which hold the Authorization header) never do.
 */
export function rivyaApiError(
	node: INode,
	status: number,
	body: unknown,
	context: RivyaErrorContext & { itemIndex?: number; secrets?: readonly string[] } = {},
): NodeApiError {
	const read = readErrorEnvelope(body) ?? {
		code: status >= 500 ? 'internal_error' : `http_${status}`,
		message: DEFAULT_MESSAGES[status] ?? `Rivya answered with HTTP ${status}`,
	};
	// A server may echo the key (or anything else secret) in its message: it never reaches the error.
	const clean = (text: string) => redactSecrets(text, context.secrets);
	const envelope: RivyaErrorBody = {
		code: clean(read.code),
		message: clean(read.message),
		requestId: read.requestId === undefined ? undefined : clean(read.requestId),
	};
	const trace = `Rivya error code: ${envelope.code}${envelope.requestId ? ` · request ID: ${envelope.requestId}` : ''}`;
	const error = new NodeApiError(
		node,
		{
			code: envelope.code,
			message: envelope.message,
			requestId: envelope.requestId ?? null,
		} as JsonObject,
		{
			message: `${envelope.message} [${envelope.code}]`,
			description: `${hintForRivyaError(envelope.code, context)}\n${trace}`,
			httpCode: String(status),
			itemIndex: context.itemIndex,
		},
	);
	// Keep the stable code reachable for callers that branch on it (e.g. a 404 in a webhook check).
	(error as NodeApiError & { rivyaCode?: string }).rivyaCode = envelope.code;
	return error;
}

/** The Rivya error code of an error this package raised, if any. */
export function rivyaCodeOf(error: unknown): string | undefined {
	const code = (error as { rivyaCode?: unknown } | undefined)?.rivyaCode;
	return typeof code === 'string' ? code : undefined;
}

/** For failures with no HTTP answer at all (network down, retries spent). */
export function rivyaNetworkError(
	node: INode,
	error: unknown,
	attempts: number,
	itemIndex?: number,
	secrets: readonly string[] = [],
	configuredBaseUrl?: string,
): NodeApiError {
	// Named in the message so a wrong address is obvious; any user:password part is left out.
	const baseUrl = configuredBaseUrl?.replace(/\/\/[^/@]*@/, '//');
	const reason = (error as { code?: string; message?: string }) ?? {};
	const what = redactSecrets(String(reason.code ?? reason.message ?? 'network error'), secrets);
	const where = baseUrl ? ` at ${baseUrl}` : '';
	const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
	const refused = [reason.code, cause?.code, reason.message].some((text) =>
		String(text ?? '').includes('ECONNREFUSED'),
	);
	// n8n swaps any message that names a socket code (ECONNRESET, ...) for its own generic text, so the
	// code goes into the description and the message keeps our wording and the attempt count.
	return new NodeApiError(
		node,
		{ code: 'network_error', message: 'Rivya could not be reached' },
		{
			message: refused
				? `Nothing answered at ${baseUrl ? `the Base URL ${baseUrl}` : "Rivya's address"} (connection refused, ${attempts} attempt${attempts === 1 ? '' : 's'})`
				: `Could not reach Rivya${where} after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
			description: `Cause: ${what}. Check the Base URL in the Rivya credential${baseUrl ? ` (now ${baseUrl}; Rivya's is https://rivya.ai)` : ''} and the network between n8n and Rivya${refused ? ': is the emulator or proxy at that address running?' : ''}. Paid requests carry an Idempotency-Key, so running again will not create a second task.`,
			itemIndex,
		},
	);
}

/** "Item 1" for the first item: messages count items from 1, as n8n's item lists do. */
export function itemLabel(itemIndex: number): string {
	return `Item ${itemIndex + 1}`;
}

/** Marks an error whose message already names its item (see itemLabel). */
const NAMES_ITEM = Symbol('rivya.namesItem');

/** Whether the error's message already names its item, so no item index should be attached. */
export function namesItem(error: unknown): boolean {
	return Boolean((error as { [NAMES_ITEM]?: boolean } | undefined)?.[NAMES_ITEM]);
}

/**
 * A configuration or input problem found before any call to Rivya. A message that starts with
 * itemLabel(itemIndex) carries no n8n item index: n8n's error view would add a second, 0-based
 * "[item 0]" to it.
 */
export function rivyaInputError(
	node: INode,
	message: string,
	description: string,
	itemIndex?: number,
): NodeOperationError {
	const named = itemIndex !== undefined && message.startsWith(`${itemLabel(itemIndex)}:`);
	const error = new NodeOperationError(node, message, {
		description,
		itemIndex: named ? undefined : itemIndex,
	});
	if (named) (error as NodeOperationError & { [NAMES_ITEM]?: boolean })[NAMES_ITEM] = true;
	return error;
}
