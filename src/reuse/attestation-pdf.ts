import type { Writable } from 'node:stream';
import { newPdfDocument } from '../files/pdf-document.ts';
import { drawPdfTable } from '../files/pdf-table.ts';
import { drawQr, pointsPerMm } from '../labels/render.ts';
import { dateTime, deviceKindLabels, longDate, notCountedReasonLabels, percent, reuseOutcomeInFrench, reuseOutcomeLabels } from '../pages/fr.ts';
import { reuseOutcomes, type ReuseStatement } from './attestation-statement.ts';

export type AttestationPrint = { statement: ReuseStatement; signature: string; issuedAt: Date; verifyUrl: string; publicUrl: string };

/**
 * The yearly reuse attestation of a public donor, in French: who gave, the year's devices and
 * what became of each, the rate beside the décret's target, and how to verify the signature.
 */
export async function renderReuseAttestationPdf({ statement, signature, issuedAt, verifyUrl, publicUrl }: AttestationPrint, out: Writable) {
  const doc = await newPdfDocument({
    size: 'A4',
    margin: 40,
    info: { Title: `Attestation de réemploi ${statement.year} — ${statement.donor.name}`, Creator: 'Boucle' },
  });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  const qrSize = 28 * pointsPerMm;
  const headerWidth = doc.page.width - 80 - qrSize - 15;
  drawQr(doc, verifyUrl, 'M', doc.page.width - 40 - qrSize, 36, qrSize);
  doc.font('Helvetica-Bold').fontSize(16).text(`Attestation de réemploi des matériels informatiques réformés — ${statement.year}`, { width: headerWidth });
  doc
    .font('Helvetica')
    .fontSize(9)
    .text('Loi n° 2021-1485 du 15 novembre 2021 (REEN), article 16 ; décret n° 2023-266 du 12 avril 2023', { width: headerWidth })
    .moveDown(0.4)
    .fontSize(10)
    .text(`Donateur : ${statement.donor.name} — SIREN ${statement.donor.siren}`, { width: headerWidth })
    .text(
      statement.yearComplete
        ? `Situation au 31 décembre ${statement.year} (équipements collectés dans l’année)`
        : `Année en cours : situation au ${longDate(new Date(new Date(statement.asOf).getTime() - 1))} au soir`,
      { width: headerWidth },
    )
    .text(`Attestation établie le ${dateTime(issuedAt)}`, { width: headerWidth });

  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).text('Taux de réemploi');
  doc.font('Helvetica').fontSize(10);
  doc.text(`Équipements donnés dans l’année : ${statement.totals.given} — comptés comme réemployés (A) : ${statement.totals.counted}`);
  doc.text(
    statement.retiredStockOnJanuaryFirst === null
      ? 'Stock de matériels réformés au 1er janvier (B) : non déclaré — le taux A / B ne peut pas être calculé.'
      : `Stock de matériels réformés au 1er janvier (B) : ${statement.retiredStockOnJanuaryFirst} — taux A / B : ${statement.reuseRate === null ? '—' : percent(statement.reuseRate)}`,
  );
  if (statement.target) doc.text(`Objectif de l’année : ${percent(statement.target.share)} (${statement.target.source} ; ${statement.target.sourceUrl})`);
  for (const outcome of reuseOutcomes) doc.text(`${reuseOutcomeLabels[outcome]} : ${statement.totals.byOutcome[outcome]}`);
  doc
    .moveDown(0.3)
    .fontSize(8)
    .text(
      'Un équipement compte comme réemployé si le repreneur s’est engagé à le réemployer avant la collecte (convention datée au plus tard du jour de la collecte) ' +
        'et s’il a été remis à un foyer au plus tard à la date de la situation. Les données des foyers ne figurent pas sur cette attestation.',
    );

  doc.moveDown(0.6);
  const columns = [
    { title: 'Code', width: 58 },
    { title: 'Équipement', width: 120 },
    { title: 'N° de série', width: 70 },
    { title: 'Certificat d’effacement', width: 90 },
    { title: 'Devenir', width: 95 },
    { title: 'Comptage', width: 82 },
  ];
  drawPdfTable(
    doc,
    columns,
    statement.devices.map((device) => [
      device.code,
      `${deviceKindLabels[device.kind]} ${device.manufacturer} ${device.model}`,
      device.serialNumber ?? '—',
      device.wipeCertificateId ? `${publicUrl}/verify/${device.wipeCertificateId}` : '—',
      reuseOutcomeInFrench(device),
      device.notCountedBecause ? notCountedReasonLabels[device.notCountedBecause] : 'Compté',
    ]),
    7.5,
  );

  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text('Vérification');
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(
      'Cette attestation est signée électroniquement (Ed25519) par la plateforme Boucle. Scannez le QR code ou ouvrez l’adresse ci-dessous : ' +
        'la page dit si la signature est correcte et si les enregistrements sont toujours ceux qui ont été signés.',
    )
    .text(verifyUrl);
  doc.font('Helvetica-Bold').fontSize(9).text('Signature Ed25519 (base64url) :');
  doc.font('Courier').fontSize(8).text(signature);
  doc
    .font('Helvetica')
    .fontSize(8)
    .text(
      `Vérification hors ligne : demandée en JSON (Accept: application/json), l’adresse de vérification donne la déclaration signée (les octets exacts) ; clé publique : ${publicUrl}/api/keys/reuse-attestations`,
    );
  doc.end();
  await finished;
}
