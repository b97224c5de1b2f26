import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { FileStore } from '../files/file-store.ts';
import { recordFile } from '../files/files.service.ts';
import { finishJob, recordProgress, startJob } from '../jobs/jobs.service.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { labelFormats } from './formats.ts';
import { labelBatches, labelBatchItems } from './labels.schema.ts';
import { renderLabelsPdf, renderLabelsZpl } from './render.ts';

export type RenderOutcome = 'rendered' | 'already_done' | 'unknown_batch';

/** The address a label's QR code opens: the device's page, for any phone camera. */
export const deviceUrl = (publicUrl: string, code: string) => `${publicUrl}/d/${code}`;

/**
 * Renders a batch to files in the store (PDF always, ZPL too for thermal formats), under keys
 * derived from the batch: a second run rewrites the same files and rows, it never adds others.
 */
export async function renderLabelBatch(db: Db, fileStore: FileStore, publicUrl: string, batchId: string): Promise<RenderOutcome> {
  const [batch] = await db
    .select({ batch: labelBatches, organisation: organisations })
    .from(labelBatches)
    .innerJoin(organisations, eq(organisations.id, labelBatches.organisationId))
    .where(eq(labelBatches.id, batchId));
  if (!batch) return 'unknown_batch';
  const job = await startJob(db, batch.batch.jobId);
  if (!job) return 'already_done';
  const format = labelFormats().get(batch.batch.formatId);
  if (!format) {
    await finishJob(db, job.id, { state: 'failed', reason: `The label format ${batch.batch.formatId} no longer exists.` });
    return 'rendered';
  }
  const items = await db
    .select({ code: labelBatchItems.code })
    .from(labelBatchItems)
    .where(eq(labelBatchItems.batchId, batchId))
    .orderBy(asc(labelBatchItems.position));
  const labels = items.map((item) => ({ code: item.code, url: deviceUrl(publicUrl, item.code) }));
  const owner = batch.organisation.shortName;
  const base = { organisationId: batch.batch.organisationId, jobId: job.id, createdByUserId: batch.batch.createdByUserId };
  const name = `etiquettes-${format.id}-${batchId.slice(0, 8)}`;

  // Progress for the screen at most four times a second, without holding the render up.
  let lastReport = 0;
  const pdf = await fileStore.write(`labels/${batchId}.pdf`, (out) =>
    renderLabelsPdf(format, labels, owner, out, async (done) => {
      if (Date.now() - lastReport >= 250) {
        lastReport = Date.now();
        void recordProgress(db, job.id, { processed: done }).catch(() => undefined);
      }
      // Let the file stream flush between pages, so memory stays flat.
      await new Promise((resolve) => setImmediate(resolve));
    }),
  );
  await recordProgress(db, job.id, { processed: labels.length });
  await recordFile(db, pdf, { ...base, kind: 'label_sheet', filename: `${name}.pdf`, contentType: 'application/pdf' });
  if (format.output === 'thermal') {
    const zpl = await fileStore.write(`labels/${batchId}.zpl`, async (out) => {
      out.end(renderLabelsZpl(format, labels, owner));
    });
    await recordFile(db, zpl, { ...base, kind: 'label_zpl', filename: `${name}.zpl`, contentType: 'application/vnd.zebra.zpl; charset=utf-8' });
  }
  await finishJob(db, job.id, { state: 'succeeded', summary: { labels: labels.length, format: format.id } });
  return 'rendered';
}
