import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { inBoth } from '../field-messages.ts';
import { deviceKinds } from '../devices/devices.schema.ts';
import { actorOf, bearerSecurity, calendarDate, createRouter, ok, problems } from '../http/router.ts';
import { emissionFactors, impactContext, impactMethod } from './impact.ts';
import { indicatorsCsv } from './indicators-csv.ts';
import { getIndicators, type IndicatorQuery } from './indicators.service.ts';
import { monthlySeries } from './indicator-series.ts';
import { parsePeriod } from './periods.ts';
import { parseTerritory, territoryTypes } from './territory.ts';

/**
 * What figures are asked for; the period and territory are read here, so that every refusal names
 * its field. The page's filters parse with the same schema.
 */
export const indicatorQuerySchema = z
  .object({
    period: z.string().max(20).optional().openapi({ description: 'A year (2026), a quarter (2026-Q2) or a month (2026-03).', example: '2026' }),
    from: calendarDate().optional().openapi({ description: 'Instead of a period: the first day of a month…' }),
    to: calendarDate().optional().openapi({ description: '…to the last day of a month.' }),
    territory: z.string().max(30).optional().openapi({
      description:
        'A commune (47001), an EPCI by its SIREN (200068161), a département (47, 2A, 971) or a région written region:75. The whole network when left out.',
      example: '47',
    }),
    organisationId: z
      .uuid(inBoth('Figures of one organisation, by its id.', 'Choisissez une structure de la liste.'))
      .optional()
      .openapi({ description: 'One organisation (the coordinator only; others always see their own).' }),
    kind: z
      .enum(deviceKinds, inBoth(`Figures of one kind of device: ${deviceKinds.join(', ')}.`, 'Choisissez un type d’équipement de la liste.'))
      .optional()
      .openapi({ description: 'One device kind (the device figures only).' }),
    programmeId: z
      .uuid(inBoth('Figures of one programme, by its id.', 'Choisissez un dispositif de la liste.'))
      .optional()
      .openapi({ description: "One programme: what served its families' requests (devices reserved and handed over, families trained)." }),
  })
  .superRefine((query, context) => {
    // Zod runs this even when a field failed: a date it refused already has its message.
    const validDate = (value: string | undefined) => value === undefined || calendarDate().safeParse(value).success;
    if (!validDate(query.from) || !validDate(query.to)) return;
    const period = parsePeriod(query);
    if (!period.ok) for (const problem of period.problems) context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
    if (query.territory !== undefined) {
      const territory = parseTerritory(query.territory);
      if (!territory.ok) context.addIssue({ code: 'custom', path: ['territory'], message: territory.message, params: { french: territory.french } });
    }
  });

/** The query, read (it has passed the schema, so the period and territory are valid). */
export function indicatorQuery(query: z.infer<typeof indicatorQuerySchema>): IndicatorQuery {
  const period = parsePeriod(query);
  const territory = query.territory === undefined ? undefined : parseTerritory(query.territory);
  if (!period.ok || (territory && !territory.ok)) throw new Error('indicatorQuery called on a query the schema refuses');
  return { period: period.period, territory: territory?.territory, organisationId: query.organisationId, kind: query.kind, programmeId: query.programmeId };
}

