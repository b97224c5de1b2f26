import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestStatuses, requestTransitions } from '../src/allocation/requests.lifecycle.ts';
import { apartmentStatuses, apartmentTransitions } from '../src/connectivity/apartments.lifecycle.ts';
import { deploymentStatuses, deploymentTransitions } from '../src/connectivity/deployments.lifecycle.ts';
import { incidentStatuses, incidentTransitions } from '../src/connectivity/incidents.rules.ts';
import { deviceStatuses, transitions as deviceTransitions } from '../src/devices/lifecycle.ts';
import { apartmentStatusLabels, deploymentStatusLabels, deviceStatusLabels, incidentStatusLabels, requestStatusLabels } from '../src/pages/fr.ts';
import { inSentence } from '../src/text.ts';
import { nextStatuses, type StatusTransition } from '../src/status-machine.ts';
import type { Harness } from './helpers/harness.ts';
import { buildingReadyToProvision, deploymentStep, expectStatus, finishedJob } from './helpers/wifi.ts';
import { startWorld, type Account, type Response, type World } from './helpers/world.ts';

/**
 * Every refused status change, whatever moved (a device, an equipment request, a building's Wi-Fi
 * deployment, an apartment, an incident), answers one body: `transition_not_allowed` or
 * `guard_failed`, where the thing stands (`currentStatus`, `allowedNextStatuses`) and every guard
 * that failed with its reason; in English, and in French for a browser that asks for it.
 */

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let landlord: Awaited<ReturnType<World['landlord']>>;
let isp: Awaited<ReturnType<World['isp']>>;
let mediator: Account;
let programmeId: string;

const ok = expectStatus;
const french = { 'accept-language': 'fr-FR,fr;q=0.9' };

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  bench = await world.workshop();
  landlord = await world.landlord();
  isp = await world.isp();
  mediator = await world.account((await world.organisation('mediation')).id, 'mediator');
  const programme = await world.call('POST', '/api/programmes', {
    token: world.admin.token,
    body: {
      name: 'Ordinateurs pour les collégiens',
      eligibilityCriteria: ['child_in_college'],
      deviceKinds: ['laptop'],
      reservationDays: 21,
      territories: [{ type: 'departement', code: '47' }],
    },
  });
  programmeId = ok(programme, 201).id;
});
afterAll(() => harness?.close());

const machines = [
  { thing: 'device', statuses: deviceStatuses, table: deviceTransitions, labels: deviceStatusLabels },
  { thing: 'request', statuses: requestStatuses, table: requestTransitions, labels: requestStatusLabels },
  { thing: 'deployment', statuses: deploymentStatuses, table: deploymentTransitions, labels: deploymentStatusLabels },
  { thing: 'apartment', statuses: apartmentStatuses, table: apartmentTransitions, labels: apartmentStatusLabels },
  { thing: 'incident', statuses: incidentStatuses, table: incidentTransitions, labels: incidentStatusLabels },
] as { thing: string; statuses: readonly string[]; table: readonly StatusTransition<string, string>[]; labels: Record<string, string> }[];

const machine = (thing: string) => machines.find((candidate) => candidate.thing === thing)!;

describe('the five status tables', () => {
  it.each(machines)(
    '$thing: every row goes between its statuses, names what the person does, and each status has its French name',
    ({ statuses, table, labels }) => {
      for (const row of table) {
        expect(statuses).toContain(row.to);
        for (const from of row.from) expect(statuses).toContain(from);
        expect(row.action).toMatch(/^[A-Z]\w/);
      }
      for (const status of statuses) expect(labels[status], status).toEqual(expect.stringMatching(/\S/));
    },
  );

  it.each(machines.filter(({ table }) => table.some((row) => row.resumes)))(
    '$thing: resumes a suspension only to where it was suspended from',
    ({ table, statuses }) => {
      const suspendedFrom = table.filter((row) => row.to === 'suspended').flatMap((row) => row.from);
      expect(suspendedFrom.length).toBeGreaterThan(0);
      for (const from of suspendedFrom) expect(nextStatuses(table, { status: 'suspended', suspendedFrom: from })).toEqual([from]);
      for (const from of statuses.filter((status) => !suspendedFrom.includes(status)))
        expect(nextStatuses(table, { status: 'suspended', suspendedFrom: from })).toEqual([]);
    },
  );
});

