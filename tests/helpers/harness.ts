import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openQueues } from '../../src/jobs/queues.ts';
import { startWorkers, type Workers } from '../../workers/runtime.ts';
import type { WorkerDeps } from '../../workers/worker-deps.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { localFileStore, type FileStore } from '../../src/files/file-store.ts';
import type { Message, Transports } from '../../src/notifications/transports.ts';
import { createApp, type App, type AppDeps } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { Logger } from 'pino';

export const testRedis: RedisOptions = { host: '127.0.0.1', port: Number(process.env.TEST_REDIS_PORT ?? 6379) };
export const testPublicUrl = 'http://boucle.test';
export const testAppSecret = 'test-secret-for-signing-certificates-0123456789';

export type Harness = {
  app: App;
  database: Database;
  fileStore: FileStore;
  /** Where the file store keeps its files, to look inside them. */
  filesFolder: string;
  databaseUrl: string;
  prefix: string;
  /** The workers on this world's database and prefix; `options` win (e.g. schedule, shorter delays). */
  startWorkers: (redis?: RedisOptions, options?: Partial<WorkerDeps>) => Workers;
  logger: Logger;
  /** Reminders the workers sent (an in-memory transport), and whether sending should fail for now. */
  messages: (Message & { channel: 'email' | 'sms' })[];
  transport: { failing: boolean };
  close: () => Promise<void>;
};

async function cloneTemplateDatabase(): Promise<string> {
  const template = inject('templateDatabase');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(inject('adminUrl'), { max: 1, onnotice: () => {} });
  try {
    // Two files cloning at the same instant may find the template busy: try again shortly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin`create database ${admin(name)} template ${admin(template)}`;
        break;
      } catch (error) {
        if (attempt >= 20 || (error as { code?: string }).code !== '55006') throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return inject('adminUrl').replace(/\/postgres$/, `/${name}`);
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(inject('adminUrl'), { max: 1, onnotice: () => {} });
  await admin`drop database if exists ${admin(name)} with (force)`;
  await admin.end();
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testRedis);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

/** A test file's own world: a fresh database cloned from the migrated template, its own queue prefix; `app` chooses the app's clock or map tiles. */
export async function startHarness(options: { app?: Pick<AppDeps, 'clock' | 'mapTiles'> } = {}): Promise<Harness> {
  const databaseUrl = await cloneTemplateDatabase();
  const database = connectDatabase(databaseUrl, { max: 12 });
  const prefix = `boucle-test-${randomBytes(4).toString('hex')}`;
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const pingRedis = async () => {
    const redis = new Redis({ ...testRedis, lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  };
  const filesFolder = await mkdtemp(join(tmpdir(), 'boucle-files-'));
  const fileStore = localFileStore(filesFolder);
  const queues = [...openQueues(testRedis, prefix).values()];
  const app = createApp({ database, fileStore, appSecret: testAppSecret, logger, pingRedis, publicUrl: testPublicUrl, queues, ...options.app });
  const running: Workers[] = [];
  const messages: Harness['messages'] = [];
  const transport = { failing: false };
  const recording = (channel: 'email' | 'sms') => async (message: Message) => {
    if (transport.failing) throw new Error('SMTP server unreachable (test)');
    messages.push({ ...message, channel });
  };
  const transports: Transports = { email: recording('email'), sms: recording('sms') };
  return {
    app,
    database,
    fileStore,
    filesFolder,
    messages,
    transport,
    databaseUrl,
    prefix,
    logger,
    startWorkers(redis = testRedis, options = {}) {
      const workers = startWorkers({
        database,
        fileStore,
        publicUrl: testPublicUrl,
        appSecret: testAppSecret,
        contactRetentionMonths: 24,
        transports,
        schedule: false,
        redis,
        prefix,
        logger,
        relayPollMs: 50,
        ...options,
      });
      running.push(workers);
      return workers;
    },
    async close() {
      await Promise.all(running.map((workers) => workers.close()));
      await Promise.all(queues.map((queue) => queue.close()));
      await database.close();
      await dropDatabase(databaseUrl);
      await deleteRedisKeys(prefix);
      await rm(filesFolder, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` answers true, polling; fails with `what` after the timeout. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
