// Every workflow in examples/ imports into a real n8n, every node type and version in it is one n8n
// knows (no "unknown node" / "Install this node"), and the demo's image workflow runs end to end.
import { readExamples, webhookPathOf, withRivyaCredential } from '../../scripts/examples';
import { connectE2e, emulatorControl } from './e2e-env';
import { RIVYA_CREDENTIAL_TYPE } from './workflows';

const { n8n, emulator } = connectE2e();
const examples = readExamples();

/** node type name → versions n8n has loaded, from the list the editor builds its node panel from. */
async function loadedNodeVersions(): Promise<Map<string, number[]>> {
	const response = await fetch(`${n8n.baseUrl}/types/nodes.json`, {
		headers: { cookie: n8n.connection.cookie },
	});
	expect(response.status).toBe(200);
	const types = (await response.json()) as Array<{ name: string; version: number | number[] }>;
	const versions = new Map<string, number[]>();
	for (const type of types) {
		const list = Array.isArray(type.version) ? type.version : [type.version];
		versions.set(type.name, [...(versions.get(type.name) ?? []), ...list]);
	}
	return versions;
}

describe('examples/ in a real n8n', () => {
	let credential: { id: string; name: string };
	let nodeVersions: Map<string, number[]>;

	beforeAll(async () => {
		credential = await n8n.createCredential(RIVYA_CREDENTIAL_TYPE, 'Rivya (examples test)', {
			apiKey: emulator.apiKey,
			baseUrl: emulator.baseUrl,
		});
		nodeVersions = await loadedNodeVersions();
	});

	it('has the four documented examples', () => {
		expect(examples.map(({ file }) => file)).toEqual(
			expect.arrayContaining([
				'chat-with-session.json',
				'generate-image.json',
				'image-to-video.json',
				'trigger-crm-handoff.json',
			]),
		);
	});

	it.each(examples.map(({ file, workflow }) => [file, workflow] as const))(
		'%s uses only node types and versions n8n has loaded',
		(_file, workflow) => {
			const unknown = workflow.nodes
				.filter((node) => !(nodeVersions.get(node.type) ?? []).includes(node.typeVersion))
				.map((node) => `${node.name} (${node.type} v${node.typeVersion})`);
			expect(unknown).toEqual([]);
		},
	);

	it.each(examples.map(({ file, workflow }) => [file, workflow] as const))(
		'%s imports through the public API with its nodes and connections intact',
		async (_file, workflow) => {
			const created = await n8n.importWorkflow({ ...withRivyaCredential(workflow, credential) });
			const stored = await n8n.publicApi<{
				nodes: Array<{ name: string; type: string; credentials?: Record<string, { id: string }> }>;
				connections: Record<string, unknown>;
			}>('GET', `/workflows/${created.id}`);
			expect(stored.nodes.map((node) => `${node.name}:${node.type}`).sort()).toEqual(
				workflow.nodes.map((node) => `${node.name}:${node.type}`).sort(),
			);
			expect(Object.keys(stored.connections).sort()).toEqual(
				Object.keys(workflow.connections).sort(),
			);
			for (const node of stored.nodes.filter((entry) =>
				entry.type.startsWith('n8n-nodes-rivya.'),
			)) {
				expect(node.credentials?.[RIVYA_CREDENTIAL_TYPE]?.id).toBe(credential.id);
			}
			await n8n.deleteWorkflow(created.id);
		},
	);

	describe('generate-image.json (the demo workflow)', () => {
		const example = examples.find(({ file }) => file === 'generate-image.json');
		let workflowId: string | undefined;

		afterAll(async () => {
			if (workflowId) await n8n.deactivate(workflowId);
		});

		it('answers its webhook with the generated image and reads the balance before and after', async () => {
			if (!example) throw new Error('examples/generate-image.json is missing');
			const account = await emulatorControl<{ apiKey: string }>('POST', '/accounts', {
				credits: 250,
			});
			const accountCredential = await n8n.createCredential(
				RIVYA_CREDENTIAL_TYPE,
				'Rivya (demo example)',
				{
					apiKey: account.apiKey,
					baseUrl: emulator.baseUrl,
				},
			);
			workflowId = (
				await n8n.importWorkflow({ ...withRivyaCredential(example.workflow, accountCredential) })
			).id;
			await n8n.activate(workflowId);
			const webhookPath = webhookPathOf(example.workflow);
			await n8n.waitForWebhook(webhookPath);

			const response = await n8n.callWebhook(webhookPath, {
				prompt: 'A lighthouse at dusk',
				model: 'z-image',
			});
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^image\/png/);
			expect(response.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
			expect(response.headers.get('x-rivya-task-id')).toMatch(/\S/);
			expect(response.headers.get('x-rivya-credits-before')).toBe('250');

			const id = workflowId;
			const execution = await n8n.waitForExecution(
				id,
				(candidate) => candidate.status !== 'running',
			);
			expect(execution.status).toBe('success');
			const balanceAfter =
				execution.data?.resultData.runData['Credits After']?.[0]?.data?.main[0]?.[0]?.json;
			// z-image costs 1 credit.
			expect(balanceAfter).toMatchObject({ current_credits: 249 });
		});
	});
});
