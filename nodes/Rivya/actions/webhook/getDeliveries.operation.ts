import { listOperation } from './fields';

export const { description, execute } = listOperation('getDeliveries', {
	endpointSuffix: '/deliveries',
});
