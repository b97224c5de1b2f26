import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { systemActor } from '../auth/system-actor.ts';
import type { Db, Tx } from '../db/client.ts';
import { inIdList } from '../db/id-list.ts';
import { equipmentRequests, households, programmes } from './allocation.schema.ts';
import { reserveDevices } from './reservations.service.ts';
import { bestFirst, readyStock, stockNeed, type StockNeed } from './stock-ranking.ts';

/**
 * The matching round, set-wise: eligible requests, oldest first, each given the best ready device
 * that meets its need (stock-ranking.ts: same département first, then grade, then longest on the
 * shelf), exactly as if each took its turn alone, but in a few statements per batch of requests
 * instead of a transaction per request. A request with no match waits for the next round.
 */

/**
 * Requests paired per transaction. The locks of a batch are held until it commits: 5,000 take
 * about a second on a two-core machine. The worker's round (500 requests a minute) is one batch.
 */
export const requestsPerTransaction = 5_000;

/** Where a round has got to: the last request it considered, in the order it takes them. */
type Cursor = { createdAt: Date; id: string };

/** A need's candidates, best first: in the family's département, and anywhere. */
type Candidates = { nearby: string[]; anywhere: string[] };

/**
 * The greedy, request after request in the order given: each takes the first device of its nearby
 * list that nobody took before it, else the first of its anywhere list. What is taken stays taken,
 * so each list is walked once, however many requests share it.
 */
export function pairOldestFirst<Request>(requests: readonly { request: Request; candidates: Candidates }[]): { request: Request; deviceId: string }[] {
  const taken = new Set<string>();
  const walked = new Map<readonly string[], number>();
  const firstFree = (list: readonly string[]) => {
    let at = walked.get(list) ?? 0;
    while (at < list.length && taken.has(list[at]!)) at += 1;
    walked.set(list, at);
    return list[at];
  };
  const pairs = [];
  for (const { request, candidates } of requests) {
    const deviceId = firstFree(candidates.nearby) ?? firstFree(candidates.anywhere);
    if (!deviceId) continue;
    taken.add(deviceId);
    pairs.push({ request, deviceId });
  }
  return pairs;
}

/**
 * Locks the candidates of each need: the first `count` ready devices meeting it nearby, and, for a
 * need whose nearby list ran short, the first `count` anywhere. That is enough: with `count`
 * requests, each taking one device, no request gets past a full list. Devices other transactions
 * hold are skipped, as a single reservation skips them.
 */
async function lockCandidates(tx: Tx, needs: readonly StockNeed[], count: number): Promise<Candidates[]> {
  const candidates = needs.map((): Candidates => ({ nearby: [], anywhere: [] }));
  const lock = async (where: keyof Candidates, which: number[]) => {
    const rows = which.map((index) => ({ need: index, ...needs[index]! }));
    const locked = await tx.execute<{ need: number; id: string }>(sql`
      select n.need, d.id
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as n(need integer, kind device_kind, "ramGb" numeric, "storageGb" numeric, departement text)
      cross join lateral (${readyStock({ kind: sql`n.kind`, ramGb: sql`n."ramGb"`, storageGb: sql`n."storageGb"`, departement: sql`n.departement` }, where, sql`${count}`)}) d
      order by n.need, ${bestFirst}`);
    for (const row of locked) candidates[row.need]![where].push(row.id);
  };
  await lock(
    'nearby',
    needs.map((_, index) => index),
  );
  const short = candidates.flatMap((list, index) => (list.nearby.length < count ? [index] : []));
  if (short.length > 0) await lock('anywhere', short);
  return candidates;
}

/**
 * One batch of the round, in the caller's transaction: the `count` oldest eligible requests after
 * `after`, paired and reserved. Rounds take turns (an advisory lock), so that two never split the
 * stock between them out of order. Locks follow reserveForRequest's order, devices then requests,
 * each with SKIP LOCKED: a device or a request a reservation is taking is left to it, and the
 * round waits for nobody.
 */
export async function matchOldestEligible(tx: Tx, actor: Actor, count: number, after?: Cursor) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('boucle:matching-round'))`);
  const waiting = await tx
    .select({
      request: equipmentRequests,
      communeCode: households.communeCode,
      // What the pairing and the reservation read of the programme, not its whole row for each request.
      programme: {
        minimumSpecs: programmes.minimumSpecs,
        reservationDays: programmes.reservationDays,
        trainingModuleId: programmes.trainingModuleId,
        trainingValidForLaterRequests: programmes.trainingValidForLaterRequests,
      },
    })
    .from(equipmentRequests)
    .innerJoin(programmes, eq(programmes.id, equipmentRequests.programmeId))
    .innerJoin(households, eq(households.id, equipmentRequests.householdId))
    .where(
      and(
        eq(equipmentRequests.status, 'eligible'),
        after ? sql`(${equipmentRequests.createdAt}, ${equipmentRequests.id}) > (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(equipmentRequests.createdAt), asc(equipmentRequests.id))
    .limit(count);
  const last = waiting.at(-1)?.request;
  if (!last) return { considered: 0, matched: 0, after };

  // Requests with the same need share their candidates.
  const needs = new Map<string, { need: StockNeed; index: number }>();
  const needOf = waiting.map(({ request, programme, communeCode }) => {
    const need = stockNeed(request.need, programme.minimumSpecs, communeCode);
    const key = JSON.stringify(need);
    if (!needs.has(key)) needs.set(key, { need, index: needs.size });
    return needs.get(key)!.index;
  });
  const candidates = await lockCandidates(
    tx,
    [...needs.values()].map(({ need }) => need),
    waiting.length,
  );
  // The requests as read, if nobody is taking them (SKIP LOCKED) and nobody changed them since.
  const locked = await tx
    .select({ id: equipmentRequests.id, version: equipmentRequests.version })
    .from(equipmentRequests)
    .where(
      and(
        inIdList(
          equipmentRequests.id,
          waiting.map(({ request }) => request.id),
        ),
        eq(equipmentRequests.status, 'eligible'),
      ),
    )
    .for('update', { skipLocked: true });
  const unchanged = new Map(locked.map((request) => [request.id, request.version]));
  const pairs = pairOldestFirst(
    waiting.flatMap((entry, index) =>
      unchanged.get(entry.request.id) === entry.request.version ? [{ request: entry, candidates: candidates[needOf[index]!]! }] : [],
    ),
  );
  await reserveDevices(
    tx,
    actor,
    pairs.map(({ request, deviceId }) => ({ request: request.request, programme: request.programme, deviceId })),
  );
  return { considered: waiting.length, matched: pairs.length, after: { createdAt: last.createdAt, id: last.id } };
}

/**
 * The scheduled round: up to `limit` eligible requests, oldest first, in batches of `batchSize`
 * (requestsPerTransaction), each its own transaction (a failure keeps the batches before it); each
 * batch pairs with the stock the batches before it left, so the whole is the one greedy.
 * Run twice, the second run finds the matched requests no longer eligible and changes nothing.
 */
export async function matchEligibleRequests(db: Db, limit = 500, batchSize = requestsPerTransaction): Promise<number> {
  const actor = await systemActor(db);
  let matched = 0;
  let after: Cursor | undefined;
  for (let left = limit; left > 0; ) {
    const count = Math.min(left, batchSize);
    const batch = await db.transaction((tx) => matchOldestEligible(tx, actor, count, after));
    matched += batch.matched;
    if (batch.considered < count) break;
    left -= batch.considered;
    after = batch.after;
  }
  return matched;
}
