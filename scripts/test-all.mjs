// README's test command (`npm run test:all`, also what CI runs): every test suite, and one totals line,
// "N passed, N failed", counting every suite and every n8n version, so CI shows how many tests ran.
//
// 1. Provisions what the tests need from Debian's packages (Chromium for the editor test, Redis and
//    PostgreSQL for queue mode): installs them when running as root, otherwise stops with the exact
//    command to run. Nothing is skipped silently.
// 2. Starts the real-n8n installs (test/e2e/install-n8n.sh, a quick no-op when the cache is warm) in the
//    background, so a cold install overlaps the fast suite.
// 3. Runs the fast suite (unit, emulator, workflow, reliability), then the end-to-end suite on each target
//    of the matrix in test/e2e/matrix.js: n8n 2.41.1 (one process), n8n 2.41.1 in queue mode, n8n 1.123.81.
//
// RIVYA_TEST_SUITES=0,2 (indexes) or =fast,n8n-1.123.81 (ids) runs only those suites. `--prepare` does
// steps 1 and 2 only (CI starts it first, so the installs also overlap npm ci, build and lint).
// Exit code is non-zero if anything failed.
import { spawn, spawnSync } from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	rmSync,
	openSync,
	closeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { TARGETS } = require('../test/e2e/matrix.js');

const REPO_DIR = join(import.meta.dirname, '..');
const resultsDir = join(REPO_DIR, '.cache', 'test-results');
mkdirSync(resultsDir, { recursive: true });
const DEFAULT_N8N_VERSION = '2.41.1';

const suites = [
	{ id: 'fast', name: 'unit, emulator, workflow and reliability tests', args: [], env: {} },
	...TARGETS.map((target) => ({
		id: target.id,
		name: `end-to-end tests in ${target.label}`,
		args: ['-c', 'jest.e2e.config.js'],
		env: target.env,
		n8n: { version: target.env.RIVYA_E2E_N8N_VERSION, nodeMajor: target.env.RIVYA_E2E_NODE_MAJOR },
	})),
];
const only = process.env.RIVYA_TEST_SUITES?.split(',').map((entry) => entry.trim());
const selected = suites.filter(
	(suite, index) => !only || only.includes(String(index)) || only.includes(suite.id),
);

// --------------------------------------------------------------------------------------------------
// 1. System packages

