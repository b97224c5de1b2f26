import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';

export const jobKinds = ['intake_import', 'label_batch', 'wifi_provisioning', 'wifi_outputs', 'place_import'] as const;
export const jobStates = ['queued', 'running', 'succeeded', 'failed'] as const;
export const jobKind = pgEnum('job_kind', jobKinds);
export const jobState = pgEnum('job_state', jobStates);

/**
 * A refused line of an imported file: where it starts (`line`, a text editor's count; `row`, the
 * spreadsheet's), why in English, and, when the import names them, the column at fault and the
 * reason in French (the places import: one entry per wrong field of a line).
 */
export type JobLineError = { line: number; row: number; message: string; field?: string; french?: string };

/**
 * Work a user started and waits for (a CSV import, a label sheet): its progress and its line
 * errors, as people follow them on screen. The queue runs it; this row is what they see.
 */
export const backgroundJobs = pgTable(
  'background_jobs',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    kind: jobKind().notNull(),
    state: jobState().notNull().default('queued'),
    processed: integer().notNull().default(0),
    total: integer(),
    errors: jsonb().$type<JobLineError[]>().notNull().default([]),
    summary: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    failureReason: text(),
    createdByUserId: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true, precision: 3 }),
    finishedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [index().on(table.organisationId, table.createdAt)],
);
