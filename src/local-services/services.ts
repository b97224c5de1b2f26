import type { Logger } from 'pino';
import { StartupError, withoutPassword, type Config } from '../config.ts';
import { startEmbeddedPostgres, type LocalService } from './embedded-postgres.ts';
import { startLocalRedis } from './local-redis.ts';
import { postgresAnswers, redisAnswers } from './reachability.ts';

export type Services = {
  databaseUrl: string;
  redisUrl: string;
  /** One line per service, for the start output: which database and which Redis this process uses. */
  summary: string[];
  /** Stops what this process started (the embedded PostgreSQL, the local Redis); call it last. */
  stop: () => Promise<void>;
};

/**
 * The database and Redis this process uses. Given addresses are used as given, and one that does
 * not answer stops the process with one line naming the variable. Without DATABASE_URL, the local
 * server is used if it answers, else an embedded PostgreSQL (or always, with DATABASE_URL=embedded);
 * without REDIS_URL, the local Redis if it answers, else the machine's redis-server started here.
 *
 * `redisRequired`: the workers cannot run without Redis, so an unreachable REDIS_URL stops them;
 * the API takes work into the outbox while Redis is away, so it starts and says so.
 */
export async function resolveServices(config: Config, logger: Logger, options: { redisRequired: boolean }): Promise<Services> {
  const started: LocalService[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
  };
  try {
    const summary: string[] = [];
    let databaseUrl = config.databaseUrl;
    const databaseAnswer = config.databaseSource === 'embedded' ? 'embedded chosen' : await postgresAnswers(databaseUrl);
    if (databaseAnswer !== true) {
      if (config.databaseSource === 'given') {
        throw new StartupError(
          `Cannot reach PostgreSQL at DATABASE_URL=${withoutPassword(databaseUrl)} (${databaseAnswer}); start it, or correct DATABASE_URL`,
        );
      }
      const embedded = await startEmbeddedPostgres(config.dataDir, logger);
      started.push(embedded);
      databaseUrl = embedded.url;
      summary.push(`PostgreSQL: embedded, data in ${config.dataDir}/postgres, at ${withoutPassword(databaseUrl)}`);
    } else {
      summary.push(`PostgreSQL: ${withoutPassword(databaseUrl)}`);
    }

    let redisUrl = config.redisUrl;
    const redisAnswer = await redisAnswers(redisUrl);
    if (redisAnswer !== true) {
      if (config.redisSource === 'given') {
        const line = `Cannot reach Redis at REDIS_URL=${withoutPassword(redisUrl)} (${redisAnswer})`;
        if (options.redisRequired) throw new StartupError(`${line}; start it, or correct REDIS_URL`);
        logger.warn(`${line}; changes wait in the outbox until it answers`);
        summary.push(`Redis: ${withoutPassword(redisUrl)} (not answering yet)`);
      } else {
        const local = await startLocalRedis(config.dataDir, logger, redisUrl);
        started.push(local);
        redisUrl = local.url;
        summary.push(`Redis: redis-server started here, data in ${config.dataDir}/redis, at ${redisUrl}`);
      }
    } else {
      summary.push(`Redis: ${withoutPassword(redisUrl)}`);
    }
    return { databaseUrl, redisUrl, summary, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
