import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import postgres from 'postgres';
import { programmes } from '../../src/allocation/allocation.schema.ts';
import { matchEligibleRequests } from '../../src/allocation/matching.ts';
import { insertUser } from '../../src/auth/users.service.ts';
import { systemActor } from '../../src/auth/system-actor.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { generateAssetCode } from '../../src/devices/asset-code.ts';
import { donations } from '../../src/donations/donations.schema.ts';
import { organisations, sites } from '../../src/organisations/organisations.schema.ts';
import { backendPids, createBenchDatabase, measureCpu, progress, round, type BenchResult, type Benchmark } from './support.ts';

/**
 * matching: the scheduled matching round (matchEligibleRequests, as the worker's `match-requests`
 * task runs it, here in this process) given 10,000 eligible requests and 10,000 ready laptops, in
 * matches per second: each request, oldest first, takes the best ready device that meets its need
 * (same département as the household first, then grade, then oldest in stock). The round is
 * set-wise (src/allocation/matching.ts): per batch of requests, the candidates locked with FOR
 * UPDATE SKIP LOCKED, then the requests, the greedy computed, and the reservations written in a
 * few statements (reserveDevices, the code a single reservation runs too).
 *
 * The limit: the same greedy matching as one SQL statement on a second set seeded the same way
 * (its own programme, households, requests and devices, written once the first round is over so
 * the round cannot take them): requests numbered by created_at, devices by (same département,
 * grade, updated_at), paired by row_number, and in the same statement the devices moved to
 * `reserved`, the requests to where the round leaves them (`training_completed`, the programme
 * requiring no training) with their device, and the same history written: two request events per
 * request, one device event and one outbox job per device. Pairing by row_number is the greedy
 * only because every request here has the same need and every household the same département;
 * the benchmark checks that both sides pair exactly as the greedy does. A third set measures the
 * bare statement (devices and requests moved to `reserved`, no history) for reference.
 *
 * It cannot pass on empty work: after each phase, min(requests, devices) requests hold a device,
 * no device is held twice and every held device is `reserved` (else `errors`); `off_greedy` counts
 * the requests not holding the device the greedy gives them (computed here from the seeded rows),
 * 0 when both sides do the same matching. `pairing_mismatches` compares the round with the one
 * statement directly: the n-th request of each set should hold the device seeded at the same
 * place in its set; the first mismatches are printed on stderr, and each counts as an error.
 */

// 10,000 and 10,000, the size in question, by default; a smaller run says so in the JSON.
const fullSize = 10_000;
const requestCount = Number(process.env.BENCH_MATCHING_REQUESTS ?? 10_000);
const deviceCount = Number(process.env.BENCH_MATCHING_DEVICES ?? requestCount);
// The round's own cap, as the worker passes none (500 by default): here it covers every request.
const roundLimit = requestCount;

const criterion = 'child_in_college';
const householdCommunes = ['47001', '47157'] as const; // Agen, Marmande: département 47
const need = { kind: 'laptop' as const, minRamGb: 4 };
const grades = ['A', 'B', 'C'] as const;
const holdingStatuses = ['reserved', 'training_scheduled', 'training_completed'];

type Cast = {
  coordinatorId: string;
  workshopId: string;
  /** The workshop's sites: one in the households' département, one outside it. */
  sites: { id: string; communeCode: string }[];
  mediationId: string;
  mediatorId: string;
};

type SeededSet = {
  programmeId: string;
  donationIds: string[];
  /** Request ids, oldest first. */
  requestIds: string[];
  /** Device ids in the order they were seeded (the same grade, site and age at the same place in every set). */
  deviceIds: string[];
  /** Device ids in the order the greedy hands them out. */
  greedyDeviceIds: string[];
  departement: string;
};

const departementOf = (communeCode: string) => (communeCode.startsWith('97') ? communeCode.slice(0, 3) : communeCode.slice(0, 2));

