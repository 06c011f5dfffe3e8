import type { Message } from '@n8n/ai-node-sdk';

import { composeTurnMessage, messageText } from '../../nodes/RivyaChatModel/model';

const text = (role: Message['role'], value: string): Message => ({
	role,
	content: [{ type: 'text', text: value }],
});

describe('composeTurnMessage', () => {
	it('sends a lone user message unchanged', () => {
		expect(composeTurnMessage([text('user', 'Hello')], null)).toEqual({
			message: 'Hello',
			droppedTurns: 0,
		});
	});

	it('puts instructions, the transcript and the latest message in that order', () => {
		const result = composeTurnMessage(
			[
				text('system', 'Be brief.'),
				text('user', 'Hi, I am Ada.'),
				text('assistant', 'Hello Ada.'),
				text('user', 'Who am I?'),
			],
			null,
		);
		expect(result).toEqual({
			message:
				"Instructions:\nBe brief.\n\nConversation so far:\nUser: Hi, I am Ada.\n\nAssistant: Hello Ada.\n\nReply to the user's latest message:\nWho am I?",
			droppedTurns: 0,
		});
	});

	it('leaves out the oldest turns first to fit the model’s limit, never the latest message', () => {
		const messages = [
			text('system', 'Rules.'),
			text('user', 'a'.repeat(100)),
			text('assistant', 'b'.repeat(100)),
			text('user', 'c'.repeat(100)),
			text('assistant', 'd'.repeat(100)),
			text('user', 'Latest?'),
		];
		const result = composeTurnMessage(messages, 310);
		expect(result).toMatchObject({ droppedTurns: 2 });
		const message = (result as { message: string }).message;
		expect(message.length).toBeLessThanOrEqual(310);
		expect(message).not.toContain('a'.repeat(100));
		expect(message).toContain('d'.repeat(100));
		expect(message).toMatch(/Latest\?$/);
		expect(composeTurnMessage([text('user', 'x'.repeat(50))], 20)).toEqual({ tooLong: 50 });
	});

	it('describes tool steps and files as text, never inlining file data', () => {
		const toolTurn: Message = {
			role: 'assistant',
			content: [{ type: 'tool-call', toolName: 'weather', input: '{"city":"Oslo"}' }],
		};
		const toolResult: Message = {
			role: 'tool',
			content: [{ type: 'tool-result', toolCallId: '1', result: { celsius: 3 } }],
		};
		const withFile: Message = {
			role: 'user',
			content: [
				{ type: 'text', text: 'See this' },
				{ type: 'file', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
			],
		};
		expect(messageText(toolTurn)).toBe('[called the tool "weather" with {"city":"Oslo"}]');
		expect(messageText(toolResult)).toBe('[tool result: {"celsius":3}]');
		expect(messageText(withFile)).not.toContain('iVBOR');
		const result = composeTurnMessage([text('user', 'Weather?'), toolTurn, toolResult], null);
		expect((result as { message: string }).message).toMatch(
			/Tool: \[tool result: \{"celsius":3\}\]\n\nContinue the conversation as the assistant\.$/,
		);
	});
});
