import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

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
		},
	};
}
