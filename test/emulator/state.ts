/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
// All mutable emulator state: accounts, keys, tasks, files, counters, faults, idempotency records, the
// clock and the event bus. Route modules (core and chat/webhooks) share one instance per emulator.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { buildCatalog, type MediaKind, type ModelDefinition } from './models/catalog';
import { ALL_SCOPES, ApiError, type IdempotencyRecord, type Scope } from './router';
import { DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_WEBHOOK_TIMEOUT_MS } from './webhooks/delivery';

export interface EmulatorOptions {
	/** 0 picks a free port. */
	port?: number;
	host?: string;
	/** The seeded account's key (all scopes). */
	apiKey?: string;
	/** The seeded account's balance. */
	credits?: number;
	allowLocalWebhooks?: boolean;
	/** How long a generation takes unless a model behaviour overrides it. */
	defaultJobMs?: number;
	rateLimitPerMinute?: number;
	/**
	 * Length of the sliding rate-limit window (default one minute). Benchmarks shorten it (with the
	 * limit scaled alike) to see many windows in seconds; the limit still reads "per minute" elsewhere.
	 */
	rateLimitWindowMs?: number;
	webhookRetryScheduleMs?: number[];
	webhookTimeoutMs?: number;
	/** Size of generated result media per kind. */
	resultBytes?: Partial<Record<MediaKind, number>>;
	/**
	 * Whether image results show a picture drawn from the prompt (default true). Drawing costs the
	 * emulator ~13 ms per new prompt; benchmarks of 1,000 distinct prompts turn it off so they measure
	 * the node, not the emulator's drawing.
	 */
	promptPictures?: boolean;
	/** Extra or replacement models (matched by id). */
	catalog?: ModelDefinition[];
	/** Base URL written into result and file URLs; defaults to the listening address. */
	publicBaseUrl?: string;
}

export type ResolvedOptions = Required<
	Omit<EmulatorOptions, 'catalog' | 'publicBaseUrl' | 'resultBytes'>
> &
	Pick<EmulatorOptions, 'catalog' | 'publicBaseUrl'> & { resultBytes: Record<MediaKind, number> };

export const DEFAULT_RESULT_BYTES: Record<MediaKind, number> = {
	image: 16 * 1024,
	video: 64 * 1024,
	audio: 32 * 1024,
};

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
	return {
		port: options.port ?? 0,
		host: options.host ?? '127.0.0.1',
		apiKey: options.apiKey ?? 'rvya_sk_emulator_demo',
		credits: options.credits ?? 1000,
		allowLocalWebhooks: options.allowLocalWebhooks ?? false,
		defaultJobMs: options.defaultJobMs ?? 1000,
		rateLimitPerMinute: options.rateLimitPerMinute ?? 600,
		rateLimitWindowMs: options.rateLimitWindowMs ?? 60_000,
		webhookRetryScheduleMs: options.webhookRetryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
		webhookTimeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
		resultBytes: { ...DEFAULT_RESULT_BYTES, ...options.resultBytes },
		promptPictures: options.promptPictures ?? true,
		catalog: options.catalog,
		publicBaseUrl: options.publicBaseUrl,
	};
}

export interface Account {
	id: string;
	credits: number;
	createdAt: string;
}

export interface ApiKeyRecord {
	key: string;
	accountId: string;
	scopes: Scope[];
	createdAt: string;
	revokedAt: string | null;
	expiresAt: string | null;
}

export type TaskStatus = 'queued' | 'processing' | 'succeeded' | 'failed';
export type MediaFormat = 'png' | 'jpeg' | 'mp4' | 'mp3' | 'wav';

export interface Task {
	id: string;
	accountId: string;
	model: string;
	prompt: string | null;
	params: Record<string, unknown>;
	clientRequestId: string | null;
	reservedCredits: number;
	finalCredits: number;
	createdAtMs: number;
	durationMs: number;
	outcome: TaskOutcome;
	/** `final_credits` a failed task reports (0 unless a test says otherwise). */
	failedFinalCredits: number;
	resultBytes: number;
	resultCount: number;
	format: MediaFormat;
	status: TaskStatus;
	/** Set once, when the task is settled and 'generation.terminal' has fired. */
	settled: boolean;
}

export interface StoredFile {
	id: string;
	accountId: string;
	kind: MediaKind;
	name: string;
	mimeType: string;
	sizeBytes: number;
	data: Buffer;
	durationSeconds: number | null;
	durationToken: string | null;
	clientRequestId: string | null;
	createdAt: string;
	expiresAt: string;
}

