import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/**
 * One operation: its parameters and how it runs. `execute` receives all input items at once, so an
 * operation may work on them concurrently (generations do); most use `forEachItem`.
 */
export interface RivyaOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export interface RivyaResource {
	/** The resource's Operation parameter plus every operation's parameters. */
	description: INodeProperties[];
	operations: Record<string, RivyaOperation>;
}
