/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// What the jest global setup started, shared with the test files (they run in other processes) through a
// JSON file.
import * as fs from 'fs';
import * as path from 'path';

import { QueueCluster } from './cluster';
import { N8nClient, REPO_DIR, fetchWithStaleSocketRetry, type N8nStartInfo } from './n8n-instance';

export const E2E_ENV_FILE =
	process.env.RIVYA_E2E_ENV_FILE ?? path.join(REPO_DIR, '.e2e', 'e2e-env.json');

export interface E2eEnvironment {
	n8n: N8nStartInfo;
	emulator: { baseUrl: string; apiKey: string };
	/** Present in queue mode: the cluster behind `n8n.baseUrl` (see cluster/index.ts). */
	cluster?: { stateFile: string };
}

export type E2eMode = 'single' | 'queue';

/**
 * How the suite deploys n8n: RIVYA_E2E_MODE=queue starts the queue-mode cluster (cluster/), anything
 * else one n8n process with SQLite.
 */
export function e2eMode(): E2eMode {
	return process.env.RIVYA_E2E_MODE === 'queue' ? 'queue' : 'single';
}

export function writeE2eEnv(environment: E2eEnvironment): void {
	fs.mkdirSync(path.dirname(E2E_ENV_FILE), { recursive: true });
	fs.writeFileSync(E2E_ENV_FILE, JSON.stringify(environment, null, 2), { mode: 0o600 });
}

export function readE2eEnv(): E2eEnvironment {
	if (!fs.existsSync(E2E_ENV_FILE)) {
		throw new Error(
			`${E2E_ENV_FILE} is missing: run e2e tests with "npm run test:e2e" (its global setup writes it)`,
		);
	}
	return JSON.parse(fs.readFileSync(E2E_ENV_FILE, 'utf8')) as E2eEnvironment;
}

/** Client for the shared n8n, plus the emulator's address, for use inside a test file. */
export function connectE2e(): { n8n: N8nClient; emulator: E2eEnvironment['emulator'] } {
	const environment = readE2eEnv();
	return { n8n: new N8nClient(environment.n8n), emulator: environment.emulator };
}

/** The queue-mode cluster the global setup started (RIVYA_E2E_MODE=queue); throws in single mode. */
export function connectCluster(): QueueCluster {
	const { cluster } = readE2eEnv();
	if (!cluster) {
		throw new Error(
			'this e2e run has no queue-mode cluster: run with RIVYA_E2E_MODE=queue (npm run test:all does)',
		);
	}
	return QueueCluster.attach(cluster.stateFile);
}

/** Calls the emulator's control API (`/_emulator/...`, no auth). */
export async function emulatorControl<T>(
	method: string,
	controlPath: string,
	body?: unknown,
): Promise<T> {
	const { emulator } = readE2eEnv();
	const response = await fetchWithStaleSocketRetry(`${emulator.baseUrl}/_emulator${controlPath}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok)
		throw new Error(
			`emulator ${method} /_emulator${controlPath} answered ${response.status}: ${text}`,
		);
	return (text === '' ? undefined : JSON.parse(text)) as T;
}
