import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionBuilding } from '../src/connectivity/provisioning.service.ts';
import { passphraseBox } from '../src/connectivity/secret-box.ts';
import { testAppSecret, type Harness } from './helpers/harness.ts';
import { buildingReadyToProvision, expectStatus, type WifiCast } from './helpers/wifi.ts';
import { startWorld, type World } from './helpers/world.ts';

// An Idempotency-Key makes a retry a replay of the first answer. An answer holding a secret is
// never kept for that: the retry is refused (409 answer_not_kept), so no passphrase, token or
// password lies in clear in idempotency_keys, and no replay skips the authorisation or the record.

let harness: Harness;
let world: World;
let cast: WifiCast;
let otherIsp: Awaited<ReturnType<World['isp']>>;
let building: { id: string };
let apartmentId: string;

const key = () => crypto.randomUUID();
const countOf = async (query: ReturnType<typeof sql>) => (await harness.database.db.execute<{ count: number }>(query))[0]!.count;
const reveal = (token: string, idempotencyKey: string) =>
  world.call('POST', `/api/apartments/${apartmentId}/passphrase/reveal`, { token, headers: { 'idempotency-key': idempotencyKey } });
const reveals = () => countOf(sql`select count(*)::int as count from passphrase_reveals where apartment_id = ${apartmentId}`);
/** Every row of idempotency_keys as Postgres prints it: what pg_dump would write. */
const idempotencyTable = async () =>
  (await harness.database.db.execute<{ row: string }>(sql`select t::text as row from idempotency_keys t`)).map((row) => row.row).join('\n');

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const landlord = await world.landlord();
  const isp = await world.isp();
  otherIsp = await world.isp();
  cast = { manager: landlord.manager, residenceId: landlord.residence.id, ispId: isp.organisation.id, installer: isp.installer };
  building = await buildingReadyToProvision(world, cast, [{ unit: '101', floor: 0 }], 1);
  // What the provisioning job does; no worker runs in this file.
  await provisionBuilding(harness.database.db, passphraseBox(testAppSecret), building.id, cast.installer.id);
  apartmentId = expectStatus(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token: cast.manager.token })).items[0].id;
});
afterAll(async () => harness?.close());

describe('a passphrase revealed with an Idempotency-Key', () => {
  it('is shown once; a retry with the key is refused (409) without the passphrase, and only the first reveal is recorded', async () => {
    const sent = key();
    const first = expectStatus(await reveal(cast.manager.token, sent));
    expect(first.passphrase).toMatch(/^\S{8,63}$/);
    const before = await reveals();
    const again = await reveal(cast.manager.token, sent);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('answer_not_kept');
    expect(again.body.detail).toMatch(/new Idempotency-Key/);
    expect(JSON.stringify(again.body)).not.toContain(first.passphrase);
    expect(await reveals()).toBe(before);
    expect(await idempotencyTable()).not.toContain(first.passphrase);
  });

  it('gives nothing to an installer whose building went to another ISP, fresh (404) or retried (409)', async () => {
    const sent = key();
    const first = expectStatus(await reveal(cast.installer.token, sent));
    expectStatus(
      await world.call('PATCH', `/api/buildings/${building.id}/deployment`, {
        token: cast.manager.token,
        body: { ispOrganisationId: otherIsp.organisation.id },
      }),
    );
    try {
      expect((await reveal(cast.installer.token, key())).status).toBe(404);
      const replay = await reveal(cast.installer.token, sent);
      expect(replay.status).toBe(409);
      expect(JSON.stringify(replay.body)).not.toContain(first.passphrase);
    } finally {
      expectStatus(
        await world.call('PATCH', `/api/buildings/${building.id}/deployment`, { token: cast.manager.token, body: { ispOrganisationId: cast.ispId } }),
      );
    }
  });
});

describe('a token issued with an Idempotency-Key', () => {
  it('is shown once; a retry is refused (409) and issues no second token', async () => {
    const sent = key();
    const ask = () =>
      world.call('POST', '/api/auth/tokens', {
        token: cast.manager.token,
        headers: { 'idempotency-key': sent },
        body: { email: cast.manager.email, password: cast.manager.password, label: 'poste de scan' },
      });
    const first = expectStatus(await ask(), 201);
    expect(first.token).toMatch(/^bct_/);
    const tokens = await countOf(sql`select count(*)::int as count from credentials where user_id = ${cast.manager.id}`);
    const again = await ask();
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('answer_not_kept');
    expect(JSON.stringify(again.body)).not.toContain(first.token);
    expect(await countOf(sql`select count(*)::int as count from credentials where user_id = ${cast.manager.id}`)).toBe(tokens);
  });
});

describe('the idempotency table at rest', () => {
  it('holds no passphrase, token or password after the reveal, token, sign-in and password routes, nor a plain hash of their bodies', async () => {
    const secrets: string[] = [];
    const sentBodies: { method: string; path: string; body: string }[] = [];
    const send = async (method: string, path: string, body: Record<string, unknown> | undefined, status: number, token = world.admin.token) => {
      const answer = await world.call(method, path, { token, headers: { 'idempotency-key': key() }, body });
      if (body) sentBodies.push({ method, path, body: JSON.stringify(body) });
      return expectStatus(answer, status);
    };

    secrets.push((await send('POST', `/api/apartments/${apartmentId}/passphrase/reveal`, undefined, 200, cast.manager.token)).passphrase);
    secrets.push((await send('POST', '/api/auth/tokens', { email: world.admin.email, password: world.admin.password }, 201)).token);
    secrets.push(world.admin.password);
    await send('POST', '/api/auth/login', { email: world.admin.email, password: world.admin.password }, 204);
    const newPassword = `pw-${randomBytes(12).toString('hex')}`;
    const user = await send(
      'POST',
      '/api/users',
      {
        organisationId: world.admin.organisationId,
        email: `new.${randomBytes(4).toString('hex')}@test.boucle.example`,
        displayName: 'Nouvelle',
        role: 'admin',
        password: newPassword,
      },
      201,
    );
    secrets.push(newPassword);
    const changedPassword = `pw-${randomBytes(12).toString('hex')}`;
    await send('PATCH', `/api/users/${user.id}`, { password: changedPassword }, 200);
    secrets.push(changedPassword);

    const table = await idempotencyTable();
    expect(await countOf(sql`select count(*)::int as count from idempotency_keys where user_id = ${world.admin.id}`)).toBe(4);
    for (const secret of secrets) expect(table).not.toContain(secret);
    // The request hash is keyed: a body's SHA-256, guessable from a dictionary of passwords, is not in it.
    for (const { method, path, body } of sentBodies) {
      expect(table).not.toContain(createHash('sha256').update(`${method} ${path}\n`).update(body).digest('hex'));
    }
  });
});
