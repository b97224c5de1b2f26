import type { Writable } from 'node:stream';
import { newPdfDocument } from '../files/pdf-document.ts';
import QRCode from 'qrcode';
import { drawQr, pointsPerMm } from '../labels/render.ts';
import type { FilteringPolicy, SecurityMode } from './deployments.lifecycle.ts';
import { wifiQrPayload } from './wifi-qr.ts';

export type TenantLetter = {
  /** The landlord organisation's name. */
  landlord: string;
  residence: string;
  building: string;
  address: string;
  unit: string;
  floor: number;
  ssid: string;
  passphrase: string;
  passphraseVersion: number;
  securityMode: SecurityMode;
  filtering: FilteringPolicy;
  /** Who to call, e.g. "Hotline Connexion solidaire : 04 91 00 00 00"; the caretaker or landlord when null. */
  supportContact: string | null;
  /** The installer organisation's name. */
  isp: string | null;
  /** ISO date. */
  issuedOn: string;
};

/** "Bâtiment A" as landlords name it, or "bâtiment 3" when the name is only a number or a letter. */
const buildingLabel = (name: string) => (/^b[âa]t/i.test(name) ? name : `bâtiment ${name}`);

const securityLabels: Record<SecurityMode, string> = {
  wpa2_personal: 'WPA2, reconnu par presque tous les appareils.',
  wpa2_wpa3_transition: 'WPA3 pour les appareils récents, WPA2 pour les plus anciens.',
  wpa3_sae: 'WPA3 seulement : certains appareils d’avant 2019 environ ne pourront pas se connecter.',
};

const filteringLabels: Record<FilteringPolicy, string> = {
  none: 'aucun filtrage.',
  malware: 'sites malveillants bloqués.',
  malware_and_adult: 'sites malveillants et contenus pour adultes bloqués.',
};

// Characters that Courier can print ambiguously, and how to read them aloud.
const lookAlikes: Record<string, string> = {
  '0': 'chiffre zéro',
  O: 'lettre O majuscule',
  o: 'lettre o minuscule',
  '1': 'chiffre un',
  l: 'lettre L minuscule',
  I: 'lettre i majuscule',
  '|': 'barre verticale',
};

// pdfkit's standard fonts encode text as WinAnsi (Windows-1252); it writes any other character as
// raw code units, which print as unrelated glyphs. Those 27 are WinAnsi's beyond Latin-1.
const winAnsiBeyondLatin1 = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const printsInWinAnsi = (character: string) => {
  const code = character.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || winAnsiBeyondLatin1.has(character);
};

/** The text as Helvetica and Courier can print it: thin spaces become no-break spaces, other unprintable characters "?". */
function printable(text: string): { text: string; altered: boolean } {
  let altered = false;
  const printed = [...text.replace(/[\u2000-\u200a\u202f\u205f]/g, '\u00a0')].map((character) => {
    if (printsInWinAnsi(character)) return character;
    altered = true;
    return '?';
  });
  return { text: printed.join(''), altered };
}

/** French typography: no-break spaces before : ; ? ! », after « and n°, so that a line never starts with them. */
const typeset = (text: string) => printable(text.replace(/ ([:;?!»])/g, '\u00a0$1').replace(/(«|n°) /g, '$1\u00a0')).text;

const floorLabel = (floor: number) => (floor === 0 ? 'rez-de-chaussée' : floor === 1 ? '1er étage' : floor < 0 ? 'sous-sol' : `${floor}e étage`);

