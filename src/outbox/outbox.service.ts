import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { placeholders, statement } from '../db/statement.ts';
import type { JobPayload, QueueName } from '../jobs/queues.ts';
import { outbox } from './outbox.schema.ts';

/** Notified at commit by the outbox_notify trigger (migration 0001), so the relay wakes at once. */
export const outboxChannel = 'boucle_outbox';

/** Done rows are kept this long for inspection, then pruned by a scheduled task. */
const doneRowsKeptDays = 7;

/**
 * Records jobs to run once the caller's transaction commits. Call it inside that transaction:
 * if the change rolls back, so do the jobs; if it commits, the relay will deliver them.
 */
export async function enqueueInOutbox<Q extends QueueName>(tx: DbOrTx, queue: Q, jobs: { name: string; payload: JobPayload<Q> }[]) {
  if (jobs.length === 0) return;
  if (jobs.length === 1) {
    await enqueueOne(tx, { queue, jobName: jobs[0]!.name, payload: jobs[0]!.payload });
    return;
  }
  await tx.insert(outbox).values(jobs.map((job) => ({ queue, jobName: job.name, payload: job.payload })));
}

// One job, the case of every device event: built once (see statement.ts).
const enqueueOne = statement('enqueue_in_outbox', (db) => db.insert(outbox).values(placeholders('queue', 'jobName', 'payload')));

/** What names an outbox row across databases: its id, and when it was created (see jobIdForOutboxRow). */
type OutboxRowKey = { id: number; createdAt: Date };

/**
 * The job id of an outbox row: the same row always gives the same id (a second relay is ignored
 * by BullMQ), and a database created again, whose row ids start over, never reuses the id of a job
 * Redis still remembers, thanks to the row's creation time.
 */
export const jobIdForOutboxRow = (row: OutboxRowKey) => `outbox-${row.id}-${row.createdAt.getTime().toString(36)}`;

/** The outbox row a job came from, or undefined for jobs that did not (the scheduled tasks). */
function outboxRowOfJob(jobId: string | undefined): OutboxRowKey | undefined {
  const match = /^outbox-(\d+)-([0-9a-z]+)$/.exec(jobId ?? '');
  return match ? { id: Number(match[1]), createdAt: new Date(Number.parseInt(match[2]!, 36)) } : undefined;
}

/** Both the id and the creation time must match: a row of a database created again is another row. */
const sameRow = (row: OutboxRowKey) => and(eq(outbox.id, row.id), eq(outbox.createdAt, row.createdAt));

/**
 * Closes the outbox rows of jobs whose work is done: each leaves the ledger of outstanding work.
 * Rows of jobs that finish together go in one statement (a group commit): a row waits while the
 * statement before it runs, then goes with every row that came meanwhile; with none running it
 * goes at once. The promise of each settles once its own row is closed (or the statement failed).
 */
export function outboxRowCloser(db: Db) {
  let waiting: { row: OutboxRowKey; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;
  async function closeWaiting() {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await db
          .update(outbox)
          .set({ doneAt: new Date() })
          .where(and(isNull(outbox.doneAt), or(...batch.map((closed) => sameRow(closed.row)))));
        for (const closed of batch) closed.resolve();
      } catch (error) {
        for (const closed of batch) closed.reject(error);
      }
    }
    writing = false;
  }
  return (jobId: string | undefined): Promise<void> => {
    const row = outboxRowOfJob(jobId);
    if (!row) return Promise.resolve();
    return new Promise((resolve, reject) => {
      waiting.push({ row, resolve, reject });
      if (!writing) void closeWaiting();
    });
  };
}
export type OutboxRowCloser = ReturnType<typeof outboxRowCloser>;

/** The job's last attempt failed: it waits in the queue's failed set, and is not sent again by itself. */
export async function markOutboxJobFailed(db: Db, jobId: string | undefined): Promise<void> {
  const row = outboxRowOfJob(jobId);
  if (row)
    await db
      .update(outbox)
      .set({ failedAt: new Date() })
      .where(and(sameRow(row), isNull(outbox.doneAt)));
}

export async function pruneDoneOutboxRows(db: Db): Promise<number> {
  const pruned = await db
    .delete(outbox)
    .where(lt(outbox.doneAt, sql`now() - make_interval(days => ${doneRowsKeptDays})`))
    .returning({ id: outbox.id });
  return pruned.length;
}
