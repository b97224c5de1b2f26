import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';

/** What counting an event answers: counted now, counted before (its job ran again), or no such event. */
export type CountOutcome = 'counted' | 'already_counted' | 'unknown_event';

/**
 * Runs, as one statement, a count whose `with` queries read the event (`event`), claim it in the
 * counter's ledger (`claimed`: an insert on conflict do nothing, returning the claim) and add to
 * the counters only if it was claimed: a job delivered twice, even at the same moment, counts once.
 */
export async function countOnce(db: DbOrTx, claimAndAdd: SQL): Promise<CountOutcome> {
  const [outcome] = await db.execute<{ known: boolean; claimed: boolean }>(
    sql`with ${claimAndAdd} select exists (select 1 from event) as known, exists (select 1 from claimed) as claimed`,
  );
  if (!outcome?.known) return 'unknown_event';
  return outcome.claimed ? 'counted' : 'already_counted';
}