/**
 * `fail_credits`: the task starts, then is marked failed because the account ran low on credits
 * (Rivya's task-lifecycle docs), unlike a 402 at submit, which creates no task.
 */
export type TaskOutcome = 'succeed' | 'fail' | 'fail_credits';

export interface ModelBehavior {
	durationMs?: number;
	outcome?: TaskOutcome;
	/** `final_credits` of a failed task: refunds follow product policy, so clients must not assume 0. */
	failedFinalCredits?: number;
	resultBytes?: number;
	resultCount?: number;
}

export type FaultKind =
	| 'status'
	| 'drop_after_response'
	| 'reset_before'
	| 'delay'
	| 'rate_limit_storm'
	| 'cut_stream';

/** A fault as the control API describes it (POST /_emulator/faults). */
export interface FaultSpec {
	route?: string;
	kind: FaultKind;
	status?: number;
	code?: string;
	retryAfter?: number;
	delayMs?: number;
	afterBytes?: number;
}

export interface Fault extends FaultSpec {
	id: string;
	remaining: number;
}

/** Files stay downloadable for a day [assumed]. */
export const FILE_LIFETIME_MS = 24 * 60 * 60 * 1000;

export class Counters {
	tasksCreated = 0;
	/** Net credits charged (settled), media and chat. */
	creditsCharged = 0;
	creditsReserved = 0;
	creditsRefunded = 0;
	requests: Record<string, number> = {};
	/** Free-form counters, e.g. deliveriesSent or uploadBytesRead. */
	extra: Record<string, number> = {};

	countRequest(routeName: string): void {
		this.requests[routeName] = (this.requests[routeName] ?? 0) + 1;
	}

	bump(name: string, by = 1): void {
		this.extra[name] = (this.extra[name] ?? 0) + by;
	}

	snapshot(): Record<string, unknown> {
		return {
			deliveriesSent: 0,
			uploadBytesRead: 0,
			filesUploaded: 0,
			...this.extra,
			tasksCreated: this.tasksCreated,
			creditsCharged: this.creditsCharged,
			creditsReserved: this.creditsReserved,
			creditsRefunded: this.creditsRefunded,
			requests: { ...this.requests },
		};
	}
}

const MINUTE_MS = 60_000;

export class EmulatorState {
	readonly options: ResolvedOptions;
	/**
	 * 'generation.terminal' (task: Task, account: Account): once per task, at succeeded|failed.
	 * 'reset' (): control-API reset; modules with their own maps clear them.
	 * 'close' (): the emulator is closing; modules stop their timers.
	 */
	readonly events = new EventEmitter();
	baseUrl = '';
	publicApiEnabled = true;
	rateLimitPerMinute: number;
	rateLimitWindowMs: number;

	accounts = new Map<string, Account>();
	keys = new Map<string, ApiKeyRecord>();
	tasks = new Map<string, Task>();
	models = new Map<string, ModelDefinition>();
	modelBehaviors = new Map<string, ModelBehavior>();
	faults: Fault[] = [];
	idempotency = new Map<string, IdempotencyRecord>();
	counters = new Counters();
	readonly files = {
		store: new Map<string, StoredFile>(),
		/** The file if it exists and belongs to the account (ownership: others see nothing). */
		get: (id: string, accountId: string): StoredFile | undefined => {
			const file = this.files.store.get(id);
			return file && file.accountId === accountId ? file : undefined;
		},
		byId: (id: string): StoredFile | undefined => this.files.store.get(id),
		add: (file: StoredFile): void => {
			this.files.store.set(file.id, file);
		},
	};
	/** The seeded account (key from options). */
	defaultAccount!: Account;

	private clockOffsetMs = 0;
	private rateWindows = new Map<string, number[]>();
	private timers = new Set<NodeJS.Timeout>();

	constructor(options: EmulatorOptions = {}) {
		this.options = resolveOptions(options);
		this.rateLimitPerMinute = this.options.rateLimitPerMinute;
		this.rateLimitWindowMs = this.options.rateLimitWindowMs;
		this.reset();
	}

	// ---- clock and ids ----
	nowMs(): number {
		return Date.now() + this.clockOffsetMs;
	}

	now(): string {
		return new Date(this.nowMs()).toISOString();
	}

	/** Moves emulator time forward (tasks and expiries follow); due tasks settle at once. */
	advanceClock(ms: number): void {
		this.clockOffsetMs += ms;
		for (const task of this.tasks.values()) this.refreshTask(task);
	}

	newId(prefix: string): string {
		return `${prefix}_${randomBytes(12).toString('hex')}`;
	}

