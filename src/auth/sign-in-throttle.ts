import { createHmac } from 'node:crypto';
import { lt } from 'drizzle-orm';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/client.ts';
import { derivedKey } from '../derived-keys.ts';
import { DomainError } from '../errors.ts';
import { signInThrottle as throttleTable } from './auth.schema.ts';

/**
 * How many failed sign-ins are checked before the next one waits, and how long it waits: after
 * `failures` failures within `windowSeconds`, the next attempt waits `firstWaitSeconds`, and each
 * failure after that doubles the wait, up to `longestWaitSeconds`; after each wait one attempt is
 * checked again. Three counts, so that guessing is slow and a real person is never shut out for
 * long:
 * - one account from one address: a person mistyping, or someone guessing at one password;
 * - one address, whatever the accounts: someone trying a password on many accounts;
 * - one account from the addresses that never signed in to it: guessing spread over many
 *   machines. The addresses an account signed in from in the last 30 days do not count there,
 *   so an attacker elsewhere cannot keep the account's owner out; someone at a new address
 *   waits at most 15 minutes at a time.
 */
export const signInThrottlePolicy = {
  accountFromAddress: { failures: 5, windowSeconds: 3600, firstWaitSeconds: 60, longestWaitSeconds: 15 * 60 },
  address: { failures: 50, windowSeconds: 3600, firstWaitSeconds: 60, longestWaitSeconds: 3600 },
  accountFromNewAddresses: { failures: 20, windowSeconds: 3600, firstWaitSeconds: 60, longestWaitSeconds: 15 * 60 },
  knownAddressDays: 30,
} as const;

type Count = keyof Omit<typeof signInThrottlePolicy, 'knownAddressDays'>;
const counts: Count[] = ['accountFromAddress', 'address', 'accountFromNewAddresses'];

/** A refused sign-in attempt: too many failed ones before it. */
export class TooManySignIns extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'too_many_sign_in_attempts', `Too many failed sign-ins: try again in ${waitInWords(retryAfterSeconds)}.`, { retryAfterSeconds });
  }
}

export const waitInWords = (seconds: number, french = false) => {
  if (seconds < 60) return french ? `${seconds} seconde${seconds > 1 ? 's' : ''}` : `${seconds} second${seconds > 1 ? 's' : ''}`;
  const minutes = Math.ceil(seconds / 60);
  return french ? `${minutes} minute${minutes > 1 ? 's' : ''}` : `${minutes} minute${minutes > 1 ? 's' : ''}`;
};

/**
 * Counts sign-in attempts with rate-limiter-flexible in Postgres (the sign_in_throttle table):
 * the database that checks the password keeps the counts, so every API process shares them and
 * there is no separate store to fail open or closed (when Postgres is down, nobody signs in
 * anyway). Keys are HMACs of the e-mail address and the client address under a key derived from
 * APP_SECRET: the table says how often, never who nor from where.
 */
