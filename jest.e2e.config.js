const { jestSelection } = require('./test/e2e/matrix');

/**
 * End-to-end tests in a real n8n (see test/e2e/). The global setup installs n8n into a cache folder if
 * needed, builds and packs this package, and starts the Rivya emulator plus one n8n (or, with
 * RIVYA_E2E_MODE=queue, a queue-mode cluster) shared by all tests. Which n8n, and which files run on it:
 * test/e2e/matrix.js.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	...jestSelection(),
	testSequencer: '<rootDir>/test/e2e/sequencer.js',
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	testTimeout: 120000,
	// One n8n serves every test file; files run one after another so executions don't interleave.
	maxWorkers: 1,
};
