/**
 * First-contact diagnosis for a delivery without the signature headers this trigger expects.
 *
 * Rivya's docs do not describe how deliveries are signed; the contract assumes Standard Webhooks. If
 * the live API signs differently, EVERY delivery arrives without these headers. The delivery is still
 * refused (fail closed), but the refusal says which header names did arrive and which were expected,
 * so the mismatch is obvious on the first delivery instead of after hours of silent 401s.
 * Only header NAMES are ever reported, never values (they may hold signatures or tokens).
 */
import { SIGNATURE_HEADER_NAMES, type WebhookHeaders } from '../shared/signatures';

/** Enough to see what arrived; a flood of names would only bury the point. */
const MAX_LISTED_NAMES = 40;
const MAX_NAME_LENGTH = 64;
/** Endpoints already reported in this process (bounded: cleared when it grows past this). */
const MAX_REMEMBERED_ENDPOINTS = 1000;
const reportedEndpoints = new Set<string>();

/** Header names as sent, lowercased; anything outside RFC 9110 token characters is dropped. */
function headerNames(headers: WebhookHeaders): string[] {
	const names = new Set<string>();
	for (const name of Object.keys(headers ?? {})) {
		const clean = name.toLowerCase().replace(/[^a-z0-9!#$%&'*+.^_`|~-]/g, '');
		if (clean) names.add(clean.slice(0, MAX_NAME_LENGTH));
	}
	return [...names].sort();
}

/** The refusal text when expected signature headers are missing; undefined when all are present. */
export function missingSignatureHeadersMessage(headers: WebhookHeaders): string | undefined {
	const arrived = headerNames(headers);
	const missing = SIGNATURE_HEADER_NAMES.filter((name) => !arrived.includes(name));
	if (missing.length === 0) return undefined;
	const listed =
		arrived.length > MAX_LISTED_NAMES
			? `${arrived.slice(0, MAX_LISTED_NAMES).join(', ')} and ${arrived.length - MAX_LISTED_NAMES} more`
			: arrived.join(', ') || 'none';
	return (
		`the delivery has no ${missing.join(', ')} header${missing.length === 1 ? '' : 's'}. ` +
		`Expected the signature headers ${SIGNATURE_HEADER_NAMES.join(', ')} (Standard Webhooks; assumed, as Rivya's docs do not describe webhook signatures). ` +
		`Header names that arrived: ${listed}. ` +
		'If this delivery came from Rivya, Rivya signs webhooks differently from what this node expects: report these header names (never their values) to the node maintainers. Nothing was started.'
	);
}

/** True the first time an endpoint is reported in this process; later refusals log quietly. */
export function isFirstReportFor(endpointKey: string): boolean {
	if (reportedEndpoints.has(endpointKey)) return false;
	if (reportedEndpoints.size >= MAX_REMEMBERED_ENDPOINTS) reportedEndpoints.clear();
	reportedEndpoints.add(endpointKey);
	return true;
}
