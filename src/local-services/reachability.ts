import postgres from 'postgres';
import { oneShotRedis } from '../redis.ts';

/** Why a connection failed, in a few words (the driver's code and message, never a stack). */
function reason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = message && message.length > 0 ? message : 'no answer';
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}

/** Whether a PostgreSQL server answers at this URL (on its maintenance database): true, or why not. */
export async function postgresAnswers(url: string): Promise<true | string> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const sql = postgres(maintenance.toString(), { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch (error) {
    return reason(error);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** Whether Redis answers at this URL: true, or why not. */
export async function redisAnswers(url: string): Promise<true | string> {
  const redis = oneShotRedis(url);
  // ioredis rejects with "Connection is closed"; the socket's own error says why.
  let socketError: unknown;
  redis.on('error', (error) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    return reason(socketError ?? error);
  } finally {
    redis.disconnect();
  }
}
