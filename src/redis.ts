import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { StartupError } from './config.ts';

/** ioredis options from a redis:// or rediss:// URL (user, password, database number, TLS). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/** A client for one question at start: no retry, no offline queue; the caller listens for 'error' and disconnects it. */
export const oneShotRedis = (url: string) =>
  new Redis({ ...redisOptionsFromUrl(url), lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });

/**
 * Redis's eviction policy: CONFIG GET, or INFO where CONFIG is disabled (managed services).
 * Undefined when Redis does not say.
 */
export async function redisEvictionPolicy(url: string): Promise<string | undefined> {
  const redis = oneShotRedis(url);
  redis.on('error', () => {});
  try {
    await redis.connect();
    const fromConfig = await redis.config('GET', 'maxmemory-policy').catch(() => undefined);
    if (Array.isArray(fromConfig) && typeof fromConfig[1] === 'string') return fromConfig[1];
    const info = await redis.info('memory');
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  } finally {
    redis.disconnect();
  }
}

/**
 * BullMQ keeps jobs as ordinary keys: a Redis that evicts keys under memory pressure silently
 * drops them. Anything but `noeviction` stops the workers in production, with one line naming
 * the setting, and is warned about elsewhere.
 */
export async function checkEvictionPolicy(url: string, production: boolean, logger: Logger): Promise<void> {
  const policy = await redisEvictionPolicy(url).catch(() => undefined);
  if (policy === undefined || policy === 'noeviction') return;
  const line = `Redis's maxmemory-policy is ${policy}: BullMQ needs noeviction, or Redis may drop queued jobs (set "maxmemory-policy noeviction" in redis.conf, or CONFIG SET maxmemory-policy noeviction)`;
  if (production) throw new StartupError(line);
  logger.warn(line);
}
