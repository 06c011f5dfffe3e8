// Test file order of an e2e run: by path (stable from run to run), files in matrix.RUN_LAST at the end.
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

const { RUN_LAST } = require('./matrix');

class E2eSequencer extends Sequencer {
	sort(tests) {
		const last = (test) => RUN_LAST.includes(path.basename(test.path));
		return [...tests].sort(
			(a, b) => Number(last(a)) - Number(last(b)) || a.path.localeCompare(b.path),
		);
	}
}

module.exports = E2eSequencer;
