import { and, eq, sql } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { DomainError } from '../errors.ts';
import type { Tx } from './client.ts';

type VersionedTable = PgTable & { id: PgColumn; version: PgColumn; updatedAt: PgColumn };

/**
 * Writes a change only if nobody changed the row since it was read: `version = version + 1 where
 * id = ? and version = ?`. No lock is needed to read: of two people acting on one thing at once,
 * both read the same version and exactly one write matches it; the other is refused with
 * `changed()` (a 409), instead of having their action applied on top of the first.
 */
export async function compareAndSet<Table extends VersionedTable>(
  tx: Tx,
  table: Table,
  row: { id: string; version: number },
  changes: PgUpdateSetSource<Table>,
  changed: () => DomainError,
): Promise<Table['$inferSelect']> {
  const [updated] = await tx
    .update(table)
    .set({ ...changes, version: sql`${table.version} + 1`, updatedAt: sql`now()` } as PgUpdateSetSource<Table>)
    .where(and(eq(table.id, row.id), eq(table.version, row.version)))
    .returning();
  if (!updated) throw changed();
  return updated as Table['$inferSelect'];
}
