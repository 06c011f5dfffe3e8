/**
 * The webhook event types Rivya sends: the one list the Rivya Trigger's Events, the Webhook resource's
 * Event Types and their messages are built from. A new event type is one entry here (and one in the
 * emulator's test/emulator/webhooks/delivery.ts).
 */
import type { INodePropertyOptions } from 'n8n-workflow';

export interface WebhookEventType {
	/** Rivya's name, e.g. generation.succeeded. */
	value: string;
	/** As the editor shows it. */
	name: string;
	/** What happened, for the editor. */
	description: string;
}

/** In the order a new trigger subscribes to them (all by default). */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
	{
		value: 'generation.succeeded',
		name: 'Generation Succeeded',
		description: 'A generation finished and its results are ready',
	},
	{
		value: 'generation.failed',
		name: 'Generation Failed',
		description: 'A generation ended with an error',
	},
];

/** The event types as editor options, alphabetical like every n8n options list. */
export const WEBHOOK_EVENT_TYPE_OPTIONS: INodePropertyOptions[] = WEBHOOK_EVENT_TYPES.map(
	({ name, value, description }) => ({ name, value, description }),
).sort((a, b) => a.name.localeCompare(b.name));

/** Every event type's value: what a new trigger subscribes to. */
export const ALL_WEBHOOK_EVENT_VALUES: string[] = WEBHOOK_EVENT_TYPES.map(({ value }) => value);

/** `"Generation Succeeded", "Generation Failed" or both`, for messages that ask to pick events. */
export function webhookEventChoices(): string {
	const names = WEBHOOK_EVENT_TYPES.map(({ name }) => `"${name}"`);
	if (names.length === 1) return names[0];
	return `${names.join(', ')} or ${names.length === 2 ? 'both' : 'several'}`;
}
