import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Database } from '../src/db/client.ts';
import { markOutboxJobFailed, outboxRowCloser, type OutboxRowCloser } from '../src/outbox/outbox.service.ts';
import { startOutboxRelay } from '../src/outbox/relay.ts';
import type { Config } from '../src/config.ts';
import { createTransports } from '../src/notifications/transports.ts';
import { redisOptionsFromUrl } from '../src/redis.ts';
import { configuredFileStore } from '../src/runtime.ts';
import { processDeviceEvent } from './device-events.processor.ts';
import { processHandoverReceipt } from './handover-receipts.processor.ts';
import { processNotification } from './notifications.processor.ts';
import { processScheduledTask } from './scheduled-tasks.processor.ts';
import { processIntakeImport } from './intake-imports.processor.ts';
import { processLabelBatch } from './label-batches.processor.ts';
import { processPlaceImport } from './place-imports.processor.ts';
import { processWipeCertificate } from './wipe-certificates.processor.ts';
import { processWifiOutputs, processWifiProvisioning } from './wifi.processor.ts';
import { isLastAttempt } from './last-attempt.ts';
import { queueNames, type QueueName } from '../src/jobs/queues.ts';
import { keepSchedulesRegistered } from './schedules.ts';
import type { ProcessorDeps, WorkerDeps } from './worker-deps.ts';
import { startRenderPool } from './render-pool.ts';

const processors: Record<QueueName, (deps: ProcessorDeps) => (job: Job) => Promise<unknown>> = {
  'device-events': processDeviceEvent,
  'label-batches': processLabelBatch,
  'intake-imports': processIntakeImport,
  'place-imports': processPlaceImport,
  'wipe-certificates': processWipeCertificate,
  'handover-receipts': processHandoverReceipt,
  'scheduled-tasks': processScheduledTask,
  notifications: processNotification,
  'wifi-provisioning': processWifiProvisioning,
  'wifi-outputs': processWifiOutputs,
};

export type Workers = { close: () => Promise<void> };

/**
 * Closes the job's outbox row once its work is done (or once its last attempt failed), so the
 * relay stops looking for it in Redis. A row closed late is harmless: the job it would send again
 * still exists in Redis, or finds its work done.
 */
function closingOutboxRow(database: Database, closeDone: OutboxRowCloser, work: (job: Job) => Promise<unknown>) {
  return async (job: Job) => {
    try {
      const result = await work(job);
      await closeDone(job.id);
      return result;
    } catch (error) {
      if (isLastAttempt(job, error)) await markOutboxJobFailed(database.db, job.id);
      throw error;
    }
  };
}

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
    recheckAfterMs: deps.relayRecheckAfterMs,
  });
  // Workers block on Redis: ioredis must retry forever rather than give up on a command.
  const connection = { ...deps.redis, maxRetriesPerRequest: null } as ConnectionOptions;
  // One closer for every queue: jobs finishing together close their rows in one statement.
  const closeDone = outboxRowCloser(deps.database.db);
  const renderPool = startRenderPool();
  const processorDeps = { ...deps, renderers: renderPool.renderers };
  const workers = queueNames.map((name) => {
    const worker = new Worker(name, closingOutboxRow(deps.database, closeDone, processors[name](processorDeps)), {
      connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency ?? 4,
    });
    worker.on('failed', (job, error) => deps.logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'job failed'));
    worker.on('error', (error) => deps.logger.warn({ queue: name, err: error }, 'worker connection error'));
    return worker;
  });
  const schedules =
    deps.schedule === false ? undefined : keepSchedulesRegistered({ connection, prefix: deps.prefix, logger: deps.logger, checkEveryMs: deps.scheduleCheckMs });
  return {
    async close() {
      // Stop relaying and taking new jobs; close() waits for running jobs to finish.
      await Promise.all([relay.stop(), ...workers.map((worker) => worker.close()), schedules?.stop()]);
      // Once no job runs: none is waiting for a drawing.
      await renderPool.close();
    },
  };
}
