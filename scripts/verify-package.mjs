// Verification readiness of the package n8n would install: what `npm pack` ships, the package.json
// fields n8n reads, codex files and icons, and the lint step of n8n's community package scanner.
//
//   npm run build && node scripts/verify-package.mjs [--offline]
//
// @n8n/scan-community-package cannot scan an unpublished package: its CLI takes a registry name,
// requires npm provenance, and lints the GitHub commit the provenance points at. Its lint step,
// `analyzePackage(dir, patterns)`, is exported, so this script runs that exact function (the pinned
// scanner installed into .cache/, outside the package's dependencies) on the two inputs the scanner
// uses: the source tree (package.json + {nodes,credentials}/**/*.{js,ts,json}) and the packed
// tarball (**/*.js + package.json), with inline eslint-disable comments ignored. With --offline, or
// if the scanner cannot be installed, the same lint is replicated with the eslint plugins installed
// in this repo (via @n8n/node-cli), which may be other versions than the scanner's.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { checkGithubWorkflows } = createRequire(import.meta.url)('./github-workflows.cjs');

const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCANNER_VERSION = '0.32.0';
const SCANNER_PREFIX =
	process.env.RIVYA_SCANNER_DIR ?? join(REPO_DIR, '.cache', 'scan-community-package');
const SCANNER_MODULE = join(
	SCANNER_PREFIX,
	'node_modules',
	'@n8n',
	'scan-community-package',
	'scanner',
	'scanner.mjs',
);
const SOURCE_PATTERNS = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}'];
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];
const offline = process.argv.includes('--offline');

const failures = [];
const warnings = [];
const notChecked = [];
const fail = (message) => failures.push(message);
const warn = (message) => warnings.push(message);

function filesUnder(dir) {
	return readdirSync(dir).flatMap((entry) => {
		const full = join(dir, entry);
		return statSync(full).isDirectory() ? filesUnder(full) : [full];
	});
}

function packTarball(workDir) {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], {
			cwd: REPO_DIR,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		}),
	)[0];
	const unpacked = join(workDir, 'package');
	execFileSync('tar', ['-xzf', join(workDir, packed.filename), '-C', workDir]);
	return { packed, unpacked };
}

