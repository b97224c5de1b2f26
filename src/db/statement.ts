import { sql, type Placeholder } from 'drizzle-orm';
import type { PostgresJsSession } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type { DbOrTx } from './client.ts';

type Preparable<Result> = { prepare(name: string): { execute(values?: Record<string, unknown>): Promise<Result> } };

/**
 * A query drizzle builds once and runs as often as asked, in the transaction it is given. drizzle
 * builds a query's text anew on every call, and on the hot paths (a device read, written and
 * recorded at every scan) that cost the API more CPU than Postgres spent running the statements
 * (the transition_throughput benchmark).
 *
 * `build` writes the query with `sql.placeholder(name)` where each value goes; `run(db, values)`
 * fills them. A value set or inserted is mapped by its column as usual (a Date, a JSON column's
 * object); a value compared in a where clause goes to the driver as given, so only text, numbers
 * and ids are compared there. A value left out is an error, not a default: give null.
 */
export function statement<Result>(name: string, build: (db: DbOrTx) => Preparable<Result>) {
  let prepared: ReturnType<Preparable<Result>['prepare']> | undefined;
  return (db: DbOrTx, values: Record<string, unknown>): Promise<Result> => {
    prepared ??= build(db).prepare(name);
    // drizzle ties a prepared query to the connection of the session that built it (its `client`):
    // this run takes the connection of `db`'s session instead, that of the caller's transaction.
    const client = (db._.session as unknown as PostgresJsSession<postgres.Sql, never, never>).client;
    return (Object.create(prepared, { client: { value: client } }) as typeof prepared).execute(values);
  };
}

/** A placeholder for each of these columns, named as the column: the values of a statement's insert. */
export const placeholders = <Name extends string>(...names: Name[]) =>
  Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])) as { [Column in Name]: Placeholder<Column> };
