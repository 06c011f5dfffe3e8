import { listOperation } from './fields';

export const { description, execute } = listOperation('getEvents', { path: '/webhook-events' });