/** A refusal to provoke: the thing in its status, the move tried, and what the body must say. */
type RefusalCase = {
  thing: string;
  move: string;
  code: 'transition_not_allowed' | 'guard_failed';
  currentStatus: string;
  /** The guards that must fail, in the table's order. */
  failedGuards?: string[];
  /** Members a thing adds to the body (a device its code). */
  extra?: string[];
  /** Makes the thing; answers how to try the move, and its row in the database to compare after. */
  setup: () => Promise<{ attempt: (headers?: Record<string, string>) => Promise<Response>; state: () => Promise<unknown> }>;
};

const rowOf = async (table: string, id: string) => {
  const [row] = await harness.database.db.execute(sql`select status, version, updated_at::text from ${sql.identifier(table)} where id = ${id}`);
  return row;
};

const transitionOf =
  (token: string, code: string, body: Record<string, unknown>) =>
  (headers: Record<string, string> = {}) =>
    world.call('POST', `/api/devices/${code}/transitions`, { token, body, headers });

async function plannedBuilding(apartments = [{ unit: 'A01', floor: 0 }]) {
  const building = await world.building(landlord.manager.token, landlord.residence.id, { floors: 1, apartments });
  ok(
    await world.call('PATCH', `/api/buildings/${building.id}/deployment`, { token: landlord.manager.token, body: { ispOrganisationId: isp.organisation.id } }),
  );
  const deployment = ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token: landlord.manager.token }));
  return { ...building, deploymentId: deployment.id as string };
}

