/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
// `npm run emulator`: serves the Rivya API locally, e.g. for the demo or for curl.
import { startEmulator } from './index';

function numberFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
	return value;
}

async function main(): Promise<void> {
	const emulator = await startEmulator({
		port: numberFromEnv('RIVYA_EMULATOR_PORT', 4010),
		host: process.env.RIVYA_EMULATOR_HOST ?? '127.0.0.1',
		apiKey: process.env.RIVYA_EMULATOR_API_KEY || 'rvya_sk_emulator_demo',
		credits: numberFromEnv('RIVYA_EMULATOR_CREDITS', 1000),
		allowLocalWebhooks: process.env.RIVYA_EMULATOR_ALLOW_LOCAL_WEBHOOKS === '1',
		defaultJobMs: numberFromEnv('RIVYA_EMULATOR_JOB_MS', 5000),
		publicBaseUrl: process.env.RIVYA_EMULATOR_PUBLIC_URL || undefined,
	});
	console.log(`Rivya emulator listening on ${emulator.baseUrl}`);
	console.log(`API key: ${emulator.apiKey}`);
	console.log(
		`Try: curl -H "Authorization: Bearer ${emulator.apiKey}" ${emulator.baseUrl}/api/v1/credits`,
	);
	const stop = () => {
		void emulator.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
