import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { communeCodeFormat, organisations } from '../organisations/organisations.schema.ts';

/**
 * What happened, counted by month (Europe/Paris), commune and organisation of the place where it
 * happened, device kind ('' for figures about no device), the programme of the family's request
 * it served ('' for none) and indicator; `detail` splits an
 * indicator (a grade, a WEEE channel, a number of days). A read model kept by the workers from the
 * append-only events: it can be rebuilt from them, and is checked against them.
 */
export const indicatorRollups = pgTable(
  'indicator_rollups',
  {
    month: date({ mode: 'string' }).notNull(),
    communeCode: text().notNull(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    deviceKind: text().notNull(),
    programmeId: text().notNull().default(''),
    indicator: text().notNull(),
    detail: text().notNull(),
    count: integer().notNull(),
  },
  (table) => [
    primaryKey({
      name: 'indicator_rollups_pk',
      columns: [table.month, table.communeCode, table.organisationId, table.deviceKind, table.programmeId, table.indicator, table.detail],
    }),
    index().on(table.organisationId, table.month),
    check('indicator_rollups_commune_code_format', communeCodeFormat(table.communeCode)),
    check('indicator_rollups_first_of_month', sql`extract(day from ${table.month}) = 1`),
  ],
);

/** Where a counted event comes from: each is an append-only table with its own ids. */
export const indicatorSources = ['device', 'request', 'deployment', 'incident'] as const;
export type IndicatorSource = (typeof indicatorSources)[number];

/** The events already counted: an event counted twice (a job delivered again) finds its row here and changes nothing. */
export const indicatorCountedEvents = pgTable(
  'indicator_counted_events',
  {
    source: text().$type<IndicatorSource>().notNull(),
    eventId: bigint({ mode: 'number' }).notNull(),
    countedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.source, table.eventId] }),
    check('indicator_counted_events_source', sql`${table.source} in ${sql.raw(`(${indicatorSources.map((source) => `'${source}'`).join(', ')})`)}`),
  ],
);
