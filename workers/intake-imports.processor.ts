import { UnrecoverableError, type Job } from 'bullmq';
import { runIntakeImport } from '../src/donations/intake-import.ts';
import { failVisibleJobOnLastAttempt } from './last-attempt.ts';
import { queues } from '../src/jobs/queues.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** Imports an uploaded inventory into its donation, resuming where a previous run stopped. */
export const processIntakeImport = (deps: WorkerDeps) => async (job: Job) => {
  const payload = queues['intake-imports'].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const { db } = deps.database;
  const outcome = await failVisibleJobOnLastAttempt(db, job, payload.data.jobId, () => runIntakeImport(db, deps.fileStore, payload.data.jobId));
  if (outcome === 'unknown_job') throw new UnrecoverableError(`import job ${payload.data.jobId} does not exist`);
  return outcome;
};
