import { createHmac, randomBytes } from 'node:crypto';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import * as http from 'node:http';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { AddressInfo } from 'node:net';

import { verifyWebhookSignature } from '../../nodes/shared/signatures';

/**
 * Fixed vector computed once OUTSIDE Node with openssl (shell), not with the code under test:
 *   KEYHEX=$(printf 'rivya-test-signing-key-0123456789' | xxd -p | tr -d '\n')
 *   printf '%s' 'evt_fixed_001.1767225600.{"id":"evt_fixed_001","type":"generation.succeeded"}' \
 *     | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEYHEX -binary | base64
 * The secret is `whsec_` + base64('rivya-test-signing-key-0123456789').
 */
const OPENSSL_VECTOR = {
	// = 'whsec_cml2eWEtdGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5'
	secret: `whsec_${Buffer.from('rivya-test-signing-key-0123456789').toString('base64')}`,
	eventId: 'evt_fixed_001',
	timestamp: 1767225600,
	body: '{"id":"evt_fixed_001","type":"generation.succeeded"}',
	signature: 'kiaGh6/V7gte1yD++YoFY1ZiJGYx8f+9eD2Eo74vjfU=',
};

/** Independent signer written from the contract text (Standard Webhooks), not shared with the node. */
function sign(
	secret: string,
	id: string,
	timestamp: number | string,
	body: Buffer | string,
): string {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const content = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(body)]);
	return createHmac('sha256', key).update(content).digest('base64');
}

function newSecret(): string {
	return `whsec_${randomBytes(32).toString('base64')}`;
}

const NOW_SECONDS = 1_767_225_600;
const NOW_MS = NOW_SECONDS * 1000;

function delivery(
	secret: string,
	overrides: { id?: string; timestamp?: number; body?: Buffer } = {},
) {
	const id = overrides.id ?? 'evt_abc123';
	const timestamp = overrides.timestamp ?? NOW_SECONDS;
	const rawBody =
		overrides.body ??
		Buffer.from(JSON.stringify({ id, object: 'event', type: 'generation.succeeded', data: {} }));
	return {
		rawBody,
		headers: {
			'webhook-id': id,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': `v1,${sign(secret, id, timestamp, rawBody)}`,
		} as Record<string, string>,
	};
}

