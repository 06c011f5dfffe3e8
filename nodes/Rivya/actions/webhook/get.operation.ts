import { endpointCallOperation } from './fields';

export const { description, execute } = endpointCallOperation('get', { method: 'GET' });
