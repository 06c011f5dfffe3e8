/**
 * One convention for output field names (node version 2): every field the node returns is camelCase.
 * Generations, files, models and chat turns were already shaped that way (Simplify off still gives
 * Rivya's raw object); version 1 passed the credit balance, chat sessions and webhook objects through
 * with Rivya's snake_case names, and keeps doing so, so saved workflows are not broken.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/** The first node version whose outputs follow the camelCase convention everywhere. */
export const CAMEL_CASE_VERSION = 2;

/** Operations that returned Rivya's objects unchanged in version 1. */
const PASSED_THROUGH_IN_VERSION_1: Record<string, string[] | 'all'> = {
	credit: 'all',
	chat: ['getAllSessions', 'getSession'],
	webhook: 'all',
};

export function passedThroughInVersion1(resource: string, operation: string): boolean {
	const operations = PASSED_THROUGH_IN_VERSION_1[resource];
	return operations === 'all' || (operations?.includes(operation) ?? false);
}

const camel = (key: string) =>
	key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/** Keys of plain objects (nested too) in camelCase; values and arrays' order unchanged. */
export function camelCaseKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(camelCaseKeys);
	if (!value || typeof value !== 'object' || value.constructor !== Object) return value;
	return Object.fromEntries(
		Object.entries(value as IDataObject).map(([key, inner]) => [camel(key), camelCaseKeys(inner)]),
	);
}

export function withCamelCaseJson(items: INodeExecutionData[]): INodeExecutionData[] {
	return items.map((item) => ({ ...item, json: camelCaseKeys(item.json) as IDataObject }));
}
