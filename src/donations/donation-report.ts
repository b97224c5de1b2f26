import type { Writable } from 'node:stream';
import { asc, desc, eq } from 'drizzle-orm';
import { newPdfDocument } from '../files/pdf-document.ts';
import { csvDocument } from '../csv.ts';
import { drawPdfTable } from '../files/pdf-table.ts';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { devices } from '../devices/devices.schema.ts';
import type { DeviceStatus } from '../devices/lifecycle.ts';
import { dateTime, deviceKindLabels } from '../pages/fr.ts';
import { usualWeekInFrench } from '../pages/fr-places.ts';
import { nearestPlacesToSite } from '../places/nearest.ts';
import { usualWeek } from '../places/opening-hours.ts';
import { wipeCertificates, wipeRecords } from '../wiping/wiping.schema.ts';
import { getDonation } from './donations.service.ts';

/** What became of a device, as a donor and its auditors count it. Never who received it. */
export const outcomes = ['in_progress', 'in_stock', 'reused', 'parts', 'recycled'] as const;
export type Outcome = (typeof outcomes)[number];

const outcomeOf: Record<DeviceStatus, Outcome> = {
  collected: 'in_progress',
  wiped: 'in_progress',
  refurbishing: 'in_progress',
  returned: 'in_progress',
  ready: 'in_stock',
  reserved: 'in_stock',
  allocated: 'reused',
  dismantled: 'parts',
  recycled: 'recycled',
};

export const outcomeLabels: Record<Outcome, string> = {
  in_progress: 'En cours de traitement',
  in_stock: 'En stock, prêt au réemploi',
  reused: 'Réemployé (remis à un foyer)',
  parts: 'Démonté, pièces réutilisées',
  recycled: 'Recyclé (filière DEEE)',
};

/** Everything the report says, from the donation visible to the actor (its donor or its receiver). */
export async function donationReport(db: DbOrTx, actor: Actor, donationId: string) {
  const donation = await getDonation(db, actor, donationId);
  const rows = await db.select().from(devices).where(eq(devices.donationId, donation.id)).orderBy(asc(devices.createdAt), asc(devices.assetCode));
  const certificates = await db
    .select({ deviceId: wipeCertificates.deviceId, id: wipeCertificates.id })
    .from(wipeCertificates)
    .innerJoin(devices, eq(devices.id, wipeCertificates.deviceId))
    .where(eq(devices.donationId, donation.id))
    .orderBy(desc(wipeCertificates.issuedAt));
  const removals = await db
    .select({ deviceId: wipeRecords.deviceId, technique: wipeRecords.technique })
    .from(wipeRecords)
    .innerJoin(devices, eq(devices.id, wipeRecords.deviceId))
    .where(eq(devices.donationId, donation.id));
  const lines = rows.map((device) => {
    const certificate = certificates.find((entry) => entry.deviceId === device.id);
    const destroyed = removals.some(
      (record) => record.deviceId === device.id && (record.technique === 'physical_destruction' || record.technique === 'storage_removed'),
    );
    const wipe = certificate
      ? 'Effacé, certificat signé'
      : device.storageMedia.length === 0 && !device.benchChecks.includes('storage_unknown')
        ? 'Sans support de stockage'
        : destroyed
          ? 'Support retiré ou détruit'
          : 'À effacer';
    return {
      code: formatAssetCode(device.assetCode),
      kind: deviceKindLabels[device.kind],
      brand: device.brand,
      model: device.model,
      serialNumber: device.serialNumber ?? '',
      wipe,
      certificateId: certificate?.id ?? '',
      outcome: outcomeOf[device.status],
    };
  });
  const totals = Object.fromEntries(outcomes.map((outcome) => [outcome, lines.filter((line) => line.outcome === outcome).length])) as Record<Outcome, number>;
  // Where the donor may give its next computers: the nearest place that collects them, from the collection site.
  const { give: nextDonationPlace } = await nearestPlacesToSite(db, donation.collectionSiteId, ['give']);
  return { donation, lines, totals, nextDonationPlace, generatedAt: new Date() };
}

