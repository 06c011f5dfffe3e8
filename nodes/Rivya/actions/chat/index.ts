import type { RivyaResource } from '../types';

// Operations are added in their own *.operation.ts files.
export const chat: RivyaResource = {
	description: [],
	operations: {},
};
