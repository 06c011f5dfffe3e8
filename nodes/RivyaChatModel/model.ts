/**
 * Rivya as a chat model for n8n's AI nodes (through @n8n/ai-node-sdk).
 *
 * Rivya's chat is session-based: each turn sends ONE `message` and Rivya keeps the history. n8n's AI
 * nodes instead hand the model the whole conversation on every call (system prompt, memory, tool
 * steps). So every call here starts a NEW Rivya session with one message composed from the agent's
 * messages; the agent (and its memory node) stays the owner of the history. README: "Rivya Chat Model".
 */
import {
	BaseChatModel,
	supplyModel,
	type ChatModelConfig,
	type GenerateResult,
	type Message,
	type StreamChunk,
	type TokenUsage,
} from '@n8n/ai-node-sdk';
import type { ISupplyDataFunctions, SupplyData } from 'n8n-workflow';

import {
	CHAT_ROUTE,
	CHAT_STREAM_ROUTE,
	openChatTurn,
	type ChatCompletion,
	type ChatTurnBody,
} from '../shared/chat';
import { rivyaInputError } from '../shared/errors';
import { deriveIdempotencyKey, stableStringify } from '../shared/idempotency';

const ROLE_LABELS: Record<string, string> = {
	user: 'User',
	assistant: 'Assistant',
	tool: 'Tool',
	system: 'Instructions',
};

/** The text of one message; non-text parts are described, never inlined (no binary in a prompt). */
export function messageText(message: Message): string {
	return message.content
		.map((part) => {
			switch (part.type) {
				case 'text':
					return part.text;
				case 'tool-call':
					return `[called the tool "${part.toolName}" with ${part.input}]`;
				case 'tool-result':
					return `[tool result: ${typeof part.result === 'string' ? part.result : JSON.stringify(part.result)}]`;
				case 'file':
					return '[a file was attached here; Rivya Chat Model sends text only]';
				default:
					return '';
			}
		})
		.filter((text) => text.length > 0)
		.join('\n');
}

/**
 * One Rivya `message` from the agent's messages: the system instructions, the earlier turns as a
 * transcript, then the latest user message. A lone user message is sent unchanged. When the result is
 * longer than `maxLength`, the oldest turns are left out first; instructions and the latest message
 * are never cut (`tooLong` instead).
 */
export function composeTurnMessage(
	messages: Message[],
	maxLength: number | null,
): { message: string; droppedTurns: number } | { tooLong: number } {
	const instructions = messages
		.filter((message) => message.role === 'system')
		.map(messageText)
		.filter((text) => text.trim().length > 0)
		.join('\n\n');
	const conversation = messages.filter((message) => message.role !== 'system');
	const last = conversation[conversation.length - 1];
	const latestIsUser = last?.role === 'user';
	const latest = latestIsUser ? messageText(last) : '';
	const history = (latestIsUser ? conversation.slice(0, -1) : conversation)
		.map((message) => `${ROLE_LABELS[message.role] ?? message.role}: ${messageText(message)}`)
		.filter((line) => !/^\w+: $/.test(line));

	const compose = (turns: string[]) => {
		if (!instructions && turns.length === 0) return latest;
		const sections: string[] = [];
		if (instructions) sections.push(`Instructions:\n${instructions}`);
		if (turns.length) sections.push(`Conversation so far:\n${turns.join('\n\n')}`);
		sections.push(
			latestIsUser
				? `Reply to the user's latest message:\n${latest}`
				: 'Continue the conversation as the assistant.',
		);
		return sections.join('\n\n');
	};

	let firstKept = 0;
	let message = compose(history);
	while (maxLength !== null && message.length > maxLength && firstKept < history.length) {
		firstKept += 1;
		message = compose(history.slice(firstKept));
	}
	if (maxLength !== null && message.length > maxLength) return { tooLong: message.length };
	return { message, droppedTurns: firstKept };
}

function usageOf(completion: ChatCompletion): TokenUsage {
	return {
		promptTokens: Number(completion.usage?.input_tokens ?? 0),
		completionTokens: Number(completion.usage?.output_tokens ?? 0),
		totalTokens: Number(completion.usage?.total_tokens ?? 0),
	};
}

export interface RivyaChatModelSettings {
	modelId: string;
	maxPromptLength: number | null;
	enableWebSearch: boolean;
	reasoningEffort?: string;
	itemIndex: number;
}

export class RivyaChatModel extends BaseChatModel {
	/**
	 * Per route and body: the occurrences of that exact call on this model, taken while a call runs and
	 * kept once Rivya answered it. An identical call later (another item, another agent step) takes the
	 * next occurrence and is a new turn; a call that failed frees its occurrence, so its retry sends the
	 * same key and Rivya replays an answer it may already have charged.
	 */
	private readonly occurrencesByCall = new Map<string, Set<number>>();

