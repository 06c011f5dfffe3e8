import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	hintForRivyaError,
	readErrorEnvelope,
	rivyaApiError,
	rivyaCodeOf,
	itemLabel,
	rivyaInputError,
	rivyaNetworkError,
} from '../../nodes/shared/errors';
import { TEST_NODE as node } from './test-node';

// A made-up key, assembled so that it is never a literal secret in source.
const API_KEY = ['rvya', 'sk', 'unit', '0123456789abcdef'].join('_');

/** Every way an error reaches a user or a log: message, description, JSON, stack. */
function everythingVisible(error: Error): string {
	return [
		error.message,
		String((error as { description?: unknown }).description),
		JSON.stringify(error),
		JSON.stringify((error as { toJSON?: () => unknown }).toJSON?.() ?? null),
		error.stack ?? '',
	].join('\n');
}

describe('readErrorEnvelope', () => {
	it('reads the documented envelope', () => {
		expect(
			readErrorEnvelope({
				error: { code: 'not_found', message: 'Task not found', requestId: 'req_1' },
			}),
		).toEqual({ code: 'not_found', message: 'Task not found', requestId: 'req_1' });
	});

	it('reads it from a JSON string (error bodies of streamed requests)', () => {
		expect(
			readErrorEnvelope(
				'{"error":{"code":"rate_limited","message":"Slow down","requestId":"req_2"}}',
			),
		).toEqual({ code: 'rate_limited', message: 'Slow down', requestId: 'req_2' });
	});

	it('tolerates snake_case request_id, a missing message and unknown extra fields', () => {
		expect(
			readErrorEnvelope({
				error: { code: 'new_code', request_id: 'req_3', extra: 1 },
				other: true,
			}),
		).toEqual({ code: 'new_code', message: 'new_code', requestId: 'req_3' });
	});

	it('returns undefined for anything that is not an envelope', () => {
		for (const body of [
			undefined,
			null,
			'',
			'<html>Bad gateway</html>',
			'{"error":"text"}',
			{ message: 'no envelope' },
			{ error: { message: 'no code' } },
			{ error: { code: 42 } },
			42,
		]) {
			expect(readErrorEnvelope(body)).toBeUndefined();
		}
	});
});

describe('hintForRivyaError', () => {
	it.each([
		['api_key_missing', /rvya_sk_/],
		['api_key_invalid', /rvya_sk_/],
		['api_key_revoked', /revoked.*new key/i],
		['api_key_expired', /expired.*new key/i],
		['rate_limited', /Max Retry Time|items/],
		['validation_failed', /field/],
		['webhook_url_rejected', /HTTPS/],
		['chat_model_not_supported', /chat model/i],
		['chat_session_conflict', /session/i],
		['chat_attachment_not_supported', /uploaded/i],
		['idempotency_conflict', /Idempotency-Key/],
		['file_too_large', /larger/i],
		['unsupported_media_type', /contents/i],
		['public_api_disabled', /later/i],
		['internal_error', /later/i],
	])('gives %s a concrete next step', (code, expected) => {
		expect(hintForRivyaError(code)).toMatch(expected);
	});

	it('names the missing scope when known, and still helps when not', () => {
		expect(hintForRivyaError('api_scope_denied', { requiredScope: 'files:create' })).toContain(
			'"files:create"',
		);
		expect(hintForRivyaError('api_scope_denied')).toMatch(/scope/);
	});

	it('quotes the balance and the price for insufficient credits, and says nothing was charged', () => {
		const hint = hintForRivyaError('insufficient_credits', { balance: 7, creditsNeeded: 20 });
		expect(hint).toContain('7 credits');
		expect(hint).toContain('needs 20');
		expect(hint).toMatch(/nothing was charged/i);
		expect(hintForRivyaError('insufficient_credits')).toMatch(/balance is too low/i);
	});

	it('names what was not found', () => {
		expect(hintForRivyaError('not_found', { resourceLabel: 'File file_123' })).toContain(
			'File file_123 was not found',
		);
	});

	it('has a fallback for codes Rivya adds later', () => {
		expect(hintForRivyaError('brand_new_code')).toMatch(/message from Rivya/);
	});
});

