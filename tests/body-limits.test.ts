import { readdir } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimitFor, defaultBodyLimit, inventoriesWaitingAtMost } from '../src/http/body-limits.ts';
import type { Harness } from './helpers/harness.ts';
import { signInWithForm, type Person } from './helpers/pages.ts';
import { startWorld, type World } from './helpers/world.ts';

// Every route that reads a body, the pages' too, refuses one over its limit before reading it:
// a signed-in person must not be able to run the API process out of memory with a form.

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let operator: Person;
let csrf: string;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
  operator = await signInWithForm(harness.app, bench.operator);
  csrf = ((await (await harness.app.request('/api/me', { headers: { cookie: operator.cookie } })).json()) as { csrfToken: string }).csrfToken;
});
afterAll(async () => harness?.close());

const countOf = async (table: string) =>
  (await harness.database.db.execute<{ count: number }>(sql`select count(*)::int as count from ${sql.identifier(table)}`))[0]!.count;
const storedFiles = async () =>
  (await readdir(harness.filesFolder, { recursive: true, withFileTypes: true }).catch(() => [])).filter((entry) => entry.isFile()).length;

/** A body of `bytes` bytes that arrives in pieces with no Content-Length, as a chunked upload does. */
function streamed(bytes: number, chunk = 64 * 1024) {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const size = Math.min(chunk, bytes - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
}

describe('page routes', () => {
  it('refuse a body over their limit with a 413 in French, declared or streamed, on every route that takes one', async () => {
    const routes = [
      ...new Map(
        harness.app.routes
          .filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method) && !route.path.startsWith('/api/'))
          .map((route) => [`${route.method} ${route.path}`, route]),
      ).values(),
    ];
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const path = route.path.replace(/:\w+/g, crypto.randomUUID()).replace('*', 'x');
      const limit = bodyLimitFor(path).bytes;
      const declared = await harness.app.request(path, {
        method: route.method,
        headers: { cookie: operator.cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(limit + 1) },
        body: `_csrf=${csrf}&x=${'a'.repeat(limit)}`,
      });
      expect(declared.status, `${route.method} ${route.path} (declared)`).toBe(413);
      expect(await declared.text()).toMatch(/Envoi trop volumineux/);
      const chunked = await harness.app.request(path, {
        method: route.method,
        headers: { cookie: operator.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: streamed(limit + 1),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status, `${route.method} ${route.path} (streamed)`).toBe(413);
    }
  });

  it('refuses a 2 MB sign-in form without reading it, and signs nobody in', async () => {
    const body = new URLSearchParams({ email: bench.operator.email, password: bench.operator.password, padding: 'x'.repeat(2 * 1024 * 1024) }).toString();
    const before = await countOf('credentials');
    const answer = await harness.app.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(await countOf('credentials')).toBe(before);
  });

  it('refuses a 12 MB inventory on the import page, saying what to do, and stores nothing', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const line = 'portable;Dell;Latitude 5490;SN0000000000;ssd\n';
    const csv = `Type;Marque;Modèle;N° de série;Stockage\n${line.repeat(Math.ceil((12 * 1024 * 1024) / line.length))}`;
    const form = new FormData();
    form.append('_csrf', csrf);
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'inventaire.csv');
    const [jobs, files, onDisk] = [await countOf('background_jobs'), await countOf('files'), await storedFiles()];
    const answer = await harness.app.request(`/donations/${donation.id}/import`, { method: 'POST', headers: { cookie: operator.cookie }, body: form });
    expect(answer.status).toBe(413);
    const html = await answer.text();
    expect(html).toContain('Le fichier dépasse 5 Mo');
    expect(html).toContain(`href="/donations/${donation.id}"`);
    expect([await countOf('background_jobs'), await countOf('files'), await storedFiles()]).toEqual([jobs, files, onDisk]);
  });
});

describe('API routes', () => {
  it('refuse a sign-in body over 16 KB', async () => {
    for (const path of ['/api/auth/login', '/api/auth/tokens']) {
      const answer = await world.call('POST', path, { body: { email: bench.operator.email, password: 'x'.repeat(17 * 1024) } });
      expect(answer.status, path).toBe(413);
      expect(answer.body.code).toBe('body_too_large');
      expect(answer.body.detail).toBe('The request body is larger than 16 KB.');
    }
  });

  it('keep other bodies at 1 MB and inventories at 5 MB', () => {
    expect(bodyLimitFor('/api/devices').bytes).toBe(defaultBodyLimit);
    expect(bodyLimitFor('/admin/users').bytes).toBe(defaultBodyLimit);
    for (const path of ['/api/donations/x/imports', '/api/donations/x/devices', '/api/buildings/x/apartments/import', '/donations/x/import'])
      expect(bodyLimitFor(path).bytes, path).toBe(5 * 1024 * 1024);
  });
});

describe('inventories arriving together', () => {
  it('are read one at a time, each in its turn; beyond the waiting line they are told to come back (429, Retry-After)', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const csv = (serial: string) => `Type;Marque;Modèle;N° de série;Stockage\nportable;Dell;E7470;${serial};ssd\n`;
    // The first inventory holds its turn while its body is still arriving.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode(csv('TURN-0').slice(0, 20)));
        await held;
        controller.enqueue(new TextEncoder().encode(csv('TURN-0').slice(20)));
        controller.close();
      },
    });
    const send = (body: string | ReadableStream<Uint8Array>) =>
      harness.app.request(`/api/donations/${donation.id}/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bench.operator.token}`, 'content-type': 'text/csv' },
        body,
        duplex: 'half',
      } as RequestInit);
    const first = send(slow);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = Array.from({ length: inventoriesWaitingAtMost }, (_, index) => send(csv(`TURN-${index + 1}`)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const turnedAway = await send(csv('TURN-X'));
    expect(turnedAway.status).toBe(429);
    expect(turnedAway.headers.get('retry-after')).toBe('10');
    expect(((await turnedAway.json()) as { code: string }).code).toBe('inventories_queued');
    release();
    const answers = await Promise.all([first, ...waiting]);
    expect(answers.map((answer) => answer.status)).toEqual(Array(inventoriesWaitingAtMost + 1).fill(202));
    expect(await countOf('background_jobs')).toBeGreaterThanOrEqual(inventoriesWaitingAtMost + 1);
  });
});
