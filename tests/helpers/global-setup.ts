import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { withoutPassword } from '../../src/config.ts';
import { ensureDatabase } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres, type LocalService } from '../../src/local-services/embedded-postgres.ts';
import { startLocalRedis } from '../../src/local-services/local-redis.ts';
import { postgresAnswers, redisAnswers } from '../../src/local-services/reachability.ts';
import { createLogger } from '../../src/logger.ts';
import { freePort } from './private-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    adminUrl: string;
  }
}

const defaultServer = 'postgres://postgres@127.0.0.1:5432';
const defaultRedisPort = 6379;

/**
 * The servers the tests use: TEST_DATABASE_SERVER and TEST_REDIS_PORT when given; otherwise the
 * local ones when they answer; otherwise an embedded PostgreSQL (also with
 * TEST_DATABASE_SERVER=embedded) and the machine's redis-server, started here for this run on
 * free ports and stopped at the end, so a fresh machine needs only Node.js and redis-server.
 */
async function testServers(): Promise<{ serverUrl: string; started: LocalService[]; folder: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'boucle-test-services-'));
  // Started as root, PostgreSQL runs as the postgres user, who must reach its folder inside this one.
  await chmod(folder, 0o755);
  const logger = createLogger('warn');
  const started: LocalService[] = [];
  const given = process.env.TEST_DATABASE_SERVER;
  let serverUrl = (given && given !== 'embedded' ? given : defaultServer).replace(/\/+$/, '');
  if (given === 'embedded' || (!given && (await postgresAnswers(`${serverUrl}/postgres`)) !== true)) {
    const embedded = await startEmbeddedPostgres(folder, logger, await freePort());
    started.push(embedded);
    serverUrl = embedded.url.replace(/\/boucle$/, '');
    console.log(`Tests: PostgreSQL embedded for this run, at ${withoutPassword(serverUrl)}`);
  }
  if (!process.env.TEST_REDIS_PORT && (await redisAnswers(`redis://127.0.0.1:${defaultRedisPort}`)) !== true) {
    const port = await freePort();
    started.push(await startLocalRedis(folder, logger, `redis://127.0.0.1:${defaultRedisPort}`, port));
    // Read by tests/helpers/harness.ts in the test workers, which inherit this environment.
    process.env.TEST_REDIS_PORT = String(port);
    console.log(`Tests: no Redis at 127.0.0.1:${defaultRedisPort}; using redis-server on port ${port}`);
  }
  return { serverUrl, started, folder };
}

/**
 * Migrates one throwaway template database per run; each test file clones it (CREATE DATABASE
 * ... TEMPLATE), so files never see each other's rows, and drops its clone at the end.
 */
export default async function setup(project: TestProject) {
  const { serverUrl, started, folder } = await testServers();
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
    for (const service of started.reverse()) await service.stop();
    await rm(folder, { recursive: true, force: true });
  };
}
