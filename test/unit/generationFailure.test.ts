// A started task that Rivya marks failed for credits: recognised by its code or its message (the code
// for it is not documented), and reported without promising a refund.
import { failedForCredits } from '../../nodes/Rivya/actions/generation/output';

describe('failedForCredits', () => {
	it.each([
		[{ code: 'insufficient_credits', message: 'Task stopped' }, true],
		[{ code: 'credits_exhausted' }, true],
		[{ code: 'generation_failed', message: 'Insufficient credits: the account ran low' }, true],
		[{ code: 'generation_failed', message: 'Not enough credit to finish' }, true],
		[{ code: 'generation_failed', message: 'The provider could not generate this result' }, false],
		[{ code: 'generation_failed', message: 'Content policy: discredited source' }, false],
		[{}, false],
	])('%j → %s', (error, expected) => {
		expect(failedForCredits(error)).toBe(expected);
	});
});