const cases: RefusalCase[] = [
  {
    thing: 'device',
    move: 'collected → ready',
    code: 'transition_not_allowed',
    currentStatus: 'collected',
    extra: ['device'],
    async setup() {
      const device = await world.device(bench.operator.token, bench.site.id);
      return { attempt: transitionOf(bench.operator.token, device.code, { to: 'ready' }), state: () => rowOf('devices', device.id) };
    },
  },
  {
    thing: 'device',
    move: 'collected → wiped with an SSD never wiped',
    code: 'guard_failed',
    currentStatus: 'collected',
    failedGuards: ['wipe_records_passed'],
    extra: ['device'],
    async setup() {
      const device = await world.device(bench.operator.token, bench.site.id, {
        storageMedia: [{ type: 'ssd', model: 'Samsung 860', serialNumber: 'S3Z9NB0K123', capacityGb: 256 }],
      });
      return { attempt: transitionOf(bench.operator.token, device.code, { to: 'wiped' }), state: () => rowOf('devices', device.id) };
    },
  },
  {
    thing: 'device',
    move: 'collected → refurbishing with storage and no work order',
    code: 'guard_failed',
    currentStatus: 'collected',
    failedGuards: ['no_storage_to_wipe', 'work_order_open'],
    extra: ['device'],
    async setup() {
      const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [{ type: 'hdd', capacityGb: 500 }] });
      return { attempt: transitionOf(bench.operator.token, device.code, { to: 'refurbishing' }), state: () => rowOf('devices', device.id) };
    },
  },
  {
    thing: 'request',
    move: 'eligible → closed',
    code: 'transition_not_allowed',
    currentStatus: 'eligible',
    async setup() {
      const household = ok(
        await world.call('POST', '/api/households', {
          token: mediator.token,
          body: {
            reference: `F-${Math.random().toString(36).slice(2, 8)}`,
            communeCode: '47001',
            size: 3,
            contactPhone: '06 12 34 56 78',
            attestations: ['child_in_college'],
            consent: true,
          },
        }),
        201,
      );
      const request = ok(
        await world.call('POST', '/api/requests', { token: mediator.token, body: { householdId: household.id, programmeId, need: { kind: 'laptop' } } }),
        201,
      );
      expect(request.status).toBe('eligible');
      return {
        attempt: (headers = {}) => world.call('POST', `/api/requests/${request.id}/close`, { token: mediator.token, body: {}, headers }),
        state: () => rowOf('equipment_requests', request.id),
      };
    },
  },
  {
    thing: 'deployment',
    move: 'planned → live',
    code: 'transition_not_allowed',
    currentStatus: 'planned',
    async setup() {
      const building = await plannedBuilding();
      return {
        attempt: (headers = {}) =>
          world.call('POST', `/api/buildings/${building.id}/deployment/transitions`, { token: landlord.manager.token, body: { to: 'live' }, headers }),
        state: () => rowOf('deployments', building.deploymentId),
      };
    },
  },
  {
    thing: 'deployment',
    move: 'surveyed → box_installed once the landlord withdrew the installer, with no box registered',
    code: 'guard_failed',
    currentStatus: 'surveyed',
    failedGuards: ['isp_assigned', 'box_installed'],
    async setup() {
      const building = await plannedBuilding();
      ok(await deploymentStep(world, isp.installer.token, building.id, 'surveyed'));
      ok(await world.call('PATCH', `/api/buildings/${building.id}/deployment`, { token: landlord.manager.token, body: { ispOrganisationId: null } }));
      return {
        attempt: (headers = {}) =>
          world.call('POST', `/api/buildings/${building.id}/deployment/transitions`, { token: landlord.manager.token, body: { to: 'box_installed' }, headers }),
        state: () => rowOf('deployments', building.deploymentId),
      };
    },
  },
  {
    thing: 'apartment',
    move: 'planned → in_use',
    code: 'transition_not_allowed',
    currentStatus: 'planned',
    async setup() {
      const building = await plannedBuilding();
      const [apartment] = ok(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token: landlord.manager.token })).items;
      return {
        attempt: (headers = {}) =>
          world.call('POST', `/api/apartments/${apartment.id}/status`, { token: landlord.manager.token, body: { to: 'in_use' }, headers }),
        state: () => rowOf('apartments', apartment.id),
      };
    },
  },
  {
    thing: 'incident',
    move: 'resolved → in_progress',
    code: 'transition_not_allowed',
    currentStatus: 'resolved',
    async setup() {
      const building = await plannedBuilding();
      const incident = ok(
        await world.call('POST', '/api/incidents', {
          token: landlord.manager.token,
          body: { buildingId: building.id, category: 'slow', description: 'Débit très faible le soir.' },
        }),
        201,
      );
      ok(
        await world.call('POST', `/api/incidents/${incident.id}/status`, {
          token: landlord.manager.token,
          body: { to: 'resolved', note: 'Canal Wi-Fi changé.' },
        }),
      );
      return {
        attempt: (headers = {}) =>
          world.call('POST', `/api/incidents/${incident.id}/status`, { token: landlord.manager.token, body: { to: 'in_progress' }, headers }),
        state: () => rowOf('incidents', incident.id),
      };
    },
  },
];

