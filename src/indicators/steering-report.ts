import type { Writable } from 'node:stream';
import { newPdfDocument } from '../files/pdf-document.ts';
import { drawPdfTable, type PdfColumn } from '../files/pdf-table.ts';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { fundReport, type FundReport } from '../fund/fund.service.ts';
import { mayInFund } from '../fund/rights.ts';
import { dateTime, euros } from '../pages/fr.ts';
import { emissionFactors, impactContext, impactMethod } from './impact.ts';
import { comparedLines, figureLines, frenchNumber } from './indicators-csv.ts';
import { getIndicators, type IndicatorQuery, type Indicators } from './indicators.service.ts';
import { type MonthlySeries, monthlySeries, type TerritoryFigures, territoryBreakdown } from './indicator-series.ts';

/** What the steering committee's annual report says: the indicators, month by month, and per territory inside the scope. */
export type SteeringReport = {
  indicators: Indicators;
  series: MonthlySeries;
  territories: TerritoryFigures[];
  // The fund of the period's (first) year, for those who read the fund's reports; a funder, its own part.
  fund: FundReport | null;
  generatedAt: Date;
};

export async function steeringReport(db: DbOrTx, actor: Actor, query: IndicatorQuery, now = new Date()): Promise<SteeringReport> {
  return {
    indicators: await getIndicators(db, actor, query),
    series: await monthlySeries(db, actor, query),
    territories: await territoryBreakdown(db, actor, query),
    fund: mayInFund(actor, 'read_reports') ? await fundReport(db, actor, Number(query.period.from.slice(0, 4))) : null,
    generatedAt: now,
  };
}

export const scopeLabel = (indicators: Indicators) => (indicators.territory ? `${indicators.territory.name} (${indicators.territory.code})` : 'Tout le réseau');

type Doc = PDFKit.PDFDocument;
/** A table of figures: its first column names them, the others, their values, align right. */
const table = (doc: Doc, columns: PdfColumn[], rows: string[][]) =>
  drawPdfTable(
    doc,
    columns.map((column, index) => ({ ...column, align: index === 0 ? 'left' : 'right' })),
    rows,
    8.5,
  );

const heading = (doc: Doc, title: string) => {
  if (doc.y > doc.page.height - 160) doc.addPage();
  doc.x = doc.page.margins.left;
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).fillColor('black').text(title).moveDown(0.3);
};
const paragraph = (doc: Doc, text: string) => doc.font('Helvetica').fontSize(9.5).text(text).moveDown(0.3);
const shown = (value: number | null) => (value === null ? '—' : frenchNumber(value));
/** The figures without their details (grades, channels, levels): the same lines in every period. */
const headlineLines = (figures: Indicators['figures']) => figureLines(figures).filter(([, detail]) => detail === '');

function indicatorsSection(doc: Doc, { indicators }: SteeringReport) {
  heading(doc, 'Indicateurs de la période');
  paragraph(
    doc,
    'Chaque chiffre compte ce qui s’est passé pendant la période, à partir des événements enregistrés (et non des statuts d’aujourd’hui), là où chaque événement a eu lieu.',
  );
  table(
    doc,
    [
      { title: 'Indicateur', width: 300 },
      { title: indicators.period.label, width: 105 },
      { title: indicators.previousPeriod.label, width: 105 },
    ],
    comparedLines(indicators).map((line) => [line.detail ? `${line.label} (${line.detail})` : line.label, shown(line.value), shown(line.previous)]),
  );
}

