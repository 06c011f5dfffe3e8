/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// The GitHub workflow checks of `npm run verify` (scripts/github-workflows.cjs): the repository's own
// ci.yml and publish.yml pass, and each requirement n8n's verification depends on is really checked.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkGithubWorkflows } = require('../../scripts/github-workflows.cjs') as {
	checkGithubWorkflows: (repoDir: string) => string[];
};

const REPO_DIR = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(REPO_DIR, '.github', 'workflows');

/** A repository folder holding the real workflows, with `edit` applied to one of them. */
function repoWith(file: 'ci.yml' | 'publish.yml', edit: (text: string) => string | null): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rivya-workflows-'));
	fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
	for (const name of ['ci.yml', 'publish.yml']) {
		const text = fs.readFileSync(path.join(WORKFLOWS, name), 'utf8');
		const edited = name === file ? edit(text) : text;
		if (edited !== null) fs.writeFileSync(path.join(dir, '.github', 'workflows', name), edited);
	}
	return dir;
}

describe('GitHub workflow checks (npm run verify)', () => {
	it("pass for the repository's ci.yml and publish.yml", () => {
		expect(checkGithubWorkflows(REPO_DIR)).toEqual([]);
	});

	it('report a missing publish.yml', () => {
		expect(checkGithubWorkflows(repoWith('publish.yml', () => null))).toEqual([
			'.github/workflows/publish.yml is missing',
		]);
	});

	it('report YAML that does not parse', () => {
		const problems = checkGithubWorkflows(repoWith('ci.yml', (text) => `${text}\n  bad: [\n`));
		expect(problems.join('\n')).toMatch(/ci\.yml is not valid YAML/);
	});

	it('report publishing without provenance', () => {
		const problems = checkGithubWorkflows(
			repoWith('publish.yml', (text) => text.replace('npm publish --provenance', 'npm publish')),
		);
		expect(problems).toEqual([
			'.github/workflows/publish.yml: job "publish" publishes without --provenance',
		]);
	});

	it('report a publish job that cannot mint an OIDC token', () => {
		const problems = checkGithubWorkflows(
			repoWith('publish.yml', (text) => text.replace(/^(\s+)id-token: write/m, '$1id-token: read')),
		);
		expect(problems.join('\n')).toMatch(/needs "permissions: id-token: write"/);
	});

	it('report a CI that never runs the tests', () => {
		const problems = checkGithubWorkflows(
			repoWith('ci.yml', (text) => text.replace('run: bash .ci/run', 'run: echo skipped')),
		);
		expect(problems).toContain(
			'.github/workflows/ci.yml never runs the tests (.ci/run or npm test)',
		);
	});
});