const longDate = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' });
const frenchDate = (isoDate: string) => longDate.format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`)).replace(/^1 /, '1er ');

const margin = 50;
const passphrasePt = 18;
const courierAdvance = 0.6; // Courier's every glyph is 600/1000 em wide.
// The symbol itself (without its quiet zone) is at least this wide: a phone held at arm's length reads it.
const qrSymbolMm = 42;

/**
 * The letter an apartment's occupants receive with their Wi-Fi network and passphrase: one A4
 * page in French, addressed to the dwelling (Boucle keeps no tenant identity), with a QR code that
 * joins the network. Whatever the name and passphrase hold, the QR code carries them exactly.
 */
export async function renderTenantLetter(letter: TenantLetter, out: Writable): Promise<void> {
  const doc = await newPdfDocument({ size: 'A4', margin, info: { Title: `Connexion solidaire — logement ${letter.unit}`, Creator: 'Boucle' } });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  const width = doc.page.width - 2 * margin;
  const paragraph = (title: string, body: string) => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(10.5).text(typeset(title), margin, doc.y, { width, continued: true });
    doc.font('Helvetica').text(` ${typeset(body)}`, { width, lineGap: 1.5 });
  };

  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(typeset(letter.landlord), margin, margin, { width: width * 0.6, height: 30, ellipsis: true });
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`Le ${frenchDate(letter.issuedOn)}`, margin, margin, { width, align: 'right' });
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(typeset(`Aux occupants du logement ${letter.unit}`), margin + width / 2, 100, { width: width / 2 });
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(typeset(`${letter.residence}, ${buildingLabel(letter.building)}, ${floorLabel(letter.floor)}`), { width: width / 2, height: 26, ellipsis: true })
    .text(typeset(letter.address), { width: width / 2, height: 26, ellipsis: true });

  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .text(typeset('Votre accès à internet : la « connexion solidaire »'), margin, Math.max(doc.y + 20, 175), { width });
  doc
    .moveDown(0.5)
    .font('Helvetica')
    .fontSize(10.5)
    .text(
      typeset(
        `${letter.landlord} a équipé votre immeuble d’un accès à internet partagé : chaque logement a son propre réseau Wi-Fi` +
          `${letter.isp ? `, installé et entretenu par ${letter.isp}` : ''}. Son coût est compris dans votre loyer ou vos charges, ` +
          'comme votre bailleur l’a décidé. Vous êtes libre de l’utiliser ou non : il n’y a rien à signer et aucune démarche à faire.',
      ),
      { width, lineGap: 1.5 },
    );

  drawNetworkBox(doc, letter, doc.y + 14, width);

  paragraph(
    'Votre vie privée.',
    `Ni ${letter.landlord} ni Boucle, l’outil qui gère ces accès, ne voient ce que vous faites sur internet. ` +
      `Le fournisseur d’accès${letter.isp ? ` (${letter.isp})` : ''} ne conserve que les données que la loi l’oblige à garder.`,
  );
  paragraph(
    'Gardez cette lettre pour vous.',
    'Toute personne qui connaît le mot de passe peut utiliser votre connexion. Si vous pensez qu’il est connu d’autres personnes, ' +
      `demandez-en un nouveau. Chaque nouvelle lettre remplace la précédente : seul le mot de passe de la plus récente est valable ` +
      `(celle-ci porte le mot de passe n° ${letter.passphraseVersion}).`,
  );
  paragraph('Besoin d’aide ?', letter.supportContact ?? 'Adressez-vous à votre gardien ou votre bailleur.');

  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#555555')
    .text(
      typeset(`Lettre adressée au logement ${letter.unit} : Boucle ne conserve pas le nom de ses occupants. Mot de passe n° ${letter.passphraseVersion}.`),
      margin,
      doc.page.height - margin - 20,
      { width, height: 10, ellipsis: true },
    );
  doc.end();
  await finished;
}

/** The framed part a tenant copies from: network name, passphrase, protection, filtering, and the QR code beside them. */
function drawNetworkBox(doc: PDFKit.PDFDocument, letter: TenantLetter, top: number, width: number) {
  const payload = wifiQrPayload(letter);
  const modules = QRCode.create(payload, { errorCorrectionLevel: 'M' }).modules.size;
  // drawQr's size includes the quiet zone of 4 modules on each side.
  const qrSize = ((qrSymbolMm * pointsPerMm) / modules) * (modules + 8);
  const padding = 12;
  const qrLeft = margin + width - padding - qrSize;
  const columnLeft = margin + padding;
  const columnWidth = qrLeft - columnLeft - padding;
  const label = (text: string, y?: number) =>
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor('#444444')
      .text(typeset(text), columnLeft, y ?? doc.y, { width: columnWidth })
      .fillColor('black');

  label('Nom du réseau Wi-Fi', top + padding);
  const ssid = printable(letter.ssid);
  const ssidPt = Math.min(16, columnWidth / (courierAdvance * Math.max(1, [...ssid.text].length)));
  const ssidTop = doc.y + 2;
  doc.font('Courier-Bold').fontSize(ssidPt).text(ssid.text, columnLeft, ssidTop, { lineBreak: false });
  doc.y = ssidTop + ssidPt * 1.2 + 6;

  label('Mot de passe');
  const passphrase = printable(letter.passphrase);
  // A space would be invisible on paper: the middle dot stands for it (WPA passphrases are ASCII, so never hold one).
  const shown = passphrase.text.replaceAll(' ', '·');
  const perLine = Math.floor(columnWidth / (courierAdvance * passphrasePt));
  const lines = [...shown].reduce<string[]>((all, character, index) => {
    if (index % perLine === 0) all.push('');
    all[all.length - 1] += character;
    return all;
  }, []);
  doc.font('Courier-Bold').fontSize(passphrasePt);
  let y = doc.y + 2;
  for (const line of lines) {
    doc.text(line, columnLeft, y, { lineBreak: false });
    y += passphrasePt * 1.2;
  }
  doc.y = y;

  // Each doubtful character is shown in the passphrase's own font, next to its name.
  const hints = [...new Set(shown)].filter((character) => character in lookAlikes).map((character) => [character, lookAlikes[character]!]);
  if (shown !== passphrase.text) hints.push(['·', 'un espace']);
  if (hints.length > 0) {
    doc
      .font('Helvetica')
      .fontSize(9)
      .text('Pour lever le doute\u00a0: ', columnLeft, doc.y + 2, { width: columnWidth, continued: true });
    hints.forEach(([character, name], index) => {
      doc.font('Courier-Bold').text(character!, { continued: true });
      doc.font('Helvetica').text(`\u00a0${name}${index < hints.length - 1 ? '\u00a0; ' : '.'}`, { continued: index < hints.length - 1 });
    });
  }
  if (lines.length > 1) label('Tapez les lignes à la suite, sans retour à la ligne.', doc.y + 2);
  if (ssid.altered || passphrase.altered) {
    label('Certains caractères ne peuvent pas être imprimés (remplacés par « ? ») : le code QR, lui, les contient tous.', doc.y + 2);
  }
  label(`Protection : ${securityLabels[letter.securityMode]}`, doc.y + 8);
  label(`Filtrage : ${filteringLabels[letter.filtering]}`, doc.y + 2);
  const columnBottom = doc.y;

  drawQr(doc, payload, 'M', qrLeft, top + padding, qrSize);
  doc
    .font('Helvetica')
    .fontSize(8.5)
    .text(typeset('Scannez ce code avec l’appareil photo de votre téléphone pour vous connecter'), qrLeft, top + padding + qrSize, {
      width: qrSize,
      align: 'center',
    });

  const bottom = Math.max(doc.y, columnBottom) + padding;
  doc
    .lineWidth(0.8)
    .strokeColor('#888888')
    .roundedRect(margin, top, width, bottom - top, 6)
    .stroke();
  doc.x = margin;
  doc.y = bottom;
}
