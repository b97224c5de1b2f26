import { join } from 'node:path';
import { localFileStore } from '../src/files/file-store.ts';
import { createTransports } from '../src/notifications/transports.ts';
import { redisOptionsFromUrl } from '../src/redis.ts';
import { boot, onShutdown } from '../src/runtime.ts';
import { startWorkers } from './runtime.ts';

/** Worker process (npm run worker): the outbox relay and the queue processors. */
const { config, logger, database } = await boot();
const workers = startWorkers({
  database,
  fileStore: localFileStore(join(config.dataDir, 'files')),
  publicUrl: config.publicUrl,
  appSecret: config.appSecret,
  contactRetentionMonths: config.contactRetentionMonths,
  transports: createTransports({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger }),
  redis: redisOptionsFromUrl(config.redisUrl),
  prefix: config.queuePrefix,
  logger,
});
logger.info({ prefix: config.queuePrefix }, 'workers started');
onShutdown(logger, [() => workers.close(), () => database.close()]);