describe('a refused move, whatever moved', () => {
  it('is tried for each of the five things', () => {
    expect(new Set(cases.map((refusal) => refusal.thing))).toEqual(new Set(machines.map(({ thing }) => thing)));
  });

  it.each(cases)('$thing $move: answers $code with where it stands, in English then in French, and changes nothing', async (refusal) => {
    const { table, labels } = machine(refusal.thing);
    const { attempt, state } = await refusal.setup();
    const before = await state();
    const english = await attempt();
    const inFrench = await attempt(french);

    const allowedNextStatuses = nextStatuses(table, { status: refusal.currentStatus });
    const members = [
      'type',
      'title',
      'status',
      'detail',
      'code',
      'requestId',
      'currentStatus',
      'allowedNextStatuses',
      ...(refusal.failedGuards ? ['failedGuards'] : []),
      ...(refusal.extra ?? []),
    ];
    for (const answer of [english, inFrench]) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(409);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(Object.keys(answer.body).sort()).toEqual(members.sort());
      expect(answer.body).toMatchObject({ status: 409, code: refusal.code, currentStatus: refusal.currentStatus, allowedNextStatuses });
    }

    if (refusal.code === 'transition_not_allowed') {
      expect(english.body.detail).toContain(refusal.currentStatus);
      // An apartment's refusal names its unit first ("Logement A01 : impossible depuis…").
      expect(inFrench.body.detail.toLowerCase()).toContain(`impossible depuis le statut « ${inSentence(labels[refusal.currentStatus]!)} »`);
      for (const next of allowedNextStatuses) expect(inFrench.body.detail).toContain(inSentence(labels[next]!));
    } else {
      const guards = (answer: Response) => answer.body.failedGuards.map((failure: { guard: string }) => failure.guard);
      expect(guards(english)).toEqual(refusal.failedGuards);
      expect(guards(inFrench)).toEqual(refusal.failedGuards);
      const reasons = (answer: Response) => answer.body.failedGuards.map((failure: { reason: string }) => failure.reason);
      expect(english.body.detail).toBe(reasons(english).join(' '));
      expect(inFrench.body.detail).toBe(reasons(inFrench).join(' '));
      reasons(english).forEach((reason: string, index: number) => {
        expect(reason).toMatch(/^[A-Z].*\.$/);
        expect(reasons(inFrench)[index]).toMatch(/^[A-ZÀ-Ý].*\.$/);
        expect(reasons(inFrench)[index]).not.toBe(reason);
      });
    }
    expect(await state()).toEqual(before);
  });

  it('names the medium in both languages when a device still has storage to wipe', async () => {
    const { attempt } = await cases[1]!.setup();
    const [english, inFrench] = [await attempt(), await attempt(french)];
    expect(english.body.failedGuards[0].reason).toBe('SSD Samsung 860 (S3Z9NB0K123) needs a passed wipe at level purge or its removal.');
    expect(inFrench.body.failedGuards[0].reason).toBe(
      'Le support SSD Samsung 860 (S3Z9NB0K123) doit avoir un effacement réussi au niveau « Purge », ou être retiré.',
    );
  });

  it('lists every failed guard of a deployment, each with what is missing, not only the first', async () => {
    const { attempt } = await cases.find((refusal) => refusal.thing === 'deployment' && refusal.code === 'guard_failed')!.setup();
    const english = await attempt();
    expect(english.body.failedGuards).toEqual([
      { guard: 'isp_assigned', reason: expect.stringMatching(/no installer is assigned/i) },
      { guard: 'box_installed', reason: expect.stringMatching(/fibre box/) },
    ]);
    const inFrench = await attempt(french);
    expect(inFrench.body.failedGuards).toEqual([
      { guard: 'isp_assigned', reason: expect.stringMatching(/^Aucun installateur/) },
      { guard: 'box_installed', reason: expect.stringMatching(/box fibre/) },
    ]);
    // The README shows this very refusal as its example of the body.
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map(([, text]) => JSON.parse(text!)).find((body) => body.code === 'guard_failed');
    expect(example, 'a guard_failed body in the README').toBeDefined();
    expect(Object.keys(example).sort()).toEqual(Object.keys(english.body).sort());
    expect(example).toEqual({ ...english.body, requestId: example.requestId });
  });

  it('tells a request closed before its end where it can go, under the code every other thing uses', async () => {
    const { attempt } = await cases.find((refusal) => refusal.thing === 'request')!.setup();
    const english = await attempt();
    expect(english.body.code).toBe('transition_not_allowed');
    expect(english.body.detail).toBe('A request that is eligible cannot become closed; it can become cancelled, reserved, expired.');
    expect((await attempt(french)).body.detail).toBe(
      'Impossible depuis le statut « éligible, en attente d’un équipement » ; possible : annulée, réservé : formation à réserver, expirée.',
    );
  });
});

