import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

export type Db = PostgresJsDatabase;
/** A transaction handle; domain functions accept either, and open a transaction when they need one. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export type Database = { db: Db; sql: postgres.Sql; close: () => Promise<void> };

// Statements with more parameters than this are bulk inserts whose text varies with the row count:
// preparing each variant would fill every connection's statement cache for one use.
const maxPreparedParameters = 64;

/**
 * drizzle sends unnamed statements, which Postgres parses and plans on every call. This wraps the
 * driver so that ordinary statements are prepared once per connection (the driver's own default),
 * including inside transactions and savepoints; it halves Postgres's work per device transition.
 */
function preparingStatements<T extends postgres.Sql | postgres.TransactionSql>(sql: T): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'unsafe') {
        return (query: string, parameters?: unknown[], options?: postgres.UnsafeQueryOptions) =>
          (value as postgres.Sql['unsafe'])(query, parameters as postgres.ParameterOrJSON<never>[], {
            ...options,
            prepare: (parameters?.length ?? 0) <= maxPreparedParameters,
          });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const callback = args.pop() as (tx: postgres.TransactionSql) => unknown;
          return (value as (...inner: unknown[]) => unknown).apply(target, [...args, (tx: postgres.TransactionSql) => callback(preparingStatements(tx))]);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  // No relational schema: nothing reads through db.query, and with one drizzle would build a query
  // builder for every table at the start of every transaction.
  const db = drizzle(preparingStatements(sql), { casing: 'snake_case' });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** Creates the database named in the URL if it does not exist yet (local machines and tests). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const sql = postgres(maintenance.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) {
      await sql`create database ${sql(name)}`.catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Runs `work` holding a Postgres advisory lock on `key`, taken on a connection reserved for it:
 * whoever asks for the same key waits; a process that dies releases it with its connection.
 * For work longer than a transaction should be (writing a building's letters).
 */
export async function withAdvisoryLock<T>(database: Database, key: string, work: () => Promise<T>): Promise<T> {
  const connection = await database.sql.reserve();
  try {
    await connection`select pg_advisory_lock(hashtextextended(${key}, 0))`;
    try {
      return await work();
    } finally {
      await connection`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
    }
  } finally {
    connection.release();
  }
}
