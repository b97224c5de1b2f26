import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies committed migrations over one dedicated connection, holding an advisory lock so that
 * an API and a worker starting together do not both migrate.
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(hashtext('boucle:migrations'))`;
    await migrate(drizzle(sql), { migrationsFolder });
    await sql`select pg_advisory_unlock(hashtext('boucle:migrations'))`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
