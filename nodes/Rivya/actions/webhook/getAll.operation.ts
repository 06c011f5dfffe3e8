import { listOperation } from './fields';

export const { description, execute } = listOperation('getAll', {
	path: '/webhooks',
	revocable: true,
});
