/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Workflow test harness: runs REAL n8n workflows with n8n's own engine (n8n-core `WorkflowExecute`,
 * n8n-workflow `Workflow`), so node tests exercise the same contexts, helpers and binary-data
 * service that a running n8n gives a node — nothing in IExecuteFunctions is faked.
 *
 * Nodes of this package are found by name and loaded lazily from source (`nodes/**\/<Name>.node.ts`,
 * `credentials/<Name>.credentials.ts`): use the types `n8n-nodes-rivya.rivya`,
 * `n8n-nodes-rivya.rivyaTrigger`. Built-ins: `START_NODE_TYPE` (a Manual Trigger that emits the
 * run's `inputItems`) and `NO_OP_NODE_TYPE`. Throwaway node types go in `nodeTypes`.
 *
 * ```ts
 * const result = await runWorkflow({
 *   nodes: [startNode(), { name: 'Rivya', type: 'n8n-nodes-rivya.rivya', parameters: { resource: 'credit' } }],
 *   connections: chain('Start', 'Rivya'),
 *   credentials: { rivyaApi: { apiKey: emulator.apiKey, baseUrl: emulator.baseUrl } },
 *   binaryMode: 'filesystem',
 *   inputItems: [{ json: { prompt: 'a cat' } }],
 * });
 * expect(result.status).toBe('success');
 * const [item] = result.outputOf('Rivya');
 * expect((await readBinary(item, 'data')).length).toBeGreaterThan(0);
 * ```
 *
 * - Cancel: `const run = startWorkflow(opts); run.cancel(); const result = await run.done;` (or pass
 *   `signal`). `done` settles only once the running node returns, so a node that ignores
 *   `this.getExecutionCancelSignal()` makes the test wait (and time out). n8n's engine reports
 *   status 'canceled' only if the node returns, or throws an error whose name contains "Cancelled"
 *   (or message "canceled"); any other error thrown on cancel gives status 'error'.
 * - `timeoutMs` is n8n's workflow timeout: the execution is cancelled, `result.timedOut` is true.
 * - `executionId`: unique per run; pass a fixed one to replay "the same execution".
 * - `retryOf: failedResult`: n8n's Retry of a failed execution (executions list): a NEW execution (new
 *   id, mode 'retry') continuing from the failed run's stored data the way n8n's ExecutionService.retry
 *   prepares it (data as read back from the database, execution error dropped, the failed node's
 *   errored run removed, the failed node run again). Nodes keep the failed run's ids (matched by name);
 *   pass changed parameters in `nodes` for "Retry with currently saved workflow".
 * - `streaming: true` turns on n8n's response streaming; chunks sent by nodes land in `result.chunks`.
 * - Webhook triggers: `createTriggerHarness({ node })` → `webhookMethod('create')`, `deliver({...})`,
 *   static data kept on one Workflow object across calls, `runFromTrigger(...)`.
 * - AI sub-nodes: `supplyData({ node, ... })` calls `supplyData(itemIndex)` with a real SupplyDataContext.
 * - AI tools: `runAsTool({ node, calls: [{ prompt: 'a fox' }] })` runs a `usableAsTool` node as n8n
 *   does for an Agent (its "<name>Tool" variant, called through n8n-core's tool wrapper, so
 *   `this.isToolExecution()` is true); each call's result is the text the agent's model reads.
 * - Binary data: `binaryMode: 'default'` keeps bytes base64 in the item; `'filesystem'` stores them on
 *   disk under a temp dir (item.binary.x.data is the storage marker, `.id` the file id). Read bytes
 *   with `readBinary(item, property)`, the file with `binaryFilePath(item, property)`. Runs with
 *   different binary modes must not overlap in time (one BinaryDataService per process, as in n8n).
 * - Credentials: stored per credential type name; the type's `authenticate` is applied the way n8n
 *   does it (generic expressions like `=Bearer {{$credentials.apiKey}}` resolved by n8n's expression
 *   engine), `testCredentials(type, data)` runs the type's `test` request.
 */
import type * as BackendCommon from '@n8n/backend-common';
import type * as N8nConfig from '@n8n/config';
import type * as Di from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	DataDeduplicationService,
	ErrorReporter,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	HookContext,
	InstanceSettings,
	SupplyDataContext,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';
