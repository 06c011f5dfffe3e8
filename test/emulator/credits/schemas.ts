// Credit schemas (§8).
import { z } from 'zod/v4';

import type { OperationDoc } from '../schemas';

// ---- credits (§8) ----
export const CreditsSchema = z.object({ current_credits: z.number() }).meta({ id: 'Credits' });

/** For openapi.json: the credit routes. */
export const creditOperations: OperationDoc[] = [
	{
		method: 'get',
		path: '/api/v1/credits',
		scope: 'credits:read',
		status: 200,
		response: CreditsSchema,
	},
];
