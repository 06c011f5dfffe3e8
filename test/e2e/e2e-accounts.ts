// A fresh emulator account per test file, with a client for its key and the matching n8n credential,
// so one file's generations, files, chats and webhooks never show up in another's assertions.
import { EmulatorClient } from '../emulator/client';
import { connectE2e, emulatorControl } from './e2e-env';
import { RIVYA_CREDENTIAL_TYPE } from './workflows';

export interface E2eAccount {
	apiKey: string;
	/** The Rivya API (and control API) of the emulator, as this account. */
	api: EmulatorClient;
	/** The stored n8n credential holding this account's key. */
	credential: { id: string; name: string };
}

export async function accountWithCredential(label: string, credits: number): Promise<E2eAccount> {
	const { n8n, emulator } = connectE2e();
	const { apiKey } = await emulatorControl<{ accountId: string; apiKey: string }>(
		'POST',
		'/accounts',
		{ credits },
	);
	const credential = await n8n.createCredential(RIVYA_CREDENTIAL_TYPE, `Rivya (${label})`, {
		apiKey,
		baseUrl: emulator.baseUrl,
	});
	return { apiKey, api: new EmulatorClient(emulator.baseUrl, apiKey), credential };
}
