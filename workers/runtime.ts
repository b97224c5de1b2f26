import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../src/db/client.ts';
import { startOutboxRelay } from '../src/outbox/relay.ts';
import type { FileStore } from '../src/files/file-store.ts';
import type { Config } from '../src/config.ts';
import { createTransports, type Transports } from '../src/notifications/transports.ts';
import { redisOptionsFromUrl } from '../src/redis.ts';
import { configuredFileStore } from '../src/runtime.ts';
import { processDeviceEvent } from './device-events.processor.ts';
import { processHandoverReceipt } from './handover-receipts.processor.ts';
import { processNotification } from './notifications.processor.ts';
import { processScheduledTask } from './scheduled-tasks.processor.ts';
import { processIntakeImport } from './intake-imports.processor.ts';
import { processLabelBatch } from './label-batches.processor.ts';
import { processWipeCertificate } from './wipe-certificates.processor.ts';
import { processWifiOutputs, processWifiProvisioning } from './wifi.processor.ts';
import { queueNames, queues, schedules, type QueueName } from './queues.ts';

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
};

const processors: Record<QueueName, (deps: WorkerDeps) => (job: Job) => Promise<unknown>> = {
  'device-events': processDeviceEvent,
  'label-batches': processLabelBatch,
  'intake-imports': processIntakeImport,
  'wipe-certificates': processWipeCertificate,
  'handover-receipts': processHandoverReceipt,
  'scheduled-tasks': processScheduledTask,
  notifications: processNotification,
  'wifi-provisioning': processWifiProvisioning,
  'wifi-outputs': processWifiOutputs,
};

export type Workers = { close: () => Promise<void> };

/** The workers of an installation, as its configuration describes them (npm start, npm run worker). */
export function startConfiguredWorkers(config: Config, database: Database, logger: Logger): Workers {
  return startWorkers({
    database,
    fileStore: configuredFileStore(config),
    publicUrl: config.publicUrl,
    appSecret: config.appSecret,
    contactRetentionMonths: config.contactRetentionMonths,
    transports: createTransports({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger }),
    redis: redisOptionsFromUrl(config.redisUrl),
    prefix: config.queuePrefix,
    logger,
  });
}

/** The outbox relay and one BullMQ worker per queue, as one unit that starts and stops together. */
export function startWorkers(deps: WorkerDeps): Workers {
  const relay = startOutboxRelay({
    database: deps.database,
    redis: deps.redis,
    prefix: deps.prefix,
    logger: deps.logger,
    pollMs: deps.relayPollMs,
  });
  // Workers block on Redis: ioredis must retry forever rather than give up on a command.
  const connection = { ...deps.redis, maxRetriesPerRequest: null } as ConnectionOptions;
  const workers = queueNames.map((name) => {
    const worker = new Worker(name, processors[name](deps), {
      connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency ?? 4,
    });
    worker.on('failed', (job, error) =>
      deps.logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'job failed'),
    );
    worker.on('error', (error) => deps.logger.warn({ queue: name, err: error }, 'worker connection error'));
    return worker;
  });
  const scheduler = deps.schedule === false ? undefined : new Queue('scheduled-tasks', { connection, prefix: deps.prefix, defaultJobOptions: queues['scheduled-tasks'].options });
  if (scheduler) {
    // Upserted by every worker process: one scheduler per task in Redis, whatever the number of processes.
    for (const [task, repeat] of Object.entries(schedules)) {
      scheduler.upsertJobScheduler(task, repeat, { name: task, data: {} }).catch((error: unknown) =>
        deps.logger.warn({ task, err: error }, 'cannot register a scheduled task yet'),
      );
    }
  }
  return {
    async close() {
      // Stop relaying and taking new jobs; close() waits for running jobs to finish.
      await Promise.all([relay.stop(), ...workers.map((worker) => worker.close()), scheduler?.close()]);
    },
  };
}
