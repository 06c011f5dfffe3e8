import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { claimExecutionAnchor } from '../../shared/idempotency';
import { CAMEL_CASE_VERSION, passedThroughInVersion1, withCamelCaseJson } from './outputNames';
import { resources } from './resources';

/** Dispatches to the chosen operation; an execution runs one resource/operation for all items. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// First, before anything can fail: a failed run must leave its idempotency anchor for a Retry.
	claimExecutionAnchor(this);
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = resources[resource as keyof typeof resources]?.operations[operation];
	if (!handler) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" is not supported for the resource "${resource}"`,
		);
	}
	const output = await handler.execute.call(this, items);
	if (
		this.getNode().typeVersion >= CAMEL_CASE_VERSION &&
		passedThroughInVersion1(resource, operation)
	) {
		return [withCamelCaseJson(output)];
	}
	return [output];
}
