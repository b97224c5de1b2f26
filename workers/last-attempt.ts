import { UnrecoverableError, type Job } from 'bullmq';
import type { Db } from '../src/db/client.ts';
import { finishJob } from '../src/jobs/jobs.service.ts';

export const isLastAttempt = (job: Job, error: unknown) => error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * Runs a job that a person follows on screen (an import, a label sheet). When its last attempt
 * fails, the visible job is marked failed, so nobody waits for ever on a job the queue gave up.
 */
export async function failVisibleJobOnLastAttempt<T>(db: Db, job: Job, visibleJobId: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (visibleJobId && isLastAttempt(job, error)) {
      await finishJob(db, visibleJobId, {
        state: 'failed',
        reason: 'The job stopped on an unexpected error (it was logged). Start it again, or tell the coordinator.',
      });
    }
    throw error;
  }
}
