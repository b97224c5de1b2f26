import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import { openQueues } from './jobs/queues.ts';
import { createApp } from './http/app.ts';
import { redisOptionsFromUrl } from './redis.ts';
import { boot, configuredFileStore, onShutdown, type ProcessRole } from './runtime.ts';

/**
 * Entry point. `all` (npm start): migrate, seed demo data on an empty database, run the API and
 * the workers in one process. `api`: the API only. `migrate`: apply migrations and exit.
 */
const modes = ['all', 'api', 'migrate'] as const satisfies ProcessRole[];
const mode = modes.find((known) => known === (process.argv[2] ?? 'all'));
if (!mode) {
  console.error(`Unknown mode "${process.argv[2]}": use all, api or migrate.`);
  process.exit(1);
}

const { config, logger, database, services } = await boot(mode);
const fileStore = configuredFileStore(config);
if (mode === 'migrate') {
  logger.info('migrations applied');
  await database.close();
  await services.stop();
  process.exit(0);
}

// The demo data and the workers are `all`'s alone: an API process does not load them (nor what they
// import: the mail transports, the processors and their renderers), so its heap holds only what it serves.
if (mode === 'all') {
  const { seedDemoData } = await import('./seed/demo.ts');
  const accounts = await seedDemoData(database.db, fileStore);
  if (accounts) {
    console.log('\nDemo data created. Accounts (passwords are shown only this once):');
    console.table(accounts);
  }
}

// Only /readyz talks to Redis from the API: it must answer "unreachable", not queue the ping.
const redis = new Redis({ ...redisOptionsFromUrl(config.redisUrl), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
redis.on('error', () => {});
// The admins' queue dashboard reads the queues; it must not hold the API up when Redis is away.
const dashboardQueues = [
  ...openQueues({ ...redisOptionsFromUrl(config.redisUrl), enableOfflineQueue: false, maxRetriesPerRequest: 1 }, config.queuePrefix).values(),
];
for (const queue of dashboardQueues) queue.on('error', () => {});
const app = createApp({
  database,
  queues: dashboardQueues,
  fileStore,
  appSecret: config.appSecret,
  logger,
  publicUrl: config.publicUrl,
  trustedProxies: config.trustedProxies,
  mapTiles: config.mapTiles,
  pingRedis: async () => {
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  },
});
const server = serve({ fetch: app.fetch, port: config.port }, () => {
  logger.info({ url: config.publicUrl, port: config.port, mode }, 'Boucle is listening');
  console.log(`Boucle: ${config.publicUrl} (API docs at ${config.publicUrl}/api/docs)`);
});
const workers = mode === 'all' ? (await import('../workers/runtime.ts')).startConfiguredWorkers(config, database, logger) : undefined;

onShutdown(logger, [
  () => new Promise<void>((resolve) => server.close(() => resolve())),
  async () => workers?.close(),
  async () => redis.quit().catch(() => undefined),
  async () => Promise.all(dashboardQueues.map((queue) => queue.close().catch(() => undefined))),
  () => database.close(),
  () => services.stop(),
]);
