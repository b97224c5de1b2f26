import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { connectDatabase, ensureDatabase, type Database } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { localFileStore } from './files/file-store.ts';
import { createLogger } from './logger.ts';

/** What every entry point starts with: configuration, logs, a migrated database. */
export async function boot(): Promise<{ config: Config; logger: Logger; database: Database }> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  await ensureDatabase(config.databaseUrl);
  const database = connectDatabase(config.databaseUrl, { max: config.databasePoolMax });
  await runMigrations(config.databaseUrl);
  return { config, logger, database };
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