describe('two people moving the same thing at the same moment, from the same version', () => {
  /** Both requests at once; exactly one wins, the other is refused with a 409 that says why. */
  async function race(move: () => Promise<Response>, currentAfter: string) {
    const answers = await Promise.all([move(), move()]);
    expect(answers.map((answer) => answer.status).sort(), JSON.stringify(answers.map((answer) => answer.body))).toEqual([200, 409]);
    const loser = answers.find((answer) => answer.status === 409)!.body;
    // Depending on when it read the row, the loser lost the compare-and-set or found the move already made.
    expect(['concurrent_change', 'transition_not_allowed']).toContain(loser.code);
    if (loser.code === 'transition_not_allowed') expect(loser.currentStatus).toBe(currentAfter);
  }

  const eventsOf = async (table: string, column: string, id: string) => {
    const [row] = await harness.database.db.execute<{ count: number }>(
      sql`select count(*)::int as count from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}`,
    );
    return row!.count;
  };

  it('an incident put in progress twice: one is recorded, one event, one version', async () => {
    const building = await plannedBuilding();
    for (let round = 0; round < 3; round++) {
      const incident = ok(
        await world.call('POST', '/api/incidents', {
          token: landlord.manager.token,
          body: { buildingId: building.id, category: 'no_signal', description: 'Plus de signal.' },
        }),
        201,
      );
      await race(
        () => world.call('POST', `/api/incidents/${incident.id}/status`, { token: landlord.manager.token, body: { to: 'in_progress' } }),
        'in_progress',
      );
      expect(await rowOf('incidents', incident.id)).toMatchObject({ status: 'in_progress', version: incident.version + 1 });
      expect(await eventsOf('incident_events', 'incident_id', incident.id)).toBe(2);
    }
  });

  it('a deployment step recorded twice: one is recorded, one event, one version', async () => {
    for (let round = 0; round < 3; round++) {
      const building = await plannedBuilding();
      const before = await rowOf('deployments', building.deploymentId);
      await race(() => deploymentStep(world, isp.installer.token, building.id, 'surveyed'), 'surveyed');
      expect(await rowOf('deployments', building.deploymentId)).toMatchObject({ status: 'surveyed', version: (before as { version: number }).version + 1 });
      expect(await eventsOf('deployment_events', 'deployment_id', building.deploymentId)).toBe(1);
    }
  });

  it('an apartment’s letter recorded as delivered twice: one is recorded, one version', async () => {
    const apartments = [0, 1, 2].map((door) => ({ unit: `L0${door}`, floor: 0 }));
    const building = await buildingReadyToProvision(
      world,
      { manager: landlord.manager, residenceId: landlord.residence.id, ispId: isp.organisation.id, installer: isp.installer },
      apartments,
      1,
    );
    const started = ok(await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: isp.installer.token }), 202);
    expect((await finishedJob(world, isp.installer.token, started.job.id)).state).toBe('succeeded');
    for (const apartment of ok(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token: landlord.manager.token })).items) {
      const before = (await rowOf('apartments', apartment.id)) as { status: string; version: number };
      expect(before.status).toBe('provisioned');
      await race(
        () => world.call('POST', `/api/apartments/${apartment.id}/status`, { token: isp.installer.token, body: { to: 'credentials_delivered' } }),
        'credentials_delivered',
      );
      expect(await rowOf('apartments', apartment.id)).toMatchObject({ status: 'credentials_delivered', version: before.version + 1 });
    }
  });
});
