// GET /api/v1/models (§4): public, the whole catalog (callable or not), no pagination.
import type { Router } from '../router';
import { ModelSchema } from './schemas';
import type { EmulatorState } from '../state';

export function register(router: Router, state: EmulatorState): void {
	router.add(
		'GET',
		'/api/v1/models',
		{ auth: 'public', summary: 'List models (public)' },
		(ctx) => {
			// Parsing through the wire schema drops the emulator-only `rules`.
			const data = [...state.models.values()].map((model) => ModelSchema.parse(model));
			ctx.send(200, { object: 'list', data });
		},
	);
}