import type {
	CloseFunction,
	ExecutionError,
	ExecutionStatus,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	NodeConnectionType,
	StructuredChunk,
	WebhookType,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { randomUUID } from 'node:crypto';
import { ProcessedDataStore } from './processed-data-store';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// n8n-core 2.41 ships its own copies of @n8n/di, @n8n/config and @n8n/backend-common (newer than
// the hoisted ones). Its services live in ITS container, so take these modules from where n8n-core
// resolves them (through jest's require, so the module instances are the ones n8n-core uses).
const coreDir = path.dirname(require.resolve('n8n-core'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fromCore = <T>(id: string) => require(require.resolve(id, { paths: [coreDir] })) as T;
const { Container } = fromCore<typeof Di>('@n8n/di');
const { Logger } = fromCore<typeof BackendCommon>('@n8n/backend-common');
const { InstanceSettingsConfig } = fromCore<typeof N8nConfig>('@n8n/config');
// Types as n8n-core sees them (its copies' declarations).
type Logger = ConstructorParameters<typeof InstanceSettings>[1];
type InstanceSettingsConfig = ConstructorParameters<typeof InstanceSettings>[0];

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** A workflow node as tests write it: id, typeVersion, position and parameters are filled in. */
export type TestNode = Pick<INode, 'name' | 'type'> & Partial<INode>;

export type BinaryMode = 'default' | 'filesystem';

export type NodeTypeMap = Record<string, INodeType | IVersionedNodeType>;

/** Credential data per credential type name, e.g. `{ rivyaApi: { apiKey, baseUrl } }`. */
export type TestCredentials = Record<string, ICredentialDataDecryptedObject>;

interface EngineOptions {
	/** Credential data per type; nodes declaring that type get it attached automatically. */
	credentials?: TestCredentials;
	/** Extra (throwaway) node types, keyed by the `type` used in the workflow's nodes. */
	nodeTypes?: NodeTypeMap;
	/** Extra credential types; they win over the package's `credentials/*.credentials.ts`. */
	credentialTypes?: ICredentialType[];
	binaryMode?: BinaryMode;
	/** Defaults to a fresh unique id; pass a fixed one to simulate n8n re-running one execution. */
	executionId?: string;
	workflowId?: string;
	/** Base of production webhook URLs (`getNodeWebhookUrl`). */
	webhookBaseUrl?: string;
}

export interface RunWorkflowOptions extends EngineOptions {
	nodes: TestNode[];
	connections: IConnections;
	/** Items the start node emits (plain objects become `{ json }`); default one empty item. */
	inputItems?: Array<INodeExecutionData | IDataObject>;
	/** Node to start at; default the only node without incoming main connections. */
	startNode?: string;
	/** n8n's execution mode; streaming works in 'manual', 'webhook', 'integrated', 'chat'. */
	mode?: WorkflowExecuteMode;
	/** n8n's workflow timeout: the execution is cancelled (timeout error) after this many ms. */
	timeoutMs?: number;
	/** Aborting it cancels the execution, like pressing "Stop" in n8n. */
	signal?: AbortSignal;
	/** Enable n8n response streaming; chunks end up in `result.chunks`. */
	streaming?: boolean;
	/** Workflow static data to start from (e.g. from a trigger harness). */
	staticData?: IDataObject;
	/** Retry this failed run as n8n's executions list does (see the file header). */
	retryOf?: WorkflowRunResult;
}

export interface WorkflowRunResult {
	executionId: string;
	status: ExecutionStatus;
	/**
	 * Execution-level error as n8n stores it: a plain object with the thrown error's fields
	 * (`name` 'NodeApiError', `httpCode`, `message`, `description`, `node`, ...), not an instance.
	 */
	error: ExecutionError | undefined;
	runData: IRunData;
	/** Items of a node's output (last run by default); throws if the node did not run. */
	outputOf(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** Chunks sent with `this.sendChunk` when `streaming` is on. */
	chunks: StructuredChunk[];
	/** Names of the nodes in the order they finished. */
	executedNodes: string[];
	/** True when the run was stopped by `timeoutMs` (n8n's workflow timeout). */
	timedOut: boolean;
	run: IRun;
	/** The workflow's nodes as run (with the ids filled in). */
	nodes: INode[];
}

export interface RunningWorkflow {
	executionId: string;
	/** Cancels the execution: aborts `this.getExecutionCancelSignal()` of the running node. */
	cancel(): void;
	done: Promise<WorkflowRunResult>;
}

// ---------------------------------------------------------------------------------------------
// Package discovery (lazy, from source)
// ---------------------------------------------------------------------------------------------

const REPO_ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACKAGE_NAME = (require(path.join(REPO_ROOT, 'package.json')) as { name: string }).name;

/** Full node type name of one of our nodes, e.g. `packageNodeType('rivya')`. */
export const packageNodeType = (name: string) => `${PACKAGE_NAME}.${name}`;

function findFile(dir: string, fileName: string): string | undefined {
	if (!existsSync(dir)) return undefined;
	for (const entry of readdirSync(dir)) {
		const full = path.join(dir, entry);
		if (statSync(full).isDirectory()) {
			const found = findFile(full, fileName);
			if (found) return found;
		} else if (entry.toLowerCase() === fileName.toLowerCase()) {
			return full;
		}
	}
	return undefined;
}

/**
 * Instantiates the class exported by `<dir>/**\/<name><suffix>` whose instance `nameOf` is `name`
 * (the n8n convention: class `RivyaTrigger` in RivyaTrigger.node.ts has description.name `rivyaTrigger`).
 */
function loadFromSource<T>(
	dir: string,
	suffix: string,
	name: string,
	nameOf: (instance: T) => string | undefined,
): T | undefined {
	const file = findFile(path.join(REPO_ROOT, dir), `${name}${suffix}`);
	if (!file) return undefined;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(file) as Record<string, unknown>;
	for (const value of Object.values(exported)) {
		if (typeof value !== 'function') continue;
		const instance = new (value as new () => T)();
		if (nameOf(instance) === name) return instance;
	}
	throw new Error(`${file} exports no class named "${name}"`);
}

/**
 * The "<name>Tool" variant n8n builds at load time from a node with `usableAsTool` (n8n's CLI does
 * this; n8n-core only runs it): same node and parameters, no main input, one ai_tool output, plus
 * the tool description the agent's model reads. n8n-core then runs it with a SupplyDataContext on
 * the ai_tool connection, so `this.isToolExecution()` is true.
 */
function toolVariantOf(base: INodeType): INodeType {
	const description: INodeTypeDescription = {
		...base.description,
		name: `${base.description.name}Tool`,
		displayName: `${base.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		properties: [
			{
				displayName: 'Description',
				name: 'toolDescription',
				type: 'string',
				default: base.description.description,
			},
			...base.description.properties,
		],
	};
	return Object.assign(Object.create(Object.getPrototypeOf(base) as object) as INodeType, base, {
		description,
	});
}

const packageNodeCache = new Map<string, INodeType | IVersionedNodeType>();
function loadPackageNode(type: string): INodeType | IVersionedNodeType | undefined {
	if (!type.startsWith(`${PACKAGE_NAME}.`)) return undefined;
	const name = type.slice(PACKAGE_NAME.length + 1);
	if (name.endsWith('Tool') && !packageNodeCache.has(name)) {
		const base = loadPackageNode(type.slice(0, -'Tool'.length));
		if (base && !('nodeVersions' in base) && base.description.usableAsTool) {
			packageNodeCache.set(name, toolVariantOf(base));
		}
	}
	if (!packageNodeCache.has(name)) {
		const loaded = loadFromSource<INodeType | IVersionedNodeType>(
			'nodes',
			'.node.ts',
			name,
			(node) => node.description?.name,
		);
		if (!loaded) return undefined;
		packageNodeCache.set(name, loaded);
	}
	return packageNodeCache.get(name);
}

const packageCredentialCache = new Map<string, ICredentialType>();
function loadPackageCredential(name: string): ICredentialType | undefined {
	if (!packageCredentialCache.has(name)) {
		const loaded = loadFromSource<ICredentialType>(
			'credentials',
			'.credentials.ts',
			name,
			(credential) => credential.name,
		);
		if (!loaded) return undefined;
		packageCredentialCache.set(name, loaded);
	}
	return packageCredentialCache.get(name);
}

// ---------------------------------------------------------------------------------------------
// Built-in node types (n8n-nodes-base is not installed; these mimic the two we need)
// ---------------------------------------------------------------------------------------------

export const START_NODE_TYPE = 'n8n-nodes-base.manualTrigger';
export const NO_OP_NODE_TYPE = 'n8n-nodes-base.noOp';

/** Passes its input through; as the start node its input is the run's `inputItems`. */
class PassThroughNode implements INodeType {
	constructor(readonly description: INodeType['description']) {}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const BUILT_IN_NODE_TYPES: NodeTypeMap = {
	[START_NODE_TYPE]: new PassThroughNode({
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Starts the test workflow with the given items',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	}),
	[NO_OP_NODE_TYPE]: new PassThroughNode({
		displayName: 'No Operation',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: 'Passes items through',
		defaults: { name: 'No Operation' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	}),
};

/** A start node (Manual Trigger) named `name`. */
export const startNode = (name = 'Start'): TestNode => ({ name, type: START_NODE_TYPE });

/** Main connections for a straight line of nodes: `chain('Start', 'Rivya', 'After')`. */
export function chain(...nodeNames: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodeNames.length; i++) {
		connections[nodeNames[i]] = {
			main: [[{ node: nodeNames[i + 1], type: NodeConnectionTypes.Main, index: 0 }]],
		};
	}
	return connections;
}

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly extra: NodeTypeMap = {}) {}

	getByName(type: string): INodeType | IVersionedNodeType {
		const nodeType = this.extra[type] ?? BUILT_IN_NODE_TYPES[type] ?? loadPackageNode(type);
		if (!nodeType) {
			throw new Error(
				`Unknown node type "${type}": pass it in \`nodeTypes\`, or add nodes/**/<Name>.node.ts for "${PACKAGE_NAME}.<name>"`,
			);
		}
		return nodeType;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentials: TestCredentials,
		private readonly extraTypes: ICredentialType[] = [],
	) {
		super();
	}

	credentialType(name: string): ICredentialType {
		const type = this.extraTypes.find((t) => t.name === name) ?? loadPackageCredential(name);
		if (!type) throw new Error(`Unknown credential type "${name}"`);
		return type;
	}

	/** Same contract as n8n's CredentialsHelper: function authenticate, or generic with expressions. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialType(typeName);
		if (authenticate === undefined) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!workflow || !node) throw new Error('generic authenticate needs the workflow and node');

		const resolve = (value: string) =>
			String(
				workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				) ?? '',
			);
		const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			target[section] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, string>)) {
				target[section][resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	getParentTypes(name: string): string[] {
		return this.credentialType(name).extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentials[type];
		if (!data) throw new Error(`No test credentials of type "${type}" were given to the harness`);
		// A copy per request, as n8n decrypts a fresh object each time.
		return structuredClone(data);
	}

	async getCredentials(): Promise<never> {
		throw new Error('getCredentials (encrypted store) is not available in the harness');
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string) {
		return this.credentialType(type).properties;
	}
}

// ---------------------------------------------------------------------------------------------
// n8n-core services (DI), set up once per module registry (i.e. per jest test file)
// ---------------------------------------------------------------------------------------------

const silentLogger = {
	error() {},
	warn() {},
	info() {},
	debug() {},
	scoped() {
		return silentLogger;
	},
};
/** The Logger nodes get from n8n (`this.logger`): spy on its methods to see what a node logs. */
export const harnessLogger = silentLogger;

/** What n8n-core hands to its error tracker (Sentry in production): every node error, and internal faults. */
export const reportedErrors: unknown[] = [];

interface Services {
	rootDir: string;
	binary: Record<BinaryMode, { config: BinaryDataConfig; service: BinaryDataService }>;
}

let servicesPromise: Promise<Services> | undefined;

async function setUpServices(): Promise<Services> {
	const rootDir = mkdtempSync(path.join(tmpdir(), 'rivya-n8n-harness-'));
	process.on('exit', () => rmSync(rootDir, { recursive: true, force: true }));

	const logger = silentLogger as unknown as Logger;
	Container.set(Logger, silentLogger as never);

	const instanceConfig = Object.assign(Object.create(InstanceSettingsConfig.prototype), {
		n8nFolder: path.join(rootDir, '.n8n'),
		userHome: rootDir,
		encryptionKey: 'rivya-harness-encryption-key',
		enforceSettingsFilePermissions: false,
	}) as InstanceSettingsConfig;
	mkdirSync(instanceConfig.n8nFolder, { recursive: true });
	Container.set(InstanceSettingsConfig, instanceConfig);
	Container.set(InstanceSettings, new InstanceSettings(instanceConfig, logger));

	const errorReporter = {
		error: (error: unknown) => reportedErrors.push(error),
		warn: (error: unknown) => reportedErrors.push(error),
		info() {},
	};
	Container.set(ErrorReporter, errorReporter as unknown as ErrorReporter);
	// The execute context's dedupe helpers (n8n's processed_data table), one store per test file.
	await DataDeduplicationService.init(processedData);

	// One service per mode; both share the storage dir, so either can read what the other wrote.
	const makeBinaryService = async (mode: BinaryMode) => {
		const config = Object.assign(Object.create(BinaryDataConfig.prototype), {
			mode,
			availableModes: ['filesystem'],
			localStoragePath: path.join(rootDir, 'binaryData'),
			signingSecret: 'rivya-harness-signing-secret',
			dbMaxFileSize: 512,
		}) as BinaryDataConfig;
		const service = new BinaryDataService(
			config,
			errorReporter as unknown as ErrorReporter,
			logger,
		);
		await service.init();
		return { config, service };
	};
	return {
		rootDir,
		binary: {
			default: await makeBinaryService('default'),
			filesystem: await makeBinaryService('filesystem'),
		},
	};
}

/** n8n's database-backed dedupe store as the execute contexts of this test file see it. */
export const processedData = new ProcessedDataStore();

/** The shared services, with `binaryMode`'s BinaryDataService made the one n8n-core uses. */
async function services(binaryMode: BinaryMode = 'default'): Promise<Services> {
	servicesPromise ??= setUpServices();
	const ready = await servicesPromise;
	Container.set(BinaryDataConfig, ready.binary[binaryMode].config);
	Container.set(BinaryDataService, ready.binary[binaryMode].service);
	return ready;
}

/** A service that reads both modes' data without changing the active mode. */
async function binaryReader(): Promise<BinaryDataService> {
	servicesPromise ??= setUpServices();
	return (await servicesPromise).binary.filesystem.service;
}

/** Where the filesystem binary mode stores files (a temp dir removed when the process exits). */
export async function binaryStorageDir(): Promise<string> {
	servicesPromise ??= setUpServices();
	return path.join((await servicesPromise).rootDir, 'binaryData');
}

/** The bytes of `item.binary[property]`, read through n8n's BinaryDataService (either mode). */
export async function readBinary(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`item has no binary property "${property}"`);
	return await (await binaryReader()).getAsBuffer(binary);
}

/** The on-disk file of `item.binary[property]` in filesystem mode; undefined in default mode. */
export async function binaryFilePath(
	item: INodeExecutionData,
	property = 'data',
): Promise<string | undefined> {
	const id = item.binary?.[property]?.id;
	if (!id) return undefined;
	return (await binaryReader()).getPath(id);
}

// ---------------------------------------------------------------------------------------------
// Workflow + additionalData
// ---------------------------------------------------------------------------------------------

let executionCounter = 0;
const executionIdBase = Math.floor(Math.random() * 1e6) * 1000;
/** n8n's execution ids are numeric strings; unique within the process (and likely across). */
const newExecutionId = () => String(executionIdBase + ++executionCounter);

function normalizeNodes(
	nodes: TestNode[],
	nodeTypes: HarnessNodeTypes,
	credentials: TestCredentials,
): INode[] {
	return nodes.map((testNode, index) => {
		const nodeType = nodeTypes.getByName(testNode.type);
		const defaultVersion =
			'nodeVersions' in nodeType
				? nodeType.currentVersion
				: Math.max(...[nodeType.description.version].flat());
		const node: INode = {
			id: randomUUID(),
			typeVersion: defaultVersion,
			position: [index * 200, 0],
			parameters: {},
			...structuredClone(testNode),
		};
		const versioned = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		if (versioned.description.webhooks?.length && !node.webhookId) node.webhookId = randomUUID();
		// Attach the test credentials the node declares, as if the user had selected them.
		for (const { name } of versioned.description.credentials ?? []) {
			if (credentials[name] && !node.credentials?.[name]) {
				node.credentials = { ...node.credentials, [name]: { id: `test-${name}`, name } };
			}
		}
		return node;
	});
}

function createWorkflow(
	options: EngineOptions & {
		nodes: TestNode[];
		connections: IConnections;
		staticData?: IDataObject;
	},
) {
	const nodeTypes = new HarnessNodeTypes(options.nodeTypes);
	return new Workflow({
		id: options.workflowId ?? 'harness-workflow',
		name: WORKFLOW_NAME,
		nodes: normalizeNodes(options.nodes, nodeTypes, options.credentials ?? {}),
		connections: options.connections,
		nodeTypes,
		active: false,
		staticData: options.staticData,
		settings: { executionOrder: 'v1' },
	});
}

const WORKFLOW_NAME = 'Harness workflow';
const BASE_URL = 'http://localhost:5678';

function createAdditionalData(
	options: EngineOptions,
	executionId: string,
	hooks: ExecutionLifecycleHooks,
	workflowId: string,
): IWorkflowExecuteAdditionalData {
	const webhookBaseUrl = options.webhookBaseUrl ?? `${BASE_URL}/webhook`;
	const unavailable = (what: string) => async () => {
		throw new Error(`${what} is not available in the workflow test harness`);
	};
	return {
		credentialsHelper: new HarnessCredentialsHelper(
			options.credentials ?? {},
			options.credentialTypes,
		),
		hooks,
		executionId,
		workflowId,
		userId: 'harness-user',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}/rest`,
		instanceBaseUrl: BASE_URL,
		formBaseUrl: `${BASE_URL}/form`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		formTestBaseUrl: `${BASE_URL}/form-test`,
		webhookBaseUrl,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		mcpBaseUrl: `${BASE_URL}/mcp`,
		mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
		variables: {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		executeWorkflow: unavailable('executeWorkflow (sub-workflows)'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: unavailable('startRunnerTask (Code node task runner)'),
		logAiEvent: () => {},
	} as IWorkflowExecuteAdditionalData;
}

function pickStartNode(workflow: Workflow, requested?: string): INode {
	if (requested) {
		const node = workflow.getNode(requested);
		if (!node) throw new Error(`start node "${requested}" is not in the workflow`);
		return node;
	}
	// Nodes without incoming main connections that have a main output (sub-nodes have none).
	const mainRoots = Object.values(workflow.nodes).filter((node) => {
		if (workflow.connectionsByDestinationNode[node.name]?.main?.some((c) => c?.length))
			return false;
		const { outputs } = workflow.nodeTypes.getByNameAndVersion(
			node.type,
			node.typeVersion,
		).description;
		return !Array.isArray(outputs) || outputs.includes(NodeConnectionTypes.Main);
	});
	if (mainRoots.length !== 1) {
		throw new Error(
			`cannot tell the start node (candidates: ${mainRoots.map((n) => n.name).join(', ') || 'none'}); pass \`startNode\``,
		);
	}
	return mainRoots[0];
}

