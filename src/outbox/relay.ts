import { inArray, isNull, asc } from 'drizzle-orm';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { openQueues } from '../../workers/queues.ts';
import type { Database } from '../db/client.ts';
import { outboxChannel } from './outbox.service.ts';
import { outbox } from './outbox.schema.ts';

export type OutboxRelay = {
  /** Moves one batch of committed outbox rows to their queues; answers how many. */
  relayBatch: () => Promise<number>;
  stop: () => Promise<void>;
};

export type RelayOptions = {
  database: Database;
  redis: RedisOptions;
  prefix: string;
  logger: Logger;
  batchSize?: number;
  pollMs?: number;
};

/**
 * The job id of an outbox row: the same row always gives the same id (a second relay is ignored
 * by BullMQ), and a database created again, whose row ids start over, never reuses the id of a job
 * Redis still remembers, thanks to the row's creation time.
 */
export const jobIdForOutboxRow = (row: { id: number; createdAt: Date }) => `outbox-${row.id}-${row.createdAt.getTime().toString(36)}`;

/**
 * Relays committed outbox rows to BullMQ. Rows are claimed with SKIP LOCKED, so several relays
 * (one per worker process) share the work; a row is marked relayed in the same transaction that
 * claimed it, after BullMQ accepted the job. If Redis is down the rows wait, and the loop tries
 * again with backoff: nothing the API acknowledged is lost. If the process dies between BullMQ's
 * answer and the commit, the row is sent again with the same job id, which BullMQ ignores.
 */
export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { database, logger, batchSize = 500, pollMs = 1_000 } = options;
  // Fail fast while Redis is away instead of buffering commands in memory: the outbox is the buffer.
  const producers = openQueues({ ...options.redis, enableOfflineQueue: false, maxRetriesPerRequest: 1 }, options.prefix);
  for (const producer of producers.values()) producer.on('error', () => {}); // reported by the loop below

  async function relayBatch(): Promise<number> {
    return database.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(outbox)
        .where(isNull(outbox.relayedAt))
        .orderBy(asc(outbox.id))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return 0;
      for (const [name, producer] of producers) {
        const jobs = rows
          .filter((row) => row.queue === name)
          .map((row) => ({ name: row.jobName, data: row.payload, opts: { jobId: jobIdForOutboxRow(row) } }));
        if (jobs.length > 0) await producer.addBulk(jobs);
      }
      await tx
        .update(outbox)
        .set({ relayedAt: new Date() })
        .where(inArray(outbox.id, rows.map((row) => row.id)));
      return rows.length;
    });
  }

  let running = true;
  // A notification that arrives while a batch runs must not be lost: it is remembered until the next sleep.
  let notified = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (notified || !running) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const notify = () => {
    notified = true;
    wake?.();
  };
  const listening = database.sql.listen(outboxChannel, notify).catch((error: unknown) => {
    logger.warn({ err: error }, 'outbox relay cannot LISTEN; polling only');
    return undefined;
  });

  const loop = (async () => {
    let failures = 0;
    while (running) {
      notified = false;
      try {
        const relayed = await relayBatch();
        if (failures > 0) logger.info({ afterFailures: failures }, 'outbox relay reaches the queue again');
        failures = 0;
        if (relayed === batchSize) continue;
        await sleep(pollMs);
      } catch (error) {
        if (failures === 0) logger.warn({ err: error }, 'outbox relay cannot reach the queue; rows wait in Postgres');
        failures += 1;
        await sleep(Math.min(pollMs * 2 ** Math.min(failures, 5), 15_000));
      }
    }
  })();

  return {
    relayBatch,
    async stop() {
      running = false;
      notify();
      await loop;
      await (await listening)?.unlisten();
      await Promise.all([...producers.values()].map((producer) => producer.close()));
    },
  };
}
