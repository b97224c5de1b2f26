import type { FC } from 'hono/jsx';
import { raw } from 'hono/html';
import { frenchNumber } from '../indicators/indicators-csv.ts';

/**
 * A chart of the steering page (drawn by steering-charts.tsx) and its figures. Each is an image with a French title and label, and its
 * figures stand beside it as a table, for screen readers, keyboards and anyone who wants the
 * numbers.
 */
export type Chart = {
  id: string;
  title: string;
  svg: string;
  /** The two periods a chart compares, for its legend. */
  compares?: [string, string];
  table: { caption: string; columns: string[]; rows: { label: string; values: (number | string)[] }[] };
};

const cell = (value: number | string) => (typeof value === 'number' ? frenchNumber(value) : value);

/** A chart and its figures: the SVG, a legend when it compares two periods, and the table. */
export const ChartFigure: FC<{ chart: Chart }> = ({ chart }) => (
  <section class="chart-block" aria-labelledby={`graphique-${chart.id}`}>
    <h3 id={`graphique-${chart.id}`}>{chart.title}</h3>
    <div class="chart-frame">{raw(chart.svg)}</div>
    {chart.compares ? (
      <p class="chart-legend" aria-hidden="true">
        <span class="swatch current" /> {chart.compares[0]} <span class="swatch previous" /> {chart.compares[1]}
      </p>
    ) : null}
    <table class="chart-figures" data-chart={chart.id}>
      <caption>Chiffres du graphique : {chart.table.caption}</caption>
      <thead>
        <tr>
          {chart.table.columns.map((column) => (
            <th scope="col">{column}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {chart.table.rows.map((row) => (
          <tr>
            <th scope="row">{row.label}</th>
            {row.values.map((value) => (
              <td>{cell(value)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  </section>
);
