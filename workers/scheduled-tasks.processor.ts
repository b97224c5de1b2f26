import { UnrecoverableError, type Job } from 'bullmq';
import { matchEligibleRequests } from '../src/allocation/matching.ts';
import { eraseExpiredContacts, expireReservations } from '../src/allocation/scheduled.ts';
import { reconcileIndicatorRollups } from '../src/indicators/rollup-reconciliation.ts';
import { countUncountedEvents } from '../src/indicators/rollups.service.ts';
import { forgetExpiredSignInAttempts } from '../src/auth/sign-in-throttle.ts';
import { expireIdempotencyKeys } from '../src/idempotency/idempotency.ts';
import { planReminders } from '../src/notifications/reminders.ts';
import { pruneDoneOutboxRows } from '../src/outbox/outbox.service.ts';
import { reconcileStockCounters } from '../src/stock/stock-reconciliation.ts';
import { schedules, type ScheduledTask } from '../src/jobs/queues.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** Runs the scheduled task the job names; each is idempotent, so an overlapping run changes nothing twice. */
export const processScheduledTask = (deps: WorkerDeps) => async (job: Job) => {
  const { db } = deps.database;
  const tasks: Record<ScheduledTask, () => Promise<number>> = {
    'expire-reservations': () => expireReservations(db),
    'match-requests': () => matchEligibleRequests(db),
    'erase-expired-contacts': () => eraseExpiredContacts(db, deps.contactRetentionMonths),
    'plan-reminders': () => planReminders(db),
    'expire-idempotency-keys': () => expireIdempotencyKeys(db),
    'reconcile-stock-counters': async () => {
      const { lostEventsCounted, drifts } = await reconcileStockCounters(db, deps.logger);
      return lostEventsCounted + drifts.length;
    },
    // Device events are the device-events job's; the hourly reconciliation takes those whose job was lost.
    'count-activity-indicators': async () => (await countUncountedEvents(db)).activity,
    'reconcile-indicator-rollups': async () => {
      const { lostEventsCounted, drifts } = await reconcileIndicatorRollups(db, deps.logger);
      return lostEventsCounted + drifts.length;
    },
    'prune-outbox': () => pruneDoneOutboxRows(db),
    'forget-sign-in-attempts': () => forgetExpiredSignInAttempts(db),
  };
  if (!(job.name in schedules)) throw new UnrecoverableError(`unknown scheduled task ${job.name}`);
  return tasks[job.name as ScheduledTask]();
};
