// Pure parts of the transport; its HTTP behaviour is tested through n8n's engine in
// test/workflow/transport.test.ts.
import {
	API_PREFIX,
	cancelSignalOf,
	normalizeBaseUrl,
	type RivyaContext,
} from '../../nodes/shared/transport';

describe('normalizeBaseUrl', () => {
	it.each([
		['https://rivya.ai', 'https://rivya.ai'],
		['https://rivya.ai/', 'https://rivya.ai'],
		['https://rivya.ai/api/v1', 'https://rivya.ai'],
		['https://rivya.ai/api/v1/', 'https://rivya.ai'],
		['  http://127.0.0.1:4010//  ', 'http://127.0.0.1:4010'],
		['https://proxy.example.com/rivya', 'https://proxy.example.com/rivya'],
	])('%s → %s', (input, expected) => {
		expect(normalizeBaseUrl(input)).toBe(expected);
		expect(`${normalizeBaseUrl(input)}${API_PREFIX}/credits`).toBe(`${expected}/api/v1/credits`);
	});

	it('falls back to https://rivya.ai when empty', () => {
		expect(normalizeBaseUrl('')).toBe('https://rivya.ai');
		expect(normalizeBaseUrl(undefined)).toBe('https://rivya.ai');
		expect(normalizeBaseUrl('   ')).toBe('https://rivya.ai');
	});
});

describe('cancelSignalOf', () => {
	it("returns the execution's cancel signal when the context has one", () => {
		const controller = new AbortController();
		const context = {
			getExecutionCancelSignal: () => controller.signal,
		} as unknown as RivyaContext;
		expect(cancelSignalOf(context)).toBe(controller.signal);
	});

	it('is undefined for contexts without one (load options, hooks)', () => {
		expect(cancelSignalOf({} as RivyaContext)).toBeUndefined();
	});
});
