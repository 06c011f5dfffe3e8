// The packed package is loaded by a real n8n as a community package, and its credential test works
// against the emulator.
import { startHostileServer } from '../workflow/hostile-server';
import { connectE2e } from './e2e-env';
import { RIVYA_CREDENTIAL_TYPE, RIVYA_NODE_TYPE, RIVYA_TRIGGER_NODE_TYPE } from './workflows';

const { n8n, emulator } = connectE2e();

describe('n8n loads n8n-nodes-rivya as a community package', () => {
	it('lists the Rivya node and trigger under the package name', async () => {
		const nodeTypes = await n8n.nodeTypeNames();
		expect(nodeTypes).toEqual(expect.arrayContaining([RIVYA_NODE_TYPE, RIVYA_TRIGGER_NODE_TYPE]));
	});

	it('lists the Rivya credential type', async () => {
		expect(await n8n.credentialTypeNames()).toContain(RIVYA_CREDENTIAL_TYPE);
	});
});

describe('Rivya credential test in n8n', () => {
	it('passes with the emulator key', async () => {
		const data = { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl };
		const credential = await n8n.createCredential(
			RIVYA_CREDENTIAL_TYPE,
			'Rivya (emulator, good key)',
			data,
		);
		const result = await n8n.testCredential(credential, data);
		expect(result).toMatchObject({ status: 'OK' });
	});

	it('fails with a wrong key', async () => {
		const data = { apiKey: `${emulator.apiKey}_unknown`, baseUrl: emulator.baseUrl };
		const credential = await n8n.createCredential(
			RIVYA_CREDENTIAL_TYPE,
			'Rivya (emulator, wrong key)',
			data,
		);
		const result = await n8n.testCredential(credential, data);
		expect(result.status).toBe('Error');
		expect(result.message).not.toBe('');
	});

	it('reports a redirect to another host instead of sending the key there', async () => {
		const elsewhere = await startHostileServer();
		const front = await startHostileServer(emulator.baseUrl);
		front.intercept = (_, res) => {
			res.writeHead(302, { Location: `${elsewhere.baseUrl}/api/v1/credits` });
			res.end();
			return true;
		};
		try {
			const data = { apiKey: emulator.apiKey, baseUrl: front.baseUrl };
			const credential = await n8n.createCredential(
				RIVYA_CREDENTIAL_TYPE,
				'Rivya (redirecting Base URL)',
				data,
			);
			const result = await n8n.testCredential(credential, data);
			expect(result.status).toBe('Error');
			// n8n 1.x answers a 3xx with its own generic message instead of the credential's rules; the key
			// still stays with the Base URL there.
			expect(result.message).toMatch(n8n.isV1 ? /status code 302/ : /Base URL redirects/);
			expect(front.seen).toHaveLength(1);
			expect(elsewhere.seen).toEqual([]);
		} finally {
			await front.close();
			await elsewhere.close();
		}
	});
});
