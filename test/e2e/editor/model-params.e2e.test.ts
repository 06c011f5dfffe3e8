// The Model Parameters form as n8n's editor loads it (POST /rest/dynamic-node-parameters/resource-mapper-
// fields, the request the panel makes), in a real n8n against the emulator: readable labels with the
// catalog's ranges, a custom heading, and a clear notice when Category no longer matches the picked model.
import { connectE2e } from '../e2e-env';
import { RIVYA_CREDENTIAL_TYPE } from '../workflows';

const { n8n, emulator } = connectE2e();

interface FormField {
	id: string;
	displayName: string;
}

interface FormAnswer {
	fields: FormField[];
	emptyFieldsNotice?: string;
}

describe('Generation > Create: the Model Parameters form in the editor', () => {
	let credential: { id: string; name: string };

	beforeAll(async () => {
		credential = await n8n.createCredential(RIVYA_CREDENTIAL_TYPE, 'Rivya (model params test)', {
			apiKey: emulator.apiKey,
			baseUrl: emulator.baseUrl,
		});
	});

	async function loadForm(category: string, modelId: string): Promise<FormAnswer> {
		return await n8n.rest<FormAnswer>('POST', '/dynamic-node-parameters/resource-mapper-fields', {
			nodeTypeAndVersion: { name: 'n8n-nodes-rivya.rivya', version: 1 },
			methodName: 'getModelParams',
			path: 'parameters.modelParams',
			currentNodeParameters: {
				resource: 'generation',
				operation: 'create',
				category,
				model: { __rl: true, mode: 'id', value: modelId },
			},
			credentials: { rivyaApi: { id: credential.id, name: credential.name } },
		});
	}

	it('labels the fields readably (Aspect Ratio, not aspect_ratio), with ranges from the catalog', async () => {
		const video = await loadForm('video', 'hailuo-standard');
		expect(video.fields.map((field) => field.id)).toEqual(
			expect.arrayContaining(['duration', 'resolution', 'prompt_optimizer']),
		);
		expect(video.fields.find((field) => field.id === 'prompt_optimizer')?.displayName).toBe(
			'Prompt Optimizer',
		);
		const image = await loadForm('image', 'google-imagen4-fast');
		expect(image.fields.find((field) => field.id === 'aspect_ratio')?.displayName).toBe(
			'Aspect Ratio',
		);
		expect(image.fields.find((field) => field.id === 'seed')?.displayName).toMatch(
			/^Seed \(of at least 0/,
		);
	});

	it('names the model and the Category when Category changed after the model was picked', async () => {
		const answer = await loadForm('video', 'z-image');
		expect(answer.fields).toEqual([]);
		expect(answer.emptyFieldsNotice).toMatch(
			/"Z-Image \(z-image\)" is an image model, but Category is "video".*Pick a video model/,
		);
	});

	it('Webhook > Get (version 2): the Endpoint picker lists the live endpoints, not revoked ones', async () => {
		const created = async (name: string) => {
			const response = await fetch(`${emulator.baseUrl}/api/v1/webhooks`, {
				method: 'POST',
				headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
				body: JSON.stringify({
					name,
					url: `http://127.0.0.1:9/${name}`,
					event_types: ['generation.succeeded'],
				}),
			});
			return String(((await response.json()) as { id: string }).id);
		};
		const live = await created('picker-live');
		const revoked = await created('picker-revoked');
		await fetch(`${emulator.baseUrl}/api/v1/webhooks/${revoked}`, {
			method: 'DELETE',
			headers: { authorization: `Bearer ${emulator.apiKey}` },
		});
		const answer = await n8n.rest<{ results: Array<{ name: string; value: string }> }>(
			'POST',
			'/dynamic-node-parameters/resource-locator-results',
			{
				nodeTypeAndVersion: { name: 'n8n-nodes-rivya.rivya', version: 2 },
				methodName: 'searchWebhookEndpoints',
				path: 'parameters.endpointId',
				currentNodeParameters: { resource: 'webhook', operation: 'get' },
				credentials: { rivyaApi: { id: credential.id, name: credential.name } },
				filter: 'picker',
			},
		);
		const values = answer.results.map((result) => result.value);
		expect(values).toContain(live);
		expect(values).not.toContain(revoked);
		expect(answer.results.find((result) => result.value === live)?.name).toMatch(
			/^picker-live \(active\): http:\/\/127\.0\.0\.1:9\/picker-live$/,
		);
	});
});
