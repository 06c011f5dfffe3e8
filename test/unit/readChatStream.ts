import type { IDataObject } from 'n8n-workflow';

import type { ChatCompletion } from '../../nodes/shared/chat';
import { chatStreamEvents } from '../../nodes/shared/chatStream';
import type { RivyaContext } from '../../nodes/shared/transport';

/** Reads a whole chat SSE stream into the final completion, reporting its pieces on the way. */
export async function readChatStream(
	context: RivyaContext,
	body: AsyncIterable<Uint8Array | string>,
	handlers: { onStart?: (start: IDataObject) => void; onDelta?: (content: string) => void },
): Promise<ChatCompletion> {
	for await (const event of chatStreamEvents(context, body)) {
		if (event.type === 'start') handlers.onStart?.(event.start);
		else if (event.type === 'delta') handlers.onDelta?.(event.content);
		else return event.completion;
	}
	throw new Error('chatStreamEvents ended without done or an error');
}