	constructor(
		private readonly context: ISupplyDataFunctions,
		private readonly settings: RivyaChatModelSettings,
		config?: ChatModelConfig,
	) {
		super('rivya', settings.modelId, config);
	}

	private bodyFor(messages: Message[]): ChatTurnBody {
		const composed = composeTurnMessage(messages, this.settings.maxPromptLength);
		if ('tooLong' in composed) {
			throw rivyaInputError(
				this.context.getNode(),
				`The prompt for "${this.settings.modelId}" has ${composed.tooLong} characters even without earlier turns; the model accepts at most ${this.settings.maxPromptLength}`,
				'Shorten the system message or the latest message, or pick a chat model with a longer limit.',
				this.settings.itemIndex,
			);
		}
		const { message } = composed;
		if (!message.trim()) {
			throw rivyaInputError(
				this.context.getNode(),
				'The AI node sent no text to Rivya Chat Model',
				'Give the agent or chain a prompt (e.g. map {{ $json.chatInput }}).',
				this.settings.itemIndex,
			);
		}
		return {
			model: this.settings.modelId,
			message,
			...(this.settings.enableWebSearch ? { enable_web_search: true } : {}),
			...(this.settings.reasoningEffort ? { reasoning_effort: this.settings.reasoningEffort } : {}),
		};
	}

	/** Same execution + node + body + occurrence → same key: a retried call replays Rivya's answer, unpaid. */
	private idempotencyKeyFor(route: string, body: ChatTurnBody, occurrence: number): string {
		return deriveIdempotencyKey({
			executionId: this.context.getExecutionId() ?? 'no-execution-id',
			nodeId: this.context.getNode().id,
			runIndex: 0,
			itemIndex: this.settings.itemIndex,
			route: occurrence === 0 ? route : `${route} #${occurrence + 1}`,
			body,
		});
	}

	/** Takes the first occurrence of this call that is neither running nor answered; see occurrencesByCall. */
	private takeOccurrence(route: string, body: ChatTurnBody) {
		const callKey = stableStringify([route, body]);
		const taken = this.occurrencesByCall.get(callKey) ?? new Set<number>();
		this.occurrencesByCall.set(callKey, taken);
		let occurrence = 0;
		while (taken.has(occurrence)) occurrence++;
		taken.add(occurrence);
		return { occurrence, release: () => taken.delete(occurrence) };
	}

	private async open(messages: Message[], stream: boolean) {
		const body = this.bodyFor(messages);
		const route = stream ? CHAT_STREAM_ROUTE : CHAT_ROUTE;
		const { occurrence, release } = this.takeOccurrence(route, body);
		let opened = false;
		try {
			const turn = await openChatTurn.call(this.context, {
				body,
				stream,
				idempotencyKey: this.idempotencyKeyFor(route, body, occurrence),
				itemIndex: this.settings.itemIndex,
			});
			opened = true;
			return { ...turn, release };
		} finally {
			if (!opened) release();
		}
	}

	async generate(messages: Message[]): Promise<GenerateResult> {
		const { events, release } = await this.open(messages, false);
		let answered = false;
		try {
			for await (const event of events) {
				if (event.type !== 'done') continue;
				answered = true;
				return this.resultOf(event.completion);
			}
		} finally {
			if (!answered) release();
		}
		throw rivyaInputError(
			this.context.getNode(),
			'Rivya answered without a reply',
			'Run again; if it persists, check the model with Chat > Send Message.',
			this.settings.itemIndex,
		);
	}

	private resultOf(completion: ChatCompletion): GenerateResult {
		return {
			id: completion.id,
			finishReason: 'stop',
			usage: usageOf(completion),
			message: {
				id: completion.message.id,
				role: 'assistant',
				content: [{ type: 'text', text: completion.message.content }],
			},
			providerMetadata: {
				sessionId: completion.session_id,
				credits: completion.credits,
			},
		};
	}

	async *stream(messages: Message[]): AsyncIterable<StreamChunk> {
		const { events, release } = await this.open(messages, true);
		let answered = false;
		try {
			for await (const event of events) {
				if (event.type === 'delta') yield { type: 'text-delta', delta: event.content };
				else if (event.type === 'done') {
					answered = true;
					yield { type: 'finish', finishReason: 'stop', usage: usageOf(event.completion) };
				}
			}
		} finally {
			if (!answered) release();
		}
	}
}

/** The model handed to the AI node that asked for it (the node file loads this module on use). */
export function supplyRivyaChatModel(
	context: ISupplyDataFunctions,
	settings: RivyaChatModelSettings,
): SupplyData {
	const chatModel = new RivyaChatModel(context, settings);
	// The SDK declares its own copy of n8n-workflow's types; at runtime the host passes one context.
	return supplyModel(context as unknown as Parameters<typeof supplyModel>[0], chatModel);
}
