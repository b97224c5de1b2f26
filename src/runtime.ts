import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, StartupError, withoutPassword, type Config } from './config.ts';
import { connectDatabase, ensureDatabase, type Database } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { localFileStore } from './files/file-store.ts';
import { resolveServices, type Services } from './local-services/services.ts';
import { createLogger } from './logger.ts';
import { checkEvictionPolicy } from './redis.ts';
import { bootstrapAdmin } from './seed/bootstrap.ts';

/** What a process runs: the API, the workers, both (npm start), or only the migrations. */
export type ProcessRole = 'api' | 'workers' | 'all' | 'migrate';

export type Booted = { config: Config; logger: Logger; database: Database; services: Services };

/**
 * What every entry point starts with: configuration, logs, the database and Redis it uses
 * (started here when local and silent), a migrated database, and the first admin. The first
 * admin is created by whichever process starts first, so no start order leaves a network
 * without it. A reason not to start is one line on stderr, never a stack.
 */
export async function boot(role: ProcessRole): Promise<Booted> {
  let services: Services | undefined;
  try {
    const loaded = loadConfig(process.env);
    const logger = createLogger(loaded.logLevel);
    const runsWorkers = role === 'workers' || role === 'all';
    services = await resolveServices(loaded, logger, { redisRequired: runsWorkers });
    const config = { ...loaded, databaseUrl: services.databaseUrl, redisUrl: services.redisUrl };
    for (const line of services.summary) console.log(line);
    if (runsWorkers) await checkEvictionPolicy(config.redisUrl, config.env === 'production', logger);
    const database = await openDatabase(config);
    if (role !== 'migrate' && config.bootstrapAdmin && (await bootstrapAdmin(database.db, config.bootstrapAdmin))) {
      logger.info({ email: config.bootstrapAdmin.email }, 'created the first admin account');
    }
    return { config, logger, database, services };
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    console.error(error.message);
    await services?.stop();
    process.exit(1);
  }
}

/** Creates and migrates the database; a server that answers but refuses (rights, a bad name) is one line too. */
async function openDatabase(config: Config): Promise<Database> {
  try {
    await ensureDatabase(config.databaseUrl);
    await runMigrations(config.databaseUrl);
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (!code) throw error;
    throw new StartupError(`PostgreSQL at DATABASE_URL=${withoutPassword(config.databaseUrl)} refused to prepare the database (${code}: ${message})`);
  }
  return connectDatabase(config.databaseUrl, { max: config.databasePoolMax });
}

/** Where this installation keeps its files: DATA_DIR/files. */
export const configuredFileStore = (config: Config) => localFileStore(join(config.dataDir, 'files'));

/** Runs the closers on SIGTERM/SIGINT, raced against a deadline, then exits. */
export function onShutdown(logger: Logger, closers: (() => Promise<unknown>)[], deadlineMs = 25_000): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deadlineMs).unref());
    const outcome = await Promise.race([
      (async () => {
        for (const close of closers) await close();
        return 'clean' as const;
      })(),
      deadline,
    ]).catch((error: unknown) => {
      logger.error({ err: error }, 'error while shutting down');
      return 'error' as const;
    });
    logger.info({ outcome }, 'stopped');
    process.exit(outcome === 'clean' ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
