import { UnrecoverableError, type Job } from 'bullmq';
import { issueCertificate } from '../src/wiping/certificates.ts';
import { queues } from '../src/jobs/queues.ts';
import type { ProcessorDeps } from './worker-deps.ts';

/** Signs and renders the wipe certificate of a device that became `wiped`; once per event. */
export const processWipeCertificate = (deps: ProcessorDeps) => async (job: Job) => {
  const payload = queues['wipe-certificates'].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const outcome = await issueCertificate(deps.database.db, deps.fileStore, deps, payload.data.eventId, deps.renderers.certificate);
  if (outcome === 'unknown_event') throw new UnrecoverableError(`device event ${payload.data.eventId} is not a wipe`);
  return outcome;
};
