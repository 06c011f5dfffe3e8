/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
// Saves docs/editor-generation-create.png (n8n's editor with the Rivya node's Generation > Create panel) and
// docs/editor-node-search.png (the node panel of an empty canvas searched for "Rivya").
// Starts the emulator and a real n8n (like `npm run demo`), so it needs `npm run build` first.
//   npx ts-node --transpile-only test/e2e/editor/screenshot.ts [output.png]
import * as path from 'path';

import { startEmulator } from '../../emulator';
import { REPO_DIR, installN8n, startN8n } from '../n8n-instance';
import { generationCreateWorkflow, openGenerationCreatePanel } from './generation-create';
import { openNodePanel, saveScreenshot, searchNodePanel, withEditor } from './node-search';

async function main(): Promise<void> {
	const outputFile = path.resolve(
		process.argv[2] ?? path.join(REPO_DIR, 'docs', 'editor-generation-create.png'),
	);
	installN8n();
	const emulator = await startEmulator({ port: 0, allowLocalWebhooks: true });
	try {
		console.log('starting n8n (a minute or two)');
		const n8n = await startN8n();
		try {
			const credential = await n8n.createCredential('rivyaApi', 'Rivya (emulator)', {
				apiKey: emulator.apiKey,
				baseUrl: emulator.baseUrl,
			});
			const workflow = await n8n.importWorkflow(generationCreateWorkflow(credential));
			const report = await openGenerationCreatePanel({
				baseUrl: n8n.baseUrl,
				workflowId: workflow.id,
				screenshotFile: outputFile,
			});
			if (report.problems.length > 0)
				throw new Error(`the panel shows problems: ${report.problems.join('; ')}`);
			console.log(
				`saved ${path.relative(process.cwd(), outputFile)} (labels: ${report.visibleLabels.join(', ')})`,
			);
			const searchFile = path.join(path.dirname(outputFile), 'editor-node-search.png');
			const found = await withEditor(n8n.baseUrl, async (page) => {
				await page.goto(`${n8n.baseUrl}/workflow/new`);
				await openNodePanel(page, 'emptyCanvas');
				const result = await searchNodePanel(page, 'Rivya');
				await saveScreenshot(page, searchFile);
				return result.names;
			});
			console.log(`saved ${path.relative(process.cwd(), searchFile)} (found: ${found.join(', ')})`);
		} finally {
			await n8n.stop();
		}
	} finally {
		await emulator.close();
	}
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
