/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// In n8n's real editor (Debian's Chromium via playwright-core), a new user finds the Rivya nodes in the
// node panel: from an empty canvas's "+", from a Manual Trigger's output "+" and from "Add another
// trigger". n8n 2.x hides nodes of the AI category outside the AI panel unless their codex marks them as
// root nodes (nodes/Rivya/Rivya.node.json); this test fails when that marking is lost.
import * as path from 'path';

import { connectE2e } from '../e2e-env';
import { REPO_DIR } from '../n8n-instance';
import {
	manualTriggerWorkflow,
	openNodePanel,
	pickEntry,
	saveScreenshot,
	searchNodePanel,
	withEditor,
	type PickedEntry,
	type SearchStart,
} from './node-search';

const { n8n } = connectE2e();
// Not docs/: a test run must not rewrite the committed screenshot (test/e2e/editor/screenshot.ts does).
const SCREENSHOT_FILE = path.join(REPO_DIR, '.e2e', 'editor-node-search.png');
const SEARCHES = ['Rivya', 'image generation', 'video generation'] as const;

interface StartReport {
	found: Record<(typeof SEARCHES)[number], string[]>;
	picked: PickedEntry;
}

describe('Finding the Rivya nodes in the n8n node panel', () => {
	const reports = {} as Record<SearchStart, StartReport>;

	beforeAll(async () => {
		const workflow = await n8n.importWorkflow(manualTriggerWorkflow());
		await withEditor(n8n.baseUrl, async (page) => {
			for (const start of ['emptyCanvas', 'nodeOutput', 'addAnotherTrigger'] as SearchStart[]) {
				await page.goto(
					start === 'emptyCanvas'
						? `${n8n.baseUrl}/workflow/new`
						: `${n8n.baseUrl}/workflow/${workflow.id}`,
				);
				await openNodePanel(page, start);
				const found = {} as StartReport['found'];
				for (const term of SEARCHES) found[term] = (await searchNodePanel(page, term)).names;
				await searchNodePanel(page, 'Rivya');
				if (start === 'emptyCanvas') await saveScreenshot(page, SCREENSHOT_FILE);
				reports[start] = { found, picked: await pickEntry(page, 'Rivya') };
			}
		});
	}, 300_000);

	it.each(['emptyCanvas', 'nodeOutput', 'addAnotherTrigger'] as SearchStart[])(
		'from %s, "Rivya", "image generation" and "video generation" find the Rivya node',
		(start) => {
			expect(reports[start].found.Rivya).toEqual(
				expect.arrayContaining(['Rivya', 'Rivya Chat Model']),
			);
			expect(reports[start].found['image generation']).toContain('Rivya');
			expect(reports[start].found['video generation']).toContain('Rivya');
		},
	);

	it("from an empty canvas, picking Rivya lists the Rivya Trigger's events and the Rivya node's actions, without error", () => {
		const { picked } = reports.emptyCanvas;
		expect(picked.entries).toEqual(['On generation failed', 'On generation succeeded']);
		expect(picked.panelText).toMatch(/Actions \(\d+\)/);
		expect(picked.errors).toEqual([]);
	});

	it("after a Manual Trigger, picking Rivya from its output lists the Rivya node's actions, without error", () => {
		const { picked } = reports.nodeOutput;
		expect(picked.entries).toEqual(
			expect.arrayContaining([
				'Create a generation',
				'Send a chat message',
				'Get the credit balance',
			]),
		);
		expect(picked.errors).toEqual([]);
	});

	it('"Add another trigger" finds the Rivya Trigger\'s events, without error', () => {
		const { picked } = reports.addAnotherTrigger;
		expect(picked.entries).toEqual(['On generation failed', 'On generation succeeded']);
		expect(picked.errors).toEqual([]);
	});
});
