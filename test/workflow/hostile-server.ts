/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * A tiny HTTP server on 127.0.0.1 for hardening tests: by default a transparent proxy in front of the
 * Rivya emulator; a test sets `intercept` to answer chosen requests itself (a redirect, an HTML page, a
 * cut-off body, an endless SSE line, ...). Every request it sees is recorded with its headers and body,
 * so a test can prove what reached which host (e.g. that no Authorization header left the Base URL).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/** Return true when the request was answered; false (or undefined) forwards it to the target. */
export type Intercept = (
	request: SeenRequest,
	res: http.ServerResponse,
) => boolean | undefined | Promise<boolean | undefined>;

export interface HostileServer {
	baseUrl: string;
	seen: SeenRequest[];
	intercept?: Intercept;
	close(): Promise<void>;
}

/** Starts the server; `target` (e.g. the emulator's base URL) receives every request not intercepted. */
export async function startHostileServer(target?: string): Promise<HostileServer> {
	const sockets = new Set<Socket>();
	const handle: HostileServer = {
		baseUrl: '',
		seen: [],
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const seen: SeenRequest = {
				method: req.method ?? 'GET',
				url: req.url ?? '/',
				headers: req.headers,
				body: Buffer.concat(chunks),
			};
			handle.seen.push(seen);
			void (async () => {
				if (handle.intercept && (await handle.intercept(seen, res))) return;
				if (!target) {
					res.writeHead(404, { 'Content-Type': 'application/json' });
					res.end('{"error":{"code":"not_found","message":"nothing here"}}');
					return;
				}
				const forward = http.request(
					`${target}${seen.url}`,
					{ method: seen.method, headers: { ...req.headers, host: new URL(target).host } },
					(upstream) => {
						res.writeHead(upstream.statusCode ?? 502, upstream.headers);
						upstream.pipe(res);
					},
				);
				forward.on('error', () => res.destroy());
				forward.end(seen.body);
			})();
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	handle.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return handle;
}

/** Answers with headers promising `promisedBytes` but sends only `body`, then cuts the connection. */
export function answerCutOff(
	res: http.ServerResponse,
	status: number,
	body: string,
	promisedBytes: number,
): true {
	res.writeHead(status, {
		'Content-Type': 'application/json',
		'Content-Length': String(promisedBytes),
	});
	res.write(body);
	setTimeout(() => res.socket?.destroy(), 20);
	return true;
}
