/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
import { stopAll } from './running-services';

export default async function globalTeardown(): Promise<void> {
	await stopAll();
}
