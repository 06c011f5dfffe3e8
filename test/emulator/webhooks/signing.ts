// Standard Webhooks signing (rivya-api.md §9 "Signature"): secrets are `whsec_<base64 key>`, the signed
// content is `<webhook-id>.<webhook-timestamp>.<raw body>` and each signature is `v1,<base64 HMAC-SHA256>`.
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const SECRET_KEY_BYTES = 32;

export function generateSigningSecret(): string {
	return SECRET_PREFIX + randomBytes(SECRET_KEY_BYTES).toString('base64');
}

/** What endpoint objects show instead of the secret: enough to tell two secrets apart, never enough to sign. */
export function secretPreview(secret: string): string {
	return `${SECRET_PREFIX}...${secret.slice(-4)}`;
}

function secretKey(secret: string): Buffer {
	if (!secret.startsWith(SECRET_PREFIX)) throw new Error('signing secrets start with whsec_');
	return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export function signWebhook(
	secret: string,
	webhookId: string,
	timestampSeconds: number,
	rawBody: string | Buffer,
): string {
	const digest = createHmac('sha256', secretKey(secret))
		.update(`${webhookId}.${timestampSeconds}.`)
		.update(rawBody)
		.digest('base64');
	return `v1,${digest}`;
}

/** The `webhook-signature` header: one `v1,` entry per secret (two while a rotated-out secret is still honoured). */
export function signatureHeader(
	secrets: string[],
	webhookId: string,
	timestampSeconds: number,
	rawBody: string | Buffer,
): string {
	return secrets
		.map((secret) => signWebhook(secret, webhookId, timestampSeconds, rawBody))
		.join(' ');
}
