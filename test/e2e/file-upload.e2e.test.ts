// Webhook (raw image body → binary) → Rivya File > Upload in a real n8n: the emulator stores exactly the
// bytes that were posted to n8n, and the execution's output carries the stored file's id.
import { createHash } from 'crypto';

import type { EmulatorClient } from '../emulator/client';
import { generateMedia } from '../emulator/generations/media';
import { accountWithCredential } from './e2e-accounts';
import { connectE2e } from './e2e-env';
import { nodeOutputJson } from './execution-data';
import { rivyaStep, uniqueWebhookPath, webhookWorkflow } from './workflows';

const { n8n } = connectE2e();

async function pngOfSize(bytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of generateMedia('png', bytes).stream()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('File > Upload through n8n', () => {
	const webhookPath = uniqueWebhookPath('upload');
	const fileName = 'e2e-upload.png';
	let api: EmulatorClient;
	let workflowId: string;
	let image: Buffer;

	beforeAll(async () => {
		const account = await accountWithCredential('upload test', 100);
		api = account.api;
		const credential = account.credential;
		// The Webhook node (v2) turns a body that is neither JSON nor a form into binary property "data",
		// typed by the request's Content-Type and named by its Content-Disposition.
		const workflow = webhookWorkflow('E2E: file upload', webhookPath, [
			rivyaStep('Upload', credential, {
				resource: 'file',
				operation: 'upload',
				binaryPropertyName: 'data',
				kind: 'auto',
			}),
		]);
		workflowId = await n8n.startWebhookWorkflow(workflow, webhookPath);
		// An odd size, so a file of this length can only be this upload.
		image = await pngOfSize(48_611);
	});

	afterAll(async () => {
		if (workflowId) await n8n.deactivate(workflowId);
	});

	it('uploads the posted image and answers with the stored file', async () => {
		const bytesReadBefore = (await api.counters()).uploadBytesRead;

		const response = await n8n.callWebhook(webhookPath, image, {
			headers: {
				'content-type': 'image/png',
				'content-disposition': `attachment; filename="${fileName}"`,
			},
		});

		expect(response.status).toBe(200);
		const answer = response.body as Record<string, unknown>;
		expect(answer).toMatchObject({
			kind: 'image',
			name: fileName,
			mimeType: 'image/png',
			sizeBytes: image.length,
		});
		expect(answer.id).toMatch(/^file_/);

		// The emulator holds the file under this account, with the same bytes.
		const stored = await api.getFile(String(answer.id));
		expect(stored.status).toBe(200);
		expect(stored.body).toMatchObject({ id: answer.id, size_bytes: image.length });
		const download = await api.fetchBytes(String(stored.body.url));
		expect(download.status).toBe(200);
		expect(download.body.length).toBe(image.length);
		expect(sha256(download.body)).toBe(sha256(image));

		// The whole image went over the wire to Rivya (multipart framing adds a little).
		const bytesRead = (await api.counters()).uploadBytesRead - bytesReadBefore;
		expect(bytesRead).toBeGreaterThanOrEqual(image.length);
		expect(bytesRead).toBeLessThan(image.length + 4096);
	});

	it('records the upload in the execution, with the file id in the node output', async () => {
		const execution = await n8n.waitForExecution(workflowId);
		expect(execution.status).toBe('success');
		const output = nodeOutputJson(execution, 'Upload');
		expect(output).toHaveLength(1);
		expect(output[0].id).toMatch(/^file_/);
		expect(output[0].sizeBytes).toBe(image.length);
		const stored = await api.getFile(String(output[0].id));
		expect(stored.status).toBe(200);
	});
});