describe('rivyaApiError', () => {
	it('builds a NodeApiError with code, status, request id and hint', () => {
		const error = rivyaApiError(
			node,
			403,
			{ error: { code: 'api_scope_denied', message: 'Missing scope', requestId: 'req_9' } },
			{ requiredScope: 'files:read', itemIndex: 2 },
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Missing scope [api_scope_denied]');
		expect(error.httpCode).toBe('403');
		expect(error.description).toContain('"files:read"');
		expect(error.description).toContain('request ID: req_9');
		expect(error.context.itemIndex).toBe(2);
		expect(rivyaCodeOf(error)).toBe('api_scope_denied');
	});

	it('falls back to a plain message per status when the body is not an envelope', () => {
		const notFound = rivyaApiError(node, 404, '<html>nope</html>');
		expect(notFound.message).toMatch(/Not found in Rivya \[http_404\]/);
		const serverError = rivyaApiError(node, 502, undefined);
		expect(rivyaCodeOf(serverError)).toBe('internal_error');
		const teapot = rivyaApiError(node, 418, {});
		expect(teapot.message).toContain('HTTP 418');
	});

	it('never carries the API key, even when Rivya echoes request details', () => {
		// The transport only passes the response body; make sure nothing else sneaks in.
		const error = rivyaApiError(node, 401, {
			error: { code: 'api_key_invalid', message: 'The API key is not valid', requestId: 'req_1' },
		});
		expect(everythingVisible(error)).not.toContain(API_KEY);
		expect(everythingVisible(error)).not.toMatch(/Bearer/);
	});
});

describe('rivyaCodeOf', () => {
	it('is undefined for errors this package did not raise', () => {
		expect(rivyaCodeOf(new Error('x'))).toBeUndefined();
		expect(rivyaCodeOf(undefined)).toBeUndefined();
		expect(rivyaCodeOf({ rivyaCode: 5 })).toBeUndefined();
	});
});

describe('rivyaNetworkError', () => {
	it('says how often it tried and that a rerun will not charge twice', () => {
		const error = rivyaNetworkError(node, new Error('socket hang up'), 3, 1);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Could not reach Rivya after 3 attempts');
		expect(error.description).toMatch(/Cause: socket hang up\./);
		expect(error.description).toMatch(/Idempotency-Key/);
		expect(error.context.itemIndex).toBe(1);
		expect(rivyaNetworkError(node, new Error('socket hang up'), 1).message).toMatch(/1 attempt$/);
	});

	it('keeps its own message and names the socket code in the description (n8n rewrites messages naming codes)', () => {
		const error = rivyaNetworkError(
			node,
			Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
			2,
		);
		expect(error.message).toBe(
			"Nothing answered at Rivya's address (connection refused, 2 attempts)",
		);
		expect(error.description).toMatch(/Cause: ECONNREFUSED\./);
		expect(error.description).toMatch(/Base URL/);
	});

	it('does not copy the request (with its Authorization header) from an HTTP client error', () => {
		const clientError = Object.assign(new Error('connect ECONNRESET'), {
			code: 'ECONNRESET',
			config: { headers: { Authorization: `Bearer ${API_KEY}` } },
			request: { _header: `Authorization: Bearer ${API_KEY}` },
		});
		expect(everythingVisible(rivyaNetworkError(node, clientError, 2))).not.toContain(API_KEY);
	});
});

describe('rivyaInputError', () => {
	it('is a NodeOperationError with message, description and item', () => {
		const error = rivyaInputError(node, 'bad', 'Fix it', 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('bad');
		expect(error.description).toBe('Fix it');
		expect(error.context.itemIndex).toBe(0);
	});

	it('counts items from 1 and leaves out the item index a message already names', () => {
		// n8n's error view appends a 0-based "[item 0]" to a message when the error carries an item index.
		const error = rivyaInputError(node, `${itemLabel(0)}: bad`, 'Fix it', 0);
		expect(error.message).toBe('Item 1: bad');
		expect(error.context.itemIndex).toBeUndefined();
	});
});