export type DonationReport = Awaited<ReturnType<typeof donationReport>>;

/** The report as a spreadsheet opens it in France: semicolons, UTF-8 with a BOM, CRLF. */
export function donationReportCsv(report: DonationReport): string {
  const header = ['code', 'type', 'marque', 'modèle', 'numéro de série', 'effacement des données', 'certificat', 'devenir'];
  const rows = report.lines.map((line) => [
    line.code,
    line.kind,
    line.brand,
    line.model,
    line.serialNumber,
    line.wipe,
    line.certificateId,
    outcomeLabels[line.outcome],
  ]);
  return csvDocument(header, rows);
}

/** The same report as a PDF a donor files or sends to its auditors: the donation, the counts, every device. */
export async function renderDonationReportPdf(report: DonationReport, publicUrl: string, out: Writable): Promise<void> {
  const doc = await newPdfDocument({ size: 'A4', margin: 40, info: { Title: 'Rapport de traçabilité du don', Creator: 'Boucle' } });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  const { donation } = report;
  doc.font('Helvetica-Bold').fontSize(16).text('Rapport de traçabilité du don');
  doc.moveDown(0.4).font('Helvetica').fontSize(10);
  doc.text(`Donateur : ${donation.donorName}`);
  if (donation.campaign) doc.text(`Opération : ${donation.campaign}`);
  doc.text(`Reçu le ${dateTime(new Date(donation.createdAt))} à ${donation.collectionSiteName}`);
  doc.text(`Équipements annoncés : ${donation.expectedCount ?? 'non précisé'} — reçus : ${donation.receivedCount}`);
  doc.text(`Rapport établi le ${dateTime(report.generatedAt)}`);
  doc.moveDown(0.6).font('Helvetica-Bold').text('Devenir des équipements');
  doc.font('Helvetica');
  for (const outcome of outcomes) doc.text(`${outcomeLabels[outcome]} : ${report.totals[outcome]}`);
  doc
    .moveDown(0.4)
    .fontSize(9)
    .text(
      'Chaque équipement est suivi par son code. Les certificats d’effacement sont signés électroniquement et se vérifient à ' +
        `${publicUrl}/verify/<numéro du certificat>. Ce rapport ne contient aucune donnée sur les foyers bénéficiaires.`,
    );
  doc.moveDown(0.8);
  const columns = [
    { title: 'Code', width: 62 },
    { title: 'Équipement', width: 150 },
    { title: 'N° de série', width: 85 },
    { title: 'Effacement', width: 110 },
    { title: 'Devenir', width: 108 },
  ];
  drawPdfTable(
    doc,
    columns,
    report.lines.map((line) => [line.code, `${line.kind} ${line.brand} ${line.model}`, line.serialNumber || '—', line.wipe, outcomeLabels[line.outcome]]),
    8,
  );
  const place = report.nextDonationPlace;
  if (place) {
    doc.moveDown(1).font('Helvetica-Bold').fontSize(10).text('Pour un prochain don', 40);
    doc.font('Helvetica').fontSize(9);
    doc.text(`${place.name}${place.organisationName && place.organisationName !== place.name ? ` (${place.organisationName})` : ''}`);
    doc.text(`${place.address}, ${[place.postalCode, place.commune].filter(Boolean).join(' ')}`);
    const week = usualWeek(place.openingHours, report.generatedAt);
    if (week) doc.text(`Horaires : ${usualWeekInFrench(week).join(' ; ')}.`);
    const contact = [place.phone, ...place.emails].filter(Boolean).join(' — ');
    if (contact) doc.text(`Contact : ${contact}`);
    doc.text(`Tous les lieux où donner, obtenir un ordinateur ou se former : ${publicUrl}/lieux?besoin=donner`);
  }
  doc.end();
  await finished;
}
