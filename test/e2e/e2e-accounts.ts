// A fresh emulator account per test file, with a client for its key and the matching n8n credential,
// so one file's generations, files, chats and webhooks never show up in another's assertions.
import { EmulatorClient } from '../emulator/client';
import { connectE2e, emulatorControl, readE2eEnv } from './e2e-env';
import type { N8nClient } from './n8n-instance';
import { RIVYA_CREDENTIAL_TYPE } from './workflows';

export interface E2eAccount {
	accountId: string;
	apiKey: string;
	/** The Rivya API (and control API) of the emulator, as this account. */
	api: EmulatorClient;
	/** The stored n8n credential holding this account's key. */
	credential: { id: string; name: string };
}

/** `n8n`: where to store the credential; the shared n8n of this e2e run unless a test started its own. */
export async function accountWithCredential(
	label: string,
	credits: number,
	n8n: N8nClient = connectE2e().n8n,
): Promise<E2eAccount> {
	const { emulator } = readE2eEnv();
	const { accountId, apiKey } = await emulatorControl<{ accountId: string; apiKey: string }>(
		'POST',
		'/accounts',
		{ credits },
	);
	const credential = await n8n.createCredential(RIVYA_CREDENTIAL_TYPE, `Rivya (${label})`, {
		apiKey,
		baseUrl: emulator.baseUrl,
	});
	return { accountId, apiKey, api: new EmulatorClient(emulator.baseUrl, apiKey), credential };
}

export interface MeteredAccount extends E2eAccount {
	/** The ids of every generation task this account has created. */
	taskIds(): Promise<string[]>;
	/** How many credits this account has spent since it was created. */
	creditsSpent(): Promise<number>;
}

/** An account with a credential whose tasks and charges a test counts (to prove nothing was paid twice). */
export async function meteredAccount(
	label: string,
	credits: number,
	n8n: N8nClient = connectE2e().n8n,
): Promise<MeteredAccount> {
	const account = await accountWithCredential(label, credits, n8n);
	const { accountId, api } = account;
	return {
		...account,
		taskIds: async () =>
			(await api.tasks()).tasks
				.filter((task) => task.accountId === accountId)
				.map((task) => task.id),
		creditsSpent: async () =>
			credits -
			(await emulatorControl<{ credits: number }>('GET', `/accounts/${accountId}`)).credits,
	};
}
