import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../src/db/client.ts';
import type { FileStore } from '../src/files/file-store.ts';
import type { Transports } from '../src/notifications/transports.ts';
import type { PdfRenderers } from './render-pool.ts';

/** What every processor is given: built by the runtime (runtime.ts) from the configuration, or by a test. */
export type WorkerDeps = {
  database: Database;
  fileStore: FileStore;
  /** Printed in QR codes and links. */
  publicUrl: string;
  /** Key material: signs certificates, encrypts Wi-Fi passphrases. */
  appSecret: string;
  contactRetentionMonths: number;
  /** How reminders leave: SMTP or the log for e-mail, the log for SMS. */
  transports: Transports;
  /** Register the job schedulers (expiry, matching, retention); tests run those tasks themselves. */
  schedule?: boolean;
  redis: RedisOptions;
  prefix: string;
  logger: Logger;
  concurrency?: number;
  relayPollMs?: number;
  /** How long after it was last seen in Redis an unfinished job is looked for there again. */
  relayRecheckAfterMs?: number;
  /** How often the workers make sure the scheduled tasks are still registered in Redis. */
  scheduleCheckMs?: number;
};

/** What the processors get: the deps, and the renderers of the running workers' render threads. */
export type ProcessorDeps = WorkerDeps & { renderers: PdfRenderers };
