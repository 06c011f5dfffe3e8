/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * n8n's `processed_data` store (the database table behind the execute context's dedupe helpers), in
 * memory, for the workflow harness. It behaves like n8n 2.41's DeduplicationHelper (packages/cli):
 * one row per workflow + context ("" for workflow scope, "n:<node id>" for node scope); every call
 * is separate queries (read the row, then insert it or write the whole row back) with no transaction,
 * so concurrent callers interleave exactly as they can in n8n; inserting a row that exists fails like
 * a primary-key violation; a mode different from the stored one is an error; entries are md5 hashes.
 */
import { createHash } from 'node:crypto';
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

interface Row {
	mode: string;
	data: DeduplicationItemTypes | string[];
}

/** A database round trip: lets other callers run between two queries of one call. */
const query = async () => await new Promise<void>((resolve) => setImmediate(resolve));

const hashOf = (value: DeduplicationItemTypes) =>
	createHash('md5').update(value.toString()).digest('base64');

export class DeduplicationError extends Error {
	name = 'DeduplicationError';
}

export class ProcessedDataStore implements IDataDeduplicator {
	readonly rows = new Map<string, Row>();

	/** Every row, as n8n's table would list it (for assertions). */
	snapshot(): Record<string, Row> {
		return Object.fromEntries(
			[...this.rows].map(([key, row]) => [key, JSON.parse(JSON.stringify(row))]),
		);
	}

	private key(scope: DeduplicationScope, contextData: ICheckProcessedContextData): string {
		const context = scope === 'node' ? `n:${contextData.node?.id ?? ''}` : '';
		return `${contextData.workflow.id}|${context}`;
	}

	private async find(key: string): Promise<Row | undefined> {
		await query();
		const row = this.rows.get(key);
		return row && (JSON.parse(JSON.stringify(row)) as Row);
	}

	private async insert(key: string, row: Row): Promise<void> {
		await query();
		if (this.rows.has(key)) {
			throw new Error(
				'SQLITE_CONSTRAINT: UNIQUE constraint failed: processed_data.workflowId, processed_data.context',
			);
		}
		this.rows.set(key, row);
	}

	private async update(key: string, row: Row): Promise<void> {
		await query();
		if (this.rows.has(key)) this.rows.set(key, row);
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		const key = this.key(scope, contextData);
		const row = await this.find(key);
		if (row && row.mode !== options.mode) {
			throw new DeduplicationError(
				'Deduplication data was originally saved with an incompatible setting of the ‘Keep Items Where’ parameter.',
			);
		}
		if (options.mode !== 'entries') {
			const sorted = [...items].sort((a, b) => Number(a) - Number(b));
			if (!row) {
				await this.insert(key, { mode: options.mode, data: sorted[sorted.length - 1] });
				return { new: items, processed: [] };
			}
			const stored = Number(row.data);
			const fresh = items.filter((item) => Number(item) > stored);
			const processed = items.filter((item) => Number(item) <= stored);
			const largest = Math.max(stored, ...fresh.map(Number));
			await this.update(key, { mode: row.mode, data: largest });
			return { new: fresh, processed };
		}
		const hashes = items.map(hashOf);
		if (!row) {
			const kept = options.maxEntries ? hashes.slice(-options.maxEntries) : hashes;
			await this.insert(key, { mode: options.mode, data: kept });
			return { new: items, processed: [] };
		}
		const stored = row.data as string[];
		const known = new Set(stored);
		const result: IDeduplicationOutput = { new: [], processed: [] };
		hashes.forEach((hash, index) => {
			if (known.has(hash)) result.processed.push(items[index]);
			else {
				result.new.push(items[index]);
				stored.push(hash);
			}
		});
		if (options.maxEntries) stored.splice(0, Math.max(0, stored.length - options.maxEntries));
		await this.update(key, row);
		return result;
	}

	async removeProcessed(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		const key = this.key(scope, contextData);
		const row = await this.find(key);
		if (!row || !Array.isArray(row.data)) return;
		const removed = new Set(items.map(hashOf));
		row.data = row.data.filter((hash) => !removed.has(hash));
		await this.update(key, row);
	}

	async clearAllProcessedItems(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		await query();
		this.rows.delete(this.key(scope, contextData));
	}

	async getProcessedDataCount(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<number> {
		const row = await this.find(this.key(scope, contextData));
		return options.mode === 'entries' && row && Array.isArray(row.data) ? row.data.length : 0;
	}
}
