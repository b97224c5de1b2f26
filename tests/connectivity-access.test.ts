import { sql, type SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApartmentStatus, apartmentStatuses, apartmentTransitions } from '../src/connectivity/apartments.lifecycle.ts';
import { nextStatuses } from '../src/status-machine.ts';
import { restrictedFileKinds } from '../src/files/files.service.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { buildingReadyToProvision, deploymentStep, download, expectStatus, finishedJob, letterQr, uciIfaces } from './helpers/wifi.ts';
import { startWorld, type Account, type Response, type World } from './helpers/world.ts';

// Who may see and change a building's shared Wi-Fi, what two people doing the same thing at once
// get, and the landlord's everyday edits (apartment lists, SSIDs, statuses, opt-in, scans).

let harness: Harness;
let world: World;
let landlordA: Awaited<ReturnType<World['landlord']>>;
let ispX: Awaited<ReturnType<World['isp']>>;

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  landlordA = await world.landlord();
  ispX = await world.isp();
});
afterAll(async () => harness?.close());

type Unit = { unit: string; floor: number };
type Building = { id: string; name: string; organisationId: string; floors: number };

const ok = expectStatus;

const units = (floors: number, perFloor: number, prefix = ''): Unit[] =>
  Array.from({ length: floors }, (_, floor) =>
    Array.from({ length: perFloor }, (_, door) => ({ unit: `${prefix}${floor}${String(door + 1).padStart(2, '0')}`, floor })),
  ).flat();

const step = (token: string, buildingId: string, to: string, note?: string) => deploymentStep(world, token, buildingId, to, note);
const waitForJob = (token: string, jobId: string) => finishedJob(world, token, jobId);
const fetchFile = (token: string, path: string) => download(world, token, path);

async function rows<T extends Record<string, unknown>>(query: SQL) {
  return [...(await harness.database.db.execute<T>(query))];
}

async function countOf(query: SQL) {
  const [row] = await rows<{ count: number }>(query);
  return row!.count;
}

/** Everything a refused request must leave as it was, across the whole database. */
async function connectivityState() {
  const [state] = await rows(sql`select
    (select count(*)::int from wifi_networks) as wifi_networks,
    (select coalesce(sum(passphrase_version), 0)::int from wifi_networks) as passphrase_versions,
    (select string_agg(ssid || '@' || passphrase_ciphertext, ',' order by id) from wifi_networks) as networks,
    (select count(*)::int from passphrase_reveals) as passphrase_reveals,
    (select count(*)::int from deployment_events) as deployment_events,
    (select string_agg(status || ':' || version || ':' || coalesce(isp_organisation_id::text, '-'), ',' order by id) from deployments) as deployments,
    (select count(*)::int from incidents) as incidents,
    (select count(*)::int from incident_events) as incident_events,
    (select count(*)::int from network_devices) as network_devices,
    (select count(*)::int from apartments) as apartments,
    (select string_agg(status || ':' || opt_in || ':' || version, ',' order by id) from apartments) as apartment_states,
    (select count(*)::int from background_jobs) as background_jobs`);
  return state;
}

/** A building of landlord A taken by ISP X's installer from planned to access points installed, one per landing. */
const readyToProvision = (apartments: Unit[], floors: number): Promise<Building> =>
  buildingReadyToProvision(
    world,
    { manager: landlordA.manager, residenceId: landlordA.residence.id, ispId: ispX.organisation.id, installer: ispX.installer },
    apartments,
    floors,
  );

/** The same building, provisioned: every apartment has its SSID, passphrase and letter. */
async function provisionedBuilding(apartments: Unit[], floors: number): Promise<Building> {
  const building = await readyToProvision(apartments, floors);
  const started = ok(await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: ispX.installer.token }), 202);
  expect((await waitForJob(ispX.installer.token, started.job.id)).state).toBe('succeeded');
  return building;
}

async function apartmentsOf(buildingId: string): Promise<{ id: string; unit: string; floor: number; status: ApartmentStatus; optIn: string }[]> {
  return ok(await world.call('GET', `/api/buildings/${buildingId}/apartments`, { token: landlordA.manager.token })).items;
}

async function accessPointsOf(
  token: string,
  buildingId: string,
): Promise<{ id: string; assetCode: string; floor: number; networks: { unit: string; ssid: string }[] }[]> {
  return ok(await world.call('GET', `/api/buildings/${buildingId}/network-devices`, { token })).items.filter(
    (item: { kind: string }) => item.kind === 'access_point',
  );
}

const networkOf = async (apartmentId: string) =>
  (
    await rows<{ ssid: string; passphrase_version: number; passphrase_ciphertext: string; letter_version: number | null }>(
      sql`select ssid, passphrase_version, passphrase_ciphertext, letter_version from wifi_networks where apartment_id = ${apartmentId}`,
    )
  )[0];

const reveal = async (token: string, apartmentId: string) =>
  ok(await world.call('POST', `/api/apartments/${apartmentId}/passphrase/reveal`, { token })) as {
    ssid: string;
    passphrase: string;
    passphraseVersion: number;
  };

/**
 * Starts `requests` while another session holds an exclusive lock on `table`, and lets go only once
 * one of them waits on another's transaction: requests forced to overlap past their checks.
 */
