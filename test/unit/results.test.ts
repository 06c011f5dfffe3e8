import { resultBinaryName, resultUrlsOf } from '../../nodes/shared/results';

// One reading of a generation's `result` for Generation > Create/Get/Wait and the Rivya Trigger's events.
describe('resultUrlsOf', () => {
	it('reads primary_url and urls', () => {
		expect(
			resultUrlsOf({
				result: { primary_url: 'https://r/a.png', urls: ['https://r/a.png', 'https://r/b.png'] },
			}),
		).toEqual({ primaryUrl: 'https://r/a.png', urls: ['https://r/a.png', 'https://r/b.png'] });
	});

	it('keeps a primary_url that urls leaves out, first', () => {
		expect(
			resultUrlsOf({ result: { primary_url: 'https://r/p.png', urls: ['https://r/b.png'] } }),
		).toEqual({ primaryUrl: 'https://r/p.png', urls: ['https://r/p.png', 'https://r/b.png'] });
	});

	it('takes the first URL as primary when primary_url is missing, and skips non-strings', () => {
		expect(resultUrlsOf({ result: { urls: [42, 'https://r/b.png', null] } })).toEqual({
			primaryUrl: 'https://r/b.png',
			urls: ['https://r/b.png'],
		});
		expect(resultUrlsOf({ result: { primary_url: 'https://r/p.png' } })).toEqual({
			primaryUrl: 'https://r/p.png',
			urls: ['https://r/p.png'],
		});
	});

	it('has no URLs for a task without a result', () => {
		expect(resultUrlsOf({ result: null })).toEqual({ primaryUrl: null, urls: [] });
		expect(resultUrlsOf({})).toEqual({ primaryUrl: null, urls: [] });
	});
});

describe('resultBinaryName', () => {
	it('names the first result after the property and the others with their index', () => {
		expect([0, 1, 2].map((index) => resultBinaryName('data', index))).toEqual([
			'data',
			'data_1',
			'data_2',
		]);
	});
});