/** The organisations and people every set shares: a coordinator, a workshop with two sites, a mediation with its mediator. */
async function seedCast(database: Database): Promise<Cast> {
  const { db } = database;
  const password = () => `pw-${randomBytes(12).toString('hex')}`;
  const tag = randomBytes(4).toString('hex');
  const [coordinator] = await db.insert(organisations).values({ name: 'Coordination (bench)', shortName: 'Coord', kind: 'coordinator' }).returning();
  await insertUser(db, {
    organisationId: coordinator!.id,
    email: `admin.${tag}@bench.boucle.example`,
    displayName: 'Admin',
    role: 'admin',
    password: password(),
  });
  const [workshop] = await db.insert(organisations).values({ name: 'Atelier (bench)', shortName: 'Atelier', kind: 'workshop' }).returning();
  const workshopSites = await db
    .insert(sites)
    .values([
      { organisationId: workshop!.id, name: 'Atelier Agen', kind: 'workshop', address: '1 rue du Banc', communeCode: '47001' },
      { organisationId: workshop!.id, name: 'Atelier Mont-de-Marsan', kind: 'workshop', address: '2 rue du Banc', communeCode: '40192' },
    ])
    .returning();
  const [mediation] = await db.insert(organisations).values({ name: 'Médiation (bench)', shortName: 'Médiation', kind: 'mediation' }).returning();
  const mediator = await insertUser(db, {
    organisationId: mediation!.id,
    email: `mediator.${tag}@bench.boucle.example`,
    displayName: 'Médiatrice',
    role: 'mediator',
    password: password(),
  });
  return {
    coordinatorId: coordinator!.id,
    workshopId: workshop!.id,
    sites: workshopSites.map((site) => ({ id: site.id, communeCode: site.communeCode })),
    mediationId: mediation!.id,
    mediatorId: mediator.id,
  };
}

const usedCodes = new Set<string>();

/**
 * One set: a programme (département 47, laptops, 4 GB of RAM, no training), `requestCount`
 * households with its criterion attested and one eligible request each (created a second
 * apart), and `deviceCount` ready laptops, grades A/B/C mixed, half at each site, each with its
 * own updated_at (so the greedy order is total). Written by multi-row INSERT from JSON.
 */
