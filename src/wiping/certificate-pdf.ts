import type { Writable } from 'node:stream';
import { newPdfDocument } from '../files/pdf-document.ts';
import { drawQr, pointsPerMm } from '../labels/render.ts';
import { dateTime, deviceKindLabels, roleLabels, sanitizationLevelLabels, verificationLabels, wipeResultLabels, wipeTechniqueLabels } from '../pages/fr.ts';
import type { CertificateStatement } from './certificate-statement.ts';

/**
 * The one-page certificate of sanitization, in French, with the fields of NIST SP 800-88 Rev. 1's
 * sample certificate and a QR code that opens its public verification page.
 */
export async function renderCertificatePdf(statement: CertificateStatement, signature: string, verifyUrl: string, out: Writable) {
  const doc = await newPdfDocument({ size: 'A4', margin: 50, info: { Title: `Certificat d’effacement ${statement.device.code}`, Creator: 'Boucle' } });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  const field = (label: string, value: string | number | null | undefined) => {
    doc
      .font('Helvetica-Bold')
      .fontSize(9)
      .text(`${label} : `, { continued: true })
      .font('Helvetica')
      .text(value === null || value === undefined || value === '' ? '—' : String(value));
  };
  const section = (title: string) => doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).text(title).moveDown(0.2);

  const qrSize = 32 * pointsPerMm;
  const headerWidth = doc.page.width - 100 - qrSize - 15;
  doc.font('Helvetica-Bold').fontSize(16).text('Certificat d’effacement des données', { width: headerWidth });
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(`Selon ${statement.standard} (Guidelines for Media Sanitization)`, { width: headerWidth })
    .text(`Certificat n° ${statement.certificateId}`, { width: headerWidth });

  section('Équipement');
  field('Type', deviceKindLabels[statement.device.kind as keyof typeof deviceKindLabels] ?? statement.device.kind);
  field('Fabricant', statement.device.manufacturer);
  field('Modèle', statement.device.model);
  field('Numéro de série', statement.device.serialNumber);
  field('Code Boucle', statement.device.code);

  for (const medium of statement.media) {
    section(`Support de stockage n° ${medium.index + 1}`);
    field('Type de support', medium.type.toUpperCase());
    field('Modèle', medium.model);
    field('Numéro de série du support', medium.serialNumber);
    field('Capacité', medium.capacityGb ? `${medium.capacityGb} Go` : null);
    const done = medium.sanitization;
    if (!done) continue;
    field('Méthode (niveau NIST)', sanitizationLevelLabels[done.level]);
    field('Technique', [wipeTechniqueLabels[done.technique], done.passes ? `${done.passes} passe(s)` : '', done.pattern ?? ''].filter(Boolean).join(', '));
    field('Outil et version', [done.tool, done.toolVersion].filter(Boolean).join(' '));
    field('Vérification', verificationLabels[done.verification]);
    field('Résultat', wipeResultLabels[done.result]);
    field('Début / fin', `${dateTime(new Date(done.startedAt))} — ${dateTime(new Date(done.endedAt))}`);
    field('Réalisé par', `${done.operator.name} (${roleLabels[done.operator.role]})`);
  }

  section('Destination après effacement');
  field('Destination', 'Réemploi : reconditionnement et remise à un foyer par le réseau');
  field('Organisation', statement.organisation);
  field('Lieu', statement.location);
  field('Date', dateTime(new Date(statement.wipedAt)));

  section('Validation');
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(
      'Ce certificat est signé électroniquement (Ed25519) par la plateforme Boucle de l’organisation ci-dessus. ' +
        'Scannez le QR code ou ouvrez l’adresse ci-dessous pour vérifier que la signature et les enregistrements sont intacts.',
    );
  field('Vérification en ligne', verifyUrl);
  // The whole signature, in a fixed-width font on a line of its own, so that an auditor can check
  // the certificate without Boucle: the same address asked for JSON gives the signed statement.
  doc.font('Helvetica-Bold').fontSize(9).text('Signature Ed25519 (base64url) :');
  doc.font('Courier').fontSize(8).text(signature);
  const publicUrl = verifyUrl.slice(0, verifyUrl.lastIndexOf('/verify/'));
  doc
    .font('Helvetica')
    .fontSize(8)
    .text(
      'Vérification hors ligne : demandée en JSON (Accept: application/json), l’adresse de vérification donne la déclaration signée ' +
        `(les octets exacts) et cette signature ; clé publique : ${publicUrl}/api/keys/certificates`,
    );

  drawQr(doc, verifyUrl, 'M', doc.page.width - 50 - qrSize, 40, qrSize);
  doc.end();
  await finished;
}
