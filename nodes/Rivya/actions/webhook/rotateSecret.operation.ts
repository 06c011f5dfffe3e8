import { endpointCallOperation } from './fields';

// Not retried (a POST without an Idempotency-Key): a repeated rotation would replace the secret just returned.
export const { description, execute } = endpointCallOperation('rotateSecret', {
	method: 'POST',
	suffix: '/rotate-secret',
	notice:
		'The new signing secret is in the output once and cannot be read again: store it (e.g. in a credential) right away. Rivya also signs with the old secret for 24 hours. For an endpoint managed by a Rivya Trigger, deactivate and activate its workflow instead, so the trigger stores the new secret itself.',
	shape: ({ signing_secret: signingSecret, ...endpoint }) => ({
		...endpoint,
		signingSecret,
		signingSecretNote:
			'Shown once: Rivya never returns this secret again. Store it securely; the previous secret keeps signing for 24 hours.',
	}),
});
