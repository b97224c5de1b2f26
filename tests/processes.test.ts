import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from './helpers/harness.ts';
import { fullChecklist } from './helpers/journey.ts';
import { deployment, emptyDatabase, listening, runBoucle, startApi, workersStarted } from './helpers/processes.ts';

// The concurrency guarantees with the deployment a network runs: two API processes and two worker
// processes against one database, requests sent to both APIs at once over HTTP.

const admin = { email: 'coordination@processes.example', password: 'un mot de passe assez long' };
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

type Answer = { status: number; body: any };

async function call(baseUrl: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function expectStatus(answer: Answer, status = 200) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
}

describe('two API processes and two worker processes on one database', () => {
  it('let one of 50 parallel moves of a device win, and 30 parallel reservations take 5 devices once each', { timeout: 240_000 }, async () => {
    const database = await emptyDatabase();
    const env = await deployment(database.url, { BOOTSTRAP_ADMIN_EMAIL: admin.email, BOOTSTRAP_ADMIN_PASSWORD: admin.password });
    const apis = [await startApi(env), await startApi(env)];
    const workers = [runBoucle('workers/index.ts', [], env), runBoucle('workers/index.ts', [], env)];
    await Promise.all([...apis.map(listening), ...workers.map(workersStarted)]);
    const [first, second] = apis.map((api) => api.url) as [string, string];
    /** The n-th of many parallel requests goes to one API or the other, in turn. */
    const apiFor = (n: number) => (n % 2 === 0 ? first : second);

    const token = async (email: string, password: string) =>
      expectStatus(await call(first, 'POST', '/api/auth/tokens', undefined, { email, password, label: 'test' }), 201).token as string;
    const coordinator = await token(admin.email, admin.password);
    const as = (bearer: string) => (method: string, path: string, body?: unknown) => call(first, method, path, bearer, body);
    const byCoordinator = as(coordinator);
    const account = async (organisationId: string, role: string) => {
      const email = `${role}.${randomBytes(4).toString('hex')}@processes.example`;
      const password = `pw-${randomBytes(12).toString('hex')}`;
      const user = expectStatus(await byCoordinator('POST', '/api/users', { organisationId, email, displayName: role, role, password }), 201);
      return { id: user.id as string, token: await token(email, password) };
    };

    const workshop = expectStatus(await byCoordinator('POST', '/api/organisations', { name: 'Atelier', shortName: 'Atelier', kind: 'workshop' }), 201);
    const bench = expectStatus(
      await byCoordinator('POST', '/api/sites', {
        organisationId: workshop.id,
        name: 'Atelier',
        kind: 'workshop',
        address: '1 rue du Test',
        communeCode: '47001',
      }),
      201,
    );
    const operator = await account(workshop.id, 'workshop_operator');
    expectStatus(
      await byCoordinator('POST', `/api/users/${operator.id}/qualifications`, {
        kind: 'refurbishment',
        issuer: 'Centre de formation ADN',
        issuedOn: day(-30),
        expiresOn: day(365),
      }),
      201,
    );
    const byOperator = as(operator.token);
    const donation = expectStatus(await byOperator('POST', '/api/donations', { collectionSiteId: bench.id, donor: { name: 'Donateur' } }), 201);
    const device = async () =>
      expectStatus(
        await byOperator('POST', '/api/devices', {
          donationId: donation.id,
          siteId: bench.id,
          kind: 'laptop',
          brand: 'Lenovo',
          model: 'ThinkPad T480',
          serialNumber: randomBytes(5).toString('hex'),
          storageMedia: [],
        }),
        201,
      );

    // 50 scans of one device at once, sent to both APIs: one move wins.
    const scanned = await device();
    const moves = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        call(apiFor(n), 'POST', `/api/devices/${scanned.code}/transitions`, operator.token, { to: 'recycled', payload: { deeeChannel: 'ecosystem' } }),
      ),
    );
    expect(moves.map((answer) => answer.status).sort()).toEqual([200, ...Array.from({ length: 49 }, () => 409)]);
    const events = await database.sql`select to_status from device_events where device_id = ${scanned.id} and type = 'transition'`;
    expect(events.map((event) => event.to_status)).toEqual(['recycled']);

    // Five devices in stock, thirty eligible families' requests, all reserving at once through both APIs.
    const stock: string[] = [];
    for (let index = 0; index < 5; index++) {
      const ready = await device();
      const order = expectStatus(await byOperator('POST', `/api/devices/${ready.code}/work-orders`, {}), 201);
      expectStatus(
        await byOperator('PATCH', `/api/work-orders/${order.id}`, {
          checklist: fullChecklist,
          specs: { cpu: 'Intel Core i5-8350U', ramGb: 8, storageGb: 256 },
          cosmetic: 'A',
          minutesSpent: 30,
        }),
      );
      expectStatus(await byOperator('POST', `/api/work-orders/${order.id}/complete`, {}));
      stock.push(ready.id as string);
    }
    const centre = expectStatus(await byCoordinator('POST', '/api/organisations', { name: 'Centre social', shortName: 'Centre', kind: 'mediation' }), 201);
    const mediator = await account(centre.id, 'mediator');
    const programme = expectStatus(
      await byCoordinator('POST', '/api/programmes', {
        name: 'Collégiens',
        eligibilityCriteria: ['child_in_college'],
        deviceKinds: ['laptop'],
        reservationDays: 21,
        territories: [{ type: 'departement', code: '47' }],
      }),
      201,
    );
    const requests: string[] = [];
    for (let index = 0; index < 30; index++) {
      const household = expectStatus(
        await call(first, 'POST', '/api/households', mediator.token, {
          reference: `F-${index}`,
          communeCode: '47001',
          size: 3,
          attestations: ['child_in_college'],
          consent: true,
        }),
        201,
      );
      const request = expectStatus(
        await call(first, 'POST', '/api/requests', mediator.token, { householdId: household.id, programmeId: programme.id, need: { kind: 'laptop' } }),
        201,
      );
      requests.push(request.id);
    }
    const reservations = await Promise.all(requests.map((id, n) => call(apiFor(n), 'POST', `/api/requests/${id}/reservation`, mediator.token)));
    const granted = reservations.filter((answer) => answer.status === 201);
    // The workers' matching round may take some devices meanwhile: never more than five in all, and none twice.
    expect(granted.length).toBeLessThanOrEqual(5);
    for (const refused of reservations.filter((answer) => answer.status !== 201)) expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    await eventually(
      'the five devices reserved, by the APIs or the workers’ matching',
      async () => {
        const [row] = await database.sql`select count(*)::int as reserved from devices where id in ${database.sql(stock)} and status = 'reserved'`;
        return row!.reserved === 5;
      },
      90_000,
    );
    const holding = await database.sql`
      select reserved_device_id from equipment_requests where reserved_device_id is not null`;
    expect(holding.map((row) => row.reserved_device_id).sort()).toEqual([...stock].sort());
    const reserveEvents = await database.sql`select device_id from device_events where to_status = 'reserved' and device_id in ${database.sql(stock)}`;
    expect(reserveEvents).toHaveLength(5);
  });
});
