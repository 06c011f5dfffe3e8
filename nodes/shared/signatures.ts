/**
 * Verifies Rivya webhook deliveries (Standard Webhooks scheme; the details Rivya's docs leave open are
 * listed under "webhook signing" in test/emulator/ASSUMED.md).
 *
 * - Signed content: `${webhook-id}.${webhook-timestamp}.${raw body bytes}`, HMAC-SHA256 keyed with the
 *   base64-decoded part of the secret after `whsec_`, base64-encoded.
 * - `webhook-signature` lists space-separated `v1,<base64>` entries (several during a secret rotation),
 *   possibly in several header lines; other versions are ignored. Any v1 entry in any line matching
 *   any given secret is accepted.
 * - The timestamp must be within the tolerance of our clock, in the past or in the future.
 *
 * Never throws, and no reason ever contains a secret or a signature.
 */
import { createHmac, timingSafeEqual } from 'crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface VerifyWebhookSignatureInput {
	/** Signing secrets (`whsec_...`); more than one while a rotation is in progress. */
	secrets: string[];
	/** Request headers; names are matched case-insensitively. */
	headers: WebhookHeaders;
	/** The exact request bytes, never re-serialised JSON. */
	rawBody: Buffer;
	/** Our clock, for tests. */
	nowMs?: number;
	toleranceSeconds?: number;
}

export type WebhookVerification =
	| { valid: true; eventId: string; timestamp: number }
	| { valid: false; reason: string };

function readHeader(headers: WebhookHeaders, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() !== name) continue;
		const text = Array.isArray(value) ? value.join(' ') : value;
		return typeof text === 'string' ? text.trim() : undefined;
	}
	return undefined;
}

/** The HMAC key of a `whsec_` secret, or undefined when the secret is not usable. */
export function signingKeyOf(secret: string): Buffer | undefined {
	if (typeof secret !== 'string') return undefined;
	const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
	if (!encoded || !BASE64.test(encoded)) return undefined;
	const key = Buffer.from(encoded, 'base64');
	return key.length > 0 ? key : undefined;
}

function computeSignature(
	key: Buffer,
	eventId: string,
	timestamp: string,
	rawBody: Buffer,
): string {
	return createHmac('sha256', key)
		.update(`${eventId}.${timestamp}.`, 'utf8')
		.update(rawBody)
		.digest('base64');
}

/**
 * v1 entries anywhere in the header. Entries are separated by spaces; a header sent as several lines
 * reaches us joined by ", " (Node's rule for repeated headers), so a comma may end an entry too.
 */
const V1_ENTRY = /(?:^|[\s,])v1,([A-Za-z0-9+/]+={0,2})(?=$|[\s,])/g;

/** The decoded v1 signatures of the header; entries of other versions or not base64 are skipped. */
function v1Signatures(header: string): Buffer[] {
	return Array.from(header.matchAll(V1_ENTRY), (match) => Buffer.from(match[1], 'base64'));
}

function sameBytes(a: Buffer, b: Buffer): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): WebhookVerification {
	try {
		return verify(input);
	} catch {
		return { valid: false, reason: 'The delivery could not be verified' };
	}
}

function verify({
	secrets,
	headers,
	rawBody,
	nowMs = Date.now(),
	toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
}: VerifyWebhookSignatureInput): WebhookVerification {
	const keys = (Array.isArray(secrets) ? secrets : [])
		.map(signingKeyOf)
		.filter((key): key is Buffer => key !== undefined);
	if (keys.length === 0) return { valid: false, reason: 'No usable signing secret is stored' };
	if (!Buffer.isBuffer(rawBody)) return { valid: false, reason: 'The raw request body is missing' };

	const eventId = readHeader(headers, 'webhook-id');
	const timestampText = readHeader(headers, 'webhook-timestamp');
	const signatureHeader = readHeader(headers, 'webhook-signature');
	if (!eventId) return { valid: false, reason: 'Missing webhook-id header' };
	if (!timestampText) return { valid: false, reason: 'Missing webhook-timestamp header' };
	if (!signatureHeader) return { valid: false, reason: 'Missing webhook-signature header' };

	if (!/^\d{1,12}$/.test(timestampText)) {
		return { valid: false, reason: 'The webhook-timestamp header is not unix seconds' };
	}
	const timestamp = Number(timestampText);
	const ageSeconds = nowMs / 1000 - timestamp;
	if (ageSeconds > toleranceSeconds) {
		return { valid: false, reason: 'The webhook timestamp is too old' };
	}
	if (ageSeconds < -toleranceSeconds) {
		return { valid: false, reason: 'The webhook timestamp is too far in the future' };
	}

	const received = v1Signatures(signatureHeader);
	if (received.length === 0) {
		return { valid: false, reason: 'The webhook-signature header has no v1 signature' };
	}
	for (const key of keys) {
		const expected = Buffer.from(computeSignature(key, eventId, timestampText, rawBody), 'base64');
		// Check every entry (no early exit per entry) so timing does not reveal which one matched.
		let matched = false;
		for (const signature of received) matched = sameBytes(signature, expected) || matched;
		if (matched) return { valid: true, eventId, timestamp };
	}
	return { valid: false, reason: 'No signature matches' };
}

/** The headers a signed delivery carries (Standard Webhooks; ASSUMED.md, webhook signing), lowercase. */
export const SIGNATURE_HEADER_NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];