async function seedSet(database: Database, cast: Cast, label: string): Promise<SeededSet> {
  const { db, sql } = database;
  const [programme] = await db
    .insert(programmes)
    .values({
      organisationId: cast.coordinatorId,
      name: `Ordinateurs pour les familles (${label})`,
      eligibilityCriteria: [criterion],
      deviceKinds: ['laptop'],
      minimumSpecs: { ramGb: 4 },
      trainingValidForLaterRequests: true,
      reservationDays: 30,
      territories: [{ type: 'departement', code: '47' }],
    })
    .returning();
  const programmeId = programme!.id;
  const tag = randomBytes(3).toString('hex');
  const now = Date.now();

  const households = Array.from({ length: requestCount }, (_, index) => ({
    id: randomUUID(),
    reference: `${label}-${tag}-${index}`,
    commune_code: householdCommunes[index % householdCommunes.length]!,
  }));
  const attestations = JSON.stringify([{ criterion, byUserId: cast.mediatorId, at: new Date(now).toISOString() }]);
  await sql`
    insert into households (id, organisation_id, reference, commune_code, size, attestations, consent_recorded_at, consent_recorded_by_user_id)
    select r.id, ${cast.mediationId}::uuid, r.reference, r.commune_code, 3, ${attestations}::jsonb, now(), ${cast.mediatorId}::uuid
    from jsonb_to_recordset(${JSON.stringify(households)}::jsonb) as r(id uuid, reference text, commune_code text)`;

  // Oldest first, a second apart, all in the past.
  const requests = households.map((household, index) => ({
    id: randomUUID(),
    household_id: household.id,
    created_at: new Date(now - (requestCount - index) * 1000 - 3_600_000).toISOString(),
  }));
  await sql`
    insert into equipment_requests (id, organisation_id, household_id, programme_id, status, need, created_by_user_id, created_at, updated_at)
    select r.id, ${cast.mediationId}::uuid, r.household_id, ${programmeId}::uuid, 'eligible', ${JSON.stringify(need)}::jsonb, ${cast.mediatorId}::uuid, r.created_at, r.created_at
    from jsonb_to_recordset(${JSON.stringify(requests)}::jsonb) as r(id uuid, household_id uuid, created_at timestamptz)`;

  const donationRows = await db
    .insert(donations)
    .values(cast.sites.map((site) => ({ organisationId: cast.workshopId, collectionSiteId: site.id, donorName: `Donateur (${label})`, createdByUserId: null })))
    .returning();
  const codes: string[] = [];
  while (codes.length < deviceCount) {
    const code = generateAssetCode();
    if (usedCodes.has(code)) continue;
    usedCodes.add(code);
    codes.push(code);
  }
  const devices = codes.map((code, index) => {
    const site = index % 2;
    return {
      id: randomUUID(),
      asset_code: code,
      donation_id: donationRows[site]!.id,
      site_id: cast.sites[site]!.id,
      serial_number: `SN${label.toUpperCase()}${tag}${String(index).padStart(7, '0')}`,
      // Grades and stock ages shuffled against each other and the site (7 and 7,919 are prime).
      grade: grades[Math.floor((index * 7) / 5) % grades.length]!,
      updated_at: new Date(now - 86_400_000 - ((index * 7919) % deviceCount) * 1000).toISOString(),
    };
  });
  await sql`
    insert into asset_codes (code, organisation_id)
    select code, ${cast.workshopId}::uuid from unnest(${sql.array(codes)}::text[]) as code`;
  await sql`
    insert into devices (id, asset_code, donation_id, kind, brand, model, serial_number, grade, specs, status, site_id, organisation_id, custody_since, created_at, updated_at)
    select r.id, r.asset_code, r.donation_id, 'laptop', 'Lenovo', 'ThinkPad T480', r.serial_number, r.grade, '{"ramGb": 8, "storageGb": 256}'::jsonb,
      'ready', r.site_id, ${cast.workshopId}::uuid, r.updated_at, r.updated_at, r.updated_at
    from jsonb_to_recordset(${JSON.stringify(devices)}::jsonb)
      as r(id uuid, asset_code text, donation_id uuid, site_id uuid, serial_number text, grade text, updated_at timestamptz)`;
  await sql`analyze households`;
  await sql`analyze equipment_requests`;
  await sql`analyze devices`;
  await sql`analyze asset_codes`;

  // The greedy, computed here: every household is in one département, every request needs the same.
  const departements = new Set(households.map((household) => departementOf(household.commune_code)));
  if (departements.size !== 1) throw new Error('the households should share one département');
  const [departement] = [...departements];
  const siteDepartement = new Map(cast.sites.map((site) => [site.id, departementOf(site.communeCode)]));
  const rank = (device: (typeof devices)[number]) => (siteDepartement.get(device.site_id) === departement ? 0 : 1);
  const greedy = [...devices].sort((a, b) => rank(a) - rank(b) || a.grade.localeCompare(b.grade) || Date.parse(a.updated_at) - Date.parse(b.updated_at));
  return {
    programmeId,
    donationIds: donationRows.map((donation) => donation.id),
    requestIds: requests.map((request) => request.id),
    deviceIds: devices.map((device) => device.id),
    greedyDeviceIds: greedy.map((device) => device.id),
    departement: departement!,
  };
}

type Check = { matches: number; duplicates: number; notReserved: number; offGreedy: number; errors: number };

