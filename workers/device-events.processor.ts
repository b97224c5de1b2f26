import { UnrecoverableError, type Job } from 'bullmq';
import { countDeviceEventInStock } from '../src/stock/stock.service.ts';
import { queues } from './queues.ts';
import type { WorkerDeps } from './runtime.ts';

/** Keeps the per-site stock counters in step with device events; a second run of a job changes nothing. */
export const processDeviceEvent = (deps: WorkerDeps) => async (job: Job) => {
  const payload = queues['device-events'].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const outcome = await countDeviceEventInStock(deps.database.db, payload.data.eventId);
  if (outcome === 'unknown_event') throw new UnrecoverableError(`device event ${payload.data.eventId} does not exist`);
  return outcome;
};
