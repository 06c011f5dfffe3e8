/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// The Rivya emulator: `startEmulator(options)` serves ../shared/rivya-api.md on a local port.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from './router';
import { register as registerChat } from './chat/routes';
import { register as registerControl } from './control/routes';
import { register as registerCredits } from './credits/routes';
import { register as registerFiles } from './files/routes';
import { register as registerGenerations } from './generations/routes';
import { register as registerModels } from './models/routes';
import { register as registerOpenApi } from './openapi';
import { register as registerWebhooks } from './webhooks/routes';
import { EmulatorState, type EmulatorOptions } from './state';

export type { EmulatorOptions, Account, Task, StoredFile, ModelBehavior, Fault } from './state';
export { EmulatorState } from './state';
export type { ModelDefinition, MediaKind, ParamDefinition } from './models/catalog';
export {
	ApiError,
	ALL_SCOPES,
	Router,
	type Scope,
	type RequestContext,
	type RouteOptions,
} from './router';

export interface EmulatorHandle {
	/** e.g. http://127.0.0.1:41234 (no trailing slash; API paths start with /api/v1). */
	baseUrl: string;
	/** The seeded account's key (all scopes). */
	apiKey: string;
	port: number;
	state: EmulatorState;
	close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
	const state = new EmulatorState(options);
	const router = new Router(state);
	for (const register of [
		registerModels,
		registerGenerations,
		registerFiles,
		registerCredits,
		registerChat,
		registerWebhooks,
		registerOpenApi,
		registerControl,
	]) {
		register(router, state);
	}

	const server = http.createServer((req, res) => {
		void router.handle(req, res);
	});
	// Uploads and long downloads must not be cut by Node's default request timeout.
	server.requestTimeout = 0;
	server.keepAliveTimeout = 5_000;

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(state.options.port, state.options.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const host = state.options.host.includes(':') ? `[${state.options.host}]` : state.options.host;
	const baseUrl = `http://${host}:${port}`;
	state.baseUrl = state.options.publicBaseUrl?.replace(/\/+$/, '') ?? baseUrl;

	return {
		baseUrl,
		apiKey: state.options.apiKey,
		port,
		state,
		close: () =>
			new Promise<void>((resolve) => {
				state.close();
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