/** What a phase left: who holds what, checked against the greedy. */
async function check(database: Database, set: SeededSet): Promise<Check> {
  const { sql } = database;
  const held = await sql<{ id: string; device_id: string | null; device_status: string | null }[]>`
    select r.id, r.reserved_device_id as device_id, d.status::text as device_status
    from equipment_requests r left join devices d on d.id = r.reserved_device_id
    where r.programme_id = ${set.programmeId} and r.status::text in ${sql(holdingStatuses)}`;
  const [devicesReserved] = await sql<{ count: number }[]>`
    select count(*)::int as count from devices where donation_id in ${sql(set.donationIds)} and status = 'reserved'`;
  const expected = Math.min(set.requestIds.length, set.greedyDeviceIds.length);
  const holding = held.filter((row) => row.device_id !== null);
  const duplicates = holding.length - new Set(holding.map((row) => row.device_id)).size;
  const notReserved = holding.filter((row) => row.device_status !== 'reserved').length;
  const greedy = new Map(set.requestIds.slice(0, expected).map((id, index) => [id, set.greedyDeviceIds[index]]));
  const offGreedy = holding.filter((row) => greedy.get(row.id) !== row.device_id).length;
  const errors = Math.abs(expected - holding.length) + duplicates + notReserved + Math.abs(devicesReserved!.count - expected) + (held.length - holding.length);
  return { matches: holding.length, duplicates, notReserved, offGreedy, errors };
}

/** For each request, oldest first, the place in its set's seeding of the device it holds (-1: none). */
async function pairing(database: Database, set: SeededSet): Promise<number[]> {
  const held = await database.sql<{ id: string; device_id: string }[]>`
    select id, reserved_device_id as device_id from equipment_requests
    where programme_id = ${set.programmeId} and reserved_device_id is not null and status::text in ${database.sql(holdingStatuses)}`;
  const deviceOf = new Map(held.map((row) => [row.id, row.device_id]));
  const place = new Map(set.deviceIds.map((id, index) => [id, index]));
  return set.requestIds.map((id) => place.get(deviceOf.get(id) ?? '') ?? -1);
}

/** The requests whose device differs between the round and the one statement, the first ten printed. */
function pairingMismatches(round: number[], limit: number[]): number {
  const mismatches = round.flatMap((device, request) => (device === limit[request] ? [] : [{ request, round: device, limit: limit[request] }]));
  for (const mismatch of mismatches.slice(0, 10)) {
    progress(`  pairing mismatch: request #${mismatch.request} holds device #${mismatch.round} after the round, #${mismatch.limit} after the one statement`);
  }
  return mismatches.length;
}

/**
 * Runs a phase and what it cost in CPU: this process, and the database's backends (found through
 * `monitor`, a connection of its own, as backendPids leaves out the one asking).
 */
async function timed(monitor: postgres.Sql, databaseName: string, phase: () => Promise<unknown>) {
  const meters = {
    postgres: await measureCpu(() => backendPids(monitor, databaseName)),
    node: await measureCpu(() => [process.pid]),
  };
  const started = performance.now();
  await phase();
  const ms = performance.now() - started;
  return { ms, cpuMs: { postgres: await meters.postgres(), node: await meters.node() } };
}

/** Matches so far, every 5 s on stderr: how the rate moves as the round goes on. */
function watch(monitor: postgres.Sql, set: SeededSet) {
  const started = performance.now();
  let last = { at: started, done: 0 };
  const timer = setInterval(() => {
    void monitor<{ done: number }[]>`
      select count(*)::int as done from equipment_requests where programme_id = ${set.programmeId} and status <> 'eligible'`.then(
      ([row]) => {
        const at = performance.now();
        const done = row!.done;
        progress(`  ${done} matched after ${round((at - started) / 1000)} s (${round(((done - last.done) * 1000) / (at - last.at))}/s lately)`);
        last = { at, done };
      },
      () => {},
    );
  }, 5_000);
  return () => clearInterval(timer);
}

/**
 * The greedy in one statement: requests numbered oldest first, devices best first, paired by
 * number; both moved, and (unless bare) the history the round writes, in the same statement.
 */
