/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions -- compiles the package and runs it in a plain Node */
// The built Rivya Chat Model file on an n8n without the AI Node SDK (n8n 1.x): it must load, since n8n
// 1.x's package loader drops the whole package (Rivya, Rivya Trigger, the credential) when one node file
// throws on require, and the node must say which n8n it needs instead of failing obscurely.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO_DIR = path.resolve(__dirname, '../..');
// Inside the repository, so the built files resolve n8n-workflow from its node_modules like dist/ does.
const BUILD_DIR = path.join(REPO_DIR, '.cache', `chat-model-without-sdk-${process.pid}`);
const BUILT_NODE_FILE = path.join(BUILD_DIR, 'nodes', 'RivyaChatModel', 'RivyaChatModel.node.js');

/**
 * Runs in a plain Node process with `@n8n/ai-node-sdk` unresolvable (as on a host that lacks it):
 * requires the built node file, then calls supplyData with a minimal context.
 */
const PROBE = `
const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
	if (request === '@n8n/ai-node-sdk' || request.startsWith('@n8n/ai-node-sdk/')) {
		const error = new Error("Cannot find module '" + request + "'");
		error.code = 'MODULE_NOT_FOUND';
		throw error;
	}
	return resolve.call(this, request, ...rest);
};
const report = { sdkResolvable: true };
try { require.resolve('@n8n/ai-node-sdk'); } catch { report.sdkResolvable = false; }
(async () => {
	let exported;
	try {
		exported = require(process.argv[1]);
	} catch (error) {
		report.loadError = error.message;
		console.log(JSON.stringify(report));
		return;
	}
	const node = new exported.RivyaChatModel();
	report.name = node.description.name;
	report.outputs = node.description.outputs;
	const context = {
		getNode: () => ({ name: 'Rivya Chat Model', type: 'n8n-nodes-rivya.rivyaChatModel', typeVersion: 1, parameters: {} }),
		getNodeParameter: (name, _index, fallback) => (name === 'model' ? 'gpt-5-2-chat' : fallback),
		getCredentials: async () => { report.requested = true; throw new Error('no request expected'); },
		helpers: { httpRequestWithAuthentication: async () => { report.requested = true; throw new Error('no request expected'); } },
	};
	try {
		await node.supplyData.call(context, 0);
		report.supplied = true;
	} catch (error) {
		report.supplyError = { name: error.constructor.name, message: error.message, description: error.description };
	}
	console.log(JSON.stringify(report));
})();
`;

interface ProbeReport {
	sdkResolvable: boolean;
	loadError?: string;
	name?: string;
	outputs?: string[];
	requested?: boolean;
	supplied?: boolean;
	supplyError?: { name: string; message: string; description?: string };
}

let report: ProbeReport;

beforeAll(() => {
	// A build of its own: dist/ may be rebuilt by a concurrent `npm run build` at any moment.
	execFileSync(
		path.join(REPO_DIR, 'node_modules', '.bin', 'tsc'),
		[
			'-p',
			'tsconfig.json',
			'--outDir',
			BUILD_DIR,
			'--declaration',
			'false',
			'--sourceMap',
			'false',
		],
		{ cwd: REPO_DIR, stdio: 'pipe' },
	);
	const output = execFileSync(process.execPath, ['-e', PROBE, BUILT_NODE_FILE], {
		cwd: REPO_DIR,
		encoding: 'utf8',
	});
	report = JSON.parse(output.trim().split('\n').pop() as string) as ProbeReport;
}, 180_000);

afterAll(() => {
	fs.rmSync(BUILD_DIR, { recursive: true, force: true });
});

describe('Rivya Chat Model (built) on an n8n without @n8n/ai-node-sdk', () => {
	it('really runs without the SDK', () => {
		expect(report.sdkResolvable).toBe(false);
	});

	it('loads, so the rest of the package loads too', () => {
		expect(report.loadError).toBeUndefined();
		expect(report.name).toBe('rivyaChatModel');
		expect(report.outputs).toEqual(['ai_languageModel']);
	});

	it('explains that it needs n8n 2.16 or newer when used, before any request', () => {
		expect(report.supplied).toBeUndefined();
		expect(report.requested).toBeUndefined();
		expect(report.supplyError?.name).toBe('NodeOperationError');
		expect(report.supplyError?.message).toBe('Rivya Chat Model needs n8n 2.16 or newer');
		expect(report.supplyError?.description).toContain('@n8n/ai-node-sdk');
		expect(report.supplyError?.description).toContain('Chat > Send Message');
	});
});
