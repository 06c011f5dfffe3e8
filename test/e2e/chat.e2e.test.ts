// Chat > Send Message in a real n8n: two turns of one session (the second continues with
// {{ $json.sessionId }}), with and without the Stream option, and a Webhook in "streaming" response
// mode that passes the reply's pieces to the HTTP caller as n8n's JSON-lines chunks.
import type { EmulatorClient } from '../emulator/client';
import { accountWithCredential } from './e2e-accounts';
import { connectE2e } from './e2e-env';
import { nodeOutputJson } from './execution-data';
import type { ExecutionRecord } from './n8n-instance';
import { rivyaStep, uniqueWebhookPath, webhookWorkflow, type WorkflowNode } from './workflows';

const { n8n } = connectE2e();

const CHAT_MODEL = 'gpt-5-2-chat';
const CHAT_ROUTE = 'POST /api/v1/chat/completions';
const CHAT_STREAM_ROUTE = 'POST /api/v1/chat/completions/stream';
const FIRST_MESSAGE = 'Name three colours of the rainbow';
const SECOND_MESSAGE = 'Now name the remaining ones';

/** The emulator's deterministic replies (test/emulator/chat/replies.ts) for the two turns. */
const FIRST_REPLY = `Echo (turn 1): ${FIRST_MESSAGE}\nThis is the first turn of the session.`;
const SECOND_REPLY = `Echo (turn 2): ${SECOND_MESSAGE}\nEarlier turns: 1; previous message: "${FIRST_MESSAGE}".`;

interface StreamChunk {
	type: string;
	content?: string;
	metadata?: { nodeName?: string; itemIndex?: number };
}

function sendMessageStep(
	name: string,
	credential: { id: string; name: string },
	turn: { message: string; sessionId?: string; stream: boolean },
): WorkflowNode {
	return rivyaStep(name, credential, {
		resource: 'chat',
		operation: 'sendMessage',
		model: { __rl: true, mode: 'id', value: CHAT_MODEL },
		message: turn.message,
		...(turn.sessionId ? { session: 'continue', sessionId: turn.sessionId } : {}),
		options: turn.stream ? { stream: true } : {},
	});
}

/** Webhook → first turn → second turn continuing the first turn's session; answers the second turn. */
function twoTurnSteps(credential: { id: string; name: string }, stream: boolean): WorkflowNode[] {
	return [
		sendMessageStep('First Turn', credential, { message: FIRST_MESSAGE, stream }),
		sendMessageStep('Second Turn', credential, {
			message: SECOND_MESSAGE,
			sessionId: '={{ $json.sessionId }}',
			stream,
		}),
	];
}

function parseJsonLines(text: string): StreamChunk[] {
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as StreamChunk);
}

describe('Chat > Send Message through n8n', () => {
	let api: EmulatorClient;
	let credential: { id: string; name: string };
	const workflowIds: string[] = [];

	async function publish(
		name: string,
		webhookPath: string,
		steps: WorkflowNode[],
		streaming = false,
	) {
		const workflow = webhookWorkflow(name, webhookPath, steps);
		if (streaming) workflow.nodes[0].parameters.responseMode = 'streaming';
		const { id } = await n8n.importWorkflow({ ...workflow });
		workflowIds.push(id);
		await n8n.activate(id);
		await n8n.waitForWebhook(webhookPath);
		return id;
	}

	async function requestCounts() {
		const { requests } = await api.counters();
		return { plain: requests[CHAT_ROUTE] ?? 0, stream: requests[CHAT_STREAM_ROUTE] ?? 0 };
	}

	/** Both turns' outputs from the one execution of the workflow. */
	async function turnOutputs(workflowId: string) {
		const execution: ExecutionRecord = await n8n.waitForExecution(workflowId);
		expect(execution.status).toBe('success');
		const [first] = nodeOutputJson(execution, 'First Turn');
		const [second] = nodeOutputJson(execution, 'Second Turn');
		return { first, second };
	}

	beforeAll(async () => {
		({ api, credential } = await accountWithCredential('chat test', 500));
	});

	afterAll(async () => {
		for (const id of workflowIds) await n8n.deactivate(id);
	});

	it.each([
		{ stream: false, label: 'without streaming', usedRoute: 'plain' as const },
		{ stream: true, label: 'with the Stream option on', usedRoute: 'stream' as const },
	])('continues the session in a second turn $label', async ({ stream, usedRoute }) => {
		const webhookPath = uniqueWebhookPath(stream ? 'chat-stream' : 'chat');
		const workflowId = await publish(
			`E2E: chat turns (${usedRoute})`,
			webhookPath,
			twoTurnSteps(credential, stream),
		);
		const before = await requestCounts();

		const response = await n8n.callWebhook(webhookPath, {});

		// The same final text either way: the reply, never partial text.
		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({ text: SECOND_REPLY, model: CHAT_MODEL });
		const { first, second } = await turnOutputs(workflowId);
		expect(first.text).toBe(FIRST_REPLY);
		expect(second.sessionId).toBe(first.sessionId);
		// Rivya's copy of the session holds both turns.
		const session = await api.request('GET', `/api/v1/chat/sessions/${String(first.sessionId)}`);
		expect(session.status).toBe(200);
		expect(JSON.stringify(session.body)).toContain(SECOND_MESSAGE);
		// Both turns went through the endpoint the option asks for.
		const after = await requestCounts();
		const expected = { ...before };
		expected[usedRoute] += 2;
		expect(after).toEqual(expected);
	});

	it('streams the reply to the webhook caller when the Webhook responds by streaming', async () => {
		const webhookPath = uniqueWebhookPath('chat-webhook-stream');
		const workflowId = await publish(
			'E2E: chat streamed to the caller',
			webhookPath,
			[sendMessageStep('First Turn', credential, { message: FIRST_MESSAGE, stream: true })],
			true,
		);

		const response = await n8n.callWebhook(webhookPath, {});

		expect(response.status).toBe(200);
		const chunks = parseJsonLines(response.bytes.toString('utf8')).filter(
			(chunk) => chunk.type !== 'keepalive',
		);
		const fromNode = chunks.filter((chunk) => chunk.metadata?.nodeName === 'First Turn');
		expect(fromNode.map((chunk) => chunk.type)).toEqual([
			'begin',
			...fromNode.slice(1, -1).map(() => 'item'),
			'end',
		]);
		const items = fromNode.filter((chunk) => chunk.type === 'item');
		// The reply arrived in pieces, and the pieces make up exactly the final text.
		expect(items.length).toBeGreaterThan(1);
		expect(items.map((chunk) => chunk.content).join('')).toBe(FIRST_REPLY);

		const execution = await n8n.waitForExecution(workflowId);
		expect(execution.status).toBe('success');
		expect(nodeOutputJson(execution, 'First Turn')[0].text).toBe(FIRST_REPLY);
	});
});
