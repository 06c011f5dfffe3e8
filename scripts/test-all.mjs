// Runs every test suite (unit, emulator, workflow, then end-to-end in a real n8n) and prints one totals
// line, "N passed, N failed", so CI shows how many tests ran. Exit code is non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = join(process.cwd(), '.cache', 'test-results');
mkdirSync(resultsDir, { recursive: true });

const suites = [
	{ name: 'unit, emulator and workflow tests', args: [] },
	{ name: 'end-to-end tests in a real n8n', args: ['-c', 'jest.e2e.config.js'] },
];
const only = process.env.RIVYA_TEST_SUITES; // e.g. "0" to run the first suite only
let passed = 0;
let failed = 0;
let failedSuites = 0;

for (const [index, suite] of suites.entries()) {
	if (only && !only.split(',').includes(String(index))) continue;
	const outputFile = join(resultsDir, `suite-${index}.json`);
	console.log(`\n=== ${suite.name} ===`);
	const run = spawnSync('npx', ['jest', ...suite.args, '--json', `--outputFile=${outputFile}`], {
		stdio: 'inherit',
	});
	if (!existsSync(outputFile)) {
		console.log(`${suite.name}: jest wrote no results (exit ${run.status})`);
		failedSuites++;
		continue;
	}
	const summary = JSON.parse(readFileSync(outputFile, 'utf8'));
	passed += summary.numPassedTests;
	failed += summary.numFailedTests;
	// A suite that fails to load (syntax error, setup failure) has no failed tests but is still a failure.
	if (run.status !== 0 || summary.numRuntimeErrorTestSuites > 0) failedSuites++;
	console.log(
		`${suite.name}: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numRuntimeErrorTestSuites} suites could not run`,
	);
}

console.log(`${passed} passed, ${failed + (failed === 0 && failedSuites > 0 ? failedSuites : 0)} failed`);
process.exit(failed > 0 || failedSuites > 0 ? 1 : 0);