const toItems = (
	items: Array<INodeExecutionData | IDataObject> | undefined,
): INodeExecutionData[] =>
	(items ?? [{}]).map((item) =>
		'json' in item && typeof item.json === 'object' && item.json !== null
			? (item as INodeExecutionData)
			: { json: item as IDataObject },
	);

/**
 * The run data n8n's Retry starts from (ExecutionService.retry): the failed execution's data as stored
 * (JSON), its error dropped, the failed node's errored last run removed, stack nodes from the workflow.
 */
function retryDataOf(failed: WorkflowRunResult, workflow: Workflow): IRun['data'] {
	if (failed.status === 'success')
		throw new Error('n8n retries only executions that did not succeed');
	const data = JSON.parse(JSON.stringify(failed.run.data)) as IRun['data'];
	if (!data.executionData) throw new Error('the failed run has no execution data to retry from');
	const { lastNodeExecuted } = data.resultData;
	if (lastNodeExecuted) {
		delete data.resultData.error;
		const runs = data.resultData.runData[lastNodeExecuted];
		if (runs?.length && runs[runs.length - 1].error !== undefined) runs.pop();
	}
	for (const entry of data.executionData.nodeExecutionStack) {
		const node = workflow.getNode(entry.node.name);
		if (!node) throw new Error(`node "${entry.node.name}" is not in the retried workflow`);
		entry.node = node;
	}
	return data;
}

