/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// Drives n8n's real editor with Playwright (playwright-core + Debian's Chromium, never a downloaded
// browser): logs in as the owner, opens a workflow holding a Rivya node set to Generation > Create,
// opens the node's panel by double click and reports what the panel shows.
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

import { OWNER } from '../n8n-instance';

/** Debian's package (`apt-get install chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const GENERATE_NODE_NAME = 'Generate Image';

/** A manual trigger and one Rivya node on Generation > Create, with a model and prompt filled in. */
export function generationCreateWorkflow(
	credential: {
		id: string;
		name: string;
	},
	/** Parameters to change, e.g. `{ category: 'video' }` with the image model still picked. */
	overrides: Record<string, unknown> = {},
): Record<string, unknown> {
	return {
		name: 'Rivya: Generation > Create in the editor',
		nodes: [
			{
				name: 'When Clicking Execute',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				name: GENERATE_NODE_NAME,
				type: 'n8n-nodes-rivya.rivya',
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					resource: 'generation',
					operation: 'create',
					category: 'image',
					model: { __rl: true, mode: 'list', value: 'z-image', cachedResultName: 'Z-Image' },
					prompt: 'A red fox in fresh snow, golden hour',
					// One of the model's own params, so the screenshot shows the catalog-driven form filled in.
					modelParams: {
						mappingMode: 'defineBelow',
						value: { aspect_ratio: '16:9' },
						matchingColumns: [],
						schema: [
							{
								id: 'aspect_ratio',
								// As the node's form builds it from the emulator's catalog; any difference shows n8n's
								// "fields are outdated" warning.
								displayName: 'Aspect Ratio',
								required: false,
								defaultMatch: false,
								canBeUsedToMatch: false,
								display: true,
								defaultValue: '1:1',
								type: 'options',
								options: ['1:1', '4:3', '3:4', '16:9', '9:16'].map((ratio) => ({
									name: ratio,
									value: ratio,
								})),
							},
						],
					},
					options: {},
					...overrides,
				},
				credentials: { rivyaApi: { id: credential.id, name: credential.name } },
			},
		],
		connections: {
			'When Clicking Execute': { main: [[{ node: GENERATE_NODE_NAME, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** What the opened node panel showed. */
export interface NodePanelReport {
	/** Every visible text of the panel, as one string. */
	panelText: string;
	/** Which of the expected parameter labels were visible. */
	visibleLabels: string[];
	/** Values of the panel's inputs (e.g. the picked model's name, the prompt). */
	inputValues: string[];
	/** Texts that mean the node did not load or is misconfigured, if any were visible. */
	problems: string[];
	screenshotFile?: string;
}

/** Labels Generation > Create must render (from nodes/Rivya/actions/generation/create.operation.ts). */
export const EXPECTED_LABELS = [
	'Credential',
	'Resource',
	'Operation',
	'Category',
	'Model',
	'Prompt',
	'Model Parameters', // the heading of the Model Parameters form (a resource mapper's valuesLabel)
	'Reference Media',
	'Wait for Completion',
	'Simplify',
];

/** Texts n8n shows when a node type is missing or its parameters are broken. */
const PROBLEM_TEXTS = [
	'Install this node',
	'node is not currently installed',
	'Node not found',
	'Issues:',
	'Parameter issues',
	'Could not load',
	'There was a problem loading',
	'Error fetching options',
	'Problem loading parameter',
	// The Model Parameters form's notices when the catalog lookup failed (nodes/Rivya/methods/resourceMapping.ts).
	'Choose a model first',
	"is not in Rivya's catalog",
	'This model has no parameters',
];

export async function launchChromium(): Promise<Browser> {
	if (!fs.existsSync(CHROMIUM_PATH)) {
		throw new Error(
			`${CHROMIUM_PATH} is missing: install Debian's Chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
		);
	}
	// --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
	return await chromium.launch({
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: ['--no-sandbox'],
	});
}

export async function logIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator('input[type="email"]').fill(OWNER.email);
	await page.locator('input[type="password"]').fill(OWNER.loginPhrase);
	await page.getByRole('button', { name: /sign in/i }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** The node panel (NDV): the dialog that holds the node's parameters. */
function nodePanel(page: Page): Locator {
	return page
		.locator('[data-test-id="ndv"], .ndv-wrapper, [role="dialog"]')
		.filter({ hasText: 'Parameters' })
		.first();
}

export async function openGenerationCreatePanel(options: {
	baseUrl: string;
	workflowId: string;
	screenshotFile?: string;
	timeoutMs?: number;
}): Promise<NodePanelReport> {
	const browser = await launchChromium();
	try {
		const page = await browser.newPage({
			viewport: { width: 1440, height: 960 },
			deviceScaleFactor: 1,
		});
		page.setDefaultTimeout(options.timeoutMs ?? 30_000);
		page.setDefaultNavigationTimeout(90_000); // the editor bundle is large; a busy CI machine loads it slowly
		await logIn(page, options.baseUrl);
		await page.goto(`${options.baseUrl}/workflow/${options.workflowId}`);

		const node = page.locator(`[data-node-name="${GENERATE_NODE_NAME}"]`).first();
		await node.waitFor({ state: 'visible' });
		await node.dblclick();

		const panel = nodePanel(page);
		await panel.getByText('Prompt', { exact: true }).first().waitFor({ state: 'visible' });
		// The model's own parameters load from Rivya's catalog (the emulator here) once the panel opens.
		await panel.getByText('Fetching parameters').waitFor({ state: 'hidden' });
		const inputValues = await panel
			.locator('input:not([type="hidden"]), textarea')
			.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));

		const panelText = (await panel.innerText()).replace(/\s+/g, ' ');
		const visibleLabels: string[] = [];
		for (const label of EXPECTED_LABELS) {
			if (await panel.getByText(label, { exact: true }).first().isVisible())
				visibleLabels.push(label);
		}
		const problems = PROBLEM_TEXTS.filter((text) =>
			panelText.toLowerCase().includes(text.toLowerCase()),
		);

		if (options.screenshotFile) {
			fs.mkdirSync(path.dirname(options.screenshotFile), { recursive: true });
			await page.screenshot({ path: options.screenshotFile });
		}
		return {
			panelText,
			visibleLabels,
			inputValues,
			problems,
			screenshotFile: options.screenshotFile,
		};
	} finally {
		await browser.close();
	}
}
