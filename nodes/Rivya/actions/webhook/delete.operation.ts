import { endpointCallOperation } from './fields';

export const { description, execute } = endpointCallOperation('delete', {
	method: 'DELETE',
	notice:
		'Deleting revokes the endpoint for good: Rivya sends it nothing more. A Rivya Trigger using it stops receiving events until its workflow is activated again.',
});
