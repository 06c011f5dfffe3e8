import type { RivyaResource } from '../types';

// Operations are added in their own *.operation.ts files.
export const file: RivyaResource = {
	description: [],
	operations: {},
};