const count = z.number().int();
const periodSchema = z.object({ label: z.string(), from: z.string(), to: z.string(), months: count });
const figuresSchema = z
  .object({
    devicesCollected: count,
    devicesWiped: z.object({
      total: count,
      byLevel: z.record(z.string(), count).openapi({ description: 'By the weakest NIST SP 800-88 level its media passed.' }),
    }),
    devicesRefurbished: z.object({ total: count, byGrade: z.record(z.string(), count) }),
    devicesReserved: count,
    devicesHandedOver: z.object({ total: count, byKind: z.record(z.string(), count) }),
    devicesDismantled: count,
    devicesRecycled: z.object({ total: count, byChannel: z.record(z.string(), count) }),
    reuseRate: z
      .number()
      .nullable()
      .openapi({ description: 'Handed over among the devices that left the network (handed over, dismantled, recycled), 0 to 1.' }),
    daysFromCollectionToHandover: z.object({ median: count.nullable(), p90: count.nullable() }),
    familiesTrained: count,
    trainingSessionsHeld: count,
    attendanceRate: z.number().nullable().openapi({ description: 'Families present among the families expected at the sessions (present or absent), 0 to 1.' }),
    wifiBuildingsLive: count,
    incidentsOpened: count,
    incidentsResolved: count,
    avoidedEmissions: z.object({
      kgCo2e: count,
      byKind: z.array(z.object({ deviceKind: z.enum(deviceKinds), devices: count, kgCo2ePerDevice: z.number(), kgCo2e: count })),
    }),
  })
  .openapi('IndicatorFigures');

const indicatorsSchema = z
  .object({
    period: periodSchema,
    previousPeriod: periodSchema,
    territory: z.object({ type: z.enum(territoryTypes), code: z.string(), name: z.string() }).nullable(),
    organisationId: z.uuid().nullable(),
    deviceKind: z.enum(deviceKinds).nullable(),
    programmeId: z.uuid().nullable(),
    figures: figuresSchema,
    previous: figuresSchema,
    impact: z.object({
      method: z.string(),
      context: z.string(),
      factors: z.array(z.object({ deviceKind: z.enum(deviceKinds).nullable(), label: z.string(), kgCo2e: z.number(), source: z.string(), year: count })),
    }),
  })
  .openapi('Indicators');

const monthSchema = z
  .object({
    month: z.string().openapi({ example: '2026-03' }),
    collected: count,
    wiped: count,
    refurbished: count,
    reserved: count,
    handedOver: count,
    dismantled: count,
    recycled: count,
    familiesTrained: count,
    wifiBuildingsLive: count,
    kgCo2eAvoided: count,
  })
  .openapi('IndicatorMonth');

const seriesSchema = z
  .object({ period: periodSchema, previousPeriod: periodSchema, months: z.array(monthSchema), previousMonths: z.array(monthSchema) })
  .openapi('IndicatorSeries');

export const indicatorsTag = 'Indicators';
const tag = indicatorsTag;

export function indicatorRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/indicators',
        operationId: 'getIndicators',
        tags: [tag],
        summary:
          'What the network did in a period and territory, counted from the events (not from statuses), beside the previous period; the coordinator sees every organisation, others their own.',
        security: bearerSecurity,
        request: { query: indicatorQuerySchema },
        responses: { 200: ok('The figures.', indicatorsSchema), ...problems(401, 403, 422) },
      }),
      async (c) => {
        const indicators = await getIndicators(db, actorOf(c), indicatorQuery(c.req.valid('query')));
        return c.json({ ...indicators, impact: { method: impactMethod, context: impactContext, factors: emissionFactors } }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/indicators.csv',
        operationId: 'exportIndicators',
        tags: [tag],
        summary: 'The same figures as a CSV for a spreadsheet (semicolons, UTF-8 with BOM), one line per figure beside the previous period.',
        security: bearerSecurity,
        request: { query: indicatorQuerySchema },
        responses: { 200: { description: 'The figures (text/csv).' }, ...problems(401, 403, 422) },
      }),
      async (c) => {
        const indicators = await getIndicators(db, actorOf(c), indicatorQuery(c.req.valid('query')));
        return c.body(indicatorsCsv(indicators), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="indicateurs-${indicators.period.label.replace('/', '_')}.csv"`,
        });
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/indicators/monthly',
        operationId: 'getMonthlyIndicators',
        tags: [tag],
        summary: 'The same figures month by month, for the period and the previous one (every month listed, zeros included): what the charts show.',
        security: bearerSecurity,
        request: { query: indicatorQuerySchema },
        responses: { 200: ok('The months.', seriesSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(await monthlySeries(db, actorOf(c), indicatorQuery(c.req.valid('query'))), 200),
    );
}
