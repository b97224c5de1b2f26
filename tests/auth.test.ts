import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, users } from '../src/auth/auth.schema.ts';
import { issueCredential } from '../src/auth/auth.service.ts';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { organisations } from '../src/organisations/organisations.schema.ts';
import { bootstrapAdmin } from '../src/seed/bootstrap.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { call, issueToken, startWorld, uniqueEmail, type Response, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
});
afterAll(() => harness.close());

const problemType = 'application/problem+json';

/** A fresh operator in the bench workshop, so a test that revokes or disables touches nobody else. */
const newOperator = () => world.account(bench.organisation.id, 'workshop_operator');

async function login(email: string, password: string): Promise<Response & { cookie?: string; setCookie: string | null }> {
  const response = await world.call('POST', '/api/auth/login', { body: { email, password } });
  const setCookie = response.headers.get('set-cookie');
  const cookie = setCookie?.match(/^boucle_session=([^;]+)/)?.[1];
  return { ...response, setCookie, cookie };
}

const withCookie = (cookie: string) => ({ headers: { cookie: `boucle_session=${cookie}` } });

async function credentialRows(userId: string) {
  return harness.database.db.select().from(credentials).where(eq(credentials.userId, userId)).orderBy(credentials.createdAt);
}

function expectProblem(response: Response, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe(problemType);
  expect(response.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

describe('signing in with a password', () => {
  it('sets an HttpOnly session cookie that authenticates /api/me', async () => {
    const operator = await newOperator();
    const response = await login(operator.email, operator.password);
    expect(response.status).toBe(204);
    expect(response.setCookie).toMatch(/HttpOnly/i);
    expect(response.setCookie).toMatch(/SameSite=Lax/i);
    expect(response.setCookie).toMatch(/Path=\//);
    expect(response.cookie).toBeTruthy();
    const me = await world.call('GET', '/api/me', withCookie(response.cookie!));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      userId: operator.id,
      displayName: 'workshop_operator de test',
      email: operator.email,
      role: 'workshop_operator',
      organisationId: bench.organisation.id,
      organisationKind: 'workshop',
      // What the pages' own requests must send with the cookie (X-CSRF-Token).
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    const sessions = (await credentialRows(operator.id)).filter((row) => row.kind === 'session');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600 * 1000);
  });

  it('accepts the e-mail address in any case', async () => {
    const operator = await newOperator();
    expect((await login(operator.email.toUpperCase(), operator.password)).status).toBe(204);
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const operator = await newOperator();
    const app = createApp({
      database: harness.database,
      fileStore: harness.fileStore,
      appSecret: 'x'.repeat(32),
      logger: createLogger('silent'),
      pingRedis: async () => {},
      publicUrl: 'https://boucle.example.org',
    });
    const response = await call(app, 'POST', '/api/auth/login', { body: { email: operator.email, password: operator.password } });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });

  it('answers a wrong password and an unknown e-mail alike, and issues nothing', async () => {
    const operator = await newOperator();
    const before = await harness.database.db.$count(credentials);
    const wrongPassword = await login(operator.email, `${operator.password}-nope`);
    const unknownEmail = await login(uniqueEmail('nobody'), operator.password);
    for (const response of [wrongPassword, unknownEmail]) {
      expectProblem(response, 401, 'invalid_credentials');
      expect(response.setCookie).toBeNull();
    }
    expect(wrongPassword.body.detail).toBe(unknownEmail.body.detail);
    expect(wrongPassword.body.title).toBe(unknownEmail.body.title);
    expect(await harness.database.db.$count(credentials)).toBe(before);
  });

  it('refuses a missing password as an invalid field', async () => {
    const response = await world.call('POST', '/api/auth/login', { body: { email: world.admin.email } });
    expectProblem(response, 422, 'validation_failed');
    expect(response.body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
  });

  it('signs out: the session cookie no longer works and the cookie is cleared', async () => {
    const operator = await newOperator();
    const { cookie } = await login(operator.email, operator.password);
    const { csrfToken } = (await world.call('GET', '/api/me', withCookie(cookie!))).body;
    const forged = await world.call('POST', '/api/auth/logout', withCookie(cookie!));
    expectProblem(forged, 403, 'csrf_token_missing');
    const logout = await world.call('POST', '/api/auth/logout', { headers: { ...withCookie(cookie!).headers, 'x-csrf-token': csrfToken } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/^boucle_session=;.*Max-Age=0/i);
    expectProblem(await world.call('GET', '/api/me', withCookie(cookie!)), 401, 'not_signed_in');
    const [session] = (await credentialRows(operator.id)).filter((row) => row.kind === 'session');
    expect(session!.revokedAt).toBeInstanceOf(Date);
    // The operator's API token is untouched by signing out of the browser.
    expect((await world.call('GET', '/api/me', { token: operator.token })).status).toBe(200);
  });

  it('ends a session after 12 hours', async () => {
    const operator = await newOperator();
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600 * 1000);
    const recent = await issueCredential(harness.database.db, { email: operator.email, password: operator.password, kind: 'session' }, hoursAgo(11));
    const stale = await issueCredential(harness.database.db, { email: operator.email, password: operator.password, kind: 'session' }, hoursAgo(13));
    expect((await world.call('GET', '/api/me', withCookie(recent.secret))).status).toBe(200);
    expectProblem(await world.call('GET', '/api/me', withCookie(stale.secret)), 401, 'not_signed_in');
  });

  it('refuses an unknown or forged session cookie', async () => {
    expectProblem(await world.call('GET', '/api/me', withCookie('bcs_forged')), 401, 'not_signed_in');
    expectProblem(await world.call('GET', '/api/me', { token: 'bct_forged' }), 401, 'not_signed_in');
  });
});

describe('API tokens', () => {
  it('issues a token with 201 that then works as a Bearer token', async () => {
    const operator = await newOperator();
    const response = await world.call('POST', '/api/auth/tokens', {
      body: { email: operator.email, password: operator.password, label: 'Poste de scan 1' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: expect.any(String), token: expect.stringMatching(/^bct_\S{32,}$/) });
    const me = await world.call('GET', '/api/me', { token: response.body.token });
    expect(me.status).toBe(200);
    expect(me.body.userId).toBe(operator.id);
    // Lower-case "bearer" works too: RFC 7235 schemes are case-insensitive.
    const lower = await world.call('GET', '/api/me', { headers: { authorization: `bearer ${response.body.token}` } });
    expect(lower.status).toBe(200);
  });

  it('refuses to issue a token for a wrong password, and issues nothing', async () => {
    const operator = await newOperator();
    const before = await credentialRows(operator.id);
    const response = await world.call('POST', '/api/auth/tokens', { body: { email: operator.email, password: 'not the password' } });
    expectProblem(response, 401, 'invalid_credentials');
    expect(await credentialRows(operator.id)).toEqual(before);
  });

  it('lists your tokens with their labels, never their secrets', async () => {
    const operator = await newOperator();
    const issued = await world.call('POST', '/api/auth/tokens', {
      body: { email: operator.email, password: operator.password, label: 'Douchette atelier' },
    });
    const list = await world.call('GET', '/api/auth/tokens', { token: operator.token });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    const listed = list.body.items.find((item: { id: string }) => item.id === issued.body.id);
    expect(listed).toEqual({ id: issued.body.id, label: 'Douchette atelier', createdAt: expect.any(String), lastUsedAt: null, revokedAt: null });
    for (const item of list.body.items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'label', 'lastUsedAt', 'revokedAt']);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(issued.body.token);
    expect(text).not.toContain(operator.token);
    const hashes = (await credentialRows(operator.id)).map((row) => row.secretHash);
    for (const hash of hashes) expect(text).not.toContain(hash);
  });

  it("does not list browser sessions or other people's tokens", async () => {
    const operator = await newOperator();
    await login(operator.email, operator.password);
    const list = await world.call('GET', '/api/auth/tokens', { token: operator.token });
    expect(list.body.items).toHaveLength(1);
    const adminTokens = await world.call('GET', '/api/auth/tokens', { token: world.admin.token });
    const operatorIds = new Set((await credentialRows(operator.id)).map((row) => row.id));
    for (const item of adminTokens.body.items) expect(operatorIds.has(item.id)).toBe(false);
  });

  it('records when a token was last used', async () => {
    const operator = await newOperator();
    await world.call('GET', '/api/me', { token: operator.token });
    const list = await world.call('GET', '/api/auth/tokens', { token: operator.token });
    expect(Date.parse(list.body.items[0].lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('revokes a token at once: it then answers 401, and shows as revoked', async () => {
    const operator = await newOperator();
    const spare = await world.call('POST', '/api/auth/tokens', { body: { email: operator.email, password: operator.password } });
    const revoke = await world.call('DELETE', `/api/auth/tokens/${spare.body.id}`, { token: operator.token });
    expect(revoke.status).toBe(204);
    expectProblem(await world.call('GET', '/api/me', { token: spare.body.token }), 401, 'not_signed_in');
    expect((await world.call('GET', '/api/me', { token: operator.token })).status).toBe(200);
    const list = await world.call('GET', '/api/auth/tokens', { token: operator.token });
    const revoked = list.body.items.find((item: { id: string }) => item.id === spare.body.id);
    expect(Date.parse(revoked.revokedAt)).toBeGreaterThan(Date.now() - 60_000);
    // Revoking twice is refused: nothing is left to revoke.
    expectProblem(await world.call('DELETE', `/api/auth/tokens/${spare.body.id}`, { token: operator.token }), 404, 'not_found');
  });

  it("cannot revoke someone else's token, which keeps working", async () => {
    const victim = await newOperator();
    const [victimToken] = (await credentialRows(victim.id)).filter((row) => row.kind === 'api_token');
    for (const attacker of [await newOperator(), world.admin]) {
      const response = await world.call('DELETE', `/api/auth/tokens/${victimToken!.id}`, { token: attacker.token });
      expectProblem(response, 404, 'not_found');
    }
    const [after] = (await credentialRows(victim.id)).filter((row) => row.kind === 'api_token');
    expect(after!.revokedAt).toBeNull();
    expect((await world.call('GET', '/api/me', { token: victim.token })).status).toBe(200);
  });

  it('signing out with a token revokes that token only', async () => {
    const operator = await newOperator();
    const other = await issueToken(world.app, operator.email, operator.password);
    expect((await world.call('POST', '/api/auth/logout', { token: operator.token })).status).toBe(204);
    expectProblem(await world.call('GET', '/api/me', { token: operator.token }), 401, 'not_signed_in');
    expect((await world.call('GET', '/api/me', { token: other })).status).toBe(200);
  });
});

describe('secrets at rest', () => {
  it('keeps no password and no token in clear anywhere in the database', async () => {
    const operator = await newOperator();
    const { cookie } = await login(operator.email, operator.password);
    const hashes = await harness.database.db.select({ passwordHash: users.passwordHash }).from(users);
    expect(hashes.length).toBeGreaterThan(0);
    for (const { passwordHash } of hashes) {
      expect(passwordHash).toMatch(/^\$argon2id\$v=19\$/);
      // OWASP's minimum for argon2id: 19 MiB of memory.
      expect(Number(passwordHash.match(/m=(\d+)/)?.[1])).toBeGreaterThanOrEqual(19_456);
    }

    const rows = await credentialRows(operator.id);
    const secrets = [operator.token, cookie!];
    for (const row of rows) {
      for (const secret of secrets) {
        expect(row.secretHash).not.toBe(secret);
        expect(row.secretHash).not.toContain(secret);
      }
    }
    // What is stored is a SHA-256 of the secret, enough to find it and useless to replay.
    const stored = new Set(rows.map((row) => row.secretHash));
    for (const secret of secrets) expect(stored.has(createHash('sha256').update(secret).digest('hex'))).toBe(true);

    // Every row of every table, as text: neither the password nor a token appears.
    const tables = await harness.database.sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
    for (const { table_name } of tables) {
      const dump = await harness.database.sql<{ row: string }[]>`select t::text as row from ${harness.database.sql(table_name)} t`;
      const text = dump.map((entry) => entry.row).join('\n');
      for (const secret of [operator.password, world.admin.password, ...secrets]) expect(text, table_name).not.toContain(secret);
    }
  });
});

describe('disabling an account', () => {
  it("stops the account's tokens and sessions at once, and refuses new sign-ins", async () => {
    const operator = await newOperator();
    const { cookie } = await login(operator.email, operator.password);
    const disable = await world.call('PATCH', `/api/users/${operator.id}`, { token: world.admin.token, body: { disabled: true } });
    expect(disable.status).toBe(200);
    expect(Date.parse(disable.body.disabledAt)).toBeGreaterThan(Date.now() - 60_000);
    expectProblem(await world.call('GET', '/api/me', { token: operator.token }), 401, 'not_signed_in');
    expectProblem(await world.call('GET', '/api/me', withCookie(cookie!)), 401, 'not_signed_in');
    expectProblem(await login(operator.email, operator.password), 401, 'invalid_credentials');
    const tokenAttempt = await world.call('POST', '/api/auth/tokens', { body: { email: operator.email, password: operator.password } });
    expectProblem(tokenAttempt, 401, 'invalid_credentials');
    for (const row of await credentialRows(operator.id)) expect(row.revokedAt).toBeInstanceOf(Date);
  });

  it('lets the person sign in again once re-enabled, without reviving old tokens', async () => {
    const operator = await newOperator();
    await world.call('PATCH', `/api/users/${operator.id}`, { token: world.admin.token, body: { disabled: true } });
    const enable = await world.call('PATCH', `/api/users/${operator.id}`, { token: world.admin.token, body: { disabled: false } });
    expect(enable.status).toBe(200);
    expect(enable.body.disabledAt).toBeNull();
    expectProblem(await world.call('GET', '/api/me', { token: operator.token }), 401, 'not_signed_in');
    const fresh = await issueToken(world.app, operator.email, operator.password);
    expect((await world.call('GET', '/api/me', { token: fresh })).status).toBe(200);
  });

  it('refuses that an admin disables their own account, and changes nothing', async () => {
    const response = await world.call('PATCH', `/api/users/${world.admin.id}`, { token: world.admin.token, body: { disabled: true } });
    expectProblem(response, 409, 'cannot_disable_self');
    const [admin] = await harness.database.db.select().from(users).where(eq(users.id, world.admin.id));
    expect(admin!.disabledAt).toBeNull();
    expect((await world.call('GET', '/api/me', { token: world.admin.token })).status).toBe(200);
  });
});

describe('changing a password', () => {
  it('revokes every token and session issued before, and only the new password works', async () => {
    const operator = await newOperator();
    const { cookie } = await login(operator.email, operator.password);
    const newPassword = 'correct horse battery staple';
    const change = await world.call('PATCH', `/api/users/${operator.id}`, { token: operator.token, body: { password: newPassword } });
    expect(change.status).toBe(200);
    expectProblem(await world.call('GET', '/api/me', { token: operator.token }), 401, 'not_signed_in');
    expectProblem(await world.call('GET', '/api/me', withCookie(cookie!)), 401, 'not_signed_in');
    expectProblem(await login(operator.email, operator.password), 401, 'invalid_credentials');
    expect((await login(operator.email, newPassword)).status).toBe(204);
    const [user] = await harness.database.db.select().from(users).where(eq(users.id, operator.id));
    expect(user!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user!.passwordHash).not.toContain(newPassword);
  });

  it('revokes the old tokens also when the coordinator sets the new password', async () => {
    const operator = await newOperator();
    const change = await world.call('PATCH', `/api/users/${operator.id}`, { token: world.admin.token, body: { password: 'set by the coordinator' } });
    expect(change.status).toBe(200);
    expectProblem(await world.call('GET', '/api/me', { token: operator.token }), 401, 'not_signed_in');
    // The coordinator's own token is untouched.
    expect((await world.call('GET', '/api/me', { token: world.admin.token })).status).toBe(200);
  });

  it('refuses a password shorter than 12 characters, and keeps the tokens', async () => {
    const operator = await newOperator();
    const [before] = await harness.database.db.select().from(users).where(eq(users.id, operator.id));
    const response = await world.call('PATCH', `/api/users/${operator.id}`, { token: operator.token, body: { password: 'short' } });
    expectProblem(response, 422, 'validation_failed');
    expect(response.body.errors).toEqual([{ path: 'password', message: expect.stringContaining('12') }]);
    const [after] = await harness.database.db.select().from(users).where(eq(users.id, operator.id));
    expect(after!.passwordHash).toBe(before!.passwordHash);
    expect((await world.call('GET', '/api/me', { token: operator.token })).status).toBe(200);
  });

  it('keeps the tokens when only the display name changes', async () => {
    const operator = await newOperator();
    expect((await world.call('PATCH', `/api/users/${operator.id}`, { token: operator.token, body: { displayName: 'Samia' } })).status).toBe(200);
    expect((await world.call('GET', '/api/me', { token: operator.token })).body.displayName).toBe('Samia');
  });
});

describe('the first admin account', () => {
  it('is not created when accounts already exist', async () => {
    const usersBefore = await harness.database.db.$count(users);
    const organisationsBefore = await harness.database.db.$count(organisations);
    const created = await bootstrapAdmin(harness.database.db, { email: uniqueEmail('bootstrap'), password: 'a long enough password' });
    expect(created).toBe(false);
    expect(await harness.database.db.$count(users)).toBe(usersBefore);
    expect(await harness.database.db.$count(organisations)).toBe(organisationsBefore);
  });

  it('is created once on an empty database, as admin of a coordinator organisation, even when two processes start together', async () => {
    const empty = await startHarness();
    try {
      const { db } = empty.database;
      expect(await db.$count(users)).toBe(0);
      const admin = { email: 'premier.admin@boucle.example', password: 'a long enough password' };
      const outcomes = await Promise.all([bootstrapAdmin(db, admin), bootstrapAdmin(db, admin)]);
      expect(outcomes.sort()).toEqual([false, true]);
      expect(await bootstrapAdmin(db, { ...admin, email: 'second.admin@boucle.example' })).toBe(false);

      const rows = await db.select().from(users);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ email: admin.email, role: 'admin', disabledAt: null });
      expect(rows[0]!.passwordHash).toMatch(/^\$argon2id\$/);
      const coordinators = await db.select().from(organisations);
      expect(coordinators).toHaveLength(1);
      expect(coordinators[0]!.kind).toBe('coordinator');
      expect(rows[0]!.organisationId).toBe(coordinators[0]!.id);

      // The new admin can sign in and sees the whole (empty) network.
      const token = await issueToken(empty.app, admin.email, admin.password);
      const me = await call(empty.app, 'GET', '/api/me', { token });
      expect(me.body).toMatchObject({ role: 'admin', organisationKind: 'coordinator', email: admin.email });
    } finally {
      await empty.close();
    }
  });
});
