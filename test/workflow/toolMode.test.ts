// The Rivya node as an AI Agent's tool, run the way n8n does it (the "rivyaTool" variant called
// through n8n-core's tool wrapper, so `this.isToolExecution()` is true): answers an agent can use,
// no binaries, and errors the model can read.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runAsTool, type RunAsToolOptions } from './harness';
import { useEmulatorPerFile } from './emulator-fixture';

const JOB_MS = 300;
const fixture = useEmulatorPerFile({ defaultJobMs: JOB_MS }, 'reset');

async function asTool(
	parameters: INodeParameters,
	calls: IDataObject[],
	extra: Partial<RunAsToolOptions> = {},
) {
	return await runAsTool({
		node: { name: 'Rivya', type: 'n8n-nodes-rivya.rivya', parameters },
		calls,
		credentials: {
			rivyaApi: { apiKey: fixture.emulator.apiKey, baseUrl: fixture.emulator.baseUrl },
		},
		...extra,
	});
}

/** Items the tool node itself output (n8n records them on its ai_tool connection). */
function toolRunOutput(run: Awaited<ReturnType<typeof asTool>>['run']) {
	const [taskData] = run.runData.Rivya ?? [];
	return JSON.stringify(taskData?.data ?? {});
}

describe('Rivya node as an AI tool', () => {
	it('Generation > Create waits and answers with task ID and result URLs, without binary data', async () => {
		const { calls, run } = await asTool(
			{
				resource: 'generation',
				operation: 'create',
				category: 'image',
				model: { __rl: true, mode: 'id', value: 'z-image' },
				prompt: "={{ $fromAI('prompt', 'What the picture shows', 'string') }}",
			},
			[{ prompt: 'a red fox in fresh snow' }],
		);
		const [call] = calls;
		expect(call.ok).toBe(true);
		expect(call.toolName).toBe('Rivya');
		const [answer] = call.response as IDataObject[];
		expect(answer.status).toBe('succeeded');
		expect(String(answer.taskId)).toMatch(/^task_/);
		const urls = answer.resultUrls as string[];
		expect(urls.length).toBeGreaterThan(0);
		expect(answer.primaryUrl).toBe(urls[0]);
		// The model's argument reached Rivya.
		const { tasks } = await fixture.client.tasks();
		expect(tasks).toHaveLength(1);
		expect(tasks[0].id).toBe(answer.taskId);
		// No binary: nothing was downloaded and nothing binary was output.
		const counters = await fixture.client.counters();
		expect(Object.entries(counters.requests).filter(([route]) => route.includes('/media'))).toEqual(
			[],
		);
		expect(toolRunOutput(run)).not.toContain('"binary"');
		expect((await fixture.client.fetchBytes(urls[0])).status).toBe(200);
	});

	it('Chat > Send Message answers with the compact text, session ID and message IDs only', async () => {
		const { calls } = await asTool(
			{
				resource: 'chat',
				operation: 'sendMessage',
				model: { __rl: true, mode: 'id', value: 'gpt-5-2-chat' },
				message: "={{ $fromAI('message', 'What to ask', 'string') }}",
			},
			[{ message: 'My name is Ada. Say hello.' }],
		);
		const [call] = calls;
		expect(call.ok).toBe(true);
		const [answer] = call.response as IDataObject[];
		expect(Object.keys(answer).sort()).toEqual(['completionId', 'messageId', 'sessionId', 'text']);
		expect(typeof answer.text).toBe('string');
		expect(String(answer.text).length).toBeGreaterThan(0);
		expect(answer.sessionId).toMatch(/^chs_[0-9a-f]+$/);
	});

	it('a failing call gives the model readable text: what went wrong and how to fix it, no secrets', async () => {
		const { calls } = await asTool(
			{
				resource: 'generation',
				operation: 'create',
				category: 'image',
				model: { __rl: true, mode: 'id', value: 'no-such-model' },
				prompt: "={{ $fromAI('prompt', 'What the picture shows', 'string') }}",
			},
			[{ prompt: 'a fox' }],
		);
		const [call] = calls;
		expect(call.ok).toBe(false);
		expect(call.text).toContain('no-such-model');
		// The fix travels with the message (n8n appends the description as "Details").
		expect(call.text).toMatch(/Details: .+/);
		expect(call.text).not.toMatch(/\[object Object\]|^\s*[{[]|\n\s+at /);
		expect(call.text).not.toContain(fixture.emulator.apiKey);
		// Nothing was paid for.
		expect((await fixture.client.counters()).tasksCreated).toBe(0);
	});
});
