import { UnrecoverableError, type Job } from 'bullmq';
import { eq } from 'drizzle-orm';
import { labelBatches } from '../src/labels/labels.schema.ts';
import { renderLabelBatch } from '../src/labels/render-batch.ts';
import { failVisibleJobOnLastAttempt } from './last-attempt.ts';
import { queues } from '../src/jobs/queues.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** Renders a label batch to its files; a batch already rendered is left as it is. */
export const processLabelBatch = (deps: WorkerDeps) => async (job: Job) => {
  const payload = queues['label-batches'].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const { db } = deps.database;
  const [batch] = await db.select({ jobId: labelBatches.jobId }).from(labelBatches).where(eq(labelBatches.id, payload.data.batchId));
  const outcome = await failVisibleJobOnLastAttempt(db, job, batch?.jobId, () => renderLabelBatch(db, deps.fileStore, deps.publicUrl, payload.data.batchId));
  if (outcome === 'unknown_batch') throw new UnrecoverableError(`label batch ${payload.data.batchId} does not exist`);
  return outcome;
};
