import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * `column in (ids)` with the ids as one JSON parameter: a statement about a batch of a thousand rows
 * stays one text with one parameter, where `inArray` would bind, and Postgres parse, one per id.
 * As an array computed once (not a join), the ids are looked up through the column's index
 * whatever the planner guesses of the rest of the condition.
 */
export const inIdList = (column: Column | SQL, ids: readonly string[]): SQL =>
  sql`${column} = any(array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid))`;
