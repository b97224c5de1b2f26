import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { ensureDatabase } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    adminUrl: string;
  }
}

const serverUrl = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

/**
 * Migrates one throwaway template database per run; each test file clones it (CREATE DATABASE
 * ... TEMPLATE), so files never see each other's rows, and drops its clone at the end.
 */
export default async function setup(project: TestProject) {
  const template = `boucle_test_${randomBytes(4).toString('hex')}`;
  const templateUrl = `${serverUrl}/${template}`;
  await ensureDatabase(templateUrl);
  await runMigrations(templateUrl);
  project.provide('templateDatabase', template);
  project.provide('adminUrl', `${serverUrl}/postgres`);
  return async () => {
    const sql = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
    const leftovers = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${`${template}%`}`;
    for (const { datname } of leftovers) await sql`drop database if exists ${sql(datname)} with (force)`;
    await sql.end();
  };
}
