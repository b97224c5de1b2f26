import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { DeviceKind } from '../devices/devices.service.ts';
import type { WeeeChannel } from '../devices/weee-channels.ts';
import { frenchNumber } from '../indicators/indicators-csv.ts';
import type { Indicators } from '../indicators/indicators.service.ts';
import type { MonthlySeries } from '../indicators/indicator-series.ts';
import type { Chart } from './chart-figure.tsx';
import { deviceKindLabels, weeeChannelLabels } from './fr.ts';

/**
 * The steering page's charts, drawn on the server as SVG by Observable Plot (with linkedom's
 * document: no browser, no script). Plot and linkedom weigh 8 MB of heap: the steering page
 * loads this module when it first draws a chart.
 */

const colours = { current: '#1d4ed8', previous: '#9ca3af' };
const numberTicks = (highest: number) => (highest <= 10 ? Array.from({ length: Math.max(1, highest) + 1 }, (_, index) => index) : 5);

/**
 * Plot's SVG made fit for the page: its <style> element removed (the content security policy
 * allows no inline style; boucle.css carries the same rules for `.chart`), a <title>, role="img"
 * and the label that screen readers announce.
 */
type PlotSvg = ReturnType<typeof Plot.plot>;
type LinkedDocument = ReturnType<typeof parseHTML>['document'];

function finish(svg: PlotSvg, document: LinkedDocument, title: string, summary: string): string {
  for (const element of [svg, ...svg.querySelectorAll('*')]) element.removeAttribute('style');
  // Plot names its groups (aria-label="bar"): inside an image they are no landmarks, and ARIA allows no label on a bare <g>.
  for (const element of svg.querySelectorAll('[aria-label]')) element.removeAttribute('aria-label');
  for (const style of svg.querySelectorAll('style')) style.remove();
  const titleElement = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  titleElement.textContent = title;
  svg.insertBefore(titleElement, svg.firstChild);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', summary);
  return svg.outerHTML;
}

function plot(title: string, summary: string, options: Omit<Plot.PlotOptions, 'document'>): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const svg = Plot.plot({ ...options, document, className: 'chart' });
  return finish(svg, document, title, summary);
}

/** Horizontal bars, one per category, this period beside the previous one when the bars carry it. */
function comparedBars(title: string, bars: { label: string; value: number; previous?: number }[], labels: [string, string?]) {
  const [current, previous] = labels;
  const summary = `${title} : ${bars.map((bar) => `${bar.label} ${frenchNumber(bar.value)}${bar.previous === undefined ? '' : ` (${frenchNumber(bar.previous)} avant)`}`).join(', ')}.`;
  const data = bars.flatMap((bar) => [
    { category: bar.label, series: current, value: bar.value },
    ...(previous === undefined || bar.previous === undefined ? [] : [{ category: bar.label, series: previous, value: bar.previous }]),
  ]);
  const highest = Math.max(0, ...data.map((entry) => entry.value));
  const common = {
    marginLeft: 190,
    marginRight: 40,
    height: 40 + data.length * 22,
    x: { label: null, ticks: numberTicks(highest), tickFormat: (value: number) => frenchNumber(value), grid: true },
  };
  const valueText = (channels: Plot.TextOptions) =>
    Plot.text(data, { ...channels, x: 'value', text: (entry: { value: number }) => frenchNumber(entry.value), textAnchor: 'start', dx: 4 });
  if (previous === undefined) {
    return plot(title, summary, {
      ...common,
      y: { label: null, domain: bars.map((bar) => bar.label) },
      marks: [Plot.barX(data, { x: 'value', y: 'category', fill: colours.current }), valueText({ y: 'category' }), Plot.ruleX([0])],
    });
  }
  return plot(title, summary, {
    ...common,
    y: { axis: null, domain: [current, previous] },
    fy: { label: null, domain: bars.map((bar) => bar.label), axis: 'left', padding: 0.15 },
    color: { domain: [current, previous], range: [colours.current, colours.previous] },
    marks: [Plot.barX(data, { x: 'value', y: 'series', fy: 'category', fill: 'series' }), valueText({ y: 'series', fy: 'category' }), Plot.ruleX([0])],
  });
}

const monthFormat = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortMonthFormat = new Intl.DateTimeFormat('fr-FR', { month: 'short', timeZone: 'UTC' });
const monthName = (month: string) => monthFormat.format(new Date(`${month}-15T00:00:00Z`));

