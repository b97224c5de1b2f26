import { eq } from 'drizzle-orm';
import { newPdfDocument } from '../files/pdf-document.ts';
import { users } from '../auth/auth.schema.ts';
import type { Db } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { devices } from '../devices/devices.schema.ts';
import type { FileStore } from '../files/file-store.ts';
import { recordFile } from '../files/files.service.ts';
import { dateTime, deviceKindLabels } from '../pages/fr.ts';
import { equipmentRequests, handovers, households, programmes } from './allocation.schema.ts';

export type ReceiptOutcome = 'rendered' | 'already_done' | 'unknown_handover';

/**
 * The handover receipt (French, one page): the device, the programme, the date, the names of the
 * person who received it and of the mediator, for both to sign. One file per handover, ever.
 */
export async function renderHandoverReceipt(db: Db, fileStore: FileStore, handoverId: string): Promise<ReceiptOutcome> {
  const [row] = await db
    .select({
      handover: handovers,
      device: devices,
      programme: programmes,
      household: households,
      mediator: users,
      organisationId: equipmentRequests.organisationId,
    })
    .from(handovers)
    .innerJoin(devices, eq(devices.id, handovers.deviceId))
    .innerJoin(equipmentRequests, eq(equipmentRequests.id, handovers.requestId))
    .innerJoin(programmes, eq(programmes.id, equipmentRequests.programmeId))
    .innerJoin(households, eq(households.id, equipmentRequests.householdId))
    .innerJoin(users, eq(users.id, handovers.handedOverByUserId))
    .where(eq(handovers.id, handoverId));
  if (!row) return 'unknown_handover';
  if (row.handover.receiptFileId) return 'already_done';
  const stored = await fileStore.write(`receipts/${handoverId}.pdf`, async (out) => {
    const doc = await newPdfDocument({ size: 'A4', margin: 60, info: { Title: 'Reçu de remise d’équipement', Creator: 'Boucle' } });
    const finished = new Promise<void>((resolve, reject) => {
      out.on('finish', resolve);
      out.on('error', reject);
    });
    doc.pipe(out);
    doc.font('Helvetica-Bold').fontSize(18).text('Reçu de remise d’équipement').moveDown();
    doc.font('Helvetica').fontSize(11);
    doc.text(`Dispositif : ${row.programme.name}`);
    doc.text(`Foyer : ${row.household.reference}`);
    doc.text(`Date de remise : ${dateTime(row.handover.handedOverAt)}`).moveDown();
    doc.font('Helvetica-Bold').text('Équipement remis').font('Helvetica');
    doc.text(`${deviceKindLabels[row.device.kind]} ${row.device.brand} ${row.device.model}`);
    doc.text(`Code : ${formatAssetCode(row.device.assetCode)} — numéro de série : ${row.device.serialNumber ?? 'non renseigné'}`);
    if (row.device.grade) doc.text(`État (grade) : ${row.device.grade}`);
    doc
      .moveDown()
      .text(
        'La personne ci-dessous a suivi la formation obligatoire du dispositif, reçoit cet équipement reconditionné, ' +
          'dont les données du précédent propriétaire ont été effacées, et en accepte les conditions de remise.',
      );
    doc.moveDown(2);
    const top = doc.y;
    doc
      .font('Helvetica-Bold')
      .text('Reçu par', 60, top)
      .font('Helvetica')
      .text(row.handover.receivedByName, 60, top + 16)
      .text('Signature :', 60, top + 40);
    doc
      .font('Helvetica-Bold')
      .text('Remis par', 320, top)
      .font('Helvetica')
      .text(row.mediator.displayName, 320, top + 16)
      .text('Signature :', 320, top + 40);
    doc.end();
    await finished;
  });
  const file = await recordFile(db, stored, {
    organisationId: row.organisationId,
    kind: 'handover_receipt',
    filename: `recu-remise-${formatAssetCode(row.device.assetCode)}.pdf`,
    contentType: 'application/pdf',
    createdByUserId: row.handover.handedOverByUserId,
  });
  await db.update(handovers).set({ receiptFileId: file.id }).where(eq(handovers.id, handoverId));
  return 'rendered';
}
