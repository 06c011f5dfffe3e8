import { endpointCallOperation } from './fields';

// Answers the delivery: its status and the receiver's response status.
export const { description, execute } = endpointCallOperation('sendTestEvent', {
	method: 'POST',
	suffix: '/test',
});
