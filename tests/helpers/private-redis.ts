import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { onPath, runRedisServer } from '../../src/local-services/local-redis.ts';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type PrivateRedis = {
  readonly options: RedisOptions;
  readonly url: string;
  /** FLUSHALL: Redis forgets every job, scheduler and lock, as after a restart without persistence. */
  flushAll: () => Promise<void>;
  /** Stops the server and starts it again on the same port, with nothing kept. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * A redis-server of the test's own, on a free port, keeping nothing on disk: tests that flush,
 * stop or restart Redis do it here, never on the machine's Redis other tests use.
 * `settings`: redis.conf directives, e.g. ['--maxmemory-policy', 'allkeys-lru'].
 */
export async function startPrivateRedis(settings: string[] = []): Promise<PrivateRedis> {
  const command = onPath('redis-server');
  if (!command) throw new Error('redis-server is not on the PATH: install Redis to run this test');
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'boucle-redis-'));
  const run = () => runRedisServer(command, port, ['--dir', dir, '--save', '', '--appendonly', 'no', ...settings]);
  let server = await run();
  const options: RedisOptions = { host: '127.0.0.1', port };
  return {
    options,
    url: server.url,
    async flushAll() {
      const client = new Redis(options);
      await client.flushall();
      await client.quit();
    },
    async restart() {
      await server.stop();
      server = await run();
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
