// The node the unit tests' errors name, and the least context code that only reports errors reads.
import type { INode } from 'n8n-workflow';

import type { RivyaContext } from '../../nodes/shared/transport';

export const TEST_NODE: INode = {
	id: 'node-1',
	name: 'Rivya',
	type: 'n8n-nodes-rivya.rivya',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** Only getNode (for errors) and the cancel signal (never cancelled): the transport is not involved. */
export const nodeOnlyContext = {
	getNode: () => TEST_NODE,
	getExecutionCancelSignal: () => undefined,
} as unknown as RivyaContext;
