/**
 * Chat > Send Message: one turn with a Rivya chat model. Rivya keeps the history server-side: a turn is
 * one `message`, and passing a session ID back continues that session.
 *
 * Rules that must not regress:
 * - Every check (model, message, session, attachments, web search, reasoning effort) runs before any
 *   upload or paid call.
 * - The turn carries an Idempotency-Key derived from the final body (or the user's), so a retried
 *   request or n8n's Retry On Fail replays Rivya's answer instead of paying twice.
 * - Streaming and non-streaming give the same output: the final completion, never partial text.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	CHAT_ROUTE,
	CHAT_STREAM_ROUTE,
	sendChatTurn,
	simplifyCompletion,
	type ChatCompletion,
	type ChatTurnBody,
} from '../../../shared/chat';
import {
	chatCapabilitiesOf,
	chatModelField,
	chosenChatModel,
	enableWebSearchField,
	reasoningEffortField,
} from '../../../shared/chatModel';
import { itemLabel, rivyaInputError } from '../../../shared/errors';
import { idempotencyKeyFor, validateUserIdempotencyKey } from '../../../shared/idempotency';
import { clientRequestIdProblem } from '../../../shared/ids';
import { checkUpload, uploadBinaryToRivya } from '../../../shared/upload';
import { forEachCheckedItem } from '../../helpers/items';
import { optionsCollection, retryPolicyFrom, simplifyField } from '../descriptions';

const ownOptionFields: INodeProperties[] = [
	{
		displayName: 'Attachment File IDs',
		name: 'attachmentFileIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. file_abc123, file_def456',
		description:
			'IDs of images already uploaded through the Files API (File > Upload), separated by commas. URLs are not accepted.',
	},
	{
		displayName: 'Client Request ID',
		name: 'clientRequestId',
		type: 'string',
		default: '',
		description: 'Your own trace ID, stored with the turn',
	},
	enableWebSearchField,
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		description:
			'Rivya replays the first answer for a repeated key instead of charging a new turn. Leave empty to derive one from the execution that first ran this node, the item and the request, so Retry of a failed execution replays it and a new execution is a new turn.',
	},
	{
		displayName: 'Image Binary Properties',
		name: 'imageBinaryProperties',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, photo',
		description:
			'Names of binary properties of the input item holding images to attach, separated by commas. They are uploaded through the Files API first.',
	},
	reasoningEffortField,
	{
		displayName: 'Stream',
		name: 'stream',
		type: 'boolean',
		default: false,
		description:
			'Whether to receive the reply as a stream and pass its pieces on to n8n chat as they arrive (where the workflow streams its response). The output is the same final reply either way.',
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. You write short, friendly product descriptions.',
		description:
			"Instructions for the model on every turn. Rivya's chat API has no separate field for them: they go at the top of the message, as the Rivya Chat Model sends an agent's system message.",
	},
];

/** The text sent: the System Message as instructions on top, in the Rivya Chat Model's layout. */
export function withInstructions(message: string, systemMessage: string): string {
	return systemMessage
		? `Instructions:\n${systemMessage}\n\nReply to the user's latest message:\n${message}`
		: message;
}

const properties: INodeProperties[] = [
	{ ...chatModelField, description: 'The Rivya chat model to talk to' },
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. Summarise this text in three bullet points: ...',
		description: 'The next user message. Rivya keeps the earlier turns of the session itself.',
	},
	{
		displayName: 'Session',
		name: 'session',
		type: 'options',
		options: [
			{
				name: 'Start New',
				value: 'new',
				description: 'Start a new conversation',
			},
			{
				name: 'Continue',
				value: 'continue',
				description: 'Continue an earlier conversation by its session ID',
			},
		],
		default: 'new',
		description: 'Whether this message starts a conversation or continues one',
	},
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.sessionId }}',
		description:
			'The session to continue, e.g. the sessionId output of an earlier Send Message. It must have been started through the API with the same model.',
		displayOptions: { show: { session: ['continue'] } },
	},
	{
		...simplifyField('chat', 'sendMessage'),
		displayOptions: undefined,
	},
	optionsCollection(ownOptionFields),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['sendMessage'] } },
	properties,
);

