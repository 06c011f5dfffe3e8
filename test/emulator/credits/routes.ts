// GET /api/v1/credits (§8): the balance; free, no side effect, the cheapest key check.
import type { Router } from '../router';

/** The balance lives on the authenticated account, so this route needs no state. */
export function register(router: Router): void {
	router.add(
		'GET',
		'/api/v1/credits',
		{ auth: 'key', scope: 'credits:read', summary: 'Get the credit balance' },
		(ctx) => ctx.send(200, { current_credits: ctx.account.credits }),
	);
}
