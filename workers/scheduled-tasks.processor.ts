import { UnrecoverableError, type Job } from 'bullmq';
import { eraseExpiredContacts, expireReservations, matchEligibleRequests } from '../src/allocation/scheduled.ts';
import { forgetExpiredSignInAttempts } from '../src/auth/sign-in-throttle.ts';
import { expireIdempotencyKeys } from '../src/idempotency/idempotency.ts';
import { planReminders } from '../src/notifications/reminders.ts';
import { schedules, type ScheduledTask } from './queues.ts';
import type { WorkerDeps } from './runtime.ts';

/** Runs the scheduled task the job names; each is idempotent, so an overlapping run changes nothing twice. */
export const processScheduledTask = (deps: WorkerDeps) => async (job: Job) => {
  const { db } = deps.database;
  const tasks: Record<ScheduledTask, () => Promise<number>> = {
    'expire-reservations': () => expireReservations(db),
    'match-requests': () => matchEligibleRequests(db),
    'erase-expired-contacts': () => eraseExpiredContacts(db, deps.contactRetentionMonths),
    'plan-reminders': () => planReminders(db),
    'expire-idempotency-keys': () => expireIdempotencyKeys(db),
    'forget-sign-in-attempts': () => forgetExpiredSignInAttempts(db),
  };
  if (!(job.name in schedules)) throw new UnrecoverableError(`unknown scheduled task ${job.name}`);
  return tasks[job.name as ScheduledTask]();
};