/** Devices handed over month by month, this period's bars beside the previous period's, drawn with pdfkit from the same series as the page's chart. */
function monthlySection(doc: Doc, { series }: SteeringReport) {
  heading(doc, 'Appareils remis à des foyers, mois par mois');
  const chartHeight = 120;
  if (doc.y + chartHeight + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const left = doc.page.margins.left + 24;
  const width = doc.page.width - doc.page.margins.right - left;
  const top = doc.y + 6;
  const values = series.months.flatMap((month, index) => [month.handedOver, series.previousMonths[index]?.handedOver ?? 0]);
  const highest = Math.max(1, ...values);
  const slot = width / series.months.length;
  const bar = Math.min(14, slot / 2.5);
  doc.font('Helvetica').fontSize(7).fillColor('black');
  doc.text(frenchNumber(highest), doc.page.margins.left, top - 3, { width: 20, align: 'right' });
  doc.text('0', doc.page.margins.left, top + chartHeight - 4, { width: 20, align: 'right' });
  series.months.forEach((month, index) => {
    const x = left + index * slot + (slot - 2 * bar) / 2;
    const previous = series.previousMonths[index]?.handedOver ?? 0;
    const current = (month.handedOver / highest) * chartHeight;
    const before = (previous / highest) * chartHeight;
    doc.rect(x, top + chartHeight - current, bar, current).fill('#1d4ed8');
    doc.rect(x + bar, top + chartHeight - before, bar, before).fill('#9ca3af');
    doc.fillColor('black').text(month.month.slice(5), left + index * slot, top + chartHeight + 3, { width: slot, align: 'center' });
  });
  doc
    .moveTo(left, top + chartHeight)
    .lineTo(left + width, top + chartHeight)
    .lineWidth(0.5)
    .stroke();
  const legend = top + chartHeight + 16;
  doc.rect(left, legend, 8, 8).fill('#1d4ed8');
  doc.fillColor('black').text(series.period.label, left + 12, legend, { lineBreak: false });
  doc.rect(left + 90, legend, 8, 8).fill('#9ca3af');
  doc.fillColor('black').text(series.previousPeriod.label, left + 102, legend, { lineBreak: false });
  doc.x = doc.page.margins.left;
  doc.y = legend + 18;
  table(
    doc,
    [
      { title: 'Mois', width: 170 },
      { title: `Remis (${series.period.label})`, width: 170 },
      { title: `Remis (${series.previousPeriod.label})`, width: 170 },
    ],
    series.months.map((month, index) => [month.month, shown(month.handedOver), shown(series.previousMonths[index]?.handedOver ?? 0)]),
  );
}

function impactSection(doc: Doc, { indicators }: SteeringReport) {
  heading(doc, 'Impact environnemental');
  const { avoidedEmissions } = indicators.figures;
  paragraph(
    doc,
    `Émissions de fabrication évitées : ${frenchNumber(avoidedEmissions.kgCo2e)} kg CO2e (période précédente : ${frenchNumber(indicators.previous.avoidedEmissions.kgCo2e)}).`,
  );
  paragraph(doc, impactMethod);
  paragraph(doc, impactContext);
  if (avoidedEmissions.byKind.length > 0) {
    const label = (kind: string) => emissionFactors.find((factor) => factor.deviceKind === kind)?.label ?? kind;
    table(
      doc,
      [
        { title: 'Équipement', width: 180 },
        { title: 'Appareils remis', width: 110 },
        { title: 'kg CO2e par appareil', width: 110 },
        { title: 'kg CO2e évités', width: 110 },
      ],
      avoidedEmissions.byKind.map((entry) => [label(entry.deviceKind), shown(entry.devices), shown(entry.kgCo2ePerDevice), shown(entry.kgCo2e)]),
    );
  }
  paragraph(doc, `Facteurs : ${emissionFactors.map((factor) => `${factor.label} ${frenchNumber(factor.kgCo2e)} kg CO2e`).join(', ')}.`);
  paragraph(doc, `Source : ${emissionFactors[0]!.source}, ${emissionFactors[0]!.year}.`);
}

function territoriesSection(doc: Doc, { territories }: SteeringReport) {
  heading(doc, 'Par territoire');
  if (territories.length === 0) {
    paragraph(doc, 'Aucun événement n’a été enregistré dans ce périmètre pendant ces deux périodes.');
    return;
  }
  for (const entry of territories) {
    doc.font('Helvetica-Bold').fontSize(10.5).text(`${entry.territory.name} (${entry.territory.code})`).moveDown(0.2);
    const previous = headlineLines(entry.previous);
    table(
      doc,
      [
        { title: 'Indicateur', width: 300 },
        { title: 'Période', width: 105 },
        { title: 'Période précédente', width: 105 },
      ],
      headlineLines(entry.figures).map(([label, , value], index) => [label, shown(value), shown(previous[index]![2])]),
    );
  }
}

function fundSection(doc: Doc, { fund }: SteeringReport) {
  if (!fund) return;
  heading(doc, `Fonds départemental d’inclusion numérique ${fund.year}`);
  paragraph(
    doc,
    `Contributions : ${euros(fund.fundCents)} (${fund.contributions.map((contribution) => `${contribution.funderName} ${euros(contribution.amountCents)}`).join(', ') || 'aucune'}), dont ${euros(fund.unallocatedCents)} non affectés.` +
      (fund.funderId ? ` Votre part : ${frenchNumber(fund.funderSharePercent)} % du fonds.` : ''),
  );
  table(
    doc,
    [
      { title: 'Dispositif', width: 150 },
      { title: 'Part', width: 50 },
      { title: fund.funderId ? 'Votre financement' : 'Montant', width: 85 },
      { title: 'Familles équipées', width: 75 },
      { title: 'Familles formées', width: 75 },
      { title: 'Coût par famille équipée', width: 75 },
    ],
    fund.programmes.map((programme) => [
      programme.programmeName,
      `${programme.sharePercent} %`,
      euros(fund.funderId ? programme.funderPart.paidCents : programme.fundedCents),
      shown(fund.funderId ? programme.funderPart.familiesEquipped : programme.familiesEquipped),
      shown(fund.funderId ? programme.funderPart.familiesTrained : programme.familiesTrained),
      programme.costPerEquippedFamilyCents === null ? '—' : euros(programme.costPerEquippedFamilyCents),
    ]),
  );
}

type ReportSection = (doc: Doc, report: SteeringReport) => void;

/** The report's sections, in order; each draws itself from the report's data. */
const reportSections: ReportSection[] = [indicatorsSection, monthlySection, impactSection, territoriesSection, fundSection];

/** The annual report of the steering committee, in French. */
export async function renderSteeringReportPdf(report: SteeringReport, out: Writable): Promise<void> {
  const { indicators } = report;
  const title = `Rapport du comité de pilotage — ${indicators.period.label}`;
  const doc = await newPdfDocument({ size: 'A4', margin: 45, info: { Title: title, Creator: 'Boucle' } });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  doc.font('Helvetica-Bold').fontSize(18).text(title);
  doc.moveDown(0.3).font('Helvetica').fontSize(10);
  doc.text(`Territoire : ${scopeLabel(indicators)}`);
  doc.text(`Période : ${indicators.period.from} au ${indicators.period.to}, comparée à ${indicators.previousPeriod.label}`);
  doc.text(`Établi le ${dateTime(report.generatedAt)}`);
  for (const section of reportSections) section(doc, report);
  doc.end();
  await finished;
}