/** The retried workflow's nodes keep the ids the failed run's nodes had. */
function withIdsOf(nodes: TestNode[], failed: WorkflowRunResult): TestNode[] {
	const idByName = new Map(failed.nodes.map((node) => [node.name, node.id]));
	return nodes.map((node) => ({ id: idByName.get(node.name), ...node }));
}

function toResult(
	run: IRun,
	extra: Pick<WorkflowRunResult, 'executionId' | 'chunks' | 'executedNodes' | 'timedOut' | 'nodes'>,
): WorkflowRunResult {
	const { runData, error } = run.data.resultData;
	return {
		...extra,
		status: run.status,
		error,
		runData,
		run,
		outputOf(nodeName, outputIndex = 0, runIndex) {
			const runs = runData[nodeName];
			if (!runs?.length) {
				throw new Error(
					`node "${nodeName}" did not run (status ${run.status}${error ? `, error: ${error.message}` : ''})`,
				);
			}
			const task = runs[runIndex ?? runs.length - 1];
			if (!task.data && task.error) {
				throw new Error(`node "${nodeName}" failed: ${task.error.message}`);
			}
			return task.data?.main?.[outputIndex] ?? [];
		},
	};
}

/** Starts a workflow run; see the file header. */
export function startWorkflow(options: RunWorkflowOptions): RunningWorkflow {
	const executionId = options.executionId ?? newExecutionId();
	let handle: ReturnType<WorkflowExecute['processRunExecutionData']> | undefined;
	let cancelRequested = false;
	const cancel = () => {
		cancelRequested = true;
		handle?.cancel();
	};
	options.signal?.addEventListener('abort', cancel, { once: true });

	const done = (async () => {
		await services(options.binaryMode);
		const { retryOf } = options;
		const workflow = createWorkflow(
			retryOf ? { ...options, nodes: withIdsOf(options.nodes, retryOf) } : options,
		);
		const mode = options.mode ?? (retryOf ? 'retry' : 'manual');
		const hooks = new ExecutionLifecycleHooks(
			mode,
			executionId,
			{
				id: workflow.id,
				name: WORKFLOW_NAME,
				active: false,
				activeVersionId: null,
				isArchived: false,
				createdAt: new Date(),
				updatedAt: new Date(),
				nodes: Object.values(workflow.nodes),
				connections: workflow.connectionsBySourceNode,
				settings: workflow.settings,
			},
			retryOf?.executionId,
		);
		const chunks: StructuredChunk[] = [];
		const executedNodes: string[] = [];
		hooks.addHandler('nodeExecuteAfter', (nodeName) => {
			executedNodes.push(nodeName);
		});
		if (options.streaming) hooks.addHandler('sendChunk', (chunk) => void chunks.push(chunk));

		const additionalData = createAdditionalData(options, executionId, hooks, workflow.id);
		additionalData.streamingEnabled = options.streaming === true;
		let timer: NodeJS.Timeout | undefined;
		let timeoutFired = false;
		if (options.timeoutMs !== undefined) {
			// What n8n does for a workflow timeout: a deadline the engine checks, plus a cancel.
			additionalData.executionTimeoutTimestamp = Date.now() + options.timeoutMs;
			timer = setTimeout(() => {
				timeoutFired = true;
				cancel();
			}, options.timeoutMs);
		}

		const runExecutionData = retryOf
			? retryDataOf(retryOf, workflow)
			: createRunExecutionData({
					executionData: {
						nodeExecutionStack: [
							{
								node: pickStartNode(workflow, options.startNode),
								data: { main: [toItems(options.inputItems)] },
								source: null,
							},
						],
					},
				});
		try {
			const engine = new WorkflowExecute(additionalData, mode, runExecutionData);
			handle = engine.processRunExecutionData(workflow);
			if (cancelRequested || options.signal?.aborted) handle.cancel();
			const run = await handle;
			return toResult(run, {
				executionId,
				chunks,
				executedNodes,
				timedOut: engine.timedOut || timeoutFired,
				nodes: Object.values(workflow.nodes),
			});
		} finally {
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', cancel);
		}
	})();
	return { executionId, cancel, done };
}

