import { stopAll } from './running-services';

export default async function globalTeardown(): Promise<void> {
	await stopAll();
}
