// Deterministic "model" for the emulator's chat (rivya-api.md §7): the reply, token usage and credits are
// pure functions of the message, the session history and the options, so tests can predict them exactly.

export interface ChatTurnInput {
	message: string;
	/** Earlier messages of the session, oldest first (user and assistant). */
	history: Array<{ role: 'user' | 'assistant'; content: string }>;
	attachmentFileIds: string[];
	enableWebSearch: boolean;
	reasoningEffort: string;
}

export interface ChatUsage {
	input_tokens: number;
	output_tokens: number;
	total_tokens: number;
}

/** Roughly four characters per token, as common tokenizers average on English text; never zero. */
export function countTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

export function composeReply(turn: ChatTurnInput): string {
	const earlierUserMessages = turn.history.filter((entry) => entry.role === 'user');
	const turnNumber = earlierUserMessages.length + 1;
	const parts = [`Echo (turn ${turnNumber}): ${turn.message}`];
	// Proves to clients that the session history reached the model.
	if (earlierUserMessages.length === 0) {
		parts.push('This is the first turn of the session.');
	} else {
		const previous = earlierUserMessages[earlierUserMessages.length - 1].content;
		parts.push(`Earlier turns: ${earlierUserMessages.length}; previous message: "${previous}".`);
	}
	if (turn.attachmentFileIds.length > 0)
		parts.push(`Attachments seen: ${turn.attachmentFileIds.join(', ')}.`);
	if (turn.enableWebSearch) parts.push('Web search: enabled.');
	if (turn.reasoningEffort !== 'default') parts.push(`Reasoning effort: ${turn.reasoningEffort}.`);
	return parts.join('\n');
}

/** The model reads the whole session plus the new message, so input tokens grow with the history. */
function contextTokens(turn: ChatTurnInput): number {
	return countTokens([...turn.history.map((entry) => entry.content), turn.message].join('\n'));
}

export function computeUsage(turn: ChatTurnInput, reply: string): ChatUsage {
	const inputTokens = contextTokens(turn);
	const outputTokens = countTokens(reply);
	return {
		input_tokens: inputTokens,
		output_tokens: outputTokens,
		total_tokens: inputTokens + outputTokens,
	};
}

/** TOKEN_BASED billing: `base_credits` per started block of this many tokens. */
export const TOKENS_PER_CREDIT_BLOCK = 1000;
/** The reservation assumes the reply may be this long, so the settled amount never exceeds it. */
export const RESERVED_OUTPUT_TOKENS = 2000;

function creditsForTokens(baseCredits: number, tokens: number): number {
	return Math.max(1, baseCredits * Math.ceil(tokens / TOKENS_PER_CREDIT_BLOCK));
}

export function reservationFor(baseCredits: number, turn: ChatTurnInput): number {
	return creditsForTokens(baseCredits, contextTokens(turn) + RESERVED_OUTPUT_TOKENS);
}

export function finalCreditsFor(baseCredits: number, usage: ChatUsage, reserved: number): number {
	return Math.min(reserved, creditsForTokens(baseCredits, usage.total_tokens));
}

/**
 * Splits a reply into stream deltas of a few words each (at least `minimumPieces` when the text allows),
 * keeping the separators so that the deltas concatenate back to exactly the reply.
 */
export function splitIntoDeltas(reply: string, minimumPieces = 4): string[] {
	const words = reply.match(/\S+\s*/g);
	if (!words) return [reply];
	const wordsPerPiece = Math.max(1, Math.min(3, Math.floor(words.length / minimumPieces)));
	const pieces: string[] = [];
	for (let index = 0; index < words.length; index += wordsPerPiece) {
		pieces.push(words.slice(index, index + wordsPerPiece).join(''));
	}
	const leadingSpace = reply.match(/^\s*/)?.[0] ?? '';
	if (leadingSpace) pieces[0] = leadingSpace + pieces[0];
	return pieces;
}
