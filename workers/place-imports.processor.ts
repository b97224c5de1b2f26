import { UnrecoverableError, type Job } from 'bullmq';
import { queues } from '../src/jobs/queues.ts';
import { runPlaceImport } from '../src/places/places.import.ts';
import { failVisibleJobOnLastAttempt } from './last-attempt.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** Imports other actors' places from an uploaded file in the national schema, resuming where a previous run stopped. */
export const processPlaceImport = (deps: WorkerDeps) => async (job: Job) => {
  const payload = queues['place-imports'].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const { db } = deps.database;
  const outcome = await failVisibleJobOnLastAttempt(db, job, payload.data.jobId, () => runPlaceImport(db, deps.fileStore, payload.data.jobId));
  if (outcome === 'unknown_job') throw new UnrecoverableError(`place import job ${payload.data.jobId} does not exist`);
  return outcome;
};