async function overlappingBehindLock<T>(table: string, requests: () => Promise<T>): Promise<T> {
  const session = postgres(harness.databaseUrl, { max: 1, onnotice: () => {} });
  let pending: Promise<T> | undefined;
  try {
    await session.begin(async (tx) => {
      await tx.unsafe(`lock table ${table} in exclusive mode`);
      pending = requests();
      await eventually(`one request waiting on another behind ${table}`, async () => {
        const waits = await tx<
          { wait: string }[]
        >`select wait_event as wait from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
        return waits.some((row) => row.wait === 'transactionid' || row.wait === 'tuple');
      });
    });
    return await pending!;
  } finally {
    await session.end();
  }
}

const statuses = (responses: { status: number }[]) => responses.map((response) => response.status).sort();

/** Sends an apartment list as a landlord would: the raw CSV (text/csv) or the field "file" of a form. */
async function importApartments(token: string, buildingId: string, content: string | Uint8Array, as: 'text/csv' | 'form' = 'text/csv'): Promise<Response> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: RequestInit['body'];
  if (as === 'form') {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/csv' }), 'logements.csv');
    body = form;
  } else {
    headers['content-type'] = 'text/csv';
    body = bytes;
  }
  const response = await world.app.request(`/api/buildings/${buildingId}/apartments/import`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

const windows1252 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const utf8WithBom = (text: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
const apartmentCount = (buildingId: string) => countOf(sql`select count(*)::int as count from apartments where building_id = ${buildingId}`);

describe('a provisioned building seen by people with no business in it', () => {
  type Target = { building: string; apartment: string; accessPoint: string; incident: string; landlord: string; otherIsp: string };
  type Route = { name: string; method: string; path: (target: Target) => string; body?: (target: Target) => unknown; csv?: string };

  // Every route that reads or changes the building, its apartments, equipment, outputs and incidents.
  const routes: Route[] = [
    { name: 'GET the building', method: 'GET', path: (t) => `/api/buildings/${t.building}` },
    { name: 'GET its deployment', method: 'GET', path: (t) => `/api/buildings/${t.building}/deployment` },
    { name: 'GET its apartments', method: 'GET', path: (t) => `/api/buildings/${t.building}/apartments` },
    { name: 'GET its network devices', method: 'GET', path: (t) => `/api/buildings/${t.building}/network-devices` },
    { name: 'GET an apartment', method: 'GET', path: (t) => `/api/apartments/${t.apartment}` },
    { name: 'POST passphrase reveal', method: 'POST', path: (t) => `/api/apartments/${t.apartment}/passphrase/reveal` },
    { name: 'GET the tenant letter', method: 'GET', path: (t) => `/api/apartments/${t.apartment}/letter` },
    { name: 'GET an access point configuration', method: 'GET', path: (t) => `/api/buildings/${t.building}/access-points/${t.accessPoint}/config` },
    { name: 'GET access-points.csv', method: 'GET', path: (t) => `/api/buildings/${t.building}/access-points.csv` },
    { name: 'GET the landlord’s rollout', method: 'GET', path: (t) => `/api/landlords/${t.landlord}/rollout` },
    { name: 'GET the landlord’s rollout.csv', method: 'GET', path: (t) => `/api/landlords/${t.landlord}/rollout.csv` },
    {
      name: 'PATCH the deployment (to assign itself)',
      method: 'PATCH',
      path: (t) => `/api/buildings/${t.building}/deployment`,
      body: (t) => ({ ispOrganisationId: t.otherIsp, monthlyCostCents: 1 }),
    },
    { name: 'POST a deployment transition', method: 'POST', path: (t) => `/api/buildings/${t.building}/deployment/transitions`, body: () => ({ to: 'live' }) },
    {
      name: 'POST a network device',
      method: 'POST',
      path: (t) => `/api/buildings/${t.building}/network-devices`,
      body: () => ({ kind: 'access_point', model: 'TP-Link EAP245', floor: 0, macAddress: '3C:84:6A:EE:EE:01' }),
    },
    { name: 'POST provisioning', method: 'POST', path: (t) => `/api/buildings/${t.building}/provisioning` },
    { name: 'POST a move-out', method: 'POST', path: (t) => `/api/apartments/${t.apartment}/move-out` },
    { name: 'PUT a new SSID', method: 'PUT', path: (t) => `/api/apartments/${t.apartment}/ssid`, body: () => ({ ssid: 'Pirate' }) },
    { name: 'PUT the opt-in', method: 'PUT', path: (t) => `/api/apartments/${t.apartment}/opt-in`, body: () => ({ optIn: 'out' }) },
    { name: 'POST an apartment status', method: 'POST', path: (t) => `/api/apartments/${t.apartment}/status`, body: () => ({ to: 'credentials_delivered' }) },
    {
      name: 'POST apartments',
      method: 'POST',
      path: (t) => `/api/buildings/${t.building}/apartments`,
      body: () => ({ apartments: [{ unit: 'Z99', floor: 0 }] }),
    },
    { name: 'POST an apartment import', method: 'POST', path: (t) => `/api/buildings/${t.building}/apartments/import`, csv: 'logement;étage\nZ98;RDC\n' },
    { name: 'GET an incident of the building', method: 'GET', path: (t) => `/api/incidents/${t.incident}` },
    { name: 'POST an incident status', method: 'POST', path: (t) => `/api/incidents/${t.incident}/status`, body: () => ({ to: 'in_progress' }) },
  ];

  const outsiders: { who: string; account: () => Promise<Account> }[] = [
    { who: 'the manager of another landlord', account: async () => (await world.landlord()).manager },
    { who: 'a mediator', account: async () => world.account((await world.organisation('mediation')).id, 'mediator') },
    { who: 'a workshop operator', account: async () => (await world.workshop()).operator },
    { who: 'the installer of another ISP', account: async () => (await world.isp()).installer },
    {
      who: 'the installer assigned to another residence of the same landlord',
      account: async () => {
        const neighbour = await world.isp();
        const residence = ok(
          await world.call('POST', '/api/residences', {
            token: landlordA.manager.token,
            body: { name: 'Résidence voisine', shortName: 'Voisine', communeCode: '13201' },
          }),
          201,
        );
        const other = await world.building(landlordA.manager.token, residence.id, { floors: 1 });
        ok(
          await world.call('PATCH', `/api/buildings/${other.id}/deployment`, {
            token: landlordA.manager.token,
            body: { ispOrganisationId: neighbour.organisation.id },
          }),
        );
        return neighbour.installer;
      },
    },
  ];

  let building: Building;
  let target: Target;

  const send = (account: Account, route: Route) =>
    route.csv === undefined
      ? world.call(route.method, route.path(target), { token: account.token, ...(route.body ? { body: route.body(target) } : {}) })
      : world.call(route.method, route.path(target), { token: account.token, rawBody: route.csv, headers: { 'content-type': 'text/csv' } });

  beforeAll(async () => {
    building = await provisionedBuilding(units(2, 2), 2);
    const [apartment] = await apartmentsOf(building.id);
    const [accessPoint] = await accessPointsOf(ispX.installer.token, building.id);
    const incident = ok(
      await world.call('POST', '/api/incidents', {
        token: landlordA.manager.token,
        body: { buildingId: building.id, apartmentId: apartment!.id, category: 'no_signal', description: 'Pas de réseau au 001.' },
      }),
      201,
    );
    const otherIsp = await world.organisation('isp');
    target = {
      building: building.id,
      apartment: apartment!.id,
      accessPoint: accessPoint!.id,
      incident: incident.id,
      landlord: landlordA.organisation.id,
      otherIsp: otherIsp.id,
    };
  });

  describe.each(outsiders)('$who', ({ account: makeAccount }) => {
    let account: Account;
    beforeAll(async () => {
      account = await makeAccount();
    });

    it.each(routes)('gets 404 on $name, and nothing changes', async (route) => {
      const before = await connectivityState();
      const response = await send(account, route);
      expect(response.status, JSON.stringify(response.body)).toBe(404);
      expect(response.body).toMatchObject({ status: 404, code: 'not_found' });
      expect(JSON.stringify(response.body)).not.toContain(building.name);
      expect(await connectivityState()).toEqual(before);
    });

    it('does not find the building, its residence nor its incidents in its lists', async () => {
      const buildings = ok(await world.call('GET', '/api/buildings', { token: account.token })).items;
      expect(buildings.map((item: { id: string }) => item.id)).not.toContain(building.id);
      const incidents = ok(await world.call('GET', '/api/incidents', { token: account.token })).items;
      expect(incidents.map((item: { buildingId: string }) => item.buildingId)).not.toContain(building.id);
      const filtered = ok(await world.call('GET', `/api/incidents?buildingId=${building.id}`, { token: account.token })).items;
      expect(filtered).toEqual([]);
      const residences = ok(await world.call('GET', '/api/residences', { token: account.token })).items;
      expect(residences.map((item: { id: string }) => item.id)).not.toContain(landlordA.residence.id);
    });

    it('cannot open an incident on the building: told no building of theirs has this id, and nothing is created', async () => {
      const before = await connectivityState();
      const refused = await world.call('POST', '/api/incidents', {
        token: account.token,
        body: { buildingId: building.id, category: 'slow', description: 'Lent.' },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'buildingId' })]);
      expect(await connectivityState()).toEqual(before);
    });

    it('finds nothing when scanning the building’s access point', async () => {
      const [accessPoint] = await accessPointsOf(ispX.installer.token, building.id);
      const scanned = await world.call('POST', '/api/scan', { token: account.token, body: { code: accessPoint!.assetCode } });
      expect(scanned.status).toBe(404);
      expect(JSON.stringify(scanned.body)).not.toContain(building.name);
    });
  });

  describe('the network coordinator', () => {
    it('sees the building, its deployment, apartments and equipment, and lists it', async () => {
      const token = world.admin.token;
      expect(ok(await world.call('GET', `/api/buildings/${building.id}`, { token }))).toMatchObject({ id: building.id, deploymentStatus: 'provisioned' });
      ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token }));
      expect(ok(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token })).items).toHaveLength(4);
      expect(await accessPointsOf(token, building.id)).toHaveLength(2);
      expect(ok(await world.call('GET', '/api/buildings', { token })).items.map((item: { id: string }) => item.id)).toContain(building.id);
    });

    it.each([
      ['POST passphrase reveal', 'POST', (t: Target) => `/api/apartments/${t.apartment}/passphrase/reveal`],
      ['GET the tenant letter', 'GET', (t: Target) => `/api/apartments/${t.apartment}/letter`],
      ['GET an access point configuration', 'GET', (t: Target) => `/api/buildings/${t.building}/access-points/${t.accessPoint}/config`],
      ['GET access-points.csv', 'GET', (t: Target) => `/api/buildings/${t.building}/access-points.csv`],
    ] as const)('gets 403 on %s: passphrases stay between the landlord and its installer; no reveal is recorded', async (_, method, path) => {
      const before = await connectivityState();
      const refused = await world.call(method, path(target), { token: world.admin.token });
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/landlord’s managers and the installer/) });
      expect(JSON.stringify(refused.body)).not.toMatch(/passphrase"\s*:/);
      expect(await connectivityState()).toEqual(before);
    });
  });

  describe('the installer assigned to the building', () => {
    it('gets the tenant letter and the passphrase on screen, the same network, and both are recorded as theirs', async () => {
      const before = await countOf(
        sql`select count(*)::int as count from passphrase_reveals where building_id = ${building.id} and actor_organisation_id = ${ispX.organisation.id}`,
      );
      const network = await reveal(ispX.installer.token, target.apartment);
      expect(letterQr(await fetchFile(ispX.installer.token, `/api/apartments/${target.apartment}/letter`))).toEqual({
        type: 'WPA',
        ssid: network.ssid,
        passphrase: network.passphrase,
      });
      const recorded = await rows<{ channel: string; actor_user_id: string }>(
        sql`select channel, actor_user_id from passphrase_reveals where building_id = ${building.id} and actor_organisation_id = ${ispX.organisation.id} order by id`,
      );
      expect(recorded.length).toBe(before + 2);
      expect(recorded.slice(-2)).toEqual([
        { channel: 'screen', actor_user_id: ispX.installer.id },
        { channel: 'letter', actor_user_id: ispX.installer.id },
      ]);
    });
  });

  describe('the installer assigned to the building, on the landlord’s decisions', () => {
    it.each([
      [
        'PATCH the deployment (to hand it to another ISP)',
        'PATCH',
        (t: Target) => `/api/buildings/${t.building}/deployment`,
        (t: Target) => ({ ispOrganisationId: t.otherIsp }),
      ],
      ['POST a move-out', 'POST', (t: Target) => `/api/apartments/${t.apartment}/move-out`, () => undefined],
      ['PUT a new SSID', 'PUT', (t: Target) => `/api/apartments/${t.apartment}/ssid`, () => ({ ssid: 'Installateur' })],
      ['POST apartments', 'POST', (t: Target) => `/api/buildings/${t.building}/apartments`, () => ({ apartments: [{ unit: 'Z97', floor: 0 }] })],
    ] as const)('gets 403 on %s, and nothing changes', async (_, method, path, body) => {
      const before = await connectivityState();
      const payload = body(target);
      const refused = await world.call(method, path(target), { token: ispX.installer.token, ...(payload ? { body: payload } : {}) });
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      expect(await connectivityState()).toEqual(before);
    });
  });

  describe('files that carry passphrases', () => {
    it('are served only by the building’s routes: neither downloadable by id nor listed in /api/files, to anyone', async () => {
      const restricted = await rows<{ id: string; kind: string }>(
        sql`select id::text, kind from files where organisation_id = ${landlordA.organisation.id} and kind in ${restrictedFileKinds}`,
      );
      expect(new Set(restricted.map((file) => file.kind))).toEqual(new Set(['wifi_letter', 'access_point_config_uci', 'access_point_config_csv']));
      const letters = restricted.filter((file) => file.kind === 'wifi_letter');
      expect(letters.length).toBeGreaterThanOrEqual(4);
      const outsider = (await world.landlord()).manager;
      const everyone = [landlordA.manager, world.admin, ispX.installer, outsider];
      const before = await connectivityState();
      for (const account of everyone) {
        for (const file of restricted) {
          const refused = await world.call('GET', `/api/files/${file.id}`, { token: account.token });
          expect(refused.status, `${account.role} ${file.kind}`).toBe(404);
          expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
        }
        for (const query of ['', '?kind=wifi_letter', '?limit=500']) {
          const listed = ok(await world.call('GET', `/api/files${query}`, { token: account.token })).items.map((file: { id: string }) => file.id);
          expect(
            listed.filter((id: string) => restricted.some((file) => file.id === id)),
            `${account.role} /api/files${query}`,
          ).toEqual([]);
        }
      }
      expect(await connectivityState()).toEqual(before);
    });
  });
});

describe('two people doing the same thing at the same moment', () => {
  it('recording the same deployment step: one is recorded, the other is told (409), one event', async () => {
    const building = await world.building(landlordA.manager.token, landlordA.residence.id, { floors: 1, apartments: [{ unit: 'S1', floor: 0 }] });
    ok(
      await world.call('PATCH', `/api/buildings/${building.id}/deployment`, {
        token: landlordA.manager.token,
        body: { ispOrganisationId: ispX.organisation.id },
      }),
    );
    const { version } = ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token: landlordA.manager.token }));
    const answers = await Promise.all([step(landlordA.manager.token, building.id, 'surveyed'), step(ispX.installer.token, building.id, 'surveyed')]);
    expect(statuses(answers)).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body.code).toMatch(/^(concurrent_change|transition_not_allowed)$/);
    const deployment = ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token: landlordA.manager.token }));
    expect(deployment).toMatchObject({ status: 'surveyed', version: version + 1 });
    expect(deployment.events.map((event: { toStatus: string }) => event.toStatus)).toEqual(['surveyed']);
  });

  it('ten provisioning requests on one building: accepted or refused, never a 500; each apartment gets one network, SSIDs unique', async () => {
    const apartments = units(3, 4);
    const building = await readyToProvision(apartments, 3);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: ispX.installer.token })),
    );
    for (const answer of answers) expect([202, 409], JSON.stringify(answer.body)).toContain(answer.status);
    const accepted = answers.filter((answer) => answer.status === 202);
    expect(accepted.length).toBeGreaterThan(0);
    const jobs = await Promise.all(accepted.map((answer) => waitForJob(ispX.installer.token, answer.body.job.id)));
    expect(jobs.map((job) => job.state)).toEqual(accepted.map(() => 'succeeded'));

    const perApartment = await rows<{ unit: string; networks: number }>(
      sql`select a.unit, count(w.id)::int as networks from apartments a left join wifi_networks w on w.apartment_id = a.id where a.building_id = ${building.id} group by a.unit order by a.unit`,
    );
    expect(perApartment).toEqual(apartments.map(({ unit }) => ({ unit, networks: 1 })).sort((a, b) => a.unit.localeCompare(b.unit)));
    const ssids = (await rows<{ ssid: string }>(sql`select ssid from wifi_networks where building_id = ${building.id}`)).map((row) => row.ssid);
    expect(new Set(ssids).size).toBe(12);
    const events = await rows<{ to_status: string }>(
      sql`select e.to_status from deployment_events e join deployments d on d.id = e.deployment_id where d.building_id = ${building.id} and e.to_status = 'provisioned'`,
    );
    expect(events).toHaveLength(1);
  });

  it('renaming two apartments of one residence to the same SSID: one is renamed, the other told ssid_taken (409), never a 500', async () => {
    const building = await provisionedBuilding(
      [
        { unit: 'T1', floor: 0 },
        { unit: 'T2', floor: 0 },
      ],
      1,
    );
    const [first, second] = await apartmentsOf(building.id);
    const before = { first: await networkOf(first!.id), second: await networkOf(second!.id) };
    const rename = (apartmentId: string, token: string) => world.call('PUT', `/api/apartments/${apartmentId}/ssid`, { token, body: { ssid: 'Même nom' } });
    // Both pass the "is it taken?" check before either commits: only the unique index can tell them apart.
    const answers = await overlappingBehindLock('background_jobs', () =>
      Promise.all([rename(first!.id, landlordA.manager.token), rename(second!.id, world.admin.token)]),
    );
    expect(statuses(answers)).toEqual([200, 409]);
    const loser = answers[0]!.status === 409 ? first! : second!;
    expect(answers.find((answer) => answer.status === 409)!.body).toMatchObject({ code: 'ssid_taken', detail: expect.stringContaining('Même nom') });
    expect(await countOf(sql`select count(*)::int as count from wifi_networks where ssid = 'Même nom'`)).toBe(1);
    expect(await networkOf(loser.id)).toEqual(before[loser === first ? 'first' : 'second']);
  });

  it('uploading the same apartment list twice at once: one adds it, the other is told each apartment is already there', async () => {
    const building = await world.building(landlordA.manager.token, landlordA.residence.id, { floors: 2 });
    const list = 'logement;étage\nH01;RDC\nH11;1\n';
    const answers = await Promise.all([
      importApartments(landlordA.manager.token, building.id, list),
      importApartments(world.admin.token, building.id, list, 'form'),
    ]);
    expect(statuses(answers)).toEqual([201, 422]);
    expect(answers.find((answer) => answer.status === 422)!.body.errors.map((error: { path: string }) => error.path)).toEqual(['line 2', 'line 3']);
    expect((await apartmentsOf(building.id)).map((apartment) => apartment.unit)).toEqual(['H01', 'H11']);
  });

  it('two move-outs of one apartment: both answered, versions 2 then 3, and the letter carries the last passphrase', async () => {
    const building = await provisionedBuilding([{ unit: 'M1', floor: 0 }], 1);
    const [apartment] = await apartmentsOf(building.id);
    const answers = await Promise.all([
      world.call('POST', `/api/apartments/${apartment!.id}/move-out`, { token: landlordA.manager.token }),
      world.call('POST', `/api/apartments/${apartment!.id}/move-out`, { token: world.admin.token }),
    ]);
    expect(statuses(answers)).toEqual([200, 200]);
    expect(answers.map((answer) => answer.body.passphraseVersion).sort()).toEqual([2, 3]);
    for (const answer of answers) await waitForJob(world.admin.token, answer.body.job.id);
    const network = await reveal(landlordA.manager.token, apartment!.id);
    expect(network.passphraseVersion).toBe(3);
    expect(letterQr(await fetchFile(landlordA.manager.token, `/api/apartments/${apartment!.id}/letter`))).toEqual({
      type: 'WPA',
      ssid: network.ssid,
      passphrase: network.passphrase,
    });
  });

  it('two installers registering access points with the same MAC address: one is registered (201), the other told (409)', async () => {
    const building = await readyToProvision([{ unit: 'N1', floor: 0 }], 2);
    const colleague = await world.account(ispX.organisation.id, 'installer');
    const before = await countOf(sql`select count(*)::int as count from network_devices where building_id = ${building.id}`);
    const register = (installer: Account) =>
      world.call('POST', `/api/buildings/${building.id}/network-devices`, {
        token: installer.token,
        body: { kind: 'access_point', model: 'TP-Link EAP650', floor: 1, macAddress: '3c:84:6a:42:42:42' },
      });
    const answers = await Promise.all([register(ispX.installer), register(colleague)]);
    expect(statuses(answers)).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body.code).toBe('mac_address_known');
    expect(await countOf(sql`select count(*)::int as count from network_devices where building_id = ${building.id}`)).toBe(before + 1);
    expect(await countOf(sql`select count(*)::int as count from network_devices where mac_address = '3C:84:6A:42:42:42'`)).toBe(1);
  });
});

describe('recording the building’s fibre box', () => {
  it('two installers recording the box at once: one is recorded (201), the other told the building has its box (409)', async () => {
    const building = await world.building(landlordA.manager.token, landlordA.residence.id, { floors: 1, apartments: [{ unit: 'Z1', floor: 0 }] });
    ok(
      await world.call('PATCH', `/api/buildings/${building.id}/deployment`, {
        token: landlordA.manager.token,
        body: { ispOrganisationId: ispX.organisation.id },
      }),
    );
    const colleague = await world.account(ispX.organisation.id, 'installer');
    const register = (installer: Account) =>
      world.call('POST', `/api/buildings/${building.id}/network-devices`, { token: installer.token, body: { kind: 'building_box', model: 'Nokia G-010G-Q' } });
    const answers = await Promise.all([register(ispX.installer), register(colleague)]);
    expect(statuses(answers)).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body.code).toBe('box_already_installed');
    expect(await countOf(sql`select count(*)::int as count from network_devices where building_id = ${building.id} and kind = 'building_box'`)).toBe(1);
  });
});

describe('importing a landlord’s apartment list (CSV)', () => {
  let building: Building;

  beforeAll(async () => {
    building = await world.building(landlordA.manager.token, landlordA.residence.id, { floors: 3 });
  });

  it('reads French headers and RDC from a UTF-8 file with a BOM', async () => {
    const imported = ok(
      await importApartments(landlordA.manager.token, building.id, utf8WithBom('Logement;Étage\r\nA01;RDC\r\nA02;rdc\r\nB11;1\r\nBât C 21;2\r\n')),
      201,
    );
    expect(imported.items.map((item: Unit) => ({ unit: item.unit, floor: item.floor }))).toEqual([
      { unit: 'A01', floor: 0 },
      { unit: 'A02', floor: 0 },
      { unit: 'B11', floor: 1 },
      { unit: 'Bât C 21', floor: 2 },
    ]);
    expect((await apartmentsOf(building.id)).map((item) => item.unit)).toEqual(['A01', 'A02', 'B11', 'Bât C 21']);
  });

  it('reads a Windows-1252 export sent as the field "file" of a form, accents intact', async () => {
    const imported = ok(
      await importApartments(landlordA.manager.token, building.id, windows1252('logement;étage\nEsc. é 12;RDC\nPorte 2 côté cour;2\n'), 'form'),
      201,
    );
    expect(imported.items.map((item: Unit) => [item.unit, item.floor])).toEqual([
      ['Esc. é 12', 0],
      ['Porte 2 côté cour', 2],
    ]);
  });

  it('refuses a file with bad lines, naming each line, and adds nothing', async () => {
    const before = await apartmentCount(building.id);
    const refused = await importApartments(landlordA.manager.token, building.id, 'logement;étage\nC01;RDC\n;1\nC03;deux\nC04;2\nC05;-1\n');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('validation_failed');
    expect(refused.body.errors.map((error: { path: string }) => error.path)).toEqual(['line 3', 'line 4', 'line 6']);
    expect(refused.body.errors[1].message).toMatch(/“DEUX” is not a floor/);
    expect(await apartmentCount(building.id)).toBe(before);
  });

  it('names the line a text editor shows, past blank lines and a reference written over two lines', async () => {
    const refused = await importApartments(landlordA.manager.token, building.id, 'logement;étage\nD1;1\n\n"D2\nbis";1\nD3;x\n');
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((error: { path: string }) => error.path)).toEqual(['line 6']);
  });

  it('reads a Windows-1252 file that starts with a UTF-8 byte order mark', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...windows1252('logement;étage\nPièce 7;1\n')]);
    const imported = ok(await importApartments(landlordA.manager.token, building.id, bytes), 201);
    expect(imported.items.map((item: Unit) => item.unit)).toEqual(['Pièce 7']);
  });

  it('refuses an apartment already recorded, naming its line, and adds nothing', async () => {
    const before = await apartmentCount(building.id);
    const refused = await importApartments(landlordA.manager.token, building.id, 'logement;étage\nD01;1\nB11;1\n');
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'line 3', message: expect.stringMatching(/B11 is already recorded/) }]);
    expect(await apartmentCount(building.id)).toBe(before);
  });

  it('refuses a floor the building does not have (3 floors: landings 0 to 2), and adds nothing', async () => {
    const before = await apartmentCount(building.id);
    const refused = await importApartments(landlordA.manager.token, building.id, 'logement;étage\nE21;2\nE31;3\n');
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'line 3', message: expect.stringMatching(/Floor 3 does not exist.*0 \(ground floor\) to 2/) }]);
    expect(await apartmentCount(building.id)).toBe(before);
  });

  it('refuses an apartment listed twice in the file, naming the second line, and adds nothing', async () => {
    const before = await apartmentCount(building.id);
    const refused = await importApartments(landlordA.manager.token, building.id, 'logement;étage\nF01;1\nF02;1\nf01;2\n');
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'line 4', message: expect.stringMatching(/appears twice/) }]);
    expect(await apartmentCount(building.id)).toBe(before);
  });
});

describe('renaming an apartment’s SSID', () => {
  let building: Building;
  let apartment: { id: string; unit: string };

  beforeAll(async () => {
    building = await provisionedBuilding(
      [
        { unit: 'R1', floor: 0 },
        { unit: 'R2', floor: 0 },
      ],
      1,
    );
    apartment = (await apartmentsOf(building.id))[0]!;
  });

  it('refuses a name of 33 bytes (accents count twice), naming ssid, and changes nothing', async () => {
    const tooLong = `a${'é'.repeat(16)}`;
    expect(Buffer.byteLength(tooLong)).toBe(33);
    const before = await connectivityState();
    const refused = await world.call('PUT', `/api/apartments/${apartment.id}/ssid`, { token: landlordA.manager.token, body: { ssid: tooLong } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'ssid', message: expect.stringMatching(/at most 32 bytes.*33/) }]);
    expect(await connectivityState()).toEqual(before);
  });

  it('gives a new version whose SSID is in the letter’s QR code and the access point’s configuration; the deployment history is unchanged', async () => {
    const newSsid = 'Pêcheurs Bât É – R1';
    expect(Buffer.byteLength(newSsid)).toBeLessThanOrEqual(32);
    const old = await reveal(landlordA.manager.token, apartment.id);
    const historyBefore = ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token: landlordA.manager.token }));

    const renamed = ok(await world.call('PUT', `/api/apartments/${apartment.id}/ssid`, { token: landlordA.manager.token, body: { ssid: newSsid } }));
    expect(renamed).toMatchObject({ passphraseVersion: old.passphraseVersion + 1, apartment: { status: 'provisioned' } });
    expect((await waitForJob(landlordA.manager.token, renamed.job.id)).state).toBe('succeeded');

    const fresh = await reveal(ispX.installer.token, apartment.id);
    expect(fresh).toMatchObject({ ssid: newSsid, passphraseVersion: old.passphraseVersion + 1 });
    expect(fresh.passphrase).not.toBe(old.passphrase);
    expect(letterQr(await fetchFile(ispX.installer.token, `/api/apartments/${apartment.id}/letter`))).toEqual({
      type: 'WPA',
      ssid: newSsid,
      passphrase: fresh.passphrase,
    });

    const [point] = await accessPointsOf(ispX.installer.token, building.id);
    expect(point!.networks).toContainEqual({ unit: apartment.unit, ssid: newSsid });
    const ifaces = uciIfaces(
      new TextDecoder().decode(await fetchFile(ispX.installer.token, `/api/buildings/${building.id}/access-points/${point!.id}/config`)),
    );
    const renamedIfaces = ifaces.filter((iface) => iface.ssid === newSsid);
    expect(renamedIfaces).toHaveLength(2);
    for (const iface of renamedIfaces) expect(iface.key).toBe(fresh.passphrase);
    expect(ifaces.some((iface) => iface.ssid === old.ssid)).toBe(false);

    const historyAfter = ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token: landlordA.manager.token }));
    expect(historyAfter.events).toEqual(historyBefore.events);
    expect(historyAfter.status).toBe(historyBefore.status);
  });
});

describe('an apartment’s status and its household’s opt-in', () => {
  const resumedFrom: ApartmentStatus = 'in_use';
  // How each status is reached by hand from a freshly provisioned apartment (suspended: from in use).
  const pathTo: Record<ApartmentStatus, ApartmentStatus[]> = {
    planned: [],
    provisioned: [],
    credentials_delivered: ['credentials_delivered'],
    in_use: ['credentials_delivered', 'in_use'],
    not_in_use: ['credentials_delivered', 'in_use', 'not_in_use'],
    suspended: ['credentials_delivered', 'in_use', 'suspended'],
  };
  const allowedFrom = (from: ApartmentStatus): ApartmentStatus[] =>
    nextStatuses(apartmentTransitions, { status: from, suspendedFrom: from === 'suspended' ? resumedFrom : null });
  const pairs = apartmentStatuses.flatMap((from) =>
    apartmentStatuses.map((to) => ({ from, to, verdict: allowedFrom(from).includes(to) ? 'allowed' : 'refused' })),
  );

  let provisioned: Building;
  let pool: { id: string; unit: string }[];
  let plannedPool: { id: string; unit: string }[];
  const take = (from: ApartmentStatus) => (from === 'planned' ? plannedPool : pool).shift()!;

  const setStatus = (apartmentId: string, to: ApartmentStatus) =>
    world.call('POST', `/api/apartments/${apartmentId}/status`, { token: ispX.installer.token, body: { to } });
  const stateOf = async (apartmentId: string) =>
    (await rows(sql`select status, suspended_from, opt_in, version, updated_at::text from apartments where id = ${apartmentId}`))[0];

  beforeAll(async () => {
    // One apartment per (from, to) pair, plus a few for the walk-through below.
    provisioned = await provisionedBuilding(units(5, 8, 'P'), 5);
    pool = await apartmentsOf(provisioned.id);
    const planned = await world.building(landlordA.manager.token, landlordA.residence.id, { floors: 1, apartments: units(1, 6, 'Q') });
    ok(
      await world.call('PATCH', `/api/buildings/${planned.id}/deployment`, {
        token: landlordA.manager.token,
        body: { ispOrganisationId: ispX.organisation.id },
      }),
    );
    plannedPool = await apartmentsOf(planned.id);
  });

  it('goes provisioned → credentials delivered → in use → not in use, as the installer records it', async () => {
    const apartment = take('provisioned');
    for (const to of ['credentials_delivered', 'in_use', 'not_in_use'] as const) {
      expect(ok(await setStatus(apartment.id, to))).toMatchObject({ id: apartment.id, status: to });
    }
    expect(ok(await world.call('GET', `/api/apartments/${apartment.id}`, { token: landlordA.manager.token })).status).toBe('not_in_use');
  });

  it('refuses a step out of order with 409, saying which statuses it can go to, and changes nothing', async () => {
    const apartment = take('provisioned');
    const before = await stateOf(apartment.id);
    const refused = await setStatus(apartment.id, 'in_use');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      status: 409,
      code: 'transition_not_allowed',
      currentStatus: 'provisioned',
      allowedNextStatuses: ['credentials_delivered', 'suspended'],
    });
    expect(refused.body.detail).toMatch(/it can go to credentials_delivered, suspended/);
    expect(await stateOf(apartment.id)).toEqual(before);
  });

  it('resumes a suspension to the status it was suspended from, and only to it', async () => {
    const apartment = take('provisioned');
    for (const to of ['credentials_delivered', 'not_in_use'] as const) ok(await setStatus(apartment.id, to));
    expect(ok(await setStatus(apartment.id, 'suspended')).status).toBe('suspended');
    const elsewhere = await setStatus(apartment.id, 'in_use');
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toMatchObject({ status: 409, currentStatus: 'suspended', allowedNextStatuses: ['not_in_use'] });
    expect(ok(await setStatus(apartment.id, 'not_in_use')).status).toBe('not_in_use');
    expect((await stateOf(apartment.id))!.suspended_from).toBeNull();
  });

  it.each(pairs)('$from → $to is $verdict', async ({ from, to, verdict }) => {
    const apartment = take(from);
    for (const earlier of pathTo[from]) ok(await setStatus(apartment.id, earlier));
    const before = await stateOf(apartment.id);
    expect(before!.status).toBe(from);
    const answer = await setStatus(apartment.id, to);
    if (verdict === 'allowed') {
      expect(ok(answer).status).toBe(to);
    } else {
      expect(answer.status, JSON.stringify(answer.body)).toBe(409);
      expect(answer.body).toMatchObject({ status: 409, code: 'transition_not_allowed', currentStatus: from, allowedNextStatuses: allowedFrom(from) });
      expect(await stateOf(apartment.id)).toEqual(before);
    }
  });

  it('records a household opting out on a given date, and the landlord’s rollout counts it', async () => {
    const apartment = take('provisioned');
    const rolloutRow = async () =>
      ok(await world.call('GET', `/api/landlords/${landlordA.organisation.id}/rollout`, { token: landlordA.manager.token })).buildings.find(
        (item: { buildingId: string }) => item.buildingId === provisioned.id,
      );
    expect((await rolloutRow()).optedOut).toBe(0);
    const answer = ok(
      await world.call('PUT', `/api/apartments/${apartment.id}/opt-in`, { token: ispX.installer.token, body: { optIn: 'out', on: '2026-03-02' } }),
    );
    expect(answer).toMatchObject({ optIn: 'out', optInOn: '2026-03-02' });
    expect(ok(await world.call('GET', `/api/apartments/${apartment.id}`, { token: landlordA.manager.token }))).toMatchObject({
      optIn: 'out',
      optInOn: '2026-03-02',
    });
    expect(await rolloutRow()).toMatchObject({ optedOut: 1, optedIn: 0 });
  });
});

describe('scanning an access point’s label', () => {
  let building: Building;

  beforeAll(async () => {
    building = await provisionedBuilding(units(1, 3, 'L'), 1);
  });

  it('shows the assigned installer the building and the SSIDs it broadcasts, and no passphrase', async () => {
    const [point] = await accessPointsOf(ispX.installer.token, building.id);
    const passphrases = await Promise.all(
      (await apartmentsOf(building.id)).map(async (apartment) => (await reveal(landlordA.manager.token, apartment.id)).passphrase),
    );
    const scanned = ok(await world.call('POST', '/api/scan', { token: ispX.installer.token, body: { code: point!.assetCode } }));
    expect(scanned).toMatchObject({
      type: 'network_device',
      building: { id: building.id, name: building.name },
      networkDevice: { id: point!.id, kind: 'access_point', floor: 0 },
    });
    expect(scanned.networkDevice.networks).toEqual(point!.networks);
    expect(scanned.networkDevice.networks).toHaveLength(3);
    const text = JSON.stringify(scanned);
    expect(text).not.toMatch(/passphrase/i);
    for (const passphrase of passphrases) expect(text).not.toContain(passphrase);
  });

  it('finds nothing for the installer of another ISP (404)', async () => {
    const [point] = await accessPointsOf(ispX.installer.token, building.id);
    const other = await world.isp();
    const refused = await world.call('POST', '/api/scan', { token: other.installer.token, body: { code: point!.assetCode } });
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.body)).not.toContain(building.name);
  });
});
