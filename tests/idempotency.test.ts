import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireIdempotencyKeys } from '../src/idempotency/idempotency.ts';
import type { Harness } from './helpers/harness.ts';
import { startWorld, type World } from './helpers/world.ts';

// A scan station offline queues its actions and sends them again when the network returns: the
// Idempotency-Key header makes the second sending a replay, never a second action.

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
});
afterAll(async () => harness?.close());

const recycle = (code: string, key: string | undefined, note = 'Carte mère HS') =>
  world.call('POST', `/api/devices/${code}/transitions`, {
    token: bench.operator.token,
    headers: key === undefined ? {} : { 'idempotency-key': key },
    body: { to: 'recycled', note, payload: { deeeChannel: 'ecosystem' } },
  });

async function eventsOf(code: string) {
  const [row] = await harness.database.db.execute<{ count: number }>(
    sql`select count(*)::int as count from device_events e join devices d on d.id = e.device_id where d.asset_code = ${code.replace('-', '')}`,
  );
  return row!.count;
}

describe('Idempotency-Key', () => {
  it('applies an action once however often it is sent, and replays the first answer', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const key = crypto.randomUUID();
    const first = await recycle(device.code, key);
    expect(first.status).toBe(200);
    const again = await recycle(device.code, key);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await eventsOf(device.code)).toBe(2);
  });

  it('replays a refusal as it was: the same 409, nothing applied', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const key = crypto.randomUUID();
    const refused = await world.call('POST', `/api/devices/${device.code}/transitions`, {
      token: bench.operator.token,
      headers: { 'idempotency-key': key },
      body: { to: 'ready' },
    });
    expect(refused.status).toBe(409);
    const again = await world.call('POST', `/api/devices/${device.code}/transitions`, {
      token: bench.operator.token,
      headers: { 'idempotency-key': key },
      body: { to: 'ready' },
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe(refused.body.detail);
    expect(again.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await eventsOf(device.code)).toBe(1);
  });

  it('refuses the same key for another request (422), and changes nothing', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const key = crypto.randomUUID();
    expect((await recycle(device.code, key)).status).toBe(200);
    const other = await world.device(bench.operator.token, bench.site.id);
    const reused = await recycle(other.code, key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    expect(await eventsOf(other.code)).toBe(1);
  });

  it('ten parallel sendings of one queued action: applied once, every answer a success or a wait, never a 500', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const key = crypto.randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => recycle(device.code, key)));
    expect(answers.every((answer) => answer.status === 200 || (answer.status === 409 && answer.body.code === 'request_in_progress'))).toBe(true);
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    expect(await eventsOf(device.code)).toBe(2);
  });

  it('keeps keys per person: another operator’s identical key is a request of its own', async () => {
    const colleague = await world.account(bench.organisation.id, 'workshop_operator');
    const first = await world.device(bench.operator.token, bench.site.id);
    const second = await world.device(bench.operator.token, bench.site.id);
    const key = crypto.randomUUID();
    expect((await recycle(first.code, key)).status).toBe(200);
    const theirs = await world.call('POST', `/api/devices/${second.code}/transitions`, {
      token: colleague.token,
      headers: { 'idempotency-key': key },
      body: { to: 'recycled', payload: { deeeChannel: 'ecosystem' } },
    });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses a malformed key with 400, before doing anything', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const answer = await recycle(device.code, 'clé avec espaces');
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('bad_idempotency_key');
    expect(await eventsOf(device.code)).toBe(1);
  });

  it('forgets keys after a day', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const key = crypto.randomUUID();
    await recycle(device.code, key);
    await harness.database.db.execute(sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = ${key}`);
    expect(await expireIdempotencyKeys(harness.database.db)).toBeGreaterThanOrEqual(1);
    const [row] = await harness.database.db.execute<{ count: number }>(sql`select count(*)::int as count from idempotency_keys where key = ${key}`);
    expect(row!.count).toBe(0);
  });
});
