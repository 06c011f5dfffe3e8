// Schemas every area uses: the error envelope (§2), timestamps, media kinds, list pages, and the shape
// of an operation's documentation in openapi.json. Each area's own schemas are in <area>/schemas.ts.
import { z } from 'zod/v4';

import { ApiError, fieldPath, type RequestContext } from './router';

export const isoTimestamp = z.string().meta({ description: 'ISO-8601 UTC with milliseconds' });
export const nullableTimestamp = isoTimestamp.nullable();
export const mediaKind = z.enum(['image', 'video', 'audio']);

// ---- errors (§2) ----
export const ErrorEnvelopeSchema = z
	.object({
		error: z.object({
			code: z.string().meta({ description: 'the stable contract; messages may change' }),
			message: z.string(),
			requestId: z.string().startsWith('req_'),
		}),
	})
	.meta({ id: 'Error' });

/** One documented operation for openapi.json; each area's schemas.ts lists its own. */
export interface OperationDoc {
	method: string;
	path: string;
	scope?: string;
	request?: z.ZodType;
	requestContentType?: string;
	status: number;
	response: z.ZodType | null;
	responseContentType?: string;
	description?: string;
}

// ---- lists ----------------------------------------------------------------------------------------

export function listSchema<Item extends z.ZodType>(item: Item) {
	return z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() });
}

/** `?limit=` (1–100, default 20) and `?after=<id of the last item of the previous page>`; lists are newest first. */
export const ListQuerySchema = z.object({
	limit: z.coerce.number().int().min(1).max(100).default(20),
	after: z.string().min(1).optional(),
});

/**
 * Answers a list route with one page of `itemsInCreationOrder`, newest first: `limit` items after the
 * `after` cursor, and whether more follow. An unknown cursor is a validation error naming it.
 */
export function sendListPage<Item extends { id: string }>(
	ctx: RequestContext,
	itemsInCreationOrder: Item[],
	view: (item: Item) => unknown,
): void {
	const items = [...itemsInCreationOrder].reverse();
	const parsed = ListQuerySchema.safeParse(Object.fromEntries(ctx.query));
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new ApiError(400, 'validation_failed', `${fieldPath(issue.path)}: ${issue.message}`);
	}
	const { limit, after } = parsed.data;
	let start = 0;
	if (after !== undefined) {
		start = items.findIndex((item) => item.id === after) + 1;
		if (start === 0)
			throw new ApiError(400, 'validation_failed', `after: no item with id ${after} in this list`);
	}
	ctx.send(200, {
		object: 'list',
		data: items.slice(start, start + limit).map(view),
		has_more: start + limit < items.length,
	});
}

/** For openapi.json: every chat and webhook route with its scope and schemas. */