describe('verifyWebhookSignature', () => {
	it('accepts the openssl-computed fixed vector', () => {
		const result = verifyWebhookSignature({
			secrets: [OPENSSL_VECTOR.secret],
			headers: {
				'webhook-id': OPENSSL_VECTOR.eventId,
				'webhook-timestamp': String(OPENSSL_VECTOR.timestamp),
				'webhook-signature': `v1,${OPENSSL_VECTOR.signature}`,
			},
			rawBody: Buffer.from(OPENSSL_VECTOR.body),
			nowMs: OPENSSL_VECTOR.timestamp * 1000 + 1000,
		});
		expect(result).toEqual({
			valid: true,
			eventId: OPENSSL_VECTOR.eventId,
			timestamp: OPENSSL_VECTOR.timestamp,
		});
		// The in-test signer agrees with openssl, so the other vectors are independent too.
		expect(
			sign(
				OPENSSL_VECTOR.secret,
				OPENSSL_VECTOR.eventId,
				OPENSSL_VECTOR.timestamp,
				OPENSSL_VECTOR.body,
			),
		).toBe(OPENSSL_VECTOR.signature);
	});

	it('accepts a valid delivery and reads header names case-insensitively', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret);
		const upper = {
			'Webhook-Id': headers['webhook-id'],
			'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
			'Webhook-Signature': headers['webhook-signature'],
		};
		expect(
			verifyWebhookSignature({ secrets: [secret], headers: upper, rawBody, nowMs: NOW_MS }),
		).toEqual({
			valid: true,
			eventId: 'evt_abc123',
			timestamp: NOW_SECONDS,
		});
	});

	it('verifies the raw bytes, including non-ASCII and whitespace a re-serialiser would change', () => {
		const secret = newSecret();
		const body = Buffer.from('{ "id" : "evt_1",  "prompt": "café – 東京" }\n', 'utf8');
		const { rawBody, headers } = delivery(secret, { id: 'evt_1', body });
		expect(
			verifyWebhookSignature({ secrets: [secret], headers, rawBody, nowMs: NOW_MS }).valid,
		).toBe(true);
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
		expect(
			verifyWebhookSignature({ secrets: [secret], headers, rawBody: reserialised, nowMs: NOW_MS })
				.valid,
		).toBe(false);
	});

	it('rejects a tampered body', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret);
		const tampered = Buffer.from(rawBody.toString().replace('succeeded', 'failed'));
		expect(
			verifyWebhookSignature({ secrets: [secret], headers, rawBody: tampered, nowMs: NOW_MS }),
		).toEqual({
			valid: false,
			reason: 'No signature matches',
		});
	});

	it('rejects a tampered event id or timestamp (both are signed)', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret);
		const otherId = { ...headers, 'webhook-id': 'evt_other' };
		const otherTime = { ...headers, 'webhook-timestamp': String(NOW_SECONDS + 1) };
		expect(
			verifyWebhookSignature({ secrets: [secret], headers: otherId, rawBody, nowMs: NOW_MS }).valid,
		).toBe(false);
		expect(
			verifyWebhookSignature({ secrets: [secret], headers: otherTime, rawBody, nowMs: NOW_MS })
				.valid,
		).toBe(false);
	});

	it('rejects the wrong secret and never puts a secret or signature in the reason', () => {
		const signer = newSecret();
		const other = newSecret();
		const { rawBody, headers } = delivery(signer);
		const result = verifyWebhookSignature({ secrets: [other], headers, rawBody, nowMs: NOW_MS });
		expect(result.valid).toBe(false);
		const reason = (result as { reason: string }).reason;
		expect(reason).not.toContain(other.slice(6, 20));
		expect(reason).not.toContain(signer.slice(6, 20));
		expect(reason).not.toContain(headers['webhook-signature'].slice(3, 20));
	});

	it('accepts timestamps up to 5 minutes old or ahead, and rejects stale and future ones', () => {
		const secret = newSecret();
		const at = (offsetSeconds: number) => {
			const { rawBody, headers } = delivery(secret, { timestamp: NOW_SECONDS + offsetSeconds });
			return verifyWebhookSignature({ secrets: [secret], headers, rawBody, nowMs: NOW_MS });
		};
		expect(at(-300).valid).toBe(true);
		expect(at(300).valid).toBe(true);
		expect(at(-301)).toEqual({ valid: false, reason: 'The webhook timestamp is too old' });
		expect(at(301)).toEqual({
			valid: false,
			reason: 'The webhook timestamp is too far in the future',
		});
		expect(at(-3600).valid).toBe(false);
	});

	it('honours a custom tolerance', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret, { timestamp: NOW_SECONDS - 61 });
		expect(
			verifyWebhookSignature({
				secrets: [secret],
				headers,
				rawBody,
				nowMs: NOW_MS,
				toleranceSeconds: 60,
			}).valid,
		).toBe(false);
	});

	it('rejects timestamps that are not unix seconds (milliseconds, ISO, negative, junk)', () => {
		const secret = newSecret();
		for (const bad of [String(NOW_MS), '2026-01-01T00:00:00Z', '-1', '17672256.5', 'abc']) {
			const rawBody = Buffer.from('{}');
			const headers = {
				'webhook-id': 'evt_1',
				'webhook-timestamp': bad,
				'webhook-signature': `v1,${sign(secret, 'evt_1', bad, rawBody)}`,
			};
			expect(
				verifyWebhookSignature({ secrets: [secret], headers, rawBody, nowMs: NOW_MS }).valid,
			).toBe(false);
		}
	});

	it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
		'rejects a missing %s header',
		(name) => {
			const secret = newSecret();
			const { rawBody, headers } = delivery(secret);
			const partial = { ...headers };
			delete partial[name];
			const result = verifyWebhookSignature({
				secrets: [secret],
				headers: partial,
				rawBody,
				nowMs: NOW_MS,
			});
			expect(result).toEqual({ valid: false, reason: `Missing ${name} header` });
		},
	);

	it('rejects when no headers or no body are given at all', () => {
		const secret = newSecret();
		expect(
			verifyWebhookSignature({
				secrets: [secret],
				headers: {},
				rawBody: Buffer.from('{}'),
				nowMs: NOW_MS,
			}).valid,
		).toBe(false);
		const { headers } = delivery(secret);
		expect(
			verifyWebhookSignature({
				secrets: [secret],
				headers,
				rawBody: undefined as unknown as Buffer,
				nowMs: NOW_MS,
			}),
		).toEqual({ valid: false, reason: 'The raw request body is missing' });
	});

	it('fails closed without a usable secret', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret);
		for (const secrets of [
			[],
			[''],
			['whsec_'],
			['whsec_!!not base64!!'],
			undefined as unknown as string[],
		]) {
			expect(verifyWebhookSignature({ secrets, headers, rawBody, nowMs: NOW_MS })).toEqual({
				valid: false,
				reason: 'No usable signing secret is stored',
			});
		}
	});

	it('accepts either of two signatures during a rotation, with either secret stored', () => {
		const oldSecret = newSecret();
		const newSecretValue = newSecret();
		const rawBody = Buffer.from('{"id":"evt_rot"}');
		const headers = {
			'webhook-id': 'evt_rot',
			'webhook-timestamp': String(NOW_SECONDS),
			'webhook-signature': `v1,${sign(oldSecret, 'evt_rot', NOW_SECONDS, rawBody)} v1,${sign(newSecretValue, 'evt_rot', NOW_SECONDS, rawBody)}`,
		};
		for (const secrets of [[oldSecret], [newSecretValue], [newSecretValue, oldSecret]]) {
			expect(verifyWebhookSignature({ secrets, headers, rawBody, nowMs: NOW_MS }).valid).toBe(true);
		}
		expect(
			verifyWebhookSignature({ secrets: [newSecret()], headers, rawBody, nowMs: NOW_MS }).valid,
		).toBe(false);
	});

	it('accepts a delivery signed only by the old secret while both secrets are stored', () => {
		const oldSecret = newSecret();
		const { rawBody, headers } = delivery(oldSecret);
		expect(
			verifyWebhookSignature({ secrets: [newSecret(), oldSecret], headers, rawBody, nowMs: NOW_MS })
				.valid,
		).toBe(true);
	});

	it('ignores signatures of other versions', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret);
		const good = headers['webhook-signature'].slice(3);
		const onlyOther = { ...headers, 'webhook-signature': `v2,${good} v1a,${good}` };
		expect(
			verifyWebhookSignature({ secrets: [secret], headers: onlyOther, rawBody, nowMs: NOW_MS }),
		).toEqual({
			valid: false,
			reason: 'The webhook-signature header has no v1 signature',
		});
		const mixed = { ...headers, 'webhook-signature': `v2,${good} v1,${good}` };
		expect(
			verifyWebhookSignature({ secrets: [secret], headers: mixed, rawBody, nowMs: NOW_MS }).valid,
		).toBe(true);
	});

	it('rejects malformed signature entries without throwing', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret);
		const good = headers['webhook-signature'].slice(3);
		for (const bad of [
			'v1,',
			'v1,%%%not-base64%%%',
			`v1,${good.slice(0, -4)}`,
			`v1,${good}AAAA`,
			'garbage',
			`v1 ${good}`,
			`V1,${good}`,
			',,,',
		]) {
			const result = verifyWebhookSignature({
				secrets: [secret],
				headers: { ...headers, 'webhook-signature': bad },
				rawBody,
				nowMs: NOW_MS,
			});
			expect(result.valid).toBe(false);
		}
		// A malformed entry next to a good one does not spoil the good one.
		const mixed = { ...headers, 'webhook-signature': `v1,%%% v1,${good}` };
		expect(
			verifyWebhookSignature({ secrets: [secret], headers: mixed, rawBody, nowMs: NOW_MS }).valid,
		).toBe(true);
	});

	it('handles a signature header given as an array of values', () => {
		const secret = newSecret();
		const { rawBody, headers } = delivery(secret);
		const asArray = { ...headers, 'webhook-signature': ['v2,AAAA', headers['webhook-signature']] };
		expect(
			verifyWebhookSignature({ secrets: [secret], headers: asArray, rawBody, nowMs: NOW_MS }).valid,
		).toBe(true);
	});
});

