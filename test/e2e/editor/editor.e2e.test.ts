/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// In n8n's real editor (Debian's Chromium via playwright-core), the Rivya node's Generation > Create
// panel renders its parameters, the model picker and the catalog-driven Model Parameters form, with no
// "install this node", issue or loading-error text.
import * as path from 'path';

import { connectE2e } from '../e2e-env';
import { REPO_DIR } from '../n8n-instance';
import { RIVYA_CREDENTIAL_TYPE } from '../workflows';
import {
	EXPECTED_LABELS,
	generationCreateWorkflow,
	openGenerationCreatePanel,
	type NodePanelReport,
} from './generation-create';

const { n8n, emulator } = connectE2e();
// Not docs/: a test run must not rewrite the committed screenshot (test/e2e/editor/screenshot.ts does).
const SCREENSHOT_FILE = path.join(REPO_DIR, '.e2e', 'editor-generation-create.png');

describe('Rivya node in the n8n editor', () => {
	let report: NodePanelReport;

	beforeAll(async () => {
		const credential = await n8n.createCredential(RIVYA_CREDENTIAL_TYPE, 'Rivya (editor test)', {
			apiKey: emulator.apiKey,
			baseUrl: emulator.baseUrl,
		});
		const workflow = await n8n.importWorkflow(generationCreateWorkflow(credential));
		report = await openGenerationCreatePanel({
			baseUrl: n8n.baseUrl,
			workflowId: workflow.id,
			screenshotFile: SCREENSHOT_FILE,
			timeoutMs: 60_000,
		});
	}, 240_000);

	it('shows every Generation > Create parameter label', () => {
		expect(report.visibleLabels).toEqual(EXPECTED_LABELS);
	});

	it('shows the credential, resource, operation, picked model and prompt', () => {
		expect(report.inputValues).toEqual(
			expect.arrayContaining([
				'Rivya (editor test)',
				'Generation',
				'Create',
				'Image',
				'Z-Image',
				'A red fox in fresh snow, golden hour',
			]),
		);
	});

	it("loads the model's own parameters from the catalog into the form", () => {
		expect(report.panelText).toContain('Aspect Ratio');
		expect(report.panelText).not.toContain('aspect_ratio');
		expect(report.panelText).not.toContain('Values to Send');
		expect(report.inputValues).toContain('16:9');
	});

	it('shows no error, issue or "install this node" text', () => {
		expect(report.problems).toEqual([]);
	});
});

describe('Rivya node in the n8n editor: Category changed after the model was picked', () => {
	let report: NodePanelReport;

	beforeAll(async () => {
		const credential = await n8n.createCredential(RIVYA_CREDENTIAL_TYPE, 'Rivya (mismatch test)', {
			apiKey: emulator.apiKey,
			baseUrl: emulator.baseUrl,
		});
		const workflow = await n8n.importWorkflow(
			generationCreateWorkflow(credential, {
				category: 'video',
				// No saved form: the panel loads it, as after changing Category in the editor.
				modelParams: { mappingMode: 'defineBelow', value: null },
			}),
		);
		report = await openGenerationCreatePanel({
			baseUrl: n8n.baseUrl,
			workflowId: workflow.id,
			timeoutMs: 60_000,
		});
	}, 240_000);

	it('the Model Parameters form names the model and the Category before any run', () => {
		expect(report.panelText).toContain(
			'"Z-Image (z-image)" is an image model, but Category is "video". Pick a video model in Model',
		);
	});
});