/** Runs a workflow to the end; see the file header. */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
	return await startWorkflow(options).done;
}

// ---------------------------------------------------------------------------------------------
// Credential test
// ---------------------------------------------------------------------------------------------

/**
 * Runs a credential type's `test` request (like n8n's "Test credential" button): resolves its
 * expressions, applies `authenticate`, sends it with n8n's HTTP helper and checks its rules
 * (default rule: any 2xx).
 */
export async function testCredentials(
	typeName: string,
	data: ICredentialDataDecryptedObject,
	options: Pick<EngineOptions, 'credentialTypes'> = {},
): Promise<INodeCredentialTestResult & { statusCode?: number; body?: unknown }> {
	await services();
	const helper = new HarnessCredentialsHelper({ [typeName]: data }, options.credentialTypes);
	const { test } = helper.credentialType(typeName);
	if (!test) throw new Error(`credential type "${typeName}" has no test request`);

	const workflow = createWorkflow({ nodes: [startNode('Credential test')], connections: {} });
	const node = workflow.getNode('Credential test') as INode;
	const request = workflow.expression.getComplexParameterValue(
		node,
		test.request as unknown as INodeParameters,
		'internal',
		{ $credentials: data },
		undefined,
		undefined,
		data,
	) as IDataObject;
	const requestOptions: IHttpRequestOptions = {
		url: String(request.url ?? ''),
		baseURL: request.baseURL as string | undefined,
		method: (request.method as IHttpRequestMethods | undefined) ?? 'GET',
		headers: request.headers as IDataObject | undefined,
		qs: request.qs as IDataObject | undefined,
		body: request.body as IDataObject | undefined,
		// n8n's credential tester copies every key of the test request (routing-node requestDefaults).
		disableFollowRedirect: request.disableFollowRedirect as boolean | undefined,
		sendCredentialsOnCrossOriginRedirect: request.sendCredentialsOnCrossOriginRedirect as
			| boolean
			| undefined,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	const authenticated = await helper.authenticate(data, typeName, requestOptions, workflow, node);
	const hooks = new ExecutionLifecycleHooks('internal', 'credential-test', {} as never);
	const context = new HookContext(
		workflow,
		node,
		createAdditionalData({}, 'credential-test', hooks, workflow.id),
		'internal',
		'manual',
	);
	let response: { statusCode: number; body: unknown };
	try {
		response = (await context.helpers.httpRequest(authenticated)) as typeof response;
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseCode' && response.statusCode === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message, ...response };
		}
	}
	const ok = response.statusCode >= 200 && response.statusCode < 300;
	return {
		status: ok ? 'OK' : 'Error',
		message: ok ? 'Connection tested successfully' : `HTTP ${response.statusCode}`,
		...response,
	};
}