function systemPackageProblems() {
	const needsE2e = selected.some((suite) => suite.n8n);
	const needsQueue = selected.some((suite) => suite.env.RIVYA_E2E_MODE === 'queue');
	const needsBrowser = selected.some(
		(suite) =>
			suite.n8n && suite.env.RIVYA_E2E_MODE !== 'queue' && !suite.n8n.version.startsWith('1.'),
	);
	const missing = [];
	if (needsE2e && needsBrowser && !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'))
		missing.push('chromium');
	if (needsQueue && !existsSync('/usr/bin/redis-server')) missing.push('redis-server');
	const postgresRoot = '/usr/lib/postgresql';
	const hasPostgres =
		existsSync(postgresRoot) &&
		readdirSync(postgresRoot).some((major) =>
			existsSync(join(postgresRoot, major, 'bin', 'initdb')),
		);
	if (needsQueue && !hasPostgres) missing.push('postgresql');
	return missing;
}

function provisionSystemPackages() {
	const missing = systemPackageProblems();
	if (missing.length === 0) return;
	const command = `apt-get install -y ${missing.join(' ')}`;
	if (process.getuid?.() !== 0) {
		console.error(
			`\nThe tests need Debian packages that are not installed: ${missing.join(', ')}.\nRun:  sudo apt-get update && sudo ${command}\nthen run npm run test:all again.`,
		);
		console.log('0 passed, 1 failed');
		process.exit(1);
	}
	console.log(`\n=== installing Debian packages the tests need: ${missing.join(', ')} ===`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	// CI's early `--prepare` may hold the package lock: wait for it instead of failing.
	const waitForLock = ['-o', 'DPkg::Lock::Timeout=600'];
	const update = spawnSync('apt-get', [...waitForLock, 'update', '-qq'], { stdio: 'inherit', env });
	const install =
		update.status === 0
			? spawnSync('apt-get', [...waitForLock, 'install', '-y', '-qq', ...missing], {
					stdio: 'inherit',
					env,
				})
			: update;
	if (install.status !== 0 || systemPackageProblems().length > 0) {
		console.error(`\nInstalling failed. Run:  apt-get update && ${command}`);
		console.log('0 passed, 1 failed');
		process.exit(1);
	}
}

// --------------------------------------------------------------------------------------------------
// 2. Real n8n installs, in the background

/** The environment for one n8n version: N8N_CACHE_DIR, when set, names the default version's folder. */
function envFor(version, extra = {}) {
	const env = { ...process.env, ...extra };
	if (version !== DEFAULT_N8N_VERSION) delete env.N8N_CACHE_DIR;
	return env;
}

function startInstall({ version, nodeMajor }) {
	const mode = process.argv.includes('--prepare') ? 'prepare' : 'test';
	const logFile = join(resultsDir, `install-n8n-${version}.${mode}.log`);
	const log = openSync(logFile, 'w');
	const child = spawn('bash', ['test/e2e/install-n8n.sh', version, nodeMajor], {
		cwd: REPO_DIR,
		env: envFor(version),
		stdio: ['ignore', log, log],
	});
	closeSync(log);
	const started = Date.now();
	const done = new Promise((resolve) => {
		child.on('exit', (code) => {
			const seconds = ((Date.now() - started) / 1000).toFixed(0);
			resolve({ ok: code === 0, logFile, seconds });
		});
		child.on('error', (error) => resolve({ ok: false, logFile, seconds: 0, error }));
	});
	return done;
}

const installs = new Map();
for (const suite of selected) {
	if (suite.n8n && !installs.has(suite.n8n.version))
		installs.set(suite.n8n.version, startInstall(suite.n8n));
}

async function awaitInstall(version) {
	const result = await installs.get(version);
	const lastLines = readFileSync(result.logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
	if (!result.ok) {
		console.log(`n8n ${version} install failed (log ${result.logFile}):\n${lastLines}`);
		return false;
	}
	console.log(`n8n ${version}: ${lastLines.split('\n').pop()} (${result.seconds} s)`);
	return true;
}

// --------------------------------------------------------------------------------------------------
// 3. The suites

async function runJest(suite, outputFile, env) {
	rmSync(outputFile, { force: true });
	const child = spawn('npx', ['jest', ...suite.args, '--json', `--outputFile=${outputFile}`], {
		cwd: REPO_DIR,
		env,
		stdio: 'inherit',
	});
	return await new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function prepareOnly() {
	provisionSystemPackages();
	let ok = true;
	for (const version of installs.keys()) ok = (await awaitInstall(version)) && ok;
	process.exit(ok ? 0 : 1);
}

async function main() {
	provisionSystemPackages();
	let passed = 0;
	let failed = 0;
	let failedSuites = 0;
	let built = false;

	for (const suite of selected) {
		const index = suites.indexOf(suite);
		console.log(`\n=== ${suite.name} ===`);
		if (suite.n8n && !(await awaitInstall(suite.n8n.version))) {
			failedSuites++;
			continue;
		}
		// The e2e global setup builds and packs the package; once is enough for the whole matrix.
		const env = envFor(suite.n8n?.version ?? DEFAULT_N8N_VERSION, {
			...suite.env,
			...(suite.n8n && built ? { RIVYA_E2E_SKIP_BUILD: '1' } : {}),
		});
		const outputFile = join(resultsDir, `suite-${index}-${suite.id}.json`);
		const status = await runJest(suite, outputFile, env);
		if (suite.n8n) built = true;
		if (!existsSync(outputFile)) {
			console.log(`${suite.name}: jest wrote no results (exit ${status})`);
			failedSuites++;
			continue;
		}
		const summary = JSON.parse(readFileSync(outputFile, 'utf8'));
		passed += summary.numPassedTests;
		failed += summary.numFailedTests;
		// A suite that fails to load (syntax error, setup failure) has no failed tests but is still a failure.
		if (status !== 0 || summary.numRuntimeErrorTestSuites > 0) failedSuites++;
		console.log(
			`${suite.name}: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numRuntimeErrorTestSuites} suites could not run`,
		);
	}
	// Installs nobody waited for (suites filtered out) finish before the totals.
	await Promise.all(installs.values());

	console.log(
		`${passed} passed, ${failed + (failed === 0 && failedSuites > 0 ? failedSuites : 0)} failed`,
	);
	process.exit(failed > 0 || failedSuites > 0 ? 1 : 0);
}

if (process.argv.includes('--prepare')) await prepareOnly();
else await main();