function checkContents(packed, manifest) {
	const allowedTopLevel = new Set(['package.json', 'README.md', 'LICENSE', 'LICENSE.md']);
	if (manifest.main) allowedTopLevel.add(manifest.main.replace(/^\.\//, ''));
	for (const { path } of packed.files) {
		if (path.startsWith('dist/')) {
			if (/\.tsbuildinfo$/.test(path))
				fail(`${path} is a TypeScript build cache, not part of the package`);
			continue;
		}
		if (!allowedTopLevel.has(path))
			fail(`${path} is packed but is neither dist/, package.json, README nor LICENSE`);
	}
	if (manifest.main && !/^(\.\/)?dist\//.test(manifest.main)) {
		warn(
			`"main" is ${manifest.main}, outside dist/ (n8n loads nodes from the "n8n" field, not from main)`,
		);
	}
	for (const required of ['README.md', 'LICENSE']) {
		if (
			!packed.files.some(({ path }) => path === required || path === `${required.split('.')[0]}.md`)
		) {
			fail(`${required} is not in the package`);
		}
	}
	console.log(
		`npm pack: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`,
	);
}

function checkManifest(manifest) {
	const runtime = Object.keys(manifest.dependencies ?? {});
	if (runtime.length > 0)
		fail(`runtime dependencies: ${runtime.join(', ')} (community nodes must have none)`);
	if (manifest.bundleDependencies || manifest.bundledDependencies)
		fail('bundled dependencies are not allowed');
	// Which peer dependencies are allowed is the scanner's `valid-peer-dependencies` rule (lint below).
	if (!(manifest.keywords ?? []).includes('n8n-community-node-package')) {
		fail(
			'keywords lack "n8n-community-node-package" (n8n and npm search find community nodes by it)',
		);
	}
	if (!manifest.name.startsWith('n8n-nodes-') && !/^@[^/]+\/n8n-nodes-/.test(manifest.name)) {
		fail(`package name ${manifest.name} does not start with n8n-nodes-`);
	}
	if (manifest.n8n?.n8nNodesApiVersion !== 1) fail('n8n.n8nNodesApiVersion must be 1');
	if (manifest.n8n?.strict !== true) warn('n8n.strict is not true');
	for (const field of ['license', 'repository', 'homepage', 'author']) {
		if (!manifest[field]) warn(`package.json has no "${field}"`);
	}
}

/** Listed node and credential files exist; every node has a codex file and its icons exist. */
function checkNodes(manifest, unpacked) {
	const listedNodes = manifest.n8n?.nodes ?? [];
	const listedCredentials = manifest.n8n?.credentials ?? [];
	if (listedNodes.length === 0) fail('n8n.nodes lists no nodes');
	for (const file of [...listedNodes, ...listedCredentials]) {
		if (!existsSync(join(unpacked, file)))
			fail(`${file} is listed in package.json "n8n" but not packed`);
	}
	const builtNodes = existsSync(join(unpacked, 'dist'))
		? filesUnder(join(unpacked, 'dist')).filter((file) => file.endsWith('.node.js'))
		: [];
	for (const built of builtNodes) {
		const path = relative(unpacked, built).split(sep).join('/');
		if (!listedNodes.includes(path))
			warn(`${path} is built and packed but not listed in package.json n8n.nodes`);
	}
	for (const file of [...listedNodes, ...listedCredentials]) {
		const full = join(unpacked, file);
		if (!existsSync(full)) continue;
		const source = readFileSync(full, 'utf8');
		const icons = [...source.matchAll(/['"`]file:([^'"`]+\.(?:svg|png))['"`]/g)].map(
			(match) => match[1],
		);
		if (icons.length === 0 && !/icon\s*[:=]/.test(source)) warn(`${file} declares no icon`);
		for (const icon of icons) {
			if (!existsSync(resolve(dirname(full), icon)))
				fail(`${file} uses icon ${icon}, which is not packed`);
		}
	}
	for (const file of listedNodes) {
		const codexFile = join(unpacked, file.replace(/\.js$/, '.json'));
		const label = relative(unpacked, codexFile);
		if (!existsSync(codexFile)) {
			fail(`${label} (codex: categories, docs links) is missing`);
			continue;
		}
		const codex = JSON.parse(readFileSync(codexFile, 'utf8'));
		if (!String(codex.node ?? '').startsWith(`${manifest.name}.`)) {
			fail(`${label}: "node" is "${codex.node}", expected "${manifest.name}.<node name>"`);
		}
		if (!Array.isArray(codex.categories) || codex.categories.length === 0)
			fail(`${label} has no categories`);
		const docs = codex.resources?.primaryDocumentation ?? [];
		if (!docs.some((entry) => /^https:\/\//.test(entry.url ?? '')))
			fail(`${label} has no primaryDocumentation URL`);
		if (!(codex.resources?.credentialDocumentation ?? []).length)
			warn(`${label} has no credentialDocumentation`);
	}
}

/** The scanner's analyzePackage, installed on demand into .cache/ (never into this repo's node_modules). */
async function loadScanner() {
	if (!existsSync(SCANNER_MODULE) && !offline) {
		console.log(
			`installing @n8n/scan-community-package@${SCANNER_VERSION} into ${relative(REPO_DIR, SCANNER_PREFIX)}`,
		);
		try {
			execFileSync(
				'npm',
				[
					'install',
					'--prefix',
					SCANNER_PREFIX,
					'--no-save',
					'--ignore-scripts',
					'--loglevel=error',
					'--no-audit',
					'--no-fund',
					`@n8n/scan-community-package@${SCANNER_VERSION}`,
				],
				{ stdio: 'inherit' },
			);
		} catch (error) {
			warn(
				`could not install the scanner (${error.message.split('\n')[0]}); using the repo's eslint plugins instead`,
			);
		}
	}
	if (!existsSync(SCANNER_MODULE)) return undefined;
	return await import(pathToFileURL(SCANNER_MODULE).href);
}

/** The scanner's lint config rebuilt from this repo's installed plugins (the fallback). */
async function replicaAnalyzePackage() {
	const requireFromCli = createRequire(
		join(REPO_DIR, 'node_modules', '@n8n', 'node-cli', 'dist', 'index.js'),
	);
	const requireFromRepo = createRequire(join(REPO_DIR, 'package.json'));
	const { ESLint } = requireFromRepo('eslint');
	const { defineConfig } = requireFromRepo('eslint/config');
	const glob = requireFromRepo('fast-glob');
	const { n8nCommunityNodesPlugin } = requireFromCli('@n8n/eslint-plugin-community-nodes');
	const parser = requireFromCli('@typescript-eslint/parser');
	const nodesBase = requireFromRepo('eslint-plugin-n8n-nodes-base');
	const config = defineConfig(
		n8nCommunityNodesPlugin.configs.recommended,
		{ rules: { 'no-console': 'error' } },
		{ plugins: { 'n8n-nodes-base': nodesBase } },
		{ files: ['package.json'], rules: { ...nodesBase.configs.community.rules } },
		{
			files: ['**/credentials/**/*.ts'],
			rules: {
				...nodesBase.configs.credentials.rules,
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
				'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			},
		},
		{
			files: ['**/nodes/**/*.ts'],
			rules: {
				...nodesBase.configs.nodes.rules,
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
				'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
			},
		},
		{ files: ['**/*.json', '**/*.ts'], languageOptions: { parser } },
	);
	return async (dir, patterns) => {
		const eslint = new ESLint({
			cwd: dir,
			allowInlineConfig: false,
			overrideConfigFile: true,
			overrideConfig: config,
		});
		const files = glob.sync(patterns, {
			cwd: dir,
			absolute: true,
			ignore: ['node_modules/**', '**/package-lock.json'],
		});
		const results = await eslint.lintFiles(files);
		const violations = results.filter((result) => result.errorCount > 0);
		if (violations.length === 0) return { passed: true };
		const formatter = await eslint.loadFormatter('stylish');
		return {
			passed: false,
			message: 'ESLint violations found',
			details: await formatter.format(results),
		};
	};
}

async function scannerLint(unpacked) {
	const scanner = await loadScanner();
	const analyze = scanner ? scanner.analyzePackage : await replicaAnalyzePackage();
	const how = scanner
		? `@n8n/scan-community-package@${SCANNER_VERSION} analyzePackage`
		: "replica of the scanner's lint with this repo's eslint plugins";
	for (const [label, dir, patterns] of [
		['source (package.json, nodes/, credentials/)', REPO_DIR, SOURCE_PATTERNS],
		['packed tarball (**/*.js, package.json)', unpacked, TARBALL_PATTERNS],
	]) {
		const result = await analyze(dir, patterns);
		if (result.passed) {
			console.log(`scanner lint of the ${label}: passed (${how})`);
		} else {
			fail(
				`scanner lint of the ${label} failed (${how}): ${result.message}\n${result.details ?? ''}`,
			);
		}
	}
}

async function main() {
	if (!existsSync(join(REPO_DIR, 'dist'))) {
		console.error('dist/ is missing: run "npm run build" first');
		process.exit(1);
	}
	const workDir = mkdtempSync(join(tmpdir(), 'rivya-verify-'));
	try {
		const { packed, unpacked } = packTarball(workDir);
		const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
		checkContents(packed, manifest);
		checkManifest(manifest);
		checkNodes(manifest, unpacked);
		// n8n verifies only packages published from GitHub Actions with provenance.
		for (const problem of checkGithubWorkflows(REPO_DIR)) fail(problem);
		await scannerLint(unpacked);
	} finally {
		rmSync(workDir, { recursive: true, force: true });
	}
	notChecked.push(
		'npm provenance (the scanner requires it; it exists only once the package is published from CI with `npm publish --provenance`)',
		"the scanner's source leg on the provenance-attested GitHub commit (run above on the local source tree instead)",
	);

	for (const message of warnings) console.log(`warning: ${message}`);
	for (const message of notChecked) console.log(`not checked: ${message}`);
	if (failures.length > 0) {
		for (const message of failures) console.error(`FAIL: ${message}`);
		console.error(`\n${failures.length} problem(s) found`);
		process.exit(1);
	}
	console.log('\npackage verification passed');
}

await main();
