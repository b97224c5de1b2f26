import { Hono } from 'hono';
import { deviceKinds } from '../devices/devices.service.ts';
import { emissionFactors, impactContext, impactMethod } from '../indicators/impact.ts';
import { comparedLines, frenchNumber } from '../indicators/indicators-csv.ts';
import { indicatorQuery, indicatorQuerySchema } from '../indicators/indicators.routes.ts';
import { getIndicators } from '../indicators/indicators.service.ts';
import { monthlySeries } from '../indicators/indicator-series.ts';
import { mayPublishOpenData } from '../indicators/open-data.ts';
import { listOrganisations } from '../organisations/organisations.service.ts';
import { listProgrammes } from '../allocation/programmes.service.ts';
import { Field, parseForm, Select } from './forms.tsx';
import { deviceKindLabels } from './fr.ts';
import { ErrorSummary, Layout } from './layout.tsx';
import { ChartFigure } from './chart-figure.tsx';
import { viewerOf, type PageEnv, type Database } from './session.ts';

const change = (value: number | null, previous: number | null) => {
  if (value === null || previous === null) return '—';
  const difference = Math.round((value - previous) * 10) / 10;
  return difference === 0 ? '=' : `${difference > 0 ? '+' : '−'}${frenchNumber(Math.abs(difference))}`;
};

/**
 * The steering page: what the network did in a period and territory, counted from the events,
 * beside the previous period, with the avoided emissions and their method. The coordinator sees
 * the whole network (or one organisation); any other organisation its own figures.
 */
export function steeringPageRoutes(database: Database) {
  const { db } = database;
  return new Hono<PageEnv>().get('/pilotage', async (c) => {
    const viewer = viewerOf(c, ['admin', 'workshop_operator', 'mediator', 'landlord_manager', 'funder_viewer']);
    const asked = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value.trim() !== ''));
    const fields: Record<string, string> = { period: String(new Date().getFullYear()), ...asked };
    const parsed = parseForm(indicatorQuerySchema, fields);
    const errors = parsed.ok ? [] : parsed.errors;
    const query = parsed.ok ? indicatorQuery(parsed.value) : undefined;
    const indicators = query ? await getIndicators(db, viewer, query) : undefined;
    const charts = query && indicators ? (await import('./steering-charts.tsx')).steeringCharts(indicators, await monthlySeries(db, viewer, query)) : [];
    const publishes = mayPublishOpenData(viewer);
    const [organisations, programmes] = await Promise.all([viewer.organisationKind === 'coordinator' ? listOrganisations(db, viewer) : [], listProgrammes(db)]);
    const queryString = new URLSearchParams(fields).toString();
    const year = /^\d{4}/.exec(fields.period ?? '')?.[0];
    const errorOf = (path: string) => errors.find((error) => error.path === path)?.message;
    return c.html(
      <Layout title="Pilotage" viewer={viewer} current="/pilotage">
        <h1>Pilotage du réseau</h1>
        <p>
          Ce qui s’est passé pendant la période, compté à partir des événements enregistrés (et non des statuts d’aujourd’hui), là où chaque événement a eu
          lieu.
        </p>
        <ErrorSummary errors={errors} />
        <form method="get" action="/pilotage" class="filters" role="search" aria-label="Choisir la période et le territoire">
          <Field
            name="period"
            label="Période"
            hint="Une année (2026), un trimestre (2026-Q2) ou un mois (2026-03)"
            value={fields.period}
            error={errorOf('period')}
          />
          <Field
            name="territory"
            label="Territoire"
            hint="Commune (47001), EPCI (SIREN), département (47) ou région (region:75) ; vide : tout le réseau"
            value={fields.territory}
            error={errorOf('territory')}
          />
          <Select
            name="kind"
            label="Type d’équipement"
            empty="Tous les types"
            value={fields.kind}
            error={errorOf('kind')}
            options={deviceKinds.map((value) => ({ value, label: deviceKindLabels[value] }))}
          />
          <Select
            name="programmeId"
            label="Dispositif"
            empty="Tous les dispositifs"
            value={fields.programmeId}
            error={errorOf('programmeId')}
            options={programmes.map((programme) => ({ value: programme.id, label: programme.name }))}
          />
          {organisations.length > 0 ? (
            <Select
              name="organisationId"
              label="Structure"
              empty="Tout le réseau"
              value={fields.organisationId}
              error={errorOf('organisationId')}
              options={organisations.map((organisation) => ({ value: organisation.id, label: organisation.name }))}
            />
          ) : null}
          <div class="actions">
            <button type="submit">Afficher</button>
          </div>
        </form>
        {indicators ? (
          <>
            <table>
              <caption>
                {indicators.territory ? `${indicators.territory.name} (${indicators.territory.code})` : 'Tout le réseau'}, période {indicators.period.label}{' '}
                comparée à {indicators.previousPeriod.label}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Indicateur</th>
                  <th scope="col">{indicators.period.label}</th>
                  <th scope="col">{indicators.previousPeriod.label}</th>
                  <th scope="col">Évolution</th>
                </tr>
              </thead>
              <tbody>
                {comparedLines(indicators).map((line) => (
                  <tr>
                    <th scope="row">{line.detail ? `${line.label} (${line.detail})` : line.label}</th>
                    <td>{line.value === null ? '—' : frenchNumber(line.value)}</td>
                    <td>{line.previous === null ? '—' : frenchNumber(line.previous)}</td>
                    <td>{change(line.value, line.previous)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ul class="downloads">
              <li>
                <a href={`/api/indicators.csv?${queryString}`} download>
                  Télécharger ces chiffres (CSV)
                </a>
              </li>
              <li>
                <a href={`/api/indicators/report.pdf?${queryString}`} download>
                  Rapport du comité de pilotage (PDF)
                </a>
              </li>
              {publishes && year ? (
                <li>
                  <a href={`/api/indicators/open-data.csv?year=${year}`} download>
                    Données ouvertes {year} par commune et par mois (CSV)
                  </a>{' '}
                  et leur <a href="/api/indicators/open-data/schema.json">schéma (Table Schema)</a>
                </li>
              ) : null}
            </ul>
            <h2>En graphiques</h2>
            {charts.map((chart) => (
              <ChartFigure chart={chart} />
            ))}
            <h2>Impact environnemental</h2>
            <p>{impactMethod}</p>
            <p>{impactContext}</p>
            <table>
              <caption>Facteurs d’émission utilisés (fabrication d’un équipement neuf)</caption>
              <thead>
                <tr>
                  <th scope="col">Équipement</th>
                  <th scope="col">kg CO2e</th>
                  <th scope="col">Source</th>
                  <th scope="col">Année</th>
                </tr>
              </thead>
              <tbody>
                {emissionFactors.map((factor) => (
                  <tr>
                    <th scope="row">{factor.label}</th>
                    <td>{frenchNumber(factor.kgCo2e)}</td>
                    <td>{factor.source}</td>
                    <td>{factor.year}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
      </Layout>,
      errors.length > 0 ? 422 : 200,
    );
  });
}
