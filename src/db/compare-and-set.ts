import { and, eq, getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { DomainError } from '../errors.ts';
import type { Tx } from './client.ts';
import { statement } from './statement.ts';

type VersionedTable = PgTable & { id: PgColumn; version: PgColumn; updatedAt: PgColumn };

type CompareAndSetStatement = ReturnType<typeof statement<{ [column: string]: unknown }[]>>;
const builtStatements = new WeakMap<PgTable, Map<string, CompareAndSetStatement>>();

/**
 * compareAndSet's statement for a table and what a change sets, built on its first use: a column
 * given a value, or set to null (written as such, since drizzle maps a placeholder's value by its
 * column, and a time or JSON column cannot map null).
 */
function compareAndSetStatement(table: VersionedTable, set: Record<string, unknown>): CompareAndSetStatement {
  const signature = Object.entries(set)
    .map(([column, value]) => (value === null ? `${column}=null` : column))
    .join();
  const ofTable = builtStatements.get(table) ?? new Map<string, CompareAndSetStatement>();
  builtStatements.set(table, ofTable);
  let built = ofTable.get(signature);
  if (!built) {
    built = statement(`compare_and_set_${getTableName(table)}`, (db) =>
      db
        .update(table)
        .set({
          ...Object.fromEntries(Object.entries(set).map(([column, value]) => [column, value === null ? sql`null` : sql.placeholder(column)])),
          version: sql`${table.version} + 1`,
          updatedAt: sql`now()`,
        } as PgUpdateSetSource<VersionedTable>)
        .where(and(eq(table.id, sql.placeholder('rowId')), eq(table.version, sql.placeholder('rowVersion'))))
        .returning(),
    );
    ofTable.set(signature, built);
  }
  return built;
}

/**
 * Writes a change only if nobody changed the row since it was read: `version = version + 1 where
 * id = ? and version = ?`. No lock is needed to read: of two people acting on one thing at once,
 * both read the same version and exactly one write matches it; the other is refused with
 * `changed()` (a 409), instead of having their action applied on top of the first. As in drizzle's
 * set, a change's undefined value sets nothing.
 */
export async function compareAndSet<Table extends VersionedTable>(
  tx: Tx,
  table: Table,
  row: { id: string; version: number },
  changes: Partial<Table['$inferInsert']>,
  changed: () => DomainError,
): Promise<Table['$inferSelect']> {
  const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const [updated] = await compareAndSetStatement(table, set)(tx, { ...set, rowId: row.id, rowVersion: row.version });
  if (!updated) throw changed();
  return updated as Table['$inferSelect'];
}

/**
 * compareAndSet for many rows in one statement, each with its own values (the same columns for
 * all; an undefined value is no column, as in drizzle's set): the rows travel as one JSON parameter,
 * joined to the table on id and version. When any row changed since it was read, `changed(row)` is
 * thrown for the first of them, and the caller's transaction takes back what the statement wrote.
 * A write may stand for several changes in a row (`steps`, 1 by default): the version counts each.
 * Returns the rows as written, in the order given: each as it was read with the changes made,
 * its new version and time from the database (a thousand whole rows need not travel back).
 */
export async function compareAndSetEach<Table extends VersionedTable, Row extends Table['$inferSelect'] & { id: string; version: number }>(
  tx: Tx,
  table: Table,
  changes: readonly { row: Row; set: Partial<Table['$inferInsert']>; steps?: number }[],
  changed: (row: Row) => DomainError,
): Promise<Row[]> {
  if (changes.length === 0) return [];
  const columnsSet = (set: object) => Object.keys(set).filter((key) => (set as Record<string, unknown>)[key] !== undefined);
  const keys = columnsSet(changes[0]!.set);
  const signature = keys.join();
  if (changes.some((change) => columnsSet(change.set).join() !== signature)) {
    throw new Error('compareAndSetEach: every row sets the same columns');
  }
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  // Values are named v0, v1... in the JSON, typed as their column so Postgres casts them once.
  const typed = keys.map((key, index) => sql.raw(`v${index} ${columns[key]!.getSQLType()}`));
  const rows = changes.map(({ row, set, steps }) => {
    const given: Record<string, unknown> = { id: row.id, version: row.version, steps: steps ?? 1 };
    keys.forEach((key, index) => {
      given[`v${index}`] = (set as Record<string, unknown>)[key];
    });
    return given;
  });
  const written = await tx
    .update(table)
    .set({
      ...Object.fromEntries(keys.map((key, index) => [key, sql.raw(`given.v${index}`)])),
      version: sql`${table.version} + given.steps`,
      updatedAt: sql`now()`,
    } as PgUpdateSetSource<Table>)
    .from(sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as given(id uuid, version integer, steps integer, ${sql.join(typed, sql`, `)})`)
    .where(and(eq(table.id, sql`given.id`), eq(table.version, sql`given.version`)))
    .returning({ id: table.id, version: table.version, updatedAt: table.updatedAt });
  const byId = new Map((written as { id: string; version: number; updatedAt: Date }[]).map((row) => [row.id, row]));
  const stale = changes.find(({ row }) => !byId.has(row.id));
  if (stale) throw changed(stale.row);
  return changes.map(({ row, set }) => {
    const asWritten: Record<string, unknown> = { ...row };
    for (const key of keys) asWritten[key] = (set as Record<string, unknown>)[key];
    return Object.assign(asWritten, byId.get(row.id)) as Row;
  });
}
