import type { IDataObject } from 'n8n-workflow';

import { resultUrlsOf } from '../shared/results';

/** The trigger's output for one Rivya event (payload `{id, type, api_version, created_at, data}`). */
export interface TriggerEventOutput extends IDataObject {
	eventId: string;
	eventType: string;
	createdAt: string | null;
	test: boolean;
	generation: {
		id: string | null;
		status: string | null;
		model: string | null;
		/** `final_credits` exactly as Rivya sent it (refunds follow Rivya's policy); null if absent. */
		credits: number | null;
		resultUrls: string[];
		primaryUrl: string | null;
		error: IDataObject | null;
		/** The Client Request ID given at Generation > Create: the link back to the lead or product. */
		clientRequestId: string | null;
	};
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function numberOrNull(value: unknown): number | null {
	const number = typeof value === 'string' && value.trim() ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) ? number : null;
}

/** Maps a verified event payload; tolerant of missing or extra fields, as the live API may vary. */
export function toTriggerOutput(event: IDataObject, headerEventId: string): TriggerEventOutput {
	const data = (event.data && typeof event.data === 'object' ? event.data : {}) as IDataObject;
	const { primaryUrl, urls: resultUrls } = resultUrlsOf(data);
	return {
		eventId: text(event.id) ?? headerEventId,
		eventType: text(event.type) ?? '',
		createdAt: text(event.created_at),
		test: event.test === true,
		generation: {
			id: text(data.id),
			status: text(data.status),
			model: text(data.model),
			credits: numberOrNull(data.final_credits),
			resultUrls,
			primaryUrl,
			error: data.error && typeof data.error === 'object' ? (data.error as IDataObject) : null,
			clientRequestId: text(data.client_request_id),
		},
	};
}