	// ---- lifecycle ----
	reset(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.accounts.clear();
		this.keys.clear();
		this.tasks.clear();
		this.files.store.clear();
		this.modelBehaviors.clear();
		this.faults = [];
		this.idempotency.clear();
		this.rateWindows.clear();
		this.counters = new Counters();
		this.publicApiEnabled = true;
		this.rateLimitPerMinute = this.options.rateLimitPerMinute;
		this.rateLimitWindowMs = this.options.rateLimitWindowMs;
		this.clockOffsetMs = 0;
		this.models = new Map(buildCatalog(this.options.catalog).map((model) => [model.id, model]));
		this.defaultAccount = this.createAccount({
			credits: this.options.credits,
			apiKey: this.options.apiKey,
		}).account;
		this.events.emit('reset');
	}

	close(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		// Modules with their own timers (webhook retries, chat pings) stop on this.
		this.events.emit('close');
	}

	// ---- accounts and keys ----
	createAccount(input: { credits?: number; scopes?: Scope[]; apiKey?: string } = {}) {
		const account: Account = {
			id: this.newId('acct'),
			credits: input.credits ?? this.options.credits,
			createdAt: this.now(),
		};
		this.accounts.set(account.id, account);
		const key = this.createKey(account.id, input.scopes, null, input.apiKey);
		return { account, apiKey: key.key };
	}

	createKey(
		accountId: string,
		scopes: Scope[] = [...ALL_SCOPES],
		expiresAt: string | null = null,
		apiKey?: string,
	): ApiKeyRecord {
		if (!this.accounts.has(accountId)) throw new ApiError(404, 'not_found', 'Unknown account');
		const record: ApiKeyRecord = {
			key: apiKey ?? `rvya_sk_${randomBytes(18).toString('hex')}`,
			accountId,
			scopes: [...scopes],
			createdAt: this.now(),
			revokedAt: null,
			expiresAt,
		};
		this.keys.set(record.key, record);
		return record;
	}

	/** Auth of rivya-api.md §1/§2: missing, invalid, revoked, expired, then scope. */
	authenticate(apiKey: string | undefined, scope?: Scope): Account {
		if (!apiKey) {
			throw new ApiError(
				401,
				'api_key_missing',
				'Missing API key: send Authorization: Bearer rvya_sk_...',
			);
		}
		const record = this.keys.get(apiKey);
		if (!record || !apiKey.startsWith('rvya_sk_')) {
			throw new ApiError(401, 'api_key_invalid', 'The API key is not valid');
		}
		if (record.revokedAt)
			throw new ApiError(401, 'api_key_revoked', 'The API key has been revoked');
		if (record.expiresAt && Date.parse(record.expiresAt) <= this.nowMs()) {
			throw new ApiError(401, 'api_key_expired', 'The API key has expired');
		}
		if (scope && !record.scopes.includes(scope)) {
			throw new ApiError(403, 'api_scope_denied', `The API key lacks the ${scope} scope`);
		}
		const account = this.accounts.get(record.accountId);
		if (!account) throw new ApiError(401, 'api_key_invalid', 'The API key is not valid');
		return account;
	}

	/**
	 * Sliding one-minute window per key; a refused request does not count against the window.
	 * Request times are appended in order, so expired ones are dropped from the front (amortised
	 * O(1) per request: benchmarks send tens of thousands of requests a minute).
	 */
	checkRateLimit(bucket: string): void {
		const now = this.nowMs();
		const window = this.rateWindows.get(bucket) ?? [];
		let expired = 0;
		const windowMs = this.rateLimitWindowMs;
		while (expired < window.length && window[expired] <= now - windowMs) expired++;
		if (expired > 0) window.splice(0, expired);
		if (window.length >= this.rateLimitPerMinute) {
			const retryAfterSeconds = Math.max(1, Math.ceil((window[0] + windowMs - now) / 1000));
			this.counters.bump(bucket.startsWith('ip:') ? 'rateLimitedWithoutKey' : 'rateLimited');
			this.rateWindows.set(bucket, window);
			throw new ApiError(
				429,
				'rate_limited',
				windowMs === MINUTE_MS
					? `Rate limit of ${this.rateLimitPerMinute} requests per minute exceeded`
					: `Rate limit of ${this.rateLimitPerMinute} requests per ${windowMs / 1000} s exceeded`,
				{ 'Retry-After': String(retryAfterSeconds) },
			);
		}
		window.push(now);
		this.rateWindows.set(bucket, window);
	}

	// ---- credits ----
	reserveCredits(account: Account, amount: number): void {
		if (account.credits < amount) {
			throw new ApiError(
				402,
				'insufficient_credits',
				`This request needs ${amount} credits; the balance is ${account.credits}`,
			);
		}
		account.credits -= amount;
		this.counters.creditsReserved += amount;
	}

