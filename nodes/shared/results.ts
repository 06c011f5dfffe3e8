/**
 * A generation's results, as Generation > Create/Get/Wait and the Rivya Trigger's events both carry
 * them (`result: {primary_url, urls}`): reading the URLs, naming their binary properties, and
 * downloading every one of them.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { downloadToBinary, type DownloadOptions } from './download';

export interface ResultUrls {
	/** `primary_url`, else the first URL; null when there is no result. */
	primaryUrl: string | null;
	/** Every result URL, the primary one first when `urls` left it out (nothing is lost). */
	urls: string[];
}

/** Reads a generation's `result`, tolerating a missing or partial one (the live API may vary). */
export function resultUrlsOf(generation: IDataObject): ResultUrls {
	const result = generation.result as IDataObject | null | undefined;
	if (!result || typeof result !== 'object') return { primaryUrl: null, urls: [] };
	const urls = Array.isArray(result.urls)
		? result.urls.filter((url): url is string => typeof url === 'string')
		: [];
	const primaryUrl =
		(typeof result.primary_url === 'string' ? result.primary_url : urls[0]) ?? null;
	return {
		primaryUrl,
		urls: primaryUrl && !urls.includes(primaryUrl) ? [primaryUrl, ...urls] : urls,
	};
}

/** `data`, `data_1`, `data_2`…: the binary property of the result at `index`. */
export function resultBinaryName(base: string, index: number): string {
	return index === 0 ? base : `${base}_${index}`;
}

export interface DownloadedResults {
	binary: Record<string, IBinaryData>;
	/** The first download that failed (the ones after it were not tried). */
	failure?: { error: unknown; index: number };
}

/** Downloads every result URL in order into its binary property; stops at the first failure. */
export async function downloadResults(
	context: IExecuteFunctions | IWebhookFunctions,
	urls: string[],
	binaryPropertyName: string,
	optionsFor: (index: number) => DownloadOptions,
): Promise<DownloadedResults> {
	const binary: Record<string, IBinaryData> = {};
	for (const [index, url] of urls.entries()) {
		try {
			binary[resultBinaryName(binaryPropertyName, index)] = await downloadToBinary.call(
				context,
				url,
				optionsFor(index),
			);
		} catch (error) {
			return { binary, failure: { error, index } };
		}
	}
	return { binary };
}