// ---------------------------------------------------------------------------------------------
// Webhook triggers
// ---------------------------------------------------------------------------------------------

export interface WebhookRequest {
	method?: IHttpRequestMethods;
	headers?: Record<string, string>;
	/** Parsed body as n8n's body parser would give it; default: JSON.parse(rawBody) if it is JSON. */
	body?: unknown;
	/** Exact bytes received (signature checks use these). Default: JSON of `body`. */
	rawBody?: Buffer | string;
	query?: Record<string, string>;
	params?: Record<string, string>;
	/** Which of the node's webhooks receives it; default 'default'. */
	webhookName?: WebhookType;
}

/** What a node wrote to the express response object during `webhook()`. */
export interface RecordedResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: unknown;
	ended: boolean;
}

export interface WebhookDelivery {
	/** The node's return value: `workflowData` starts the workflow, `webhookResponse` is the reply. */
	result: IWebhookResponseData;
	/** What the node wrote directly to the response object (status, headers, body). */
	response: RecordedResponse;
}

export interface TriggerHarnessOptions extends EngineOptions {
	/** The trigger node (type must have `webhook` and usually `webhookMethods`). */
	node: TestNode;
	/** Further nodes + connections for `runFromTrigger`. */
	nodes?: TestNode[];
	connections?: IConnections;
	/** Workflow static data to start from (e.g. as another request loaded it). */
	staticData?: IDataObject;
}

export interface TriggerHarness {
	/** One Workflow for all calls, so `getWorkflowStaticData('node')` persists like in n8n. */
	workflow: Workflow;
	node: INode;
	/** The node's static data (what n8n would save with the workflow). */
	staticData(): IDataObject;
	/** The production URL n8n would register for the node's webhook. */
	webhookUrl(webhookName?: WebhookType): string;
	/** Calls `webhookMethods[webhookName][method]` with a real HookContext. */
	webhookMethod(
		method: 'checkExists' | 'create' | 'delete',
		options?: { webhookName?: WebhookType; activation?: WorkflowActivateMode },
	): Promise<boolean | undefined>;
	/** Calls the node's `webhook()` with a real WebhookContext for this request. */
	deliver(request: WebhookRequest): Promise<WebhookDelivery>;
	/** Runs the workflow from the trigger with `delivery.result.workflowData` as its output. */
	runFromTrigger(
		delivery: WebhookDelivery,
		options?: Omit<RunWorkflowOptions, 'nodes' | 'connections' | 'startNode' | 'inputItems'>,
	): Promise<WorkflowRunResult>;
}

function webhookData(
	workflow: Workflow,
	node: INode,
	additionalData: IWorkflowExecuteAdditionalData,
	webhookName: WebhookType,
): IWebhookData {
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const description = nodeType.description.webhooks?.find(
		(w: IWebhookDescription) => w.name === webhookName,
	);
	if (!description) throw new Error(`node "${node.name}" has no webhook named "${webhookName}"`);
	const resolve = (value: unknown) =>
		workflow.expression.getSimpleParameterValue(node, value as string, 'internal', {});
	return {
		httpMethod: resolve(description.httpMethod) as IHttpRequestMethods,
		node: node.name,
		path: String(resolve(description.path)),
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
	};
}