	/** Charges `final` of a reservation and gives the rest back. */
	settleCredits(account: Account, reserved: number, final: number): void {
		const charged = Math.min(reserved, Math.max(0, final));
		account.credits += reserved - charged;
		this.counters.creditsCharged += charged;
		this.counters.creditsRefunded += reserved - charged;
	}

	// ---- models ----
	findModel(id: string): ModelDefinition | undefined {
		return this.models.get(id);
	}

	behaviorFor(modelId: string): ModelBehavior {
		return this.modelBehaviors.get(modelId) ?? {};
	}

	// ---- tasks ----
	addTask(task: Task): void {
		this.tasks.set(task.id, task);
		this.counters.tasksCreated++;
		// One timer per task makes 'generation.terminal' fire even if nobody ever polls.
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			this.refreshTask(task);
		}, task.durationMs + 1);
		timer.unref();
		this.timers.add(timer);
	}

	/** The task if it exists and belongs to the account, refreshed to the current time. */
	getTask(id: string, accountId: string): Task | undefined {
		const task = this.tasks.get(id);
		if (!task || task.accountId !== accountId) return undefined;
		this.refreshTask(task);
		return task;
	}

	/** Status is derived from time: queued for a quarter of the job (≤2 s), then processing. */
	queuedMs(task: Task): number {
		return Math.min(task.durationMs / 4, 2000);
	}

	refreshTask(task: Task): Task {
		if (task.settled) return task;
		const elapsed = this.nowMs() - task.createdAtMs;
		if (elapsed < task.durationMs) {
			task.status = elapsed < this.queuedMs(task) ? 'queued' : 'processing';
			return task;
		}
		const account = this.accounts.get(task.accountId);
		const succeeded = task.outcome === 'succeed';
		task.status = succeeded ? 'succeeded' : 'failed';
		task.finalCredits = succeeded
			? task.reservedCredits
			: Math.min(task.reservedCredits, task.failedFinalCredits);
		task.settled = true;
		if (account) this.settleCredits(account, task.reservedCredits, task.finalCredits);
		this.events.emit('generation.terminal', task, account);
		return task;
	}

	/** The Generation object of rivya-api.md §5 (also the webhook event's `data`). */
	generationObject(task: Task) {
		this.refreshTask(task);
		const queuedUntil = task.createdAtMs + this.queuedMs(task);
		const updatedAtMs =
			task.status === 'queued'
				? task.createdAtMs
				: task.status === 'processing'
					? queuedUntil
					: task.createdAtMs + task.durationMs;
		const urls = Array.from(
			{ length: task.resultCount },
			(_, index) => `${this.baseUrl}/media/${task.id}/${index}.${extensionOf(task.format)}`,
		);
		return {
			id: task.id,
			object: 'generation',
			status: task.status,
			model: task.model,
			reserved_credits: task.reservedCredits,
			final_credits: task.finalCredits,
			client_request_id: task.clientRequestId,
			created_at: new Date(task.createdAtMs).toISOString(),
			updated_at: new Date(updatedAtMs).toISOString(),
			result: task.status === 'succeeded' ? { primary_url: urls[0], urls } : null,
			error: task.status === 'failed' ? failureOf(task) : null,
		};
	}

	// ---- faults ----
	addFault(fault: Omit<Fault, 'id' | 'remaining'> & { times?: number }): Fault {
		const { times, ...rest } = fault;
		const stored: Fault = { ...rest, id: this.newId('fault'), remaining: times ?? 1 };
		this.faults.push(stored);
		return stored;
	}

	/** Takes one use of the first fault matching the route name or a method+path prefix. */
	takeFault(routeName: string, method: string, pathname: string): Fault | undefined {
		const fault = this.faults.find(
			(candidate) =>
				candidate.remaining > 0 &&
				(candidate.route === undefined ||
					candidate.route === routeName ||
					`${method} ${pathname}`.startsWith(candidate.route)),
		);
		if (!fault) return undefined;
		fault.remaining--;
		if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
		return fault;
	}
}

/** The failed task's `error`; a credits failure says so in the message (its code is not documented). */
function failureOf(task: Task): { code: string; message: string } {
	if (task.outcome === 'fail_credits') {
		return {
			code: 'generation_failed',
			message: 'Insufficient credits: the account ran low on credits while the task was running',
		};
	}
	return { code: 'generation_failed', message: 'The provider could not generate this result' };
}

export function extensionOf(format: MediaFormat): string {
	return format === 'jpeg' ? 'jpg' : format;
}