function handedOverByMonth(series: MonthlySeries): Chart {
  const current = series.period.label;
  const previous = series.previousPeriod.label;
  const oneYear = new Set(series.months.map((month) => month.month.slice(0, 4))).size === 1;
  const tick = (month: string) => (oneYear ? shortMonthFormat.format(new Date(`${month}-15T00:00:00Z`)) : `${month.slice(5)}/${month.slice(2, 4)}`);
  const data = series.months.flatMap((month, index) => [
    { month: tick(month.month), series: current, value: month.handedOver },
    { month: tick(month.month), series: previous, value: series.previousMonths[index]?.handedOver ?? 0 },
  ]);
  const total = series.months.reduce((sum, month) => sum + month.handedOver, 0);
  const totalBefore = series.previousMonths.reduce((sum, month) => sum + month.handedOver, 0);
  const highest = Math.max(0, ...data.map((entry) => entry.value));
  const title = `Appareils remis à des foyers par mois, ${current} comparé à ${previous}`;
  const summary = `${title} : ${frenchNumber(total)} appareils remis en ${current}, ${frenchNumber(totalBefore)} en ${previous}. Les chiffres de chaque mois sont dans le tableau qui suit.`;
  return {
    id: 'remises-par-mois',
    title,
    compares: [current, previous],
    svg: plot(title, summary, {
      height: 240,
      marginLeft: 40,
      fx: { label: null, domain: series.months.map((month) => tick(month.month)), padding: 0.1 },
      x: { axis: null, domain: [current, previous] },
      y: { label: null, ticks: numberTicks(highest), tickFormat: (value: number) => frenchNumber(value), grid: true },
      color: { domain: [current, previous], range: [colours.current, colours.previous] },
      marks: [Plot.barY(data, { fx: 'month', x: 'series', y: 'value', fill: 'series' }), Plot.ruleY([0])],
    }),
    table: {
      caption: title,
      columns: ['Mois', current, 'Mois comparé', previous],
      rows: series.months.map((month, index) => {
        const before = series.previousMonths[index];
        return { label: monthName(month.month), values: [month.handedOver, before ? monthName(before.month) : '—', before?.handedOver ?? 0] };
      }),
    },
  };
}

function deviceFlow(indicators: Indicators): Chart {
  const { figures, previous } = indicators;
  const stages = [
    { label: 'Collectés', value: figures.devicesCollected, previous: previous.devicesCollected },
    { label: 'Effacés', value: figures.devicesWiped.total, previous: previous.devicesWiped.total },
    { label: 'Reconditionnés', value: figures.devicesRefurbished.total, previous: previous.devicesRefurbished.total },
    { label: 'Remis à des foyers', value: figures.devicesHandedOver.total, previous: previous.devicesHandedOver.total },
  ];
  const current = indicators.period.label;
  const before = indicators.previousPeriod.label;
  const title = `Le parcours des appareils : collectés, effacés, reconditionnés, remis (${current} comparé à ${before})`;
  return {
    id: 'parcours',
    title,
    compares: [current, before],
    svg: comparedBars(title, stages, [current, before]),
    table: {
      caption: title,
      columns: ['Étape', current, before],
      rows: stages.map((stage) => ({ label: stage.label, values: [stage.value, stage.previous] })),
    },
  };
}

const channelLabel = (channel: string) => (channel === 'not_recorded' ? 'filière non enregistrée' : (weeeChannelLabels[channel as WeeeChannel] ?? channel));

function outcomes(indicators: Indicators): Chart | null {
  const { figures } = indicators;
  const bars = [
    { label: 'Remis à des foyers', value: figures.devicesHandedOver.total },
    { label: 'Démantelés pour pièces', value: figures.devicesDismantled },
    ...Object.entries(figures.devicesRecycled.byChannel).map(([channel, value]) => ({ label: `Recyclés — ${channelLabel(channel)}`, value })),
  ];
  if (bars.every((bar) => bar.value === 0)) return null;
  const title = `Ce que deviennent les appareils sortis du réseau (${indicators.period.label})`;
  return {
    id: 'devenir',
    title,
    svg: comparedBars(title, bars, [indicators.period.label]),
    table: { caption: title, columns: ['Devenir', 'Appareils'], rows: bars.map((bar) => ({ label: bar.label, values: [bar.value] })) },
  };
}

function avoidedEmissions(indicators: Indicators): Chart | null {
  const { byKind } = indicators.figures.avoidedEmissions;
  if (byKind.length === 0) return null;
  const bars = byKind.map((entry) => ({ label: deviceKindLabels[entry.deviceKind as DeviceKind], value: entry.kgCo2e, devices: entry.devices }));
  const title = `Émissions de fabrication évitées par type d’équipement, en kg CO2e (${indicators.period.label})`;
  return {
    id: 'emissions-evitees',
    title,
    svg: comparedBars(title, bars, [indicators.period.label]),
    table: {
      caption: title,
      columns: ['Équipement', 'Appareils remis', 'kg CO2e évités'],
      rows: bars.map((bar) => ({ label: bar.label, values: [bar.devices, bar.value] })),
    },
  };
}

/** The charts of the page, in reading order; a chart with nothing to show is left out. */
export function steeringCharts(indicators: Indicators, series: MonthlySeries): Chart[] {
  return [handedOverByMonth(series), deviceFlow(indicators), outcomes(indicators), avoidedEmissions(indicators)].filter(
    (chart): chart is Chart => chart !== null,
  );
}
