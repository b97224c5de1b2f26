import { csvDocument } from '../csv.ts';
import { sanitizationLevelLabels, type SanitizationLevel } from '../wiping/policy.ts';
import type { IndicatorFigures, Indicators } from './indicators.service.ts';

export const frenchNumber = (value: number | null) => (value === null ? '' : String(value).replace('.', ','));
const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

export type FigureLine = [label: string, detail: string, value: number | null];

/** Each figure of a period as a line: its French label, its detail (a grade, a channel), its value. The export's and the page's. */
export function figureLines(figures: IndicatorFigures): FigureLine[] {
  return [
    ['Appareils collectés', '', figures.devicesCollected],
    ['Appareils effacés', '', figures.devicesWiped.total],
    ...Object.entries(figures.devicesWiped.byLevel).map(([level, count]): [string, string, number] => [
      'Appareils effacés',
      level === 'not_recorded' ? 'niveau non enregistré' : `niveau ${sanitizationLevelLabels[level as SanitizationLevel] ?? level}`,
      count,
    ]),
    ['Appareils reconditionnés', '', figures.devicesRefurbished.total],
    ...Object.entries(figures.devicesRefurbished.byGrade).map(([grade, count]): [string, string, number] => [
      'Appareils reconditionnés',
      grade === 'not_recorded' ? 'grade non enregistré' : `grade ${grade}`,
      count,
    ]),
    ['Appareils réservés', '', figures.devicesReserved],
    ['Appareils remis à des foyers', '', figures.devicesHandedOver.total],
    ['Appareils démantelés', '', figures.devicesDismantled],
    ['Appareils recyclés', '', figures.devicesRecycled.total],
    ...Object.entries(figures.devicesRecycled.byChannel).map(([channel, count]): [string, string, number] => [
      'Appareils recyclés',
      channel === 'not_recorded' ? 'filière non enregistrée' : `filière ${channel}`,
      count,
    ]),
    ['Taux de réemploi (%)', '', percent(figures.reuseRate)],
    ['Jours de la collecte à la remise', 'médiane', figures.daysFromCollectionToHandover.median],
    ['Jours de la collecte à la remise', '90e centile', figures.daysFromCollectionToHandover.p90],
    ['Familles formées', '', figures.familiesTrained],
    ['Sessions de formation tenues', '', figures.trainingSessionsHeld],
    ['Taux de présence aux formations (%)', '', percent(figures.attendanceRate)],
    ['Immeubles avec Wi-Fi partagé mis en service', '', figures.wifiBuildingsLive],
    ['Incidents Wi-Fi signalés', '', figures.incidentsOpened],
    ['Incidents Wi-Fi résolus', '', figures.incidentsResolved],
    ['Émissions de fabrication évitées (kg CO2e)', '', figures.avoidedEmissions.kgCo2e],
  ];
}

/**
 * The lines of a period beside the previous period's: a detail (a grade, a channel) present in
 * only one of them reads 0 in the other.
 */
export function comparedLines(indicators: Indicators): { label: string; detail: string; value: number | null; previous: number | null }[] {
  const current = figureLines(indicators.figures);
  const previous = figureLines(indicators.previous);
  const key = (line: FigureLine) => `${line[0]}\u0000${line[1]}`;
  const previousByKey = new Map(previous.map((line): [string, number | null] => [key(line), line[2]]));
  const currentKeys = new Set(current.map(key));
  const onlyBefore = previous.filter((line) => !currentKeys.has(key(line))).map((line): FigureLine => [line[0], line[1], 0]);
  return [...current, ...onlyBefore].map((line) => ({
    label: line[0],
    detail: line[1],
    value: line[2],
    previous: previousByKey.has(key(line)) ? previousByKey.get(key(line))! : 0,
  }));
}

/** The indicators as a spreadsheet: one line per figure, the period's value beside the previous period's. */
export function indicatorsCsv(indicators: Indicators): string {
  const territory = indicators.territory ? `${indicators.territory.name} (${indicators.territory.code})` : 'Tout le réseau';
  return csvDocument(
    ['Indicateur', 'Détail', 'Territoire', 'Période', 'Valeur', 'Période précédente', 'Valeur précédente'],
    comparedLines(indicators).map((line) => [
      line.label,
      line.detail,
      territory,
      indicators.period.label,
      frenchNumber(line.value),
      indicators.previousPeriod.label,
      frenchNumber(line.previous),
    ]),
  );
}