describe('webhook-signature sent as several header lines', () => {
	it('accepts a delivery whose valid signature is in the first of two lines, as Node joins them', async () => {
		const secret = newSecret();
		const other = newSecret();
		const id = 'evt_lines_1';
		const body = Buffer.from('{"id":"evt_lines_1"}');
		const nowSeconds = Math.floor(Date.now() / 1000);
		const lines = [
			`v1,${sign(secret, id, nowSeconds, body)}`,
			`v1,${sign(other, id, nowSeconds, body)}`,
		];
		const received: Array<string | string[] | undefined> = [];
		const server = http.createServer((req, res) => {
			received.push(req.headers['webhook-signature']);
			res.end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		for (const order of [lines, [...lines].reverse()]) {
			await new Promise<void>((resolve, reject) => {
				const request = http.request({ port, host: '127.0.0.1', method: 'POST' }, (res) => {
					res.resume();
					res.on('end', resolve);
				});
				request.on('error', reject);
				request.setHeader('webhook-signature', order); // two header lines
				request.end(body);
			});
		}
		server.close();

		expect(received[0]).toContain(', ');
		for (const header of received) {
			const result = verifyWebhookSignature({
				secrets: [secret],
				headers: {
					'webhook-id': id,
					'webhook-timestamp': String(nowSeconds),
					'webhook-signature': header,
				},
				rawBody: body,
			});
			expect(result).toMatchObject({ valid: true, eventId: id });
		}
	});

	it('still rejects when no line holds a matching signature', () => {
		const secret = newSecret();
		const body = Buffer.from('{}');
		const header = `v1,${sign(newSecret(), 'evt_x', NOW_SECONDS, body)}, v1,${sign(newSecret(), 'evt_x', NOW_SECONDS, body)}`;
		const result = verifyWebhookSignature({
			secrets: [secret],
			headers: {
				'webhook-id': 'evt_x',
				'webhook-timestamp': String(NOW_SECONDS),
				'webhook-signature': header,
			},
			rawBody: body,
			nowMs: NOW_MS,
		});
		expect(result.valid).toBe(false);
	});
});
