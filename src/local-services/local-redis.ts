import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';
import { StartupError } from '../config.ts';
import type { LocalService } from './embedded-postgres.ts';
import { redisAnswers } from './reachability.ts';

/** The local Redis's port: beside the usual 6379, so that a Redis installed later does not collide. */
export const localRedisPort = 63790;

/** Where a command is on the PATH, if it is. */
export function onPath(command: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * Runs redis-server as a child of this process on 127.0.0.1, and answers once it answers PING.
 * `settings` are redis.conf directives given on the command line (e.g. ['--appendonly', 'yes']).
 */
export async function runRedisServer(command: string, port: number, settings: string[]): Promise<LocalService> {
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn(command, ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'no', ...settings], { stdio: 'ignore' });
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const deadline = Date.now() + 10_000;
  while ((await redisAnswers(url)) !== true) {
    if (gone || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new StartupError(`redis-server (${command}) did not start on port ${port}; set REDIS_URL to a running Redis`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      if (gone) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Runs the machine's redis-server for a single-machine install, as BullMQ needs it: data in
 * DATA_DIR/redis with append-only persistence, `noeviction`. One left running by a process that
 * died is used again.
 */
export async function startLocalRedis(dataDir: string, logger: Logger, defaultUrl: string, port = localRedisPort): Promise<LocalService> {
  const url = `redis://127.0.0.1:${port}`;
  if ((await redisAnswers(url)) === true) {
    logger.info({ port }, 'local Redis already running; using it');
    return { url, stop: async () => {} };
  }
  const command = onPath('redis-server');
  if (!command) {
    throw new StartupError(
      `Redis does not answer at ${defaultUrl} and redis-server is not installed: install Redis (Debian/Ubuntu: apt install redis-server; macOS: brew install redis), or set REDIS_URL`,
    );
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  return runRedisServer(command, port, ['--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction']);
}