async function matchInOneStatement(database: Database, set: SeededSet, actor: { userId: string; organisationId: string }, bare: boolean) {
  const { sql } = database;
  const ramGb = need.minRamGb;
  const storageGb = 0;
  const pairs = sql`
    pairs as (
      select r.id as request_id, d.id as device_id, d.site_id, r.reservation_days
      from (
        select r.id, p.reservation_days, row_number() over (order by r.created_at, r.id) as n
        from equipment_requests r join programmes p on p.id = r.programme_id
        where r.status = 'eligible' and r.programme_id = ${set.programmeId}
      ) r
      join (
        select d.id, d.site_id,
          row_number() over (order by (s.commune_code like ${`${set.departement}%`}) desc, d.grade asc nulls last, d.updated_at asc, d.id) as n
        from devices d join sites s on s.id = d.site_id
        where d.status = 'ready' and d.kind = ${need.kind}
          and coalesce((d.specs ->> 'ramGb')::numeric, 0) >= ${ramGb}
          and coalesce((d.specs ->> 'storageGb')::numeric, 0) >= ${storageGb}
      ) d on d.n = r.n
    ),
    moved_devices as (
      update devices d set status = 'reserved', version = d.version + 1, updated_at = now()
      from pairs p where d.id = p.device_id and d.status = 'ready'
      returning d.id, d.site_id
    )`;
  if (bare) {
    const [row] = await sql<{ matched: number }[]>`
      with ${pairs},
      moved_requests as (
        update equipment_requests r set status = 'reserved', status_reason = null, reserved_device_id = p.device_id,
          reserved_until = now() + make_interval(days => p.reservation_days), version = r.version + 1, updated_at = now()
        from pairs p where r.id = p.request_id and r.status = 'eligible'
        returning r.id
      )
      select (select count(*) from moved_requests)::int as matched, (select count(*) from moved_devices)::int as devices`;
    return row!.matched;
  }
  const noTraining = 'The programme requires no training.';
  const [row] = await sql<{ matched: number }[]>`
    with ${pairs},
    moved_requests as (
      update equipment_requests r set status = 'training_completed', status_reason = ${noTraining}, reserved_device_id = p.device_id,
        reserved_until = now() + make_interval(days => p.reservation_days), version = r.version + 2, updated_at = now()
      from pairs p where r.id = p.request_id and r.status = 'eligible'
      returning r.id
    ),
    request_history as (
      insert into request_events (request_id, from_status, to_status, actor_user_id, reason)
      select m.id, step.from_status::request_status, step.to_status::request_status, step.actor_user_id, step.reason
      from moved_requests m
      cross join (values ('eligible', 'reserved', ${actor.userId}::uuid, null::text), ('reserved', 'training_completed', null::uuid, ${noTraining}::text))
        as step(from_status, to_status, actor_user_id, reason)
    ),
    device_history as (
      insert into device_events (device_id, type, from_status, to_status, site_id, actor_user_id, organisation_id, payload)
      select m.id, 'transition', 'ready', 'reserved', m.site_id, ${actor.userId}::uuid, ${actor.organisationId}::uuid, jsonb_build_object('requestId', p.request_id)
      from moved_devices m join pairs p on p.device_id = m.id
      returning id
    ),
    jobs as (
      insert into outbox (queue, job_name, payload)
      select 'device-events', 'device.transition', jsonb_build_object('eventId', id) from device_history
    )
    select (select count(*) from moved_requests)::int as matched, (select count(*) from moved_devices)::int as devices`;
  return row!.matched;
}

const perSecond = (matches: number, ms: number) => (matches * 1000) / ms;