export function signInThrottle(db: Db, appSecret: string) {
  const keyOf = (...parts: string[]) => createHmac('sha256', derivedKey(appSecret, 'sign-in-throttle-key')).update(parts.join('\u0000')).digest('base64url');
  const store = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterDrizzle({ storeClient: db, schema: throttleTable, keyPrefix, points, duration, clearExpiredByTimeout: false });
  const limiters = Object.fromEntries(
    counts.map((count) => {
      const policy = signInThrottlePolicy[count];
      // The attempts of the window; and the turn after a wait, which one attempt claims (1 point)
      // and a failure turns into the next wait (block(): 2 points until it ends).
      return [
        count,
        { policy, attempts: store(`attempts-${count}`, policy.failures, policy.windowSeconds), turns: store(`wait-${count}`, 1, policy.longestWaitSeconds) },
      ];
    }),
  ) as Record<Count, { policy: (typeof signInThrottlePolicy)[Count]; attempts: RateLimiterDrizzle; turns: RateLimiterDrizzle }>;
  const knownAddresses = store('known-address', 1, signInThrottlePolicy.knownAddressDays * 24 * 3600);
  const waitAfter = (policy: (typeof signInThrottlePolicy)[Count], failures: number) =>
    Math.min(policy.firstWaitSeconds * 2 ** Math.min(failures - policy.failures, 20), policy.longestWaitSeconds);
  // consume() resolves within the limit and rejects past it, with the count either way.
  const consumed = (limiter: RateLimiterDrizzle, key: string) =>
    limiter.consume(key).then(
      (outcome) => ({ points: outcome.consumedPoints, msBeforeNext: outcome.msBeforeNext }),
      (outcome: unknown) => {
        if (!(outcome instanceof RateLimiterRes)) throw outcome;
        return { points: outcome.consumedPoints, msBeforeNext: outcome.msBeforeNext };
      },
    );

  return {
    /**
     * Runs `signIn` (which checks the password) unless this account or this address must wait
     * first. The attempt is counted before the password is checked, and past the allowance one
     * attempt at a time claims the turn after a wait: guesses sent together are refused together.
     * A success clears the account's count from this address and remembers the address.
     */
    async attempt<T>(who: { email: string; address: string | undefined }, signIn: () => Promise<T>): Promise<T> {
      const account = who.email.trim().toLowerCase();
      const address = who.address ?? 'unknown';
      const known = (await knownAddresses.get(keyOf(account, address))) !== null;
      const keys: Partial<Record<Count, string>> = {
        accountFromAddress: keyOf(account, address),
        // In-process requests (tests, scripts) have no address to count.
        ...(who.address === undefined ? {} : { address: keyOf(address) }),
        ...(known ? {} : { accountFromNewAddresses: keyOf(account) }),
      };
      const counted = counts.filter((count) => keys[count] !== undefined);
      const keyFor = (count: Count) => keys[count]!;

      const waits = await Promise.all(counted.map((count) => limiters[count].turns.get(keyFor(count))));
      const waitMs = Math.max(0, ...waits.map((wait) => (wait && wait.consumedPoints > 1 ? wait.msBeforeNext : 0)));
      if (waitMs > 0) throw new TooManySignIns(Math.ceil(waitMs / 1000));

      const attempts = await Promise.all(counted.map((count) => consumed(limiters[count].attempts, keyFor(count))));
      const pastAllowance = counted.filter((count, index) => attempts[index]!.points > limiters[count].policy.failures);
      const claims = await Promise.all(pastAllowance.map((count) => consumed(limiters[count].turns, keyFor(count))));
      const claimed = pastAllowance.filter((_, index) => claims[index]!.points === 1);
      const releaseClaims = () => Promise.all(claimed.map((count) => limiters[count].turns.delete(keyFor(count))));
      if (claimed.length < pastAllowance.length) {
        await releaseClaims();
        throw new TooManySignIns(Math.max(1, ...claims.map((claim) => Math.ceil(claim.msBeforeNext / 1000))));
      }

      const refund = (which: Count[]) => Promise.all(which.map((count) => limiters[count].attempts.reward(keyFor(count))));
      let result: T;
      try {
        result = await signIn();
      } catch (error) {
        if (error instanceof DomainError && error.status === 401) {
          // A wrong password: from the allowance's last failure on, the next attempt waits.
          await Promise.all(
            counted.map((count, index) => {
              const { policy, turns } = limiters[count];
              return attempts[index]!.points >= policy.failures ? turns.block(keyFor(count), waitAfter(policy, attempts[index]!.points)) : undefined;
            }),
          );
        } else {
          // Anything else was no guess.
          await Promise.all([releaseClaims(), refund(counted)]);
        }
        throw error;
      }
      await Promise.all([
        releaseClaims(),
        refund(counted.filter((count) => count !== 'accountFromAddress')),
        limiters.accountFromAddress.attempts.delete(keyFor('accountFromAddress')),
        knownAddresses.set(keyOf(account, address), 1, signInThrottlePolicy.knownAddressDays * 24 * 3600),
      ]);
      return result;
    },
  };
}

export type SignInThrottle = ReturnType<typeof signInThrottle>;

/** Forgets counts, waits and known addresses past their time (a scheduled task). */
export async function forgetExpiredSignInAttempts(db: Db): Promise<number> {
  const forgotten = await db.delete(throttleTable).where(lt(throttleTable.expire, new Date())).returning({ key: throttleTable.key });
  return forgotten.length;
}