function fakeRequest(request: WebhookRequest) {
	const rawBody =
		request.rawBody === undefined
			? Buffer.from(request.body === undefined ? '' : JSON.stringify(request.body))
			: Buffer.from(request.rawBody);
	let body = request.body;
	if (body === undefined && rawBody.length) {
		try {
			body = JSON.parse(rawBody.toString('utf8'));
		} catch {
			body = {};
		}
	}
	const headers = Object.fromEntries(
		Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
	);
	headers['content-length'] ??= String(rawBody.length);
	return {
		method: request.method ?? 'POST',
		headers,
		body: body ?? {},
		rawBody,
		query: request.query ?? {},
		params: request.params ?? {},
		// n8n's raw-body middleware method; the body is already buffered here.
		readRawBody: async () => {},
		get: (name: string) => headers[name.toLowerCase()],
		header: (name: string) => headers[name.toLowerCase()],
	};
}

function recordingResponse() {
	const recorded: RecordedResponse = {
		statusCode: 200,
		headers: {},
		body: undefined,
		ended: false,
	};
	const res = {
		recorded,
		get statusCode() {
			return recorded.statusCode;
		},
		set statusCode(code: number) {
			recorded.statusCode = code;
		},
		get headersSent() {
			return recorded.ended;
		},
		status(code: number) {
			recorded.statusCode = code;
			return res;
		},
		setHeader(name: string, value: string) {
			recorded.headers[name.toLowerCase()] = String(value);
			return res;
		},
		header(name: string, value: string) {
			return res.setHeader(name, value);
		},
		set(name: string, value: string) {
			return res.setHeader(name, value);
		},
		writeHead(code: number, headers: Record<string, string> = {}) {
			recorded.statusCode = code;
			for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
			return res;
		},
		write(chunk: unknown) {
			recorded.body = `${(recorded.body as string | undefined) ?? ''}${String(chunk)}`;
			return true;
		},
		send(body?: unknown) {
			recorded.body = body;
			recorded.ended = true;
			return res;
		},
		json(body: unknown) {
			res.setHeader('content-type', 'application/json');
			return res.send(body);
		},
		end(body?: unknown) {
			if (body !== undefined) recorded.body = body;
			recorded.ended = true;
			return res;
		},
	};
	return res;
}

/** Drives a webhook trigger node through n8n's hook and webhook contexts; see the file header. */
export async function createTriggerHarness(
	options: TriggerHarnessOptions,
): Promise<TriggerHarness> {
	await services(options.binaryMode);
	const allNodes = [options.node, ...(options.nodes ?? [])];
	const workflow = createWorkflow({
		...options,
		nodes: allNodes,
		connections: options.connections ?? {},
	});
	const node = workflow.getNode(options.node.name) as INode;
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);

	const additionalDataFor = (mode: WorkflowExecuteMode, executionId?: string) =>
		createAdditionalData(
			options,
			executionId ?? newExecutionId(),
			new ExecutionLifecycleHooks(mode, executionId ?? '', {} as never),
			workflow.id,
		);

	return {
		workflow,
		node,
		staticData: () => workflow.getStaticData('node', node),
		webhookUrl(webhookName = 'default') {
			const additionalData = additionalDataFor('trigger');
			const context = new HookContext(workflow, node, additionalData, 'trigger', 'activate');
			const url = context.getNodeWebhookUrl(webhookName);
			if (!url) throw new Error(`node "${node.name}" has no webhook named "${webhookName}"`);
			return url;
		},
		async webhookMethod(method, { webhookName = 'default', activation = 'activate' } = {}) {
			const methods = nodeType.webhookMethods?.[webhookName];
			if (!methods?.[method])
				throw new Error(`node has no webhookMethods.${webhookName}.${method}`);
			const additionalData = additionalDataFor('trigger');
			const context = new HookContext(
				workflow,
				node,
				additionalData,
				'trigger',
				activation,
				webhookData(workflow, node, additionalData, webhookName),
			);
			return await methods[method].call(context);
		},
		async deliver(request) {
			if (!nodeType.webhook) throw new Error(`node type "${node.type}" has no webhook()`);
			await services(options.binaryMode);
			const additionalData = additionalDataFor('webhook', options.executionId);
			const res = recordingResponse();
			additionalData.httpRequest = fakeRequest(
				request,
			) as IWorkflowExecuteAdditionalData['httpRequest'];
			additionalData.httpResponse =
				res as unknown as IWorkflowExecuteAdditionalData['httpResponse'];
			const closeFunctions: CloseFunction[] = [];
			const context = new WebhookContext(
				workflow,
				node,
				additionalData,
				'webhook',
				webhookData(workflow, node, additionalData, request.webhookName ?? 'default'),
				closeFunctions,
				null,
			);
			try {
				const result = await nodeType.webhook.call(context);
				return { result, response: res.recorded };
			} finally {
				await Promise.all(closeFunctions.map(async (close) => await close()));
			}
		},
		async runFromTrigger(delivery, runOptions = {}) {
			const items = delivery.result.workflowData?.[0];
			if (!items)
				throw new Error('the webhook returned no workflowData, so n8n would not run the workflow');
			return await runWorkflow({
				...options,
				...runOptions,
				// The same node ids as the trigger's (n8n keys per-node state such as dedupe by id).
				nodes: Object.values(workflow.nodes),
				connections: options.connections ?? {},
				workflowId: workflow.id,
				startNode: node.name,
				inputItems: items,
				mode: runOptions.mode ?? 'webhook',
				staticData: workflow.staticData,
			});
		},
	};
}

// ---------------------------------------------------------------------------------------------
// AI sub-nodes
// ---------------------------------------------------------------------------------------------

