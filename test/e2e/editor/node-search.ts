/* eslint-disable @n8n/community-nodes/no-restricted-imports */
// Drives n8n's node panel (the "node creator") the way a new user looks for the Rivya nodes: from an
// empty canvas's "+", from a node's output "+", and from "Add another trigger"; types a search and
// reports the entries it lists. Debian's Chromium through playwright-core, as generation-create.ts.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';

import { launchChromium, logIn } from './generation-create';

export const MANUAL_TRIGGER_NODE_NAME = 'When clicking Execute workflow';

/** A workflow with only a Manual Trigger: the canvas after a user's first step. */
export function manualTriggerWorkflow(): Record<string, unknown> {
	return {
		name: 'Rivya: node search after a Manual Trigger',
		nodes: [
			{
				name: MANUAL_TRIGGER_NODE_NAME,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

/** Where the node panel was opened from. */
export type SearchStart = 'emptyCanvas' | 'nodeOutput' | 'addAnotherTrigger';

export interface SearchResult {
	/** Names of the entries listed for the search, in order. */
	names: string[];
}

const creator = (page: Page) => page.locator('[data-test-id="node-creator"]');
const searchBar = (page: Page) => page.locator('[data-test-id="node-creator-search-bar"]');
/** The names of the entries the panel shows now (earlier views stay in the page, hidden). */
const visibleNames = async (page: Page) =>
	(
		await creator(page).locator('[data-test-id="node-creator-item-name"]:visible').allInnerTexts()
	).map((name) => name.trim());

/** An editor session: a logged-in page, closed with the browser. */
export async function withEditor<T>(
	baseUrl: string,
	work: (page: Page) => Promise<T>,
	timeoutMs = 60_000,
): Promise<T> {
	const browser = await launchChromium();
	try {
		const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
		page.setDefaultTimeout(timeoutMs);
		page.setDefaultNavigationTimeout(90_000); // the editor bundle is large; a busy CI machine loads it slowly
		await logIn(page, baseUrl);
		return await work(page);
	} finally {
		await browser.close();
	}
}

/** Opens the node panel from `start` (on the workflow open in the page). */
export async function openNodePanel(page: Page, start: SearchStart): Promise<void> {
	if (start === 'emptyCanvas') {
		await page.locator('[data-test-id="canvas-add-button"]').first().click();
	} else {
		const node = page.locator(`[data-node-name="${MANUAL_TRIGGER_NODE_NAME}"]`).first();
		await node.waitFor({ state: 'visible' });
		if (start === 'nodeOutput') {
			await node.hover();
			await page.locator('[data-test-id="canvas-handle-plus"]').first().click();
		} else {
			await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
			// The panel's first view lists "Add another trigger" among its entries (a view, not a node).
			await creator(page)
				.locator('[data-test-id="item-iterator-item"]')
				.filter({ hasText: 'Add another trigger' })
				.first()
				.click();
		}
	}
	await searchBar(page).waitFor({ state: 'visible' });
}

/** Types `term` into the open node panel's search and returns the entries it lists. */
export async function searchNodePanel(page: Page, term: string): Promise<SearchResult> {
	// The search bar is the input itself in n8n 2.x; a wrapper around one in older versions.
	const bar = searchBar(page).first();
	const isInput = await bar.evaluate((element) => element.tagName === 'INPUT');
	const input = isInput ? bar : bar.locator('input').first();
	await input.fill('');
	await input.fill(term);
	// The list filters as one types: wait until it shows results or says there are none.
	await page
		.locator('[data-test-id="node-creator-item-name"], [data-test-id="node-creator-no-results"]')
		.first()
		.waitFor({ state: 'visible' });
	await page.waitForTimeout(300); // let the debounced filter settle before reading the list
	return { names: await visibleNames(page) };
}

/** What picking an entry showed: the node's triggers and actions n8n lists, the panel text, errors. */
export interface PickedEntry {
	/** Entries listed after the pick: the node's triggers (trigger view) or actions. */
	entries: string[];
	panelText: string;
	errors: string[];
}

/** Picks the entry named `name` and reports the triggers/actions n8n then lists (and any error shown). */
export async function pickEntry(page: Page, name: string): Promise<PickedEntry> {
	await creator(page)
		.locator('[data-test-id="item-iterator-item"]')
		.filter({
			has: page.locator('[data-test-id="node-creator-item-name"]', {
				hasText: new RegExp(`^${name}$`),
			}),
		})
		.first()
		.click();
	// Picking a node lists its triggers and actions (the "node details" view), each a creator item too.
	await creator(page)
		.getByText(/^Actions \(\d+\)$/)
		.first()
		.waitFor({ state: 'visible' });
	await page.waitForTimeout(500); // the search view slides out
	const entries = await visibleNames(page);
	const panelText = (await creator(page).innerText()).replace(/\s+/g, ' ');
	const errors = (
		await page.locator('.el-notification--error, .el-message--error').allInnerTexts()
	).map((text) => text.replace(/\s+/g, ' ').trim());
	return { entries, panelText, errors };
}

export async function saveScreenshot(page: Page, file: string): Promise<void> {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	await page.screenshot({ path: file });
}
