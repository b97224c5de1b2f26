import type { DbOrTx } from '../db/client.ts';
import type { JobPayload, QueueName } from '../../workers/queues.ts';
import { outbox } from './outbox.schema.ts';

/** Notified at commit by the outbox_notify trigger (migration 0001), so the relay wakes at once. */
export const outboxChannel = 'boucle_outbox';

/**
 * Records jobs to run once the caller's transaction commits. Call it inside that transaction:
 * if the change rolls back, so do the jobs; if it commits, the relay will deliver them.
 */
export async function enqueueInOutbox<Q extends QueueName>(tx: DbOrTx, queue: Q, jobs: { name: string; payload: JobPayload<Q> }[]) {
  if (jobs.length === 0) return;
  await tx.insert(outbox).values(jobs.map((job) => ({ queue, jobName: job.name, payload: job.payload })));
}
