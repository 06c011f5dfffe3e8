/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
// `npm run n8n:start`: the Rivya emulator plus a real n8n with this package loaded, for manual checks in
// the editor. Needs `npm run build` first. Env: N8N_E2E_PORT (n8n's port, default free),
// RIVYA_EMULATOR_PORT (the emulator's, default free), RIVYA_E2E_STOP_AFTER_START=1 to stop right after the
// start (a smoke test that prints the timings). Prints the addresses, the login, the emulator's API key and
// n8n's public API key it made.
import { startEmulator } from '../emulator';
import { OWNER, installN8n, startN8n } from './n8n-instance';

async function main(): Promise<void> {
	installN8n();
	const emulatorPort = process.env.RIVYA_EMULATOR_PORT
		? Number(process.env.RIVYA_EMULATOR_PORT)
		: 0;
	if (!Number.isInteger(emulatorPort) || emulatorPort < 0 || emulatorPort > 65535) {
		throw new Error(
			`RIVYA_EMULATOR_PORT must be a port number (0 picks a free one), not "${process.env.RIVYA_EMULATOR_PORT}"`,
		);
	}
	const emulator = await startEmulator({ port: emulatorPort, allowLocalWebhooks: true });
	const started = Date.now();
	const port = process.env.N8N_E2E_PORT ? Number(process.env.N8N_E2E_PORT) : undefined;
	const n8n = await startN8n({ port }).catch(async (error: Error) => {
		await emulator.close();
		return Promise.reject(error);
	});
	console.log(
		`n8n started in ${((Date.now() - started) / 1000).toFixed(1)} s (owner, API key and package included)`,
	);
	const credential = await n8n.createCredential('rivyaApi', 'Rivya (emulator)', {
		apiKey: emulator.apiKey,
		baseUrl: emulator.baseUrl,
	});
	console.log(`editor:   ${n8n.baseUrl}  (login ${OWNER.email} / ${OWNER.loginPhrase})`);
	console.log(
		`emulator: ${emulator.baseUrl}  key ${emulator.apiKey}  (credential "${credential.name}")`,
	);
	console.log(`n8n API:  ${n8n.baseUrl}/api/v1  header X-N8N-API-KEY: ${n8n.info.apiKey}`);
	console.log(`n8n log:  ${n8n.logFile}`);

	const shutdown = async () => {
		await n8n.stop();
		await emulator.close();
	};
	if (process.env.RIVYA_E2E_STOP_AFTER_START === '1') {
		await shutdown();
		return;
	}
	console.log('Ctrl-C stops both.');
	process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));
	process.once('SIGTERM', () => void shutdown().then(() => process.exit(0)));
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
