import { UnrecoverableError, type Job } from 'bullmq';
import { eq } from 'drizzle-orm';
import { renderBuildingOutputs } from '../src/connectivity/outputs.service.ts';
import { provisionBuilding } from '../src/connectivity/provisioning.service.ts';
import { passphraseBox } from '../src/connectivity/secret-box.ts';
import { sealedFileStore } from '../src/files/sealed-file-store.ts';
import { withAdvisoryLock } from '../src/db/client.ts';
import { DomainError } from '../src/errors.ts';
import { backgroundJobs } from '../src/jobs/jobs.schema.ts';
import { finishJob, startJob } from '../src/jobs/jobs.service.ts';
import { failVisibleJobOnLastAttempt } from './last-attempt.ts';
import { queues } from '../src/jobs/queues.ts';
import type { ProcessorDeps } from './worker-deps.ts';

type WifiQueue = 'wifi-provisioning' | 'wifi-outputs';

/**
 * Both Wi-Fi jobs: load the visible job, claim it, do the work (which reads what is stored, so a
 * second run does it once), and report. A refusal found on the way (a landing filled up since the
 * request) fails the job with its message; anything else is retried.
 */
const processWifiJob = (queue: WifiQueue) => (deps: ProcessorDeps) => async (job: Job) => {
  const payload = queues[queue].payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
  const { db } = deps.database;
  const { jobId } = payload.data;
  const [visible] = await db.select().from(backgroundJobs).where(eq(backgroundJobs.id, jobId));
  const buildingId = visible?.summary.buildingId;
  if (!visible || typeof buildingId !== 'string') throw new UnrecoverableError(`Wi-Fi job ${jobId} does not exist`);
  if (!(await startJob(db, jobId))) return 'already_done';
  const box = passphraseBox(deps.appSecret);
  // One job per building at a time: letters and configurations are written from the state each
  // job reads, so a job that read an older passphrase must not write after a newer one.
  return failVisibleJobOnLastAttempt(db, job, jobId, () =>
    withAdvisoryLock(deps.database, `wifi-building:${buildingId}`, async () => {
      let provisioned: number | undefined;
      if (queue === 'wifi-provisioning') {
        try {
          provisioned = (await provisionBuilding(db, box, buildingId, visible.createdByUserId)).provisioned;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          await finishJob(db, jobId, { state: 'failed', reason: error.message });
          return 'refused';
        }
      }
      const outputs = await renderBuildingOutputs(db, sealedFileStore(deps.fileStore, deps.appSecret), box, buildingId, jobId, deps.renderers.tenantLetter);
      await finishJob(db, jobId, { state: 'succeeded', summary: { ...(provisioned === undefined ? {} : { provisioned }), ...outputs } });
      return 'done';
    }),
  );
};

export const processWifiProvisioning = processWifiJob('wifi-provisioning');
export const processWifiOutputs = processWifiJob('wifi-outputs');
