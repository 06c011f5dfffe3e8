// Checks of .github/workflows/ci.yml and publish.yml for `npm run verify`: both exist, parse as YAML,
// and do what n8n's verification expects (since 2026-05-01 community packages must be published from
// GitHub Actions with npm provenance): CI lints, builds and tests; a version tag publishes with
// `npm publish --provenance` from a job that may mint an OIDC token (`id-token: write`, which npm's
// trusted publishing also uses).
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

/** All `run:` scripts of a workflow's jobs, joined per job. */
function runScripts(job) {
	return (Array.isArray(job?.steps) ? job.steps : [])
		.map((step) => (typeof step?.run === 'string' ? step.run : ''))
		.join('\n');
}

function usesOf(job) {
	return (Array.isArray(job?.steps) ? job.steps : []).map((step) => String(step?.uses ?? ''));
}

/** Parses one workflow file; returns [workflow, problems]. */
function readWorkflow(repoDir, name) {
	const file = path.join(repoDir, '.github', 'workflows', name);
	const label = `.github/workflows/${name}`;
	if (!fs.existsSync(file)) return [undefined, [`${label} is missing`]];
	const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
	if (document.errors.length > 0) {
		return [
			undefined,
			document.errors.map((error) => `${label} is not valid YAML: ${error.message}`),
		];
	}
	const workflow = document.toJS();
	const problems = [];
	if (!workflow || typeof workflow !== 'object') return [undefined, [`${label} is empty`]];
	if (!workflow.on) problems.push(`${label} has no "on" (what triggers it)`);
	const jobs =
		workflow.jobs && typeof workflow.jobs === 'object' ? Object.values(workflow.jobs) : [];
	if (jobs.length === 0) problems.push(`${label} has no jobs`);
	for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
		if (!job?.['runs-on']) problems.push(`${label}: job "${id}" has no runs-on`);
		if (!Array.isArray(job?.steps) || job.steps.length === 0)
			problems.push(`${label}: job "${id}" has no steps`);
		else if (!usesOf(job).some((uses) => uses.startsWith('actions/checkout@')))
			problems.push(`${label}: job "${id}" never checks out the repository (actions/checkout)`);
	}
	return [{ ...workflow, jobs: workflow.jobs ?? {} }, problems];
}

function checkCi(repoDir) {
	const [workflow, problems] = readWorkflow(repoDir, 'ci.yml');
	if (!workflow) return problems;
	const triggers = typeof workflow.on === 'string' ? [workflow.on] : Object.keys(workflow.on ?? {});
	if (!triggers.includes('pull_request') || !triggers.includes('push'))
		problems.push('.github/workflows/ci.yml must run on push and pull_request');
	const allRuns = Object.values(workflow.jobs).map(runScripts).join('\n');
	const runsTests = /\.ci\/run|npm (run )?test/.test(allRuns);
	const runsLint = /npm run lint/.test(allRuns) || /\.ci\/run/.test(allRuns);
	const runsBuild = /npm run (build|verify)/.test(allRuns) || /\.ci\/run/.test(allRuns);
	if (!runsLint) problems.push('.github/workflows/ci.yml never runs "npm run lint"');
	if (!runsBuild) problems.push('.github/workflows/ci.yml never runs "npm run build"');
	if (!runsTests)
		problems.push('.github/workflows/ci.yml never runs the tests (.ci/run or npm test)');
	return problems;
}

function checkPublish(repoDir) {
	const [workflow, problems] = readWorkflow(repoDir, 'publish.yml');
	if (!workflow) return problems;
	const tags = workflow.on?.push?.tags;
	if (!Array.isArray(tags) || tags.length === 0)
		problems.push('.github/workflows/publish.yml must run on pushed version tags (on.push.tags)');
	const publishing = Object.entries(workflow.jobs).filter(([, job]) =>
		/npm publish/.test(runScripts(job)),
	);
	if (publishing.length === 0)
		problems.push('.github/workflows/publish.yml has no step running "npm publish"');
	for (const [id, job] of publishing) {
		if (!/npm publish[^\n]*--provenance/.test(runScripts(job)))
			problems.push(`.github/workflows/publish.yml: job "${id}" publishes without --provenance`);
		const permissions = job.permissions ?? workflow.permissions ?? {};
		if (permissions['id-token'] !== 'write')
			problems.push(
				`.github/workflows/publish.yml: job "${id}" needs "permissions: id-token: write" (provenance, trusted publishing)`,
			);
		const setupNode = (job.steps ?? []).find((step) =>
			String(step?.uses ?? '').startsWith('actions/setup-node@'),
		);
		const nodeMajor = Number(String(setupNode?.with?.['node-version'] ?? '').split('.')[0]);
		if (!setupNode?.with?.['registry-url'])
			problems.push(
				`.github/workflows/publish.yml: job "${id}" sets up Node without registry-url (npm would not authenticate)`,
			);
		if (!(nodeMajor >= 24))
			problems.push(
				`.github/workflows/publish.yml: job "${id}" needs Node 24+ (npm 11.5.1+ for trusted publishing)`,
			);
	}
	return problems;
}

/** Every problem found in the two workflows; [] when both are fine. */
function checkGithubWorkflows(repoDir) {
	return [...checkCi(repoDir), ...checkPublish(repoDir)];
}

module.exports = { checkGithubWorkflows };
