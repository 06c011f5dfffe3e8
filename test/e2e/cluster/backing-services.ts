/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions -- starts Debian's postgres and redis-server */
// Postgres and Redis for a queue-mode n8n: Debian's packages, each with its own data folder, listening on
// 127.0.0.1 on a free port. Missing packages are an error naming the apt-get command.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { pollUntil, reservePort } from '../n8n-instance';

const LOOPBACK = '127.0.0.1';
const POSTGRES_USER = 'postgres';

export interface PostgresInfo {
	host: string;
	port: number;
	database: string;
	user: string;
	dataDir: string;
}

export interface RedisInfo {
	host: string;
	port: number;
	dataDir: string;
	pidFile: string;
}

/** Debian installs each major under /usr/lib/postgresql/<major>/bin; the newest one is used. */
function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const majors = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((name) => fs.existsSync(path.join(root, name, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (majors.length === 0) {
		throw new Error(
			'PostgreSQL is not installed (queue-mode tests need it): apt-get install -y postgresql',
		);
	}
	return path.join(root, majors[0], 'bin');
}

function redisServerBinary(): string {
	for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
		if (fs.existsSync(candidate)) return candidate;
	}
	throw new Error(
		'redis-server is not installed (queue-mode tests need it): apt-get install -y redis-server',
	);
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a Postgres tool as the `postgres` user when we are root (Postgres refuses to run as root). */
function runPostgresTool(tool: string, args: string[]): string {
	const binary = path.join(postgresBinDir(), tool);
	const [command, commandArgs] = isRoot()
		? ['runuser', ['-u', POSTGRES_USER, '--', binary, ...args]]
		: [binary, args];
	return execFileSync(command, commandArgs, {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		cwd: os.tmpdir(), // runuser keeps the cwd, which the postgres user may not be allowed to enter
	});
}

/** A fresh Postgres cluster in `<dir>/postgres` with trust auth and a database `n8n`. */
export async function startPostgres(dir: string): Promise<PostgresInfo> {
	const dataDir = path.join(dir, 'postgres');
	fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	if (isRoot()) {
		const { uid, gid } = postgresUser();
		fs.chownSync(dataDir, uid, gid);
	}
	runPostgresTool('initdb', ['-D', dataDir, '--auth=trust', '-U', POSTGRES_USER, '--no-sync']);
	const port = await reservePort(undefined, 'Postgres');
	runPostgresTool('pg_ctl', [
		'-D',
		dataDir,
		'-l',
		path.join(dataDir, 'postgres.log'),
		'-w',
		'-o',
		`-p ${port} -k ${dataDir} -c listen_addresses=${LOOPBACK} -c fsync=off`,
		'start',
	]);
	const info = { host: LOOPBACK, port, database: 'n8n', user: POSTGRES_USER, dataDir };
	runPostgresTool('createdb', ['-h', LOOPBACK, '-p', String(port), '-U', POSTGRES_USER, 'n8n']);
	return info;
}

export function stopPostgres(info: PostgresInfo): void {
	if (!fs.existsSync(path.join(info.dataDir, 'postmaster.pid'))) return;
	runPostgresTool('pg_ctl', ['-D', info.dataDir, '-m', 'immediate', '-w', 'stop']);
}

function postgresUser(): { uid: number; gid: number } {
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith(`${POSTGRES_USER}:`));
	if (!line) throw new Error(`no "${POSTGRES_USER}" user: apt-get install -y postgresql`);
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

/** A Redis without persistence, in `<dir>/redis`. */
export async function startRedis(dir: string): Promise<RedisInfo> {
	const dataDir = path.join(dir, 'redis');
	fs.mkdirSync(dataDir, { recursive: true });
	const port = await reservePort(undefined, 'Redis');
	const pidFile = path.join(dataDir, 'redis.pid');
	execFileSync(redisServerBinary(), [
		'--port',
		String(port),
		'--bind',
		LOOPBACK,
		'--dir',
		dataDir,
		'--save',
		'',
		'--appendonly',
		'no',
		'--daemonize',
		'yes',
		'--pidfile',
		pidFile,
		'--logfile',
		path.join(dataDir, 'redis.log'),
	]);
	await pollUntil(`redis-server to write ${pidFile}`, 10_000, async () => fs.existsSync(pidFile));
	return { host: LOOPBACK, port, dataDir, pidFile };
}

export async function stopRedis(info: RedisInfo): Promise<void> {
	if (!fs.existsSync(info.pidFile)) return;
	const pid = Number(fs.readFileSync(info.pidFile, 'utf8').trim());
	try {
		process.kill(pid, 'SIGTERM');
	} catch {
		return; // already gone
	}
	await pollUntil('redis-server to exit', 10_000, async () => !isAlive(pid));
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
