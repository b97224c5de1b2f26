import type { Writable } from 'node:stream';
import { newPdfDocument } from '../files/pdf-document.ts';
import QRCode from 'qrcode';
import { formatAssetCode } from '../devices/asset-code.ts';
import { labelsPerPage, type LabelFormat } from './formats.ts';

export type LabelContent = { code: string; url: string };

export const pointsPerMm = 72 / 25.4;
// ISO/IEC 18004 asks for a light margin of 4 modules around the symbol.
const quietZoneModules = 4;

/**
 * Draws a QR code as vector squares, quiet zone included in `size`: runs of dark modules merged
 * per row, written as one path in module units under one transform (pdfkit would otherwise emit a
 * chunk of bytes per rectangle: 1,800 labels made 1.7 MB and a lot of garbage).
 */
export function drawQr(doc: PDFKit.PDFDocument, text: string, level: 'L' | 'M' | 'Q' | 'H', x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: level });
  const module = size / (modules.size + 2 * quietZoneModules);
  const runs: string[] = [];
  for (let row = 0; row < modules.size; row++) {
    let runStart = -1;
    for (let column = 0; column <= modules.size; column++) {
      const dark = column < modules.size && modules.get(row, column);
      if (dark && runStart < 0) runStart = column;
      if (!dark && runStart >= 0) {
        runs.push(`${runStart} ${row} ${column - runStart} 1 re`);
        runStart = -1;
      }
    }
  }
  doc.save();
  doc.transform(module, 0, 0, module, x + quietZoneModules * module, y + quietZoneModules * module);
  doc.addContent(`0 g\n${runs.join('\n')}\nf`);
  doc.restore();
}

function drawLabel(doc: PDFKit.PDFDocument, format: LabelFormat, label: LabelContent, organisation: string, left: number, top: number) {
  const padding = format.label.paddingMm * pointsPerMm;
  const width = format.label.widthMm * pointsPerMm;
  const height = format.label.heightMm * pointsPerMm;
  const qrSize = Math.min(height - 2 * padding, width / 2);
  drawQr(doc, label.url, format.qrErrorCorrection, left + padding, top + (height - qrSize) / 2, qrSize);

  const textLeft = left + padding + qrSize + padding / 2;
  const textWidth = width - (textLeft - left) - padding;
  const printed = formatAssetCode(label.code);
  const codeLines = format.codeLines === 2 ? printed.split('-') : [printed];
  // The format's size, unless the widest line would not fit: a code must never wrap (pdfkit wraps any
  // text given a width), since its second half would print over the organisation's name.
  doc.font('Helvetica-Bold').fontSize(format.codeFontSizePt);
  const widest = Math.max(...codeLines.map((line) => doc.widthOfString(line)));
  const codeSize = Math.min(format.codeFontSizePt, (format.codeFontSizePt * textWidth) / widest);
  const lineHeight = codeSize * 1.15;
  const blockHeight = codeLines.length * lineHeight + format.organisationFontSizePt * 1.6;
  let y = top + (height - blockHeight) / 2;
  doc.fontSize(codeSize);
  for (const line of codeLines) {
    doc.text(line, textLeft, y, { lineBreak: false });
    y += lineHeight;
  }
  // One line, cut with an ellipsis (pdfkit cuts only text given a height).
  doc
    .font('Helvetica')
    .fontSize(format.organisationFontSizePt)
    .text(organisation, textLeft, y + format.organisationFontSizePt * 0.4, {
      width: textWidth,
      height: format.organisationFontSizePt * 1.2,
      ellipsis: true,
    });
}

/**
 * Writes the labels as a PDF to `out`, page by page: a page is flushed when the next begins, so
 * memory stays flat however many labels the batch has. Thermal formats give one page per label,
 * at the media's size, for Brother/Dymo drivers.
 */
export async function renderLabelsPdf(
  format: LabelFormat,
  labels: readonly LabelContent[],
  organisation: string,
  out: Writable,
  onPage: (labelsDone: number) => Promise<void> | void = () => {},
): Promise<void> {
  const doc = await newPdfDocument({
    size: [format.page.widthMm * pointsPerMm, format.page.heightMm * pointsPerMm],
    margin: 0,
    autoFirstPage: false,
    info: { Title: `Étiquettes Boucle — ${organisation}`, Creator: 'Boucle' },
  });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  const perPage = labelsPerPage(format);
  for (let start = 0; start < labels.length; start += perPage) {
    doc.addPage();
    labels.slice(start, start + perPage).forEach((label, index) => {
      const column = index % format.grid.columns;
      const row = Math.floor(index / format.grid.columns);
      const left = (format.grid.marginLeftMm + column * format.grid.pitchXMm) * pointsPerMm;
      const top = (format.grid.marginTopMm + row * format.grid.pitchYMm) * pointsPerMm;
      drawLabel(doc, format, label, organisation, left, top);
    });
    await onPage(Math.min(start + perPage, labels.length));
  }
  doc.end();
  await finished;
}

/** ZPL II caret and tilde start commands: they never reach a printed field. */
const zplText = (text: string) => text.replace(/[\^~]/g, ' ');

/** One ZPL label per code, for Zebra-type thermal printers (^BQ is the printer's own QR, drawn at full resolution). */
export function renderLabelsZpl(format: LabelFormat, labels: readonly LabelContent[], organisation: string): string {
  const dotsPerMm = format.zpl?.dotsPerMm ?? 8;
  const dots = (mm: number) => Math.round(mm * dotsPerMm);
  const width = dots(format.label.widthMm);
  const height = dots(format.label.heightMm);
  const padding = dots(format.label.paddingMm);
  return labels
    .map((label) => {
      const { modules } = QRCode.create(label.url, { errorCorrectionLevel: format.qrErrorCorrection });
      const magnification = Math.max(1, Math.min(10, Math.floor((height - 2 * padding) / (modules.size + 2 * quietZoneModules))));
      const qrSide = (modules.size + 2 * quietZoneModules) * magnification;
      const textLeft = padding + qrSide + padding;
      const codeHeight = Math.round(format.codeFontSizePt * 0.3528 * dotsPerMm);
      const organisationHeight = Math.round(format.organisationFontSizePt * 0.3528 * dotsPerMm);
      return [
        '^XA',
        '^CI28',
        `^PW${width}`,
        `^LL${height}`,
        `^FO${padding + quietZoneModules * magnification},${Math.round((height - qrSide) / 2) + quietZoneModules * magnification}`,
        `^BQN,2,${magnification}^FD${format.qrErrorCorrection}A,${zplText(label.url)}^FS`,
        `^FO${textLeft},${Math.round(height / 2 - codeHeight)}^A0N,${codeHeight},${codeHeight}^FD${formatAssetCode(label.code)}^FS`,
        `^FO${textLeft},${Math.round(height / 2 + organisationHeight / 2)}^A0N,${organisationHeight},${organisationHeight}^FB${width - textLeft - padding},1,0,L^FD${zplText(organisation)}^FS`,
        '^XZ',
      ].join('\n');
    })
    .join('\n');
}
