/**
 * Handles one delivery to the trigger's webhook URL.
 *
 * Order matters: the signature is checked on the raw bytes before anything is parsed; then filters;
 * then output. Anything not verifiable gets 401 and starts nothing. No stored secret means 401 too
 * (fail closed). Duplicates are not decided here but in the run this starts (claimEvents.ts), so
 * every verified copy is answered 200 and only a run that really started marks its event as seen.
 */
import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { downloadResults } from '../shared/results';
import { verifyWebhookSignature } from '../shared/signatures';
import { toTriggerOutput, type TriggerEventOutput } from './eventOutput';
import { isFirstReportFor, missingSignatureHeadersMessage } from './signatureDiagnostics';
import { acceptedSecrets, storedEndpointId } from './triggerState';

/** A result download must not hold Rivya's delivery (10 s timeout) for long, or it would retry. */
const DOWNLOAD_RETRY = { maxAttempts: 3, maxRetryTimeMs: 20_000 };

function reject(context: IWebhookFunctions, reason: string): IWebhookResponseData {
	context.logger.warn(`Rivya Trigger rejected a webhook delivery: ${reason}`);
	context.getResponseObject().status(401).send('Unauthorized').end();
	return { noWebhookResponse: true };
}

/** 401 naming the header names that arrived and those expected; logged as a warning once per endpoint. */
function rejectUnsigned(
	context: IWebhookFunctions,
	data: IDataObject,
	message: string,
): IWebhookResponseData {
	const endpointKey =
		storedEndpointId(data) ?? `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
	const logLine = `Rivya Trigger rejected a webhook delivery: ${message}`;
	if (isFirstReportFor(endpointKey)) context.logger.warn(logLine);
	else context.logger.debug(logLine);
	context.getResponseObject().status(401).send(`Unauthorized: ${message}`).end();
	return { noWebhookResponse: true };
}

function acknowledge(note: string): IWebhookResponseData {
	return { webhookResponse: { received: true, note } };
}

async function rawBodyOf(context: IWebhookFunctions): Promise<Buffer | undefined> {
	const request = context.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function') {
		await request.readRawBody();
	}
	return Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
}

function parseEvent(rawBody: Buffer): IDataObject | undefined {
	try {
		const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
			? (parsed as IDataObject)
			: undefined;
	} catch {
		return undefined;
	}
}

/** Downloads every result URL; a failed download is reported on the item instead of losing the event. */
async function withResultBinaries(
	context: IWebhookFunctions,
	output: TriggerEventOutput,
	binaryProperty: string,
): Promise<INodeExecutionData> {
	const json: IDataObject = { ...output };
	const { binary, failure } = await downloadResults(
		context,
		output.generation.resultUrls,
		binaryProperty,
		() => ({ retry: DOWNLOAD_RETRY }),
	);
	if (failure) {
		const message = (failure.error as Error).message;
		context.logger.warn(
			`Rivya Trigger could not download a result of event ${output.eventId}: ${message}`,
		);
		json.downloadError = message;
	}
	return Object.keys(binary).length ? { json, binary } : { json };
}

export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const data = this.getWorkflowStaticData('node');
	const nowMs = Date.now();
	const secrets = acceptedSecrets(data, nowMs);
	if (secrets.length === 0) {
		return reject(
			this,
			'no signing secret is stored for this trigger. Deactivate and activate the workflow again to register the webhook with a new secret',
		);
	}

	const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
	const missingHeaders = missingSignatureHeadersMessage(headers);
	if (missingHeaders) return rejectUnsigned(this, data, missingHeaders);

	const rawBody = await rawBodyOf(this);
	if (!rawBody) return reject(this, 'the request has no body');
	const verification = verifyWebhookSignature({ secrets, headers, rawBody, nowMs });
	if (!verification.valid) return reject(this, verification.reason);

	const { eventId } = verification;
	const event = parseEvent(rawBody);
	if (!event) {
		this.logger.warn(`Rivya Trigger: signed delivery ${eventId} is not a JSON object; ignored`);
		this.getResponseObject().status(400).send('Bad Request').end();
		return { noWebhookResponse: true };
	}

	const output = toTriggerOutput(event, eventId);
	const events = this.getNodeParameter('events', []) as string[];
	if (!events.includes(output.eventType)) {
		return acknowledge(`event type ${output.eventType || 'unknown'} not selected, ignored`);
	}
	// Test events carry a synthetic generation, so they pass the model filter to show the output shape.
	const models = this.getNodeParameter('models', []) as string[];
	if (!output.test && models.length && !models.includes(output.generation.model ?? '')) {
		return acknowledge(`model ${output.generation.model ?? 'unknown'} not selected, ignored`);
	}

	const download = this.getNodeParameter('downloadResult', false) as boolean;
	if (!download || output.test || output.generation.resultUrls.length === 0) {
		return { workflowData: [[{ json: output }]] };
	}
	// Answer Rivya now: downloading may take longer than its delivery timeout.
	this.getResponseObject().status(200).json({ received: true });
	const binaryProperty = String(this.getNodeParameter('binaryPropertyName', 'data') || 'data');
	const item = await withResultBinaries(this, output, binaryProperty);
	return { noWebhookResponse: true, workflowData: [[item]] };
}
