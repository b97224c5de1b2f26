import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { devices } from '../devices/devices.schema.ts';
import { assetCodeFromInput } from '../devices/devices.service.ts';
import { benchRoles } from '../devices/lifecycle.ts';
import { buildingFor } from '../connectivity/access.ts';
import { networkDevices } from '../connectivity/deployments.schema.ts';
import { donationForIntake } from '../donations/donations.service.ts';
import { issueAssetCodes } from '../donations/intake.service.ts';
import { forbidden, notFound, notFoundAsField, ValidationError } from '../errors.ts';
import { createJob, getJob } from '../jobs/jobs.service.ts';
import { getOrganisation, ownedBy } from '../organisations/organisations.service.ts';
import type { OrganisationKind } from '../organisations/organisations.types.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { labelFormats } from './formats.ts';
import { labelBatches, labelBatchItems } from './labels.schema.ts';

export type LabelBatchRequest = { format: string } & (
  | { count: number; organisationId?: string }
  | { deviceCodes: string[] }
  | { donationId: string }
  | { buildingId: string }
);

/**
 * Orders a label batch: fresh pre-printed codes for later intake, the codes of given devices,
 * every device of a donation, or a building's Wi-Fi box and access points. The batch and its render job commit together (outbox).
 */
export async function createLabelBatch(db: DbOrTx, actor: Actor, request: LabelBatchRequest) {
  // Building equipment is labelled by those who install it; everything else at the bench.
  if (!('buildingId' in request) && !benchRoles.includes(actor.role)) throw forbidden('Your role cannot print labels.');
  if (!labelFormats().has(request.format)) {
    throw new ValidationError([{ path: 'format', message: `Unknown format; choose one of ${[...labelFormats().keys()].join(', ')}.` }]);
  }
  return db.transaction(async (tx) => {
    const { organisationId, codes, source, donationId } = await batchCodes(tx, actor, request);
    const job = await createJob(tx, actor, organisationId, 'label_batch', { total: codes.length });
    const [batch] = await tx
      .insert(labelBatches)
      .values({ organisationId, formatId: request.format, source, donationId, labelCount: codes.length, jobId: job.id, createdByUserId: actor.userId })
      .returning();
    for (let start = 0; start < codes.length; start += 5_000) {
      await tx.insert(labelBatchItems).values(codes.slice(start, start + 5_000).map((code, index) => ({ batchId: batch!.id, position: start + index, code })));
    }
    await enqueueInOutbox(tx, 'label-batches', [{ name: 'label-batch.render', payload: { batchId: batch!.id } }]);
    return { ...batch!, job };
  });
}

/** Who takes devices in and so sticks labels on them. */
const labelOwnerKinds: readonly OrganisationKind[] = ['coordinator', 'workshop', 'mediation'];

async function batchCodes(tx: Tx, actor: Actor, request: LabelBatchRequest) {
  if ('count' in request) {
    const organisationId = request.organisationId && actor.role === 'admin' ? request.organisationId : actor.organisationId;
    const owner = await getOrganisation(tx, actor, organisationId).catch(notFoundAsField('organisationId', 'No organisation has this id.'));
    if (!labelOwnerKinds.includes(owner.kind)) {
      throw new ValidationError([
        { path: 'organisationId', message: `Labels are printed for workshops, mediation structures and the coordinator, not for a ${owner.kind}.` },
      ]);
    }
    const codes = await issueAssetCodes(tx, organisationId, request.count, true);
    return { organisationId, codes: codes.sort(), source: 'unclaimed' as const, donationId: undefined };
  }
  if ('buildingId' in request) {
    const { building } = await buildingFor(tx, actor, request.buildingId, 'field_work').catch(
      notFoundAsField('buildingId', 'No building of yours has this id.'),
    );
    const rows = await tx
      .select({ code: networkDevices.assetCode })
      .from(networkDevices)
      .where(eq(networkDevices.buildingId, building.id))
      .orderBy(asc(networkDevices.kind), asc(networkDevices.floor), asc(networkDevices.createdAt));
    if (rows.length === 0) throw new ValidationError([{ path: 'buildingId', message: 'No box or access point is recorded in this building yet.' }]);
    // The sheet is the printing organisation's (the installer's, or the landlord's): theirs to download.
    const organisationId = actor.role === 'admin' ? building.organisationId : actor.organisationId;
    return { organisationId, codes: rows.map((row) => row.code), source: 'equipment' as const, donationId: undefined };
  }
  if ('donationId' in request) {
    const donation = await donationForIntake(tx, actor, request.donationId);
    const rows = await tx
      .select({ code: devices.assetCode })
      .from(devices)
      .where(eq(devices.donationId, donation.id))
      .orderBy(asc(devices.createdAt), asc(devices.assetCode));
    if (rows.length === 0) throw new ValidationError([{ path: 'donationId', message: 'This donation has no device yet.' }]);
    return { organisationId: donation.organisationId, codes: rows.map((row) => row.code), source: 'donation' as const, donationId: donation.id };
  }
  const wanted = request.deviceCodes.map((code, index) => {
    try {
      return assetCodeFromInput(code);
    } catch (error) {
      throw new ValidationError([{ path: `deviceCodes.${index}`, message: (error as Error).message }]);
    }
  });
  const found = await tx
    .select({ code: devices.assetCode, organisationId: devices.organisationId })
    .from(devices)
    .where(and(inArray(devices.assetCode, wanted), ownedBy(actor, devices.organisationId)));
  const known = new Map(found.map((row) => [row.code, row.organisationId]));
  const missing = wanted.flatMap((code, index) =>
    known.has(code) ? [] : [{ path: `deviceCodes.${index}`, message: `No device of yours has the code ${formatAssetCode(code)}.` }],
  );
  if (missing.length > 0) throw new ValidationError(missing);
  const organisations = new Set(known.values());
  if (organisations.size > 1) throw new ValidationError([{ path: 'deviceCodes', message: 'One batch prints for one organisation.' }]);
  return { organisationId: [...organisations][0]!, codes: wanted, source: 'devices' as const, donationId: undefined };
}

export async function getLabelBatch(db: DbOrTx, actor: Actor, id: string) {
  const [batch] = await db
    .select()
    .from(labelBatches)
    .where(and(eq(labelBatches.id, id), ownedBy(actor, labelBatches.organisationId)));
  if (!batch) throw notFound('This label batch');
  return { ...batch, job: await getJob(db, actor, batch.jobId) };
}
