import { createHmac } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/client.ts';
import { derivedKey } from '../derived-keys.ts';
import { DomainError } from '../errors.ts';
import { changesState, type AppEnv } from '../http/router.ts';
import { idempotencyKeys } from './idempotency.schema.ts';

// Printable ASCII, as the IETF draft "The Idempotency-Key HTTP Header Field" expects (a UUID in practice).
const keyFormat = /^[\x21-\x7e]{1,255}$/;
export const idempotencyKeyLifetimeHours = 24;

/**
 * Honours the Idempotency-Key header on unsafe API requests of a signed-in caller: the first
 * request with a key is processed and its answer stored; a retry with the same key and the same
 * request gets that answer again (with `Idempotent-Replayed: true`) and changes nothing; the same
 * key for a different request is refused (422); a retry while the first is still running is told
 * to wait (409). Server errors are not stored, so a retry after one really tries again.
 *
 * An answer that holds a secret (a Wi-Fi passphrase, a new token: the routes mark it
 * `Cache-Control: no-store`) is not stored either: only that there was one, and a retry is
 * refused (409 answer_not_kept). Replaying it would keep the secret in clear in this table and
 * show it again without the authorisation and the record a fresh request gets; running the
 * request again instead would issue a second token. Nobody needs such a replay: the scan
 * station's offline queue holds device actions, never a reveal nor a token.
 */
export function idempotency(db: Db, appSecret: string): MiddlewareHandler<AppEnv> {
  const hashKey = derivedKey(appSecret, 'idempotency-request-hash-key');
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    const actor = c.get('actor');
    if (key === undefined || !actor || !changesState(c.req.method)) return next();
    if (!keyFormat.test(key)) {
      throw new DomainError(400, 'bad_idempotency_key', 'The Idempotency-Key header must be 1 to 255 printable characters (a UUID, for instance).');
    }
    const body = new Uint8Array(await c.req.raw.clone().arrayBuffer());
    const requestHash = createHmac('sha256', hashKey).update(`${c.req.method} ${c.req.path}\n`).update(body).digest('hex');
    const [claimed] = await db
      .insert(idempotencyKeys)
      .values({ userId: actor.userId, key, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    const mine = and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, key));
    if (!claimed) {
      const [earlier] = await db.select().from(idempotencyKeys).where(mine);
      if (!earlier) throw new DomainError(409, 'request_in_progress', 'The same request is being processed; try again in a moment.');
      if (earlier.requestHash !== requestHash) {
        throw new DomainError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for another request; send a new key for a new action.');
      }
      if (earlier.status === null) throw new DomainError(409, 'request_in_progress', 'The same request is being processed; try again in a moment.');
      if (earlier.answerWithheld) {
        throw new DomainError(
          409,
          'answer_not_kept',
          'The first answer to this request held a secret (a Wi-Fi passphrase or a token), which Boucle gives once and never keeps. Send the request again with a new Idempotency-Key: it is then checked and recorded as a new one.',
        );
      }
      return new Response(earlier.responseBody, {
        status: earlier.status,
        headers: { ...(earlier.contentType ? { 'content-type': earlier.contentType } : {}), 'idempotent-replayed': 'true' },
      });
    }
    try {
      await next();
    } catch (error) {
      await db.delete(idempotencyKeys).where(mine);
      throw error;
    }
    if (c.res.status >= 500) {
      await db.delete(idempotencyKeys).where(mine);
      return;
    }
    const holdsSecret = c.res.status < 400 && /\bno-store\b/i.test(c.res.headers.get('cache-control') ?? '');
    await db
      .update(idempotencyKeys)
      .set(
        holdsSecret
          ? { status: c.res.status, answerWithheld: true }
          : { status: c.res.status, contentType: c.res.headers.get('content-type'), responseBody: await c.res.clone().text() },
      )
      .where(mine);
  };
}

/** Forgets keys older than a day: a queue kept offline longer than that is sent again as new requests. */
export async function expireIdempotencyKeys(db: Db): Promise<number> {
  const expired = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${idempotencyKeyLifetimeHours})`))
    .returning({ key: idempotencyKeys.key });
  return expired.length;
}