export async function measureMatching(): Promise<BenchResult> {
  const loadBefore = loadavg()[0]!;
  const database = await createBenchDatabase();
  let connection: Database | undefined;
  let monitor: postgres.Sql | undefined;
  try {
    // As the worker connects (src/db/client.ts): the round itself uses one connection at a time.
    connection = connectDatabase(database.url);
    monitor = postgres(database.url, { max: 1, onnotice: () => {} });
    progress(`seeding ${database.name}: ${requestCount} eligible requests and ${deviceCount} ready laptops`);
    const cast = await seedCast(connection);
    const viaApi = await seedSet(connection, cast, 'api');
    // Created once, as the first scheduled task would: not part of the round's time.
    const actor = await systemActor(connection.db);

    await connection.sql`checkpoint`;
    progress(`matchEligibleRequests(db, ${roundLimit})`);
    const stopWatching = watch(monitor, viaApi);
    let matchedByRound = 0;
    const api = await timed(monitor, database.name, async () => {
      matchedByRound = await matchEligibleRequests(connection!.db, roundLimit);
    }).finally(stopWatching);
    const apiCheck = await check(connection, viaApi);
    if (matchedByRound !== apiCheck.matches) apiCheck.errors += Math.abs(matchedByRound - apiCheck.matches);
    progress(`round: ${apiCheck.matches} matches in ${round(api.ms / 1000, 2)} s; check ${JSON.stringify(apiCheck)}`);

    // The raw sets, seeded now that no round runs: their devices would have been the round's.
    const raw = await seedSet(connection, cast, 'raw');
    await connection.sql`checkpoint`;
    progress('one statement: the greedy, with the history the round writes');
    let matchedRaw = 0;
    const direct = await timed(monitor, database.name, async () => {
      matchedRaw = await matchInOneStatement(connection!, raw, actor, false);
    });
    const rawCheck = await check(connection, raw);
    if (matchedRaw !== rawCheck.matches) rawCheck.errors += Math.abs(matchedRaw - rawCheck.matches);
    progress(`one statement: ${rawCheck.matches} matches in ${round(direct.ms)} ms; check ${JSON.stringify(rawCheck)}`);
    const mismatches = pairingMismatches(await pairing(connection, viaApi), await pairing(connection, raw));
    progress(`pairings: ${mismatches} requests hold another device after the round than after the one statement`);

    const bareSet = await seedSet(connection, cast, 'bare');
    await connection.sql`checkpoint`;
    progress('one statement, bare: devices and requests to reserved, no history');
    let matchedBare = 0;
    const bare = await timed(monitor, database.name, async () => {
      matchedBare = await matchInOneStatement(connection!, bareSet, actor, true);
    });
    const bareCheck = await check(connection, bareSet);
    if (matchedBare !== bareCheck.matches) bareCheck.errors += Math.abs(matchedBare - bareCheck.matches);
    progress(`one statement, bare: ${bareCheck.matches} matches in ${round(bare.ms)} ms; check ${JSON.stringify(bareCheck)}`);

    const value = perSecond(apiCheck.matches, api.ms);
    const limit = perSecond(rawCheck.matches, direct.ms);
    const perMatch = (cpu: { postgres: number; node: number }, matches: number) => ({
      postgres: round(cpu.postgres / Math.max(matches, 1), 3),
      node: round(cpu.node / Math.max(matches, 1), 3),
    });
    return {
      name: 'matching',
      value: round(value),
      unit: 'matches/s',
      limit: round(limit),
      ratio: round(value / limit, 4),
      total_ms: Math.round(api.ms),
      raw_total_ms: round(direct.ms),
      matches: apiCheck.matches,
      raw_matches: rawCheck.matches,
      errors: apiCheck.errors + rawCheck.errors + bareCheck.errors + mismatches,
      requests: requestCount,
      devices: deviceCount,
      // Requests that did not get the device the greedy gives them (same département, grade, stock age).
      off_greedy: apiCheck.offGreedy,
      // Requests holding another device after the round than the same request after the one statement.
      pairing_mismatches: mismatches,
      raw_off_greedy: rawCheck.offGreedy,
      cpu_ms_per_match: perMatch(api.cpuMs, apiCheck.matches),
      raw_cpu_ms_per_match: perMatch(direct.cpuMs, rawCheck.matches),
      raw_bare_total_ms: round(bare.ms),
      raw_bare_matches_per_s: round(perSecond(bareCheck.matches, bare.ms)),
      raw_bare_off_greedy: bareCheck.offGreedy,
      load_avg_1m: round(loadBefore, 2),
      ...(requestCount < fullSize || deviceCount < fullSize
        ? {
            note: `measured on ${requestCount} requests and ${deviceCount} devices, not ${fullSize}: BENCH_MATCHING_REQUESTS=${fullSize} for the full size`,
          }
        : {}),
    };
  } finally {
    await monitor?.end({ timeout: 5 });
    await connection?.close();
    await database.drop();
  }
}

export const matching: Benchmark = { name: 'matching', run: async () => [await measureMatching()] };
