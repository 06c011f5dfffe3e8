// The whole control API under /_emulator/ (no auth, never under /api/v1): tests and demos shape the
// emulator with it. See DESIGN.md "Control API".
import { ApiError, type Router, type Scope } from '../router';
import {
	ControlBehaviorSchema,
	ControlChatStreamEventNamesSchema,
	ControlChatStreamFaultSchema,
	ControlChatStreamTimingSchema,
	ControlCreateAccountSchema,
	ControlCreateKeySchema,
	ControlCreditsSchema,
	ControlFaultSchema,
	ControlKeySchema,
	ControlSettingsSchema,
	ControlStudioSessionSchema,
	ControlWebhookFaultSchema,
} from './schemas';
import type { EmulatorState } from '../state';
import { injectWebhookFault, webhookServiceFor } from '../webhooks/delivery';
import {
	addStudioChatSession,
	chatStoreFor,
	DEFAULT_STREAM_EVENT_NAMES,
	sessionView,
} from '../chat/routes';

const control = { auth: 'public' } as const;

export function register(router: Router, state: EmulatorState): void {
	const keyRecord = (apiKey: string) => {
		const record = state.keys.get(apiKey);
		if (!record) throw new ApiError(404, 'not_found', 'Unknown API key');
		return record;
	};
	const account = (accountId: string) => {
		const found = state.accounts.get(accountId);
		if (!found) throw new ApiError(404, 'not_found', `No account ${accountId}`);
		return found;
	};

	router.add('POST', '/_emulator/reset', control, (ctx) => {
		state.reset();
		ctx.send(200, { ok: true, accountId: state.defaultAccount.id, apiKey: state.options.apiKey });
	});

	router.add('POST', '/_emulator/accounts', control, async (ctx) => {
		const body = await ctx.json(ControlCreateAccountSchema);
		const created = state.createAccount({
			credits: body.credits,
			scopes: body.scopes as Scope[] | undefined,
		});
		ctx.send(201, {
			accountId: created.account.id,
			apiKey: created.apiKey,
			credits: created.account.credits,
		});
	});

	router.add('GET', '/_emulator/accounts/:accountId', control, (ctx) => {
		const found = account(ctx.params.accountId);
		const keys = [...state.keys.values()].filter((key) => key.accountId === found.id);
		ctx.send(200, { ...found, keys });
	});

	router.add('PUT', '/_emulator/accounts/:accountId/credits', control, async (ctx) => {
		const found = account(ctx.params.accountId);
		found.credits = (await ctx.json(ControlCreditsSchema)).credits;
		ctx.send(200, found);
	});

	router.add('POST', '/_emulator/keys', control, async (ctx) => {
		const body = await ctx.json(ControlCreateKeySchema);
		const record = state.createKey(
			body.accountId,
			body.scopes as Scope[] | undefined,
			body.expiresAt ?? null,
		);
		ctx.send(201, { apiKey: record.key, scopes: record.scopes, expiresAt: record.expiresAt });
	});

	router.add('POST', '/_emulator/keys/revoke', control, async (ctx) => {
		const record = keyRecord((await ctx.json(ControlKeySchema)).apiKey);
		record.revokedAt = state.now();
		ctx.send(200, record);
	});

	router.add('POST', '/_emulator/keys/expire', control, async (ctx) => {
		const record = keyRecord((await ctx.json(ControlKeySchema)).apiKey);
		record.expiresAt = new Date(state.nowMs() - 1000).toISOString();
		ctx.send(200, record);
	});

	router.add('PUT', '/_emulator/models/:modelId/behavior', control, async (ctx) => {
		if (!state.findModel(ctx.params.modelId))
			throw new ApiError(404, 'not_found', `No model ${ctx.params.modelId}`);
		const behavior = {
			...state.behaviorFor(ctx.params.modelId),
			...(await ctx.json(ControlBehaviorSchema)),
		};
		state.modelBehaviors.set(ctx.params.modelId, behavior);
		ctx.send(200, { modelId: ctx.params.modelId, behavior });
	});

	router.add('POST', '/_emulator/faults', control, async (ctx) => {
		const fault = state.addFault(await ctx.json(ControlFaultSchema));
		ctx.send(201, { faultId: fault.id, fault });
	});

	router.add('DELETE', '/_emulator/faults', control, (ctx) => {
		state.faults = [];
		ctx.send(200, { ok: true });
	});

	router.add('GET', '/_emulator/faults', control, (ctx) => ctx.send(200, { faults: state.faults }));

	router.add('PUT', '/_emulator/settings', control, async (ctx) => {
		const body = await ctx.json(ControlSettingsSchema);
		if (body.publicApiEnabled !== undefined) state.publicApiEnabled = body.publicApiEnabled;
		if (body.rateLimitPerMinute !== undefined) state.rateLimitPerMinute = body.rateLimitPerMinute;
		if (body.rateLimitWindowMs !== undefined) state.rateLimitWindowMs = body.rateLimitWindowMs;
		if (body.advanceClockMs !== undefined) state.advanceClock(body.advanceClockMs);
		ctx.send(200, {
			publicApiEnabled: state.publicApiEnabled,
			rateLimitPerMinute: state.rateLimitPerMinute,
			rateLimitWindowMs: state.rateLimitWindowMs,
			now: state.now(),
		});
	});

	router.add('GET', '/_emulator/counters', control, (ctx) => {
		// Settle due tasks first so counters never lag behind what a poll would show.
		for (const task of state.tasks.values()) state.refreshTask(task);
		ctx.send(200, state.counters.snapshot());
	});

	router.add('GET', '/_emulator/tasks', control, (ctx) => {
		const tasks = [...state.tasks.values()].map((task) => ({
			...state.generationObject(task),
			accountId: task.accountId,
			prompt: task.prompt,
			params: task.params,
		}));
		ctx.send(200, { tasks });
	});

	// Chat: stream faults, timing and event names; sessions started in Rivya Studio.
	router.add('POST', '/_emulator/chat/faults', control, async (ctx) => {
		const { kind, times, ...fault } = await ctx.json(ControlChatStreamFaultSchema);
		chatStoreFor(state).streamErrorFaults.push({ ...fault, remaining: times });
		ctx.send(200, { kind, times, ...fault });
	});
	router.add('PUT', '/_emulator/chat/stream-timing', control, async (ctx) => {
		const timing = await ctx.json(ControlChatStreamTimingSchema);
		const store = chatStoreFor(state);
		store.streamTiming = { ...store.streamTiming, ...timing };
		ctx.send(200, store.streamTiming);
	});
	// Renames the stream's events (omitted ones go back to the contract's names), to test clients
	// against a live API whose undocumented event names differ.
	router.add('PUT', '/_emulator/chat/stream-event-names', control, async (ctx) => {
		const names = await ctx.json(ControlChatStreamEventNamesSchema);
		const store = chatStoreFor(state);
		store.streamEventNames = { ...DEFAULT_STREAM_EVENT_NAMES, ...names };
		ctx.send(200, store.streamEventNames);
	});
	router.add('POST', '/_emulator/chat/sessions', control, async (ctx) => {
		const body = await ctx.json(ControlStudioSessionSchema);
		if (!state.accounts.has(body.accountId))
			throw new ApiError(404, 'not_found', `No account ${body.accountId}`);
		ctx.send(201, sessionView(addStudioChatSession(state, body.accountId, body.model)));
	});

	// Webhooks: the next deliveries misbehave (duplicate, out_of_order, bad_signature, drop).
	router.add('POST', '/_emulator/webhooks/faults', control, async (ctx) => {
		const body = await ctx.json(ControlWebhookFaultSchema);
		injectWebhookFault(state, body.kind, body.times ?? 1);
		ctx.send(200, { kind: body.kind, times: body.times ?? 1 });
	});
	router.add('DELETE', '/_emulator/webhooks/faults', control, (ctx) => {
		webhookServiceFor(state).clearFaults();
		ctx.send(200, { cleared: true });
	});
}
