import { and, asc, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { openQueues, type QueueName } from '../jobs/queues.ts';
import type { Database, Tx } from '../db/client.ts';
import { jobIdForOutboxRow, outboxChannel } from './outbox.service.ts';
import { outbox } from './outbox.schema.ts';

export type OutboxRelay = {
  /** Moves one batch of committed outbox rows to their queues; answers how many. */
  relayBatch: () => Promise<number>;
  /** Checks one batch of outstanding rows against the queues and sends again the jobs Redis forgot; answers how many. */
  resendForgotten: () => Promise<{ checked: number; resent: number }>;
  stop: () => Promise<void>;
};

export type RelayOptions = {
  database: Database;
  redis: RedisOptions;
  prefix: string;
  logger: Logger;
  batchSize?: number;
  pollMs?: number;
  /** How long after it was last seen in the queue an outstanding job is looked for there again. */
  recheckAfterMs?: number;
};

/** An outstanding job is looked for in Redis again 30 s after it was last seen there. */
export const defaultRecheckAfterMs = 30_000;

type OutboxRow = typeof outbox.$inferSelect;

/**
 * Relays committed outbox rows to BullMQ, and keeps them as the ledger until their job is done.
 *
 * Rows are claimed with SKIP LOCKED, so several relays (one per worker process) share the work; a
 * row is marked relayed in the same transaction that claimed it, after BullMQ accepted the job. If
 * Redis is down the rows wait, and the loop tries again with backoff. If the process dies between
 * BullMQ's answer and the commit, the row is sent again with the same job id, which BullMQ ignores.
 *
 * A relayed row stays outstanding until its job is done (the workers mark it). If Redis loses the
 * job (a restart without persistence, a failover to a replica that lagged, an eviction), the check
 * below finds it in no state and sends it again under the same id; a job Redis still holds, in
 * whatever state, is left alone. So a job lost in Redis is sent again at most recheckAfterMs plus
 * one check period (five polls, at most recheckAfterMs) after it was last seen: 35 s by default.
 */
export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { database, logger, batchSize = 500, pollMs = 1_000, recheckAfterMs = defaultRecheckAfterMs } = options;
  // Fail fast while Redis is away instead of buffering commands in memory: the outbox is the buffer.
  const producers = openQueues({ ...options.redis, enableOfflineQueue: false, maxRetriesPerRequest: 1 }, options.prefix);
  for (const producer of producers.values()) producer.on('error', () => {}); // reported by the loop below

  const addToQueues = async (rows: OutboxRow[]) => {
    for (const [name, producer] of producers) {
      const jobs = rows.filter((row) => row.queue === name).map((row) => ({ name: row.jobName, data: row.payload, opts: { jobId: jobIdForOutboxRow(row) } }));
      if (jobs.length > 0) await producer.addBulk(jobs);
    }
  };

  const markSeen = (tx: Tx, rows: OutboxRow[]) =>
    tx
      .update(outbox)
      .set({ relayedAt: new Date() })
      .where(
        inArray(
          outbox.id,
          rows.map((row) => row.id),
        ),
      );

  async function relayBatch(): Promise<number> {
    return database.db.transaction(async (tx) => {
      const rows = await tx.select().from(outbox).where(isNull(outbox.relayedAt)).orderBy(asc(outbox.id)).limit(batchSize).for('update', { skipLocked: true });
      if (rows.length === 0) return 0;
      await addToQueues(rows);
      await markSeen(tx, rows);
      return rows.length;
    });
  }

  /** The rows whose job Redis no longer holds in any state (its commands are sent together, not one by one). */
  async function forgottenBy(rows: OutboxRow[]): Promise<OutboxRow[]> {
    // A row naming a queue that no longer exists would never be done: say so rather than loop on it.
    const unknown = rows.filter((row) => !producers.has(row.queue as QueueName));
    if (unknown.length > 0) logger.error({ rows: unknown.map((row) => row.id) }, 'outbox rows name a queue that does not exist');
    const known = rows.filter((row) => producers.has(row.queue as QueueName));
    const states = await Promise.all(known.map((row) => producers.get(row.queue as QueueName)!.getJobState(jobIdForOutboxRow(row))));
    return known.filter((_, index) => states[index] === 'unknown');
  }

  async function resendForgotten(): Promise<{ checked: number; resent: number }> {
    return database.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(outbox)
        .where(
          and(
            isNotNull(outbox.relayedAt),
            isNull(outbox.doneAt),
            isNull(outbox.failedAt),
            lt(outbox.relayedAt, sql`now() - make_interval(secs => ${recheckAfterMs / 1000})`),
          ),
        )
        .orderBy(asc(outbox.relayedAt))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return { checked: 0, resent: 0 };
      const forgotten = await forgottenBy(rows);
      if (forgotten.length > 0) {
        await addToQueues(forgotten);
        logger.warn(
          { resent: forgotten.length, rows: forgotten.slice(0, 20).map((row) => ({ id: row.id, queue: row.queue })) },
          'jobs the queue no longer held were sent again from the outbox',
        );
      }
      await markSeen(tx, rows);
      return { checked: rows.length, resent: forgotten.length };
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
    let nextCheck = 0;
    const checkEveryMs = Math.min(recheckAfterMs, pollMs * 5);
    while (running) {
      notified = false;
      try {
        const relayed = await relayBatch();
        let checked = 0;
        if (Date.now() >= nextCheck) {
          checked = (await resendForgotten()).checked;
          // A full batch means more rows are due: check again at once rather than after a pause.
          if (checked < batchSize) nextCheck = Date.now() + checkEveryMs;
        }
        if (failures > 0) logger.info({ afterFailures: failures }, 'outbox relay reaches the queue again');
        failures = 0;
        if (relayed === batchSize || checked === batchSize) continue;
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
    resendForgotten,
    async stop() {
      running = false;
      notify();
      await loop;
      await (await listening)?.unlisten();
      await Promise.all([...producers.values()].map((producer: Queue) => producer.close()));
    },
  };
}
