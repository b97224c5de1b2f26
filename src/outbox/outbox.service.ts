import type { DbOrTx } from '../db/client.ts';
import type { JobPayload, QueueName } from '../../workers/queues.ts';
import { outbox } from './outbox.schema.ts';

/** Notified at commit by the outbox_notify trigger (migration 0001), so the relay wakes at once. */
export const outboxChannel = 'boucle_outbox';

/**
 * Records a job to run once the caller's transaction commits. Call it inside that transaction:
 * if the change rolls back, so does the job; if it commits, the relay will deliver the job.
 */
export async function enqueueInOutbox<Q extends QueueName>(tx: DbOrTx, queue: Q, jobName: string, payload: JobPayload<Q>) {
  await tx.insert(outbox).values({ queue, jobName, payload });
}
