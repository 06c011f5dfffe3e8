/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// Jest global setup of the e2e suite: real n8n (installed on demand), this package built and loaded as a
// community package, and the Rivya emulator with local webhook targets allowed.
import * as path from 'path';

import { startEmulator } from '../emulator';
import { QueueCluster } from './cluster';
import { e2eMode, writeE2eEnv } from './e2e-env';
import {
	REPO_DIR,
	buildPackage,
	installN8n,
	packPackage,
	startN8n,
	targetN8n,
	type PackedPackage,
} from './n8n-instance';
import { keepForTeardown, stopAll } from './running-services';

function timed<T>(label: string, work: () => T): T {
	const started = Date.now();
	const result = work();
	console.log(`[e2e] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return result;
}

async function timedAsync<T>(label: string, work: () => Promise<T>): Promise<T> {
	const started = Date.now();
	const result = await work();
	console.log(`[e2e] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return result;
}

/**
 * Builds and packs right away. In a working tree shared with someone else's concurrent `npm run build`
 * (which empties dist first) a pack can come out incomplete: build again then.
 */
function buildAndPack(): PackedPackage {
	const destination = path.join(REPO_DIR, '.e2e', 'pack');
	let failure: Error | undefined;
	for (let attempt = 1; attempt <= 3; attempt++) {
		if (process.env.RIVYA_E2E_SKIP_BUILD !== '1') buildPackage();
		try {
			return packPackage(destination);
		} catch (error) {
			failure = error as Error;
			console.log(`[e2e] ${failure.message} (attempt ${attempt} of 3)`);
		}
	}
	throw failure;
}

export default async function globalSetup(): Promise<void> {
	let started = false;
	try {
		await startServices();
		started = true;
	} finally {
		// Jest skips the global teardown when the setup fails: stop what did start.
		if (!started) await stopAll().catch((stopError: Error) => console.error(stopError.message));
	}
}

async function startServices(): Promise<void> {
	console.log('');
	timed('n8n install check', installN8n);
	const packedPackage = timed('build and pack', buildAndPack);

	const emulator = await startEmulator({ port: 0, allowLocalWebhooks: true });
	keepForTeardown({ name: 'emulator', stop: () => emulator.close() });
	console.log(`[e2e] emulator at ${emulator.baseUrl}`);

	const emulatorInfo = { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey };
	const { version } = targetN8n();

	if (e2eMode() === 'queue') {
		const cluster = await timedAsync(
			`n8n ${version} queue-mode cluster start (Postgres, Redis, main, workers, webhook processor)`,
			() => QueueCluster.start({ packedPackage }),
		);
		keepForTeardown({ name: 'queue cluster', stop: () => cluster.stop() });
		const main = cluster.processes()[0];
		console.log(`[e2e] n8n queue mode behind ${cluster.baseUrl} (logs: ${cluster.info.dir})`);
		writeE2eEnv({
			n8n: {
				...cluster.connection,
				userFolder: cluster.info.userFolder,
				logFile: main.logFile,
				pid: main.pid,
			},
			emulator: emulatorInfo,
			cluster: { stateFile: cluster.stateFile },
		});
		return;
	}

	const port = process.env.N8N_E2E_PORT ? Number(process.env.N8N_E2E_PORT) : undefined;
	const n8n = await timedAsync(`n8n ${version} start (owner + API key included)`, () =>
		startN8n({ port, packedPackage }),
	);
	keepForTeardown({ name: 'n8n', stop: () => n8n.stop() });
	console.log(`[e2e] n8n ${version} at ${n8n.baseUrl} (log: ${n8n.logFile})`);

	writeE2eEnv({ n8n: n8n.info, emulator: emulatorInfo });
}
