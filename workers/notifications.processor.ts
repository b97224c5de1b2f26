import { UnrecoverableError, type Job } from 'bullmq';
import { markNotificationFailed, sendNotification } from '../src/notifications/reminders.ts';
import { isLastAttempt } from './last-attempt.ts';
import { queues } from '../src/jobs/queues.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** Sends one reminder; a failed send is retried, and after the last attempt shows as failed. */
export const processNotification = (deps: WorkerDeps) => async (job: Job) => {
  const payload = queues.notifications.payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const { db } = deps.database;
  try {
    const outcome = await sendNotification(db, deps.transports, payload.data.notificationId);
    if (outcome === 'unknown_notification') throw new UnrecoverableError(`notification ${payload.data.notificationId} does not exist`);
    return outcome;
  } catch (error) {
    if (isLastAttempt(job, error)) await markNotificationFailed(db, payload.data.notificationId);
    throw error;
  }
};
