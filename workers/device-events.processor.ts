import { UnrecoverableError, type Job } from 'bullmq';
import { countDeviceEventInIndicators } from '../src/indicators/rollups.service.ts';
import { countDeviceEventInStock } from '../src/stock/stock.service.ts';
import { queues } from '../src/jobs/queues.ts';
import type { WorkerDeps } from './worker-deps.ts';

/**
 * Keeps the per-site stock counters and the indicator rollups in step with device events; each
 * has its own ledger, so a second run of a job (or a run that failed half-way) counts nothing twice.
 */
export const processDeviceEvent = (deps: WorkerDeps) => async (job: Job) => {
  const payload = queues['device-events'].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const stock = await countDeviceEventInStock(deps.database.db, payload.data.eventId);
  if (stock === 'unknown_event') throw new UnrecoverableError(`device event ${payload.data.eventId} does not exist`);
  const indicators = await countDeviceEventInIndicators(deps.database.db, payload.data.eventId);
  return { stock, indicators };
};