export interface SupplyDataOptions extends EngineOptions {
	/** The sub-node (e.g. a chat model) whose `supplyData` is called. */
	node: TestNode;
	itemIndex?: number;
	/** Items of the root node the sub-node serves (for expressions like `{{ $json.x }}`). */
	inputItems?: Array<INodeExecutionData | IDataObject>;
	/** Connection type the sub-node supplies; default its first output. */
	connectionType?: NodeConnectionType;
}

/**
 * Calls `supplyData(itemIndex)` of a sub-node with n8n's SupplyDataContext, attached to a root
 * node the way an AI Agent would hold it. Returns what the node supplies (`response`) and a
 * `close()` that runs the node's close functions.
 */
export async function supplyData(options: SupplyDataOptions) {
	await services(options.binaryMode);
	const workflow = createWorkflow({ ...options, nodes: [options.node], connections: {} });
	const node = workflow.getNode(options.node.name) as INode;
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.supplyData) throw new Error(`node type "${node.type}" has no supplyData()`);
	const outputs = nodeType.description.outputs;
	const connectionType =
		options.connectionType ??
		((Array.isArray(outputs) ? outputs[0] : undefined) as NodeConnectionType | undefined) ??
		NodeConnectionTypes.AiLanguageModel;

	const executionId = options.executionId ?? newExecutionId();
	const hooks = new ExecutionLifecycleHooks('manual', executionId, {} as never);
	const additionalData = createAdditionalData(options, executionId, hooks, workflow.id);
	const items = toItems(options.inputItems);
	const runExecutionData = createRunExecutionData({});
	const executeData = { node, data: { main: [items] }, source: null };
	const closeFunctions: CloseFunction[] = [];
	const abort = new AbortController();
	const context = new SupplyDataContext(
		workflow,
		node,
		additionalData,
		'manual',
		runExecutionData,
		0,
		items,
		{ main: [items] },
		connectionType,
		executeData,
		closeFunctions,
		abort.signal,
	);
	const supplied = await nodeType.supplyData.call(context, options.itemIndex ?? 0);
	return {
		response: supplied.response,
		context,
		/** Aborts the context's cancel signal (what stopping the execution does). */
		cancel: () => abort.abort(),
		close: async () => {
			await supplied.closeFunction?.();
			await Promise.all(closeFunctions.map(async (close) => await close()));
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Nodes as AI tools
// ---------------------------------------------------------------------------------------------

export const TOOL_CALLER_NODE_TYPE = 'harness.toolCaller';

/**
 * Stands in for the AI Agent: takes the tools connected to its ai_tool input from n8n-core
 * (`getInputConnectionData`, which wraps a node as a LangChain tool) and calls the first one with each
 * input item's `args`, as the agent does when its model asks for the tool. Outputs what the model
 * would read: the tool's answer, or the error text when the tool threw.
 */
const toolCallerNode: INodeType = {
	description: {
		displayName: 'Tool Caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Calls a connected tool like an AI Agent does',
		defaults: { name: 'Agent' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, required: true }],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Array<{
			name: string;
			invoke(args: IDataObject): Promise<unknown>;
		}>;
		const [tool] = tools;
		const output: INodeExecutionData[] = [];
		for (const [index, item] of this.getInputData().entries()) {
			try {
				const answer = await tool.invoke((item.json.args ?? {}) as IDataObject);
				output.push({
					json: { toolName: tool.name, ok: true, text: String(answer) },
					pairedItem: { item: index },
				});
			} catch (error) {
				output.push({
					json: { toolName: tool.name, ok: false, text: (error as Error).message },
					pairedItem: { item: index },
				});
			}
		}
		return [output];
	},
};

export interface RunAsToolOptions extends EngineOptions {
	/** The node to run as a tool, with its normal type (e.g. `n8n-nodes-rivya.rivya`); parameters may use `$fromAI()`. */
	node: TestNode;
	/** One tool call per entry: the arguments the model passes (keys of the `$fromAI()` placeholders). */
	calls: IDataObject[];
	timeoutMs?: number;
}

export interface ToolCallResult {
	toolName: string;
	/** False when the tool threw: `text` is then the error message the model reads. */
	ok: boolean;
	/** Exactly what the agent's model is given: the tool's JSON answer, or the error text. */
	text: string;
	/** `text` parsed as JSON when the call succeeded (n8n answers with the output items' json). */
	response?: unknown;
}

/**
 * Runs `node` as an AI tool the way n8n does: its "<type>Tool" variant hangs off an agent-like root
 * node's ai_tool input; n8n-core wraps it as a LangChain tool and runs it in a SupplyDataContext, so
 * `this.isToolExecution()` is true. Returns one result per call, plus the whole run.
 */
export async function runAsTool(
	options: RunAsToolOptions,
): Promise<{ calls: ToolCallResult[]; run: WorkflowRunResult }> {
	const toolNode: TestNode = { ...options.node, type: `${options.node.type}Tool` };
	const run = await runWorkflow({
		...options,
		nodes: [startNode(), { name: 'Agent', type: TOOL_CALLER_NODE_TYPE }, toolNode],
		connections: {
			...chain('Start', 'Agent'),
			[toolNode.name]: {
				[NodeConnectionTypes.AiTool]: [
					[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }],
				],
			},
		},
		nodeTypes: { ...options.nodeTypes, [TOOL_CALLER_NODE_TYPE]: toolCallerNode },
		inputItems: options.calls.map((args) => ({ args })),
		startNode: 'Start',
	});
	if (run.status !== 'success') {
		throw new Error(`the tool caller failed: ${run.status} ${run.error?.message ?? ''}`);
	}
	const calls = run.outputOf('Agent').map((item) => {
		const call = item.json as unknown as ToolCallResult;
		return call.ok ? { ...call, response: JSON.parse(call.text) as unknown } : call;
	});
	return { calls, run };
}
