import type { IDataObject } from 'n8n-workflow';

import {
	DEDUPE_WINDOW_MS,
	MAX_REMEMBERED_EVENTS,
	rememberEvent,
	wasEventSeen,
} from '../../nodes/RivyaTrigger/triggerState';

const HOUR_MS = 60 * 60 * 1000;
const START_MS = Date.UTC(2025, 0, 1, 12, 30);

const rememberedIds = (data: IDataObject) =>
	Object.values((data.recentEventIds ?? {}) as Record<string, string[]>).flat();

describe('trigger dedupe memory', () => {
	it('recognises an id for at least 24 hours, then forgets it', () => {
		const data: IDataObject = {};
		rememberEvent(data, 'evt_first', START_MS);
		// Rivya's retries run for about 9 hours; the memory outlasts them.
		rememberEvent(data, 'evt_later', START_MS + 9 * HOUR_MS);
		expect(wasEventSeen(data, 'evt_first')).toBe(true);
		rememberEvent(data, 'evt_day', START_MS + DEDUPE_WINDOW_MS - 1);
		expect(wasEventSeen(data, 'evt_first')).toBe(true);
		// Some time in the 25th hour the first id's hour is dropped; the others stay.
		rememberEvent(data, 'evt_next_day', START_MS + DEDUPE_WINDOW_MS + HOUR_MS);
		expect(wasEventSeen(data, 'evt_first')).toBe(false);
		expect(rememberedIds(data)).toEqual(['evt_later', 'evt_day', 'evt_next_day']);
	});

	it(`keeps at most ${MAX_REMEMBERED_EVENTS} ids, dropping the oldest first`, () => {
		const data: IDataObject = {};
		const total = MAX_REMEMBERED_EVENTS + 10;
		for (let index = 0; index < total; index++) {
			// Spread over 20 hours, all within the window.
			rememberEvent(data, `evt_${index}`, START_MS + Math.floor((index * 20 * HOUR_MS) / total));
		}
		const ids = rememberedIds(data);
		expect(ids).toHaveLength(MAX_REMEMBERED_EVENTS);
		expect(ids[0]).toBe('evt_10');
		expect(ids.at(-1)).toBe(`evt_${total - 1}`);
		expect(wasEventSeen(data, 'evt_9')).toBe(false);
		expect(wasEventSeen(data, 'evt_10')).toBe(true);
		// Compact in the saved workflow: the id, its quotes and a comma, plus one key per hour.
		const bytes = JSON.stringify(data).length;
		expect(bytes).toBeLessThan(ids.join('').length + 3 * ids.length + 21 * 20);
	});

	it('remembers an id once, in the hour it was last accepted', () => {
		const data: IDataObject = {};
		rememberEvent(data, 'evt_a', START_MS);
		rememberEvent(data, 'evt_b', START_MS);
		rememberEvent(data, 'evt_a', START_MS + 2 * HOUR_MS);
		expect(rememberedIds(data)).toEqual(['evt_b', 'evt_a']);
	});

	it('takes over the ids saved by the earlier 500-id memory', () => {
		const data: IDataObject = {
			seenEvents: [
				{ id: 'evt_old', atMs: START_MS - 2 * HOUR_MS },
				{ id: 'evt_expired', atMs: START_MS - 30 * HOUR_MS },
			],
		};
		expect(wasEventSeen(data, 'evt_old')).toBe(true);
		rememberEvent(data, 'evt_new', START_MS);
		expect(data.seenEvents).toBeUndefined();
		expect(rememberedIds(data)).toEqual(['evt_old', 'evt_new']);
	});
});
