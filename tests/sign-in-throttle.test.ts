import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetExpiredSignInAttempts, signInThrottlePolicy } from '../src/auth/sign-in-throttle.ts';
import { clientAddress } from '../src/http/client-address.ts';
import type { Harness } from './helpers/harness.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

// Guessing passwords is slow: failures are counted per account and per client address, with a
// wait that doubles; a real person is never kept out for long by someone else's guesses.

let harness: Harness;
let world: World;
let organisationId: string;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  organisationId = (await world.organisation('workshop')).id;
});
afterAll(async () => harness?.close());

let lastOctet = 0;
/** An address of its own for each test: the counts per address must not mix. */
const newAddress = () => `198.51.100.${++lastOctet}`;
const person = () => world.account(organisationId, 'workshop_operator');

/** A request as it reaches the API through @hono/node-server: from a socket with a peer address. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

async function apiSignIn(path: '/api/auth/login' | '/api/auth/tokens', email: string, password: string, address: string) {
  const response = await harness.app.request(
    path,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) },
    from(address),
  );
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json().catch(() => null)) as any };
}

async function pageSignIn(email: string, password: string, address: string) {
  const response = await harness.app.request(
    '/login',
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password }).toString() },
    from(address),
  );
  return { status: response.status, retryAfter: response.headers.get('retry-after'), html: await response.text() };
}

/** As if the current waits were over: the counts stay, so the next failure waits longer. */
const endWaits = () => harness.database.db.execute(sql`update sign_in_throttle set expire = now() - interval '1 second' where key like 'wait-%'`);
const argon2Checks = (answers: { status: number }[]) => answers.filter((answer) => answer.status === 401).length;

describe('one account from one address', () => {
  it('checks at most 6 of 50 guesses sent at once (the allowance, and the one turn past it if it comes before the last failure’s wait); the others, and then the right password, wait (429, Retry-After)', async () => {
    const target = await person();
    const address = newAddress();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => apiSignIn('/api/auth/tokens', target.email, `wrong-${index}`, address)));
    const { failures } = signInThrottlePolicy.accountFromAddress;
    const checked = argon2Checks(answers);
    expect(checked).toBeGreaterThanOrEqual(failures);
    expect(checked).toBeLessThanOrEqual(failures + 1);
    const waiting = answers.filter((answer) => answer.status === 429);
    expect(waiting).toHaveLength(50 - checked);
    for (const answer of waiting) {
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(60);
      expect(answer.body).toMatchObject({ code: 'too_many_sign_in_attempts', retryAfterSeconds: Number(answer.retryAfter) });
      expect(answer.body.detail).toMatch(/^Too many failed sign-ins: try again in \d+ minutes?\.$/);
    }
    const right = await apiSignIn('/api/auth/tokens', target.email, target.password, address);
    expect(right.status).toBe(429);
    expect(right.body.token).toBeUndefined();
  });

  it('after 5 failures, checks one attempt per wait, each wait twice the one before; a right password then clears the count', async () => {
    const target = await person();
    const address = newAddress();
    for (let attempt = 0; attempt < 5; attempt++) expect((await apiSignIn('/api/auth/login', target.email, 'wrong', address)).status).toBe(401);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const waiting = await apiSignIn('/api/auth/login', target.email, 'wrong', address);
      expect(waiting.status).toBe(429);
      waits.push(Number(waiting.retryAfter));
      await endWaits();
      // The wait is over: this one is checked, and fails.
      expect((await apiSignIn('/api/auth/login', target.email, 'wrong', address)).status).toBe(401);
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900]);
    await endWaits();
    expect((await apiSignIn('/api/auth/login', target.email, target.password, address)).status).toBe(204);
    // Counted again from zero: a mistyped password is a plain 401 once more.
    expect((await apiSignIn('/api/auth/login', target.email, 'wrong', address)).status).toBe(401);
  });

  it('tells a person on the sign-in page in French how long to wait, with Retry-After', async () => {
    const target = await person();
    const address = newAddress();
    for (let attempt = 0; attempt < 5; attempt++) expect((await pageSignIn(target.email, 'wrong', address)).status).toBe(401);
    const refused = await pageSignIn(target.email, target.password, address);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('60');
    expect(refused.html).toContain('Trop de tentatives de connexion échouées. Par sécurité, réessayez dans 1 minute.');
    expect(refused.html).toContain('value="' + target.email + '"');
  });
});

