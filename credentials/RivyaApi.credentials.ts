import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

const REDIRECT_MESSAGE =
	'The Base URL redirects to another address, which is not followed so that the API key stays with the Base URL. Fix the Base URL: use the address the API answers at, e.g. https://rivya.ai (without /api/v1).';

export class RivyaApi implements ICredentialType {
	name = 'rivyaApi';

	displayName = 'Rivya API';

	icon: Icon = { light: 'file:../icons/rivya.svg', dark: 'file:../icons/rivya.dark.svg' };

	documentationUrl = 'https://github.com/rivya-ai/n8n-nodes-rivya#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'e.g. rvya_sk_...',
			hint: 'Create a key in your Rivya account under API keys. Keys start with rvya_sk_.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://rivya.ai',
			placeholder: 'e.g. https://rivya.ai',
			description:
				'Root address of the Rivya API, without /api/v1. Change it only for a Rivya emulator or a proxy.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// GET /credits is free and has no side effect, so testing the key never spends credits.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "").replace(/\\/api\\/v1$/, "")}}',
			url: '/api/v1/credits',
			method: 'GET',
			// The key is only for the Base URL's origin: a redirect is reported (rules below), not followed.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		},
		// n8n matches these on the HTTP status only: a message cannot name the one Rivya code that happened (a
		// running node does: its errors carry the code).
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 301,
					message: REDIRECT_MESSAGE,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 302,
					message: REDIRECT_MESSAGE,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 303,
					message: REDIRECT_MESSAGE,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 307,
					message: REDIRECT_MESSAGE,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 308,
					message: REDIRECT_MESSAGE,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Rivya did not accept this API key (HTTP 401). Paste a current key that starts with rvya_sk_, or create a new one in your Rivya account. Running a Rivya node shows the exact reason (unknown, revoked or expired key).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key lacks the credits:read scope (api_scope_denied). Create a key with all scopes; new Rivya keys get them by default.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No Rivya API answered at this Base URL. Use https://rivya.ai (without /api/v1) unless you run an emulator or proxy.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 429,
					message: 'Rivya is rate limiting this key (rate_limited). Wait a minute and test again.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 503,
					message:
						"Rivya's API is switched off at the moment (public_api_disabled). Try again later.",
				},
			},
		],
	};
}
