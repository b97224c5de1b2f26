import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import type { JobPayload, QueueName } from '../../workers/queues.ts';
import { outbox } from './outbox.schema.ts';

export const outboxChannel = 'boucle_outbox';

/**
 * Records a job to run once the caller's transaction commits. Call it inside that transaction:
 * if the change rolls back, so does the job; if it commits, the relay will deliver the job.
 */
export async function enqueueInOutbox<Q extends QueueName>(tx: DbOrTx, queue: Q, jobName: string, payload: JobPayload<Q>) {
  await tx.insert(outbox).values({ queue, jobName, payload });
  // Delivered only at commit, this wakes the relay at once instead of at its next poll.
  await tx.execute(sql`select pg_notify(${outboxChannel}, '')`);
}
