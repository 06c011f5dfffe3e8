/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// Webhook URL rules (rivya-api.md §9): HTTPS only, no credentials, no fragment, and never a local-ish target
// (localhost names, loopback, private, link-local, CGNAT/local-network, reserved). The development switch
// `allowLocalWebhooks` opens exactly the loopback targets a local n8n listens on.
import { BlockList, isIP } from 'node:net';

/** Every IP range a public webhook must not reach, including IPv4-mapped IPv6 forms (BlockList maps them). */
const disallowedAddresses = new BlockList();
const disallowedIpv4Ranges: Array<[string, number]> = [
	['0.0.0.0', 8], // "this network"
	['10.0.0.0', 8], // private
	['100.64.0.0', 10], // CGNAT (shared address space)
	['127.0.0.0', 8], // loopback
	['169.254.0.0', 16], // link-local
	['172.16.0.0', 12], // private
	['192.0.0.0', 24], // IETF protocol assignments
	['192.0.2.0', 24], // documentation (TEST-NET-1)
	['192.88.99.0', 24], // 6to4 relay anycast
	['192.168.0.0', 16], // private
	['198.18.0.0', 15], // benchmarking
	['198.51.100.0', 24], // documentation (TEST-NET-2)
	['203.0.113.0', 24], // documentation (TEST-NET-3)
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4], // reserved, includes broadcast
];
const disallowedIpv6Ranges: Array<[string, number]> = [
	['::', 96], // unspecified, loopback and the deprecated IPv4-compatible block
	['64:ff9b::', 96], // NAT64 could smuggle any IPv4 target
	['64:ff9b:1::', 48], // local-use NAT64
	['100::', 64], // discard
	['2001::', 23], // IETF protocol assignments (Teredo, ORCHIDs, ...)
	['2001:db8::', 32], // documentation
	['2002::', 16], // 6to4 could smuggle any IPv4 target
	['fc00::', 7], // unique local (private)
	['fe80::', 10], // link-local
	['fec0::', 10], // deprecated site-local
	['ff00::', 8], // multicast
];
for (const [network, prefix] of disallowedIpv4Ranges)
	disallowedAddresses.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of disallowedIpv6Ranges)
	disallowedAddresses.addSubnet(network, prefix, 'ipv6');

const localNameSuffixes = [
	'.localhost',
	'.local',
	'.localdomain',
	'.internal',
	'.lan',
	'.home.arpa',
	'.intranet',
];
const loopbackHostsForDevelopment = new Set(['127.0.0.1', 'localhost', '::1']);

/** Host name as the URL parser normalised it, without IPv6 brackets or a trailing root dot. */
function bareHost(url: URL): string {
	return url.hostname
		.replace(/^\[|\]$/g, '')
		.replace(/\.$/, '')
		.toLowerCase();
}

export function isDisallowedAddress(address: string): boolean {
	const family = isIP(address);
	if (family === 0) return false;
	return disallowedAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function isLocalName(host: string): boolean {
	// Single-label names ("intranet", "printer") only resolve inside a local network.
	return (
		host === 'localhost' ||
		!host.includes('.') ||
		localNameSuffixes.some((suffix) => host.endsWith(suffix))
	);
}

export function isDevelopmentLoopbackUrl(url: URL): boolean {
	return loopbackHostsForDevelopment.has(bareHost(url));
}

/** Returns why the URL is rejected, or null when a webhook may target it. */
export function webhookUrlProblem(rawUrl: string, allowLocalWebhooks: boolean): string | null {
	let url: URL;
	try {
		url = new URL(rawUrl);
	} catch {
		return 'url is not a valid absolute URL';
	}
	if (url.username || url.password) return 'url must not contain credentials';
	if (rawUrl.includes('#')) return 'url must not contain a fragment';
	if (
		allowLocalWebhooks &&
		isDevelopmentLoopbackUrl(url) &&
		(url.protocol === 'http:' || url.protocol === 'https:')
	) {
		return null;
	}
	if (url.protocol !== 'https:') return 'url must use https';
	const host = bareHost(url);
	if (isIP(host) !== 0) {
		return isDisallowedAddress(host)
			? 'url targets a loopback, private, link-local or reserved address'
			: null;
	}
	return isLocalName(host) ? 'url targets a local host name' : null;
}
