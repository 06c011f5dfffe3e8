// Control API schemas (/_emulator/, not in openapi.json).
import { z } from 'zod/v4';

import { ALL_SCOPES } from '../router';
import { WEBHOOK_FAULT_KINDS } from '../webhooks/delivery';

const scopeList = z.array(z.enum(ALL_SCOPES));

export const ControlCreateAccountSchema = z.object({
	credits: z.number().nonnegative().optional(),
	scopes: scopeList.optional(),
});
export const ControlCreateKeySchema = z.object({
	accountId: z.string(),
	scopes: scopeList.optional(),
	expiresAt: z.string().optional(),
});
export const ControlKeySchema = z.object({ apiKey: z.string() });
export const ControlCreditsSchema = z.object({ credits: z.number().nonnegative() });
export const ControlBehaviorSchema = z.object({
	durationMs: z.number().nonnegative().optional(),
	outcome: z.enum(['succeed', 'fail', 'fail_credits']).optional(),
	failedFinalCredits: z.number().int().nonnegative().optional(),
	resultBytes: z.number().int().nonnegative().optional(),
	resultCount: z.number().int().min(1).max(10).optional(),
});
export const ControlFaultSchema = z.object({
	route: z.string().optional(),
	kind: z.enum([
		'status',
		'drop_after_response',
		'reset_before',
		'delay',
		'rate_limit_storm',
		'cut_stream',
	]),
	status: z.number().int().min(100).max(599).optional(),
	code: z.string().optional(),
	retryAfter: z.number().int().nonnegative().optional(),
	delayMs: z.number().nonnegative().optional(),
	times: z.number().int().min(1).optional(),
	afterBytes: z.number().int().nonnegative().optional(),
});
export const ControlSettingsSchema = z.object({
	publicApiEnabled: z.boolean().optional(),
	rateLimitPerMinute: z.number().int().min(1).optional(),
	rateLimitWindowMs: z.number().int().min(100).optional(),
	advanceClockMs: z.number().nonnegative().optional(),
});

export const ControlChatStreamFaultSchema = z.object({
	kind: z.literal('stream_error'),
	code: z.string().min(1).default('internal_error'),
	message: z.string().min(1).default('The model stopped unexpectedly (injected)'),
	afterDeltas: z.number().int().min(0).default(2),
	times: z.number().int().min(1).default(1),
});
export const ControlChatStreamEventNamesSchema = z.object({
	start: z.string().min(1).optional(),
	delta: z.string().min(1).optional(),
	done: z.string().min(1).optional(),
	error: z.string().min(1).optional(),
});
export const ControlChatStreamTimingSchema = z.object({
	pingIntervalMs: z.number().int().min(1).optional(),
	deltaDelayMs: z.number().int().min(0).optional(),
});
export const ControlStudioSessionSchema = z.object({
	accountId: z.string().min(1),
	model: z.string().min(1),
});
export const ControlWebhookFaultSchema = z.object({
	kind: z.enum(WEBHOOK_FAULT_KINDS),
	times: z.number().int().min(1).optional(),
});
