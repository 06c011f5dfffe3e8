/**
 * The shape of every Rivya ID that goes into a request path. An ID is letters, digits, "_" and "-"
 * only (with its resource's prefix where Rivya documents one), so "." or ".." or "a/b" can never turn
 * `GET /webhooks/{id}` into another route.
 */
import type { INode } from 'n8n-workflow';

import { itemLabel, rivyaInputError } from './errors';

export type RivyaIdKind = 'generation' | 'file' | 'webhookEndpoint' | 'chatSession';

const ID_RULES: Record<RivyaIdKind, { label: string; prefix?: string; example: string }> = {
	generation: { label: 'Task ID', prefix: 'task_', example: 'task_abc123' },
	// Rivya's docs show no file ID shape (the contract's `file_` is assumed): the shape check only.
	file: { label: 'File ID', example: 'file_abc123' },
	webhookEndpoint: { label: 'Endpoint ID', prefix: 'whend_', example: 'whend_abc123' },
	chatSession: { label: 'Session ID', example: 'the sessionId of a chat turn' },
};

const ID_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;

/** What is wrong with an ID for a path, or undefined when it is fine. */
export function idProblem(value: string, kind: RivyaIdKind): string | undefined {
	const rule = ID_RULES[kind];
	if (!ID_SHAPE.test(value)) {
		return 'may only hold letters, digits, "_" and "-" (up to 200 characters)';
	}
	if (rule.prefix && !value.startsWith(rule.prefix)) return `must start with ${rule.prefix}`;
	return undefined;
}

/** The ID checked for its path; an input error naming the field, before any request, otherwise. */
export function checkedId(
	node: INode,
	value: string,
	kind: RivyaIdKind,
	itemIndex?: number,
): string {
	const problem = idProblem(value, kind);
	if (!problem) return value;
	const rule = ID_RULES[kind];
	const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
	throw rivyaInputError(
		node,
		`${itemIndex !== undefined ? `${itemLabel(itemIndex)}: ` : ''}"${rule.label}" ${shown} is not a Rivya ID: it ${problem}`,
		`Enter a ${rule.label} as Rivya returns it, e.g. ${rule.example}. Nothing was sent.`,
		itemIndex,
	);
}

/** Rivya allows client_request_id (the caller's own trace ID) up to this length. */
export const MAX_CLIENT_REQUEST_ID_LENGTH = 128;

/** What is wrong with a Client Request ID's length, or undefined when it fits. */
export function clientRequestIdProblem(
	value: string,
): { message: string; fix: string } | undefined {
	if (value.length <= MAX_CLIENT_REQUEST_ID_LENGTH) return undefined;
	return {
		message: `is ${value.length} characters long; Rivya allows at most ${MAX_CLIENT_REQUEST_ID_LENGTH}`,
		fix: 'Shorten the Client Request ID, or leave it empty.',
	};
}