/** "a, b\nc" or an array from an expression → ["a", "b", "c"]. */
export function splitList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,\n]/);
	return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

/** A chat turn checked against the catalog, ready to upload its images and send. */
interface PreparedTurn {
	modelId: string;
	message: string;
	sessionId?: string;
	imageBinaryProperties: string[];
	attachmentFileIds: string[];
	enableWebSearch: boolean;
	reasoningEffort?: string;
	clientRequestId?: string;
	stream: boolean;
}

async function prepareTurn(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Promise<PreparedTurn> {
	const fail = (message: string, fix: string) =>
		rivyaInputError(this.getNode(), `${itemLabel(itemIndex)}: ${message}`, fix, itemIndex);

	const { model, enableWebSearch, reasoningEffort } = await chosenChatModel.call(
		this,
		itemIndex,
		fail,
	);
	const capabilities = chatCapabilitiesOf(model);

	const userMessage = String(this.getNodeParameter('message', itemIndex, '') ?? '');
	const message = withInstructions(userMessage, String(options.systemMessage ?? '').trim());
	if (!userMessage.trim()) {
		throw fail(
			'"Message" is empty',
			'Enter the message to send, or map it from the input item, e.g. {{ $json.chatInput }}.',
		);
	}
	if (model.max_prompt_length !== null && message.length > model.max_prompt_length) {
		throw fail(
			`"Message"${message === userMessage ? '' : ' with the System Message'} has ${message.length} characters; "${model.id}" accepts at most ${model.max_prompt_length}`,
			`Shorten the message${message === userMessage ? '' : ' or the System Message'} to ${model.max_prompt_length} characters or fewer in all. Earlier turns need not be repeated: continue the session instead.`,
		);
	}

	let sessionId: string | undefined;
	if (this.getNodeParameter('session', itemIndex, 'new') === 'continue') {
		sessionId = String(this.getNodeParameter('sessionId', itemIndex, '') ?? '').trim();
		if (!sessionId) {
			throw fail(
				'"Session ID" is empty although "Session" is set to Continue',
				'Map the session ID of an earlier turn, e.g. {{ $json.sessionId }}, or set "Session" to Start New.',
			);
		}
	}

	const attachmentFileIds = splitList(options.attachmentFileIds);
	const imageBinaryProperties = splitList(options.imageBinaryProperties);
	const externalUrl = attachmentFileIds.find((id) => /^[a-z][a-z0-9+.-]*:\/\//i.test(id));
	if (externalUrl) {
		throw fail(
			`"Attachment File IDs" contains a URL (${externalUrl.slice(0, 80)}); Rivya chat accepts only images uploaded through its Files API`,
			'Download the image into a binary property (e.g. with an HTTP Request node) and list that property under "Image Binary Properties", or upload it with File > Upload and pass its file ID.',
		);
	}
	const attachmentCount = attachmentFileIds.length + imageBinaryProperties.length;
	if (attachmentCount > 0 && !capabilities.attachments.includes('image')) {
		throw fail(
			`"${model.id}" does not accept image attachments`,
			'Remove the attachments, or pick a chat model that accepts images (Model > Get Many shows chat_capabilities).',
		);
	}
	for (const property of imageBinaryProperties) {
		const binary = this.helpers.assertBinaryData(itemIndex, property);
		if (!/^image\//i.test(binary.mimeType ?? '')) {
			throw fail(
				`binary property "${property}" holds ${binary.mimeType || 'data of unknown type'}, not an image`,
				'Attach only images (JPEG, PNG or WebP), or fix the mime type of the binary data.',
			);
		}
	}

	const clientRequestId = String(options.clientRequestId ?? '').trim() || undefined;
	const clientRequestIdIssue = clientRequestId && clientRequestIdProblem(clientRequestId);
	if (clientRequestIdIssue) {
		throw fail(`"Client Request ID" ${clientRequestIdIssue.message}`, clientRequestIdIssue.fix);
	}

	validateUserIdempotencyKey.call(this, options.idempotencyKey, itemIndex);
	for (const property of imageBinaryProperties) {
		await checkUpload.call(this, itemIndex, property, { kind: 'image', clientRequestId });
	}

	return {
		modelId: model.id,
		message,
		sessionId,
		imageBinaryProperties,
		attachmentFileIds,
		enableWebSearch,
		reasoningEffort,
		clientRequestId,
		// A model that cannot stream is asked without streaming: the output is the same.
		stream: options.stream === true && capabilities.streaming,
	};
}

/** Passes reply pieces to n8n's streaming response, when this run streams one (n8n 1.101+). */
function hostStreamFor(context: IExecuteFunctions, itemIndex: number) {
	const enabled = typeof context.isStreaming === 'function' && context.isStreaming();
	let begun = false;
	const begin = () => {
		if (enabled && !begun) {
			begun = true;
			context.sendChunk('begin', itemIndex);
		}
	};
	return {
		onStart: begin,
		onDelta: (content: string) => {
			begin();
			if (enabled) context.sendChunk('item', itemIndex, content);
		},
		finish: (succeeded: boolean) => {
			// On failure n8n itself sends an error chunk, unless Continue On Fail turns the error into an item.
			if (begun && (succeeded || context.continueOnFail())) context.sendChunk('end', itemIndex);
		},
	};
}

function outputFor(
	context: IExecuteFunctions,
	completion: ChatCompletion,
	simplify: boolean,
	uploadedFileIds: string[],
): IDataObject {
	if (context.isToolExecution?.() === true) {
		// An agent needs the words and the IDs to continue; usage and credits only fill its context.
		return {
			text: completion.message.content,
			sessionId: completion.session_id,
			messageId: completion.message.id,
			completionId: completion.id,
		};
	}
	if (!simplify) return completion;
	return {
		...simplifyCompletion(completion),
		...(uploadedFileIds.length ? { uploadedFileIds } : {}),
	};
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const check = async (itemIndex: number) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return { options, turn: await prepareTurn.call(this, itemIndex, options) };
	};
	return await forEachCheckedItem(this, items, check, async (itemIndex, { options, turn }) => {
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		const retry = retryPolicyFrom(options);

		const uploadedFileIds: string[] = [];
		for (const property of turn.imageBinaryProperties) {
			const file = await uploadBinaryToRivya.call(this, itemIndex, property, {
				kind: 'image',
				clientRequestId: turn.clientRequestId,
				retry,
			});
			uploadedFileIds.push(file.id);
		}
		const fileIds = [...uploadedFileIds, ...turn.attachmentFileIds];

		const body: ChatTurnBody = {
			model: turn.modelId,
			message: turn.message,
			...(turn.sessionId ? { session_id: turn.sessionId } : {}),
			...(fileIds.length ? { attachments: fileIds.map((id) => ({ file_id: id })) } : {}),
			...(turn.enableWebSearch ? { enable_web_search: true } : {}),
			...(turn.reasoningEffort ? { reasoning_effort: turn.reasoningEffort } : {}),
			...(turn.clientRequestId ? { client_request_id: turn.clientRequestId } : {}),
		};
		const idempotencyKey = idempotencyKeyFor.call(
			this,
			itemIndex,
			turn.stream ? CHAT_STREAM_ROUTE : CHAT_ROUTE,
			body,
			options.idempotencyKey,
		);

		const hostStream = hostStreamFor(this, itemIndex);
		let completion: ChatCompletion | undefined;
		try {
			({ completion } = await sendChatTurn.call(this, {
				body,
				idempotencyKey,
				stream: turn.stream,
				itemIndex,
				retry,
				...(turn.stream ? { onStart: hostStream.onStart, onDelta: hostStream.onDelta } : {}),
			}));
		} finally {
			hostStream.finish(completion !== undefined);
		}
		return outputFor(this, completion, simplify, uploadedFileIds);
	});
}
