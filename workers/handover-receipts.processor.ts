import { UnrecoverableError, type Job } from 'bullmq';
import { renderHandoverReceipt } from '../src/allocation/receipt.ts';
import { queues } from '../src/jobs/queues.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** Prints the receipt of a handover; a receipt already printed is left as it is. */
export const processHandoverReceipt = (deps: WorkerDeps) => async (job: Job) => {
  const payload = queues['handover-receipts'].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const outcome = await renderHandoverReceipt(deps.database.db, deps.fileStore, payload.data.handoverId);
  if (outcome === 'unknown_handover') throw new UnrecoverableError(`handover ${payload.data.handoverId} does not exist`);
  return outcome;
};