describe('one address, many accounts', () => {
  it('waits after 50 failures whatever the accounts, and only at that address', async () => {
    const address = newAddress();
    for (let attempt = 0; attempt < signInThrottlePolicy.address.failures; attempt++) {
      expect((await apiSignIn('/api/auth/tokens', `nobody.${randomBytes(4).toString('hex')}@test.boucle.example`, 'guess', address)).status).toBe(401);
    }
    const target = await person();
    expect((await apiSignIn('/api/auth/tokens', target.email, target.password, address)).status).toBe(429);
    expect((await apiSignIn('/api/auth/tokens', target.email, target.password, newAddress())).status).toBe(201);
  });
});

describe('one account from many addresses', () => {
  let owner: Account;
  let home: string;

  beforeAll(async () => {
    owner = await person();
    home = newAddress();
    expect((await pageSignIn(owner.email, owner.password, home)).status).toBe(303);
    // Someone guesses from 25 machines, a few times each.
    for (let machine = 0; machine < 25; machine++) {
      const address = `203.0.113.${machine + 1}`;
      for (let attempt = 0; attempt < 2; attempt++) await apiSignIn('/api/auth/login', owner.email, `guess-${machine}-${attempt}`, address);
    }
  });

  it('makes a new address wait, at most 15 minutes', async () => {
    const answer = await apiSignIn('/api/auth/login', owner.email, owner.password, newAddress());
    expect(answer.status).toBe(429);
    expect(Number(answer.retryAfter)).toBeLessThanOrEqual(15 * 60);
  });

  it('lets the owner in from an address it signed in from before', async () => {
    expect((await pageSignIn(owner.email, owner.password, home)).status).toBe(303);
  });
});

describe('what the counts keep', () => {
  it('holds neither the e-mail address nor the client address, and forgets what expired', async () => {
    const target = await person();
    const address = newAddress();
    await apiSignIn('/api/auth/login', target.email, 'wrong', address);
    const rows = (await harness.database.db.execute<{ row: string }>(sql`select t::text as row from sign_in_throttle t`)).map((row) => row.row).join('\n');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.toLowerCase()).not.toContain(target.email.toLowerCase());
    expect(rows).not.toContain(address);
    const before = (await harness.database.db.execute<{ count: number }>(sql`select count(*)::int as count from sign_in_throttle`))[0]!.count;
    await harness.database.db.execute(sql`update sign_in_throttle set expire = now() - interval '1 second' where key like 'attempts-address:%'`);
    const forgotten = await forgetExpiredSignInAttempts(harness.database.db);
    expect(forgotten).toBeGreaterThan(0);
    expect((await harness.database.db.execute<{ count: number }>(sql`select count(*)::int as count from sign_in_throttle`))[0]!.count).toBe(before - forgotten);
  });
});

describe('the client address behind reverse proxies (TRUSTED_PROXIES)', () => {
  const seen = async (trustedProxies: number, forwardedFor?: string) => {
    const app = new Hono().get('/', (c) => c.text(clientAddress(c, trustedProxies) ?? 'none'));
    const response = await app.request('/', { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }, from('10.0.0.2'));
    return response.text();
  };

  it('is the socket’s peer without a trusted proxy, whatever X-Forwarded-For claims', async () => {
    expect(await seen(0, '192.0.2.9')).toBe('10.0.0.2');
  });

  it('is what the outermost trusted proxy saw, never what the client wrote to the left of it', async () => {
    expect(await seen(1, '192.0.2.66, 192.0.2.9')).toBe('192.0.2.9');
    expect(await seen(2, '192.0.2.66, 192.0.2.9, 10.0.0.1')).toBe('192.0.2.9');
    expect(await seen(1)).toBe('10.0.0.2');
    expect(await seen(3, '192.0.2.9')).toBe('10.0.0.2');
  });
});
