/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// A local HTTP server standing where n8n's webhook URL would be, so the emulator's real signed
// deliveries reach a trigger run by the harness: each request's headers and raw bytes go to a handler.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RelayedRequest {
	headers: Record<string, string>;
	rawBody: Buffer;
}

export interface WebhookRelay {
	/** http://127.0.0.1:<port> */
	baseUrl: string;
	close(): Promise<void>;
}

/** Starts the relay on a free port; `onRequest` answers every request through `response`. */
export async function startWebhookRelay(
	onRequest: (request: RelayedRequest, response: http.ServerResponse) => void,
): Promise<WebhookRelay> {
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const headers = Object.fromEntries(
				Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
			);
			onRequest({ headers, rawBody: Buffer.concat(chunks) }, res);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: async () =>
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
