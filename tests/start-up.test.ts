import type postgres from 'postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { serviceAccountEmail } from '../src/auth/system-actor.ts';
import { eventually } from './helpers/harness.ts';
import { freePort, startPrivateRedis } from './helpers/private-redis.ts';
import { deployment, emptyDatabase, listening, runBoucle, startApi, workersStarted } from './helpers/processes.ts';

// Each test starts real processes as a deployment does: give them time to boot.
const slow = { timeout: 120_000 };
const admin = { email: 'premiere.admin@boucle.example', password: 'un mot de passe assez long' };
const withAdmin = { BOOTSTRAP_ADMIN_EMAIL: admin.email, BOOTSTRAP_ADMIN_PASSWORD: admin.password };

/** Signs in through the API, as the coordinator would on the first day: 204 with a session cookie. */
async function signsIn(url: string, account = admin) {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  return response.status;
}

async function accounts(sql: postgres.Sql) {
  const people = await sql<{ email: string; role: string }[]>`select email, role from users where email <> ${serviceAccountEmail} order by email`;
  const [coordinators] = await sql<{ count: number }[]>`select count(*)::int as count from organisations where kind = 'coordinator'`;
  return { people: [...people], coordinators: coordinators!.count };
}

describe('the first admin', () => {
  it('exists when the workers start first and their service account is already there', slow, async () => {
    const database = await emptyDatabase();
    // A worker deployed without the bootstrap variables: its scheduled tasks create the service account.
    const earlier = runBoucle('workers/index.ts', [], { ...(await deployment(database.url)) });
    await workersStarted(earlier);
    await eventually(
      'the service account created by a scheduled task',
      async () => {
        const rows = await database.sql`select 1 from users where email = ${serviceAccountEmail}`;
        return rows.length === 1;
      },
      30_000,
    );
    await earlier.stop();

    const env = await deployment(database.url, withAdmin);
    const workers = runBoucle('workers/index.ts', [], env);
    await workersStarted(workers);
    const api = await startApi(env);
    await listening(api);
    expect(await signsIn(api.url)).toBe(204);
    expect(await accounts(database.sql)).toEqual({ people: [{ email: admin.email, role: 'admin' }], coordinators: 1 });
  });

  it('exists when the API starts first, then the workers', slow, async () => {
    const database = await emptyDatabase();
    const env = await deployment(database.url, withAdmin);
    const api = await startApi(env);
    await listening(api);
    const workers = runBoucle('workers/index.ts', [], env);
    await workersStarted(workers);
    expect(await signsIn(api.url)).toBe(204);
    expect(await accounts(database.sql)).toEqual({ people: [{ email: admin.email, role: 'admin' }], coordinators: 1 });
  });

  it('exists once when two APIs and two workers start at the same time', slow, async () => {
    const database = await emptyDatabase();
    const env = await deployment(database.url, withAdmin);
    const apis = [await startApi(env), await startApi(env)];
    const workers = [runBoucle('workers/index.ts', [], env), runBoucle('workers/index.ts', [], env)];
    await Promise.all([...apis.map(listening), ...workers.map(workersStarted)]);
    for (const api of apis) expect(await signsIn(api.url)).toBe(204);
    expect(await accounts(database.sql)).toEqual({ people: [{ email: admin.email, role: 'admin' }], coordinators: 1 });
  });
});

describe('Redis as BullMQ needs it', () => {
  it('is required by the workers in production: maxmemory-policy allkeys-lru stops them with one line naming the setting', slow, async () => {
    const lru = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
    onTestFinished(() => lru.stop());
    const database = await emptyDatabase();
    const workers = runBoucle('workers/index.ts', [], { ...(await deployment(database.url)), REDIS_URL: lru.url });
    expect(await workers.exit).toBe(1);
    const lines = workers.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/maxmemory-policy is allkeys-lru: BullMQ needs noeviction/);
  });

  it('is only warned about outside production', slow, async () => {
    const lru = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
    onTestFinished(() => lru.stop());
    const database = await emptyDatabase();
    const workers = runBoucle('workers/index.ts', [], { ...(await deployment(database.url)), NODE_ENV: 'development', REDIS_URL: lru.url });
    await workersStarted(workers);
    expect(workers.output()).toMatch(/maxmemory-policy is allkeys-lru/);
  });
});

describe('starting without the services', () => {
  it('stops with one line naming DATABASE_URL and its address when PostgreSQL does not answer there', slow, async () => {
    const port = await freePort();
    const api = runBoucle('src/main.ts', ['api'], await deployment(`postgres://boucle:secret@127.0.0.1:${port}/boucle`));
    expect(await api.exit).toBe(1);
    expect(api.stderr().trim()).toBe(
      `Cannot reach PostgreSQL at DATABASE_URL=postgres://boucle:***@127.0.0.1:${port}/boucle (connect ECONNREFUSED 127.0.0.1:${port}); start it, or correct DATABASE_URL`,
    );
  });

  it('stops the workers with one line naming REDIS_URL and its address when Redis does not answer there', slow, async () => {
    const database = await emptyDatabase();
    const port = await freePort();
    const workers = runBoucle('workers/index.ts', [], { ...(await deployment(database.url)), REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(await workers.exit).toBe(1);
    expect(workers.stderr().trim()).toBe(
      `Cannot reach Redis at REDIS_URL=redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); start it, or correct REDIS_URL`,
    );
  });

  it('runs an embedded PostgreSQL with its data in DATA_DIR: migrates, seeds the demo data and answers /readyz', slow, async () => {
    const env = await deployment('embedded', { NODE_ENV: 'development' });
    const port = await freePort();
    const all = runBoucle('src/main.ts', ['all'], { ...env, PORT: String(port) });
    await all.printed(/Boucle is listening/, 90_000);
    expect(all.output()).toContain(`PostgreSQL: embedded, data in ${env.DATA_DIR}/postgres`);
    expect(all.output()).toContain('Demo data created');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
    // The demo accounts' table, printed once: the password is the row's last column.
    const password = /'atelier@boucle\.example'.*'([^']+)'\s*│\s*$/m.exec(all.output())?.[1] ?? '';
    expect(await signsIn(`http://127.0.0.1:${port}`, { email: 'atelier@boucle.example', password })).toBe(204);
    expect(await all.stop()).toBe(0);
  });
});
