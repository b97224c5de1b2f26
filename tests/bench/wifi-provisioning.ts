import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { insertUser } from '../../src/auth/users.service.ts';
import { generatePassphrase } from '../../src/connectivity/credentials.ts';
import type { FilteringPolicy, SecurityMode } from '../../src/connectivity/deployments.lifecycle.ts';
import { renderTenantLetter, type TenantLetter } from '../../src/connectivity/letter-pdf.ts';
import { outputKeys } from '../../src/connectivity/outputs.service.ts';
import { passphraseBox, passphraseContext } from '../../src/connectivity/secret-box.ts';
import { parisDate } from '../../src/connectivity/working-days.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { localFileStore } from '../../src/files/file-store.ts';
import { sealedFileStore } from '../../src/files/sealed-file-store.ts';
import { organisations } from '../../src/organisations/organisations.schema.ts';
import {
  backendPids,
  cpuProfileArgs,
  createBenchDatabase,
  measureCpu,
  median,
  percentile,
  progress,
  registerCleanup,
  requestJson,
  round,
  startApi,
  startWorker,
  type ApiProcess,
  type BenchResult,
  type Benchmark,
  type WorkerProcess,
} from './support.ts';

/**
 * wifi_provisioning: a residence's shared Wi-Fi provisioned through the API and the worker process
 * as production runs them (npm run api, npm run worker), in apartments per second. The residence
 * has BENCH_WIFI_APARTMENTS apartments (400 by default), 8 to a landing and 10 landings to a
 * building (5 towers of 80 by default), one 8-SSID access point per landing; everything is set up
 * through the API, as the landlord's manager and the installer would. The installer then POSTs
 * /api/buildings/{id}/provisioning for every building at once, and the time runs from the first
 * POST until every job reads `succeeded` on GET /api/jobs/{id} (one at a time, every 20 ms): SSIDs and
 * sealed passphrases, one PDF letter per apartment, one OpenWrt config per access point, one CSV
 * per building, all written.
 *
 * The limit: the unavoidable part of that work in this process, with no database, queue or file:
 * for each apartment a passphrase generated, sealed and opened (passphraseBox, AES-256-GCM), and
 * its letter (renderTenantLetter, the same content as the worker's) rendered into a Writable that
 * discards it, one after the other. p99_ms is the worker's time per letter (the gaps between a
 * building's consecutive letter `files` rows); limit_p99_ms is the same in this process.
 *
 * It cannot pass on empty work: every job's summary, every letter, config and CSV on disk at its
 * listed size, every apartment `provisioned`, and the first and last letters opened (mupdf) to
 * one page showing their SSID and the passphrase stored (sealed) for them.
 */

const apartmentCount = Number(process.env.BENCH_WIFI_APARTMENTS ?? 400);
const apartmentsPerLanding = 8;
const landingsPerBuilding = 10;
// One building of two landings through the worker and in this process first, so that both figures are warm ones.
const warmUpApartments = 16;
const publicUrl = 'https://boucle.example.org';
const appSecret = randomBytes(32).toString('base64url');
const pollMs = 20;
const timeoutMs = 120_000 + apartmentCount * 250;

type Unit = { unit: string; floor: number };
type Job = { id: string; state: string; processed: number; total: number | null; summary: Record<string, unknown>; failureReason: string | null };
type Cast = { api: ApiProcess; adminToken: string; managerToken: string; installerToken: string; ispId: string };
type Building = { id: string; name: string; units: Unit[]; landings: number };

/** Apartments 8 to a landing (units 001-008, 101-108...), landings 10 to a building. */
function layout(count: number): Unit[][] {
  const buildings: Unit[][] = [];
  for (let index = 0; index < count; index++) {
    const landing = Math.floor(index / apartmentsPerLanding);
    const floor = landing % landingsPerBuilding;
    if (floor === 0 && index % apartmentsPerLanding === 0) buildings.push([]);
    buildings.at(-1)!.push({ unit: String(floor * 100 + (index % apartmentsPerLanding) + 1).padStart(3, '0'), floor });
  }
  return buildings;
}

/** A, B... Z, AA, AB...: buildings as landlords letter them. */
const letterOf = (index: number): string => (index < 26 ? '' : letterOf(Math.floor(index / 26) - 1)) + String.fromCharCode(65 + (index % 26));

/** A coordinator admin written to the database (nobody else can create one); everyone else comes through the API. */
async function createCast(database: Database, api: ApiProcess): Promise<Cast> {
  const password = () => `pw-${randomBytes(12).toString('hex')}`;
  const tokenOf = async (email: string, secret: string) =>
    (await requestJson<{ token: string }>(`${api.url}/api/auth/tokens`, { body: { email, password: secret, label: 'bench' }, expect: 201 })).token;
  const [coordinator] = await database.db.insert(organisations).values({ name: 'Coordination (bench)', shortName: 'Coord', kind: 'coordinator' }).returning();
  const adminPassword = password();
  const admin = await insertUser(database.db, {
    organisationId: coordinator!.id,
    email: `admin.${randomBytes(4).toString('hex')}@bench.boucle.example`,
    displayName: 'Admin',
    role: 'admin',
    password: adminPassword,
  });
  const adminToken = await tokenOf(admin.email, adminPassword);
  const account = async (kind: 'landlord' | 'isp', name: string, role: 'landlord_manager' | 'installer') => {
    const organisation = await requestJson<{ id: string }>(`${api.url}/api/organisations`, {
      token: adminToken,
      body: { name, shortName: name.slice(0, 24), kind },
      expect: 201,
    });
    const email = `${role}.${randomBytes(4).toString('hex')}@bench.boucle.example`;
    const secret = password();
    await requestJson(`${api.url}/api/users`, {
      token: adminToken,
      body: { organisationId: organisation.id, email, displayName: `${role} (bench)`, role, password: secret },
      expect: 201,
    });
    return { organisationId: organisation.id, token: await tokenOf(email, secret) };
  };
  const landlord = await account('landlord', 'Habitat Méditerranée (bench)', 'landlord_manager');
  const isp = await account('isp', 'Fibre Solidaire (bench)', 'installer');
  return { api, adminToken, managerToken: landlord.token, installerToken: isp.token, ispId: isp.organisationId };
}

/** A residence whose buildings are taken by the installer up to `access_points_installed`, one access point per landing. */
async function residenceReadyToProvision(cast: Cast, name: string, buildingsUnits: Unit[][], firstLetter = 0): Promise<Building[]> {
  const { api, managerToken, installerToken } = cast;
  const call = <T>(path: string, token: string, body: unknown, method = 'POST', expect = method === 'POST' ? 201 : 200) =>
    requestJson<T>(`${api.url}/api${path}`, { method, token, body, expect });
  const residence = await call<{ id: string }>('/residences', managerToken, { name, shortName: 'LesPins', communeCode: '13201' });
  const buildings: Building[] = [];
  for (const [index, units] of buildingsUnits.entries()) {
    const landings = [...new Set(units.map((unit) => unit.floor))];
    const building = await call<{ id: string; name: string }>(`/residences/${residence.id}/buildings`, managerToken, {
      name: letterOf(firstLetter + index),
      address: `${12 + index} avenue de la Viste, 13015 Marseille`,
      communeCode: '13215',
      floors: landings.length,
    });
    await call(`/buildings/${building.id}/apartments`, managerToken, { apartments: units });
    await call(
      `/buildings/${building.id}/deployment`,
      managerToken,
      {
        ispOrganisationId: cast.ispId,
        ssidPattern: '{residence}-{building}{unit}',
        supportContact: 'Hotline Connexion solidaire : 04 91 00 00 00',
      },
      'PATCH',
    );
    const step = (to: string) => call(`/buildings/${building.id}/deployment/transitions`, installerToken, { to }, 'POST', 200);
    await step('surveyed');
    await call(`/buildings/${building.id}/network-devices`, installerToken, { kind: 'building_box', model: 'Nokia G-010G-Q' });
    await step('box_installed');
    for (const floor of landings)
      await call(`/buildings/${building.id}/network-devices`, installerToken, { kind: 'access_point', model: 'TP-Link EAP245', floor });
    await step('access_points_installed');
    buildings.push({ id: building.id, name: building.name, units, landings: landings.length });
  }
  return buildings;
}

/** POSTs every building's provisioning at once and follows the jobs until all succeed; fails at once if one fails or the worker dies. */
async function provision(cast: Cast, worker: WorkerProcess, buildings: Building[]) {
  const started = performance.now();
  const posted = await Promise.all(
    buildings.map((building) =>
      requestJson<{ job: Job; warnings: unknown[] }>(`${cast.api.url}/api/buildings/${building.id}/provisioning`, {
        method: 'POST',
        token: cast.installerToken,
        expect: 202,
      }),
    ),
  );
  // One job asked at a time, the next as soon as it has succeeded: the run ends with the last of
  // them all the same, and the API answers one GET per 20 ms rather than one per job (its CPU, and
  // Postgres's, come from the same two cores as the worker's).
  const jobs: Job[] = [];
  const deadline = Date.now() + timeoutMs;
  for (const {
    job: { id },
  } of posted) {
    for (;;) {
      const job = await requestJson<Job>(`${cast.api.url}/api/jobs/${id}`, { token: cast.installerToken });
      if (job.state === 'succeeded') {
        jobs.push(job);
        break;
      }
      if (job.state === 'failed') throw new Error(`the provisioning job ${job.id} failed: ${job.failureReason}`);
      if (worker.exited()) throw new Error(`the worker exited (${JSON.stringify(worker.exited())}):\n${worker.output()}`);
      if (cast.api.exited()) throw new Error(`the API exited (${JSON.stringify(cast.api.exited())}):\n${cast.api.output()}`);
      if (Date.now() > deadline)
        throw new Error(
          `provisioning unfinished after ${timeoutMs / 1000} s: job ${jobs.length + 1} of ${posted.length} is ${job.state} (${job.processed}/${job.total})`,
        );
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
  const ms = performance.now() - started;
  return { ms, jobs, warnings: posted.reduce((total, answer) => total + answer.warnings.length, 0) };
}

type LetterRow = TenantLetter & { apartmentId: string; buildingId: string; sealed: string; passphraseLength: number };

/** What each apartment's letter says, as renderBuildingOutputs gathers it, with its sealed passphrase. */
async function lettersOf(database: Database, buildings: Building[]): Promise<LetterRow[]> {
  const rows = await database.sql<
    {
      apartment_id: string;
      building_id: string;
      unit: string;
      floor: number;
      ssid: string;
      sealed: string;
      version: number;
      building: string;
      address: string;
      residence: string;
      security_mode: SecurityMode;
      filtering: FilteringPolicy;
      support_contact: string | null;
      passphrase_length: number;
      landlord: string;
      isp: string | null;
    }[]
  >`select n.apartment_id, n.building_id, a.unit, a.floor, n.ssid, n.passphrase_ciphertext as sealed, n.passphrase_version as version,
      b.name as building, b.address, r.name as residence, d.security_mode, d.filtering, d.support_contact, d.passphrase_length, l.name as landlord, i.name as isp
    from wifi_networks n join apartments a on a.id = n.apartment_id join buildings b on b.id = n.building_id join residences r on r.id = n.residence_id
      join deployments d on d.building_id = b.id join organisations l on l.id = b.organisation_id left join organisations i on i.id = d.isp_organisation_id
    where n.building_id = any(${buildings.map((building) => building.id)}::uuid[]) order by b.name, a.floor, a.unit`;
  return rows.map((row) => ({
    apartmentId: row.apartment_id,
    buildingId: row.building_id,
    sealed: row.sealed,
    passphraseLength: row.passphrase_length,
    landlord: row.landlord,
    residence: row.residence,
    building: row.building,
    address: row.address,
    unit: row.unit,
    floor: row.floor,
    ssid: row.ssid,
    passphrase: '',
    passphraseVersion: row.version,
    securityMode: row.security_mode,
    filtering: row.filtering,
    supportContact: row.support_contact,
    isp: row.isp,
    issuedOn: parisDate(new Date()),
  }));
}

const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** The limit: per apartment, a passphrase generated, sealed and opened, and its letter rendered into a discarding stream. */
async function lettersAlone(letters: LetterRow[]) {
  const box = passphraseBox(appSecret);
  const perLetterMs: number[] = [];
  let bytes = 0;
  const cpuBefore = ownCpuMs();
  const started = performance.now();
  for (const { apartmentId, buildingId: _building, sealed: _sealed, passphraseLength, ...letter } of letters) {
    const letterStarted = performance.now();
    const context = passphraseContext(apartmentId, letter.passphraseVersion);
    const passphrase = box.open(box.seal(generatePassphrase(passphraseLength), context), context);
    const discard = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    });
    await renderTenantLetter({ ...letter, passphrase }, discard);
    perLetterMs.push(performance.now() - letterStarted);
  }
  const ms = performance.now() - started;
  if (bytes === 0) throw new Error('the letters alone came out empty');
  return { ms, cpuMs: ownCpuMs() - cpuBefore, perLetterMs, letterKb: bytes / letters.length / 1024 };
}

type FileRow = { building_id: string; kind: string; storage_key: string; size: number; at_ms: number };

/** Everything the jobs should have produced, checked; answers the errors found, the worker's per-letter times and its phases per building. */
async function checkOutputs(database: Database, dataDir: string, buildings: Building[], jobs: Job[], letters: LetterRow[]) {
  // The worker seals what it writes: read back as the building's routes serve it.
  const sealedFiles = sealedFileStore(localFileStore(join(dataDir, 'files')), appSecret);
  let errors = 0;
  const fail = (message: string) => {
    if (errors < 5) progress(`wifi_provisioning: ${message}`);
    errors++;
  };
  const ids = buildings.map((building) => building.id);
  const files = await database.sql<FileRow[]>`select split_part(storage_key, '/', 2) as building_id, kind, storage_key, size::int as size,
      (extract(epoch from created_at) * 1000)::float8 as at_ms
    from files where split_part(storage_key, '/', 2) = any(${ids}::text[]) order by at_ms, storage_key`;
  const jobRows = await database.sql<{ id: string; created_ms: number; started_ms: number; finished_ms: number }[]>`
    select id, (extract(epoch from created_at) * 1000)::float8 as created_ms, (extract(epoch from started_at) * 1000)::float8 as started_ms,
      (extract(epoch from finished_at) * 1000)::float8 as finished_ms from background_jobs where id = any(${jobs.map((job) => job.id)}::uuid[])`;
  const [unprovisioned] = await database.sql<
    { count: number }[]
  >`select count(*)::int as count from apartments where building_id = any(${ids}::uuid[]) and status <> 'provisioned'`;
  if (unprovisioned!.count > 0) fail(`${unprovisioned!.count} apartments are not provisioned`);
  if (letters.length !== apartmentCount) fail(`${letters.length} networks for ${apartmentCount} apartments`);

  const gapsMs: number[] = [];
  const phases: Record<'queued' | 'provisioning_and_first_letter' | 'letters' | 'configs' | 'finishing', number[]> = {
    queued: [],
    provisioning_and_first_letter: [],
    letters: [],
    configs: [],
    finishing: [],
  };
  for (const [index, building] of buildings.entries()) {
    const job = jobs[index]!;
    const expected = { provisioned: building.units.length, letters: building.units.length, accessPoints: building.landings };
    if (job.processed !== building.units.length || Object.entries(expected).some(([key, value]) => job.summary[key] !== value)) {
      fail(`building ${building.name}'s job says ${JSON.stringify({ processed: job.processed, ...job.summary })}, not ${JSON.stringify(expected)}`);
    }
    const own = files.filter((file) => file.building_id === building.id);
    const ofKind = (kind: string) => own.filter((file) => file.kind === kind);
    const counts = {
      wifi_letter: ofKind('wifi_letter').length,
      access_point_config_uci: ofKind('access_point_config_uci').length,
      access_point_config_csv: ofKind('access_point_config_csv').length,
    };
    if (counts.wifi_letter !== building.units.length || counts.access_point_config_uci !== building.landings || counts.access_point_config_csv !== 1) {
      fail(`building ${building.name} has ${JSON.stringify(counts)} files for ${building.units.length} apartments on ${building.landings} landings`);
    }
    for (const file of own) {
      const size = await buffer(sealedFiles.read(file.storage_key)).then(
        (opened) => opened.length,
        () => -1,
      );
      if (size <= 0 || size !== file.size) fail(`${file.storage_key} opens to ${size} bytes, ${file.size} listed`);
    }
    const times = ofKind('wifi_letter').map((file) => file.at_ms);
    for (let next = 1; next < times.length; next++) gapsMs.push(times[next]! - times[next - 1]!);
    const row = jobRows.find((candidate) => candidate.id === job.id)!;
    const csvAt = ofKind('access_point_config_csv')[0]?.at_ms ?? Number.NaN;
    phases.queued.push(row.started_ms - row.created_ms);
    phases.provisioning_and_first_letter.push(times[0]! - row.started_ms);
    phases.letters.push(times.at(-1)! - times[0]!);
    phases.configs.push(csvAt - times.at(-1)!);
    phases.finishing.push(row.finished_ms - csvAt);
  }

  // The first and last letters, read back: one page, their SSID and the passphrase sealed for them.
  const box = passphraseBox(appSecret);
  const mupdf = await import('mupdf');
  let opened = 0;
  for (const letter of [letters[0], letters.at(-1)].filter((entry) => entry !== undefined)) {
    const bytes = await buffer(sealedFiles.read(outputKeys.letter(letter.buildingId, letter.apartmentId)));
    const document = mupdf.Document.openDocument(bytes, 'application/pdf');
    try {
      const page = document.countPages() === 1 ? document.loadPage(0) : undefined;
      const text = page?.toStructuredText('preserve-whitespace').asText() ?? '';
      page?.destroy();
      const passphrase = box.open(letter.sealed, passphraseContext(letter.apartmentId, letter.passphraseVersion));
      if (!text.includes(letter.ssid) || !text.includes(passphrase))
        fail(`the letter of ${letter.building} ${letter.unit} does not show its SSID and passphrase (${document.countPages()} pages)`);
      else opened++;
    } finally {
      document.destroy();
    }
  }
  return { errors, opened, gapsMs, phases, letterKb: median(files.filter((file) => file.kind === 'wifi_letter').map((file) => file.size)) / 1024 };
}

export async function measureWifiProvisioning(options: { workerNodeArgs?: string[]; apiNodeArgs?: string[] } = {}): Promise<BenchResult> {
  if (!Number.isInteger(apartmentCount) || apartmentCount < 1)
    throw new Error(`BENCH_WIFI_APARTMENTS must be a positive integer, not ${process.env.BENCH_WIFI_APARTMENTS}`);
  const loadBefore = loadavg()[0]!;
  const bench = await createBenchDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'boucle-bench-wifi-'));
  const removeData = registerCleanup(() => rm(dataDir, { recursive: true, force: true }));
  let database: Database | undefined;
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;
  try {
    database = connectDatabase(bench.url, { max: 2 });
    api = await startApi({ databaseUrl: bench.url, nodeArgs: options.apiNodeArgs, env: { APP_SECRET: appSecret } });
    worker = await startWorker({ databaseUrl: bench.url, dataDir, publicUrl, nodeArgs: options.workerNodeArgs, env: { APP_SECRET: appSecret } });
    const cast = await createCast(database, api);

    const shape = layout(apartmentCount);
    progress(
      `wifi_provisioning: setting up ${apartmentCount} apartments in ${shape.length} buildings through the API, and a warm-up building of ${warmUpApartments}`,
    );
    const warmUp = await residenceReadyToProvision(cast, 'Résidence de rodage (bench)', layout(warmUpApartments), 22);
    const buildings = await residenceReadyToProvision(cast, 'Résidence Les Pins (bench)', shape);
    await provision(cast, worker, warmUp);
    await lettersAlone(await lettersOf(database, warmUp));
    const rssBefore = worker.peakRssMb();
    await database.sql`checkpoint`;

    progress(`wifi_provisioning: provisioning ${buildings.length} buildings at once`);
    const meters = {
      worker: await measureCpu(() => [worker!.pid]),
      api: await measureCpu(() => [api!.pid]),
      postgres: await measureCpu(() => backendPids(database!.sql, bench.name)),
    };
    const run = await provision(cast, worker, buildings);
    const cpuMs = { worker: await meters.worker(), api: await meters.api(), postgres: await meters.postgres() };
    const rssMb = worker.peakRssMb();
    progress(
      `wifi_provisioning: ${apartmentCount} apartments in ${Math.round(run.ms)} ms; worker CPU ${Math.round(cpuMs.worker)} ms, peak RSS ${round(rssMb)} MB`,
    );

    const letters = await lettersOf(database, buildings);
    const checked = await checkOutputs(database, dataDir, buildings, run.jobs, letters);
    progress(`wifi_provisioning: the same ${letters.length} letters and passphrases alone, in this process`);
    const alone = await lettersAlone(letters);
    progress(`wifi_provisioning: alone ${Math.round(alone.ms)} ms (CPU ${Math.round(alone.cpuMs)} ms)`);

    const perSecond = (apartmentCount * 1000) / run.ms;
    const limit = (letters.length * 1000) / alone.ms;
    const medians = Object.fromEntries(Object.entries(checked.phases).map(([phase, samples]) => [phase, Math.round(median(samples))]));
    return {
      name: 'wifi_provisioning',
      value: round(perSecond),
      unit: 'apartments/s',
      limit: round(limit),
      ratio: round(perSecond / limit, 3),
      p99_ms: round(percentile(checked.gapsMs, 99)),
      rss_mb: round(rssMb),
      errors: checked.errors,
      apartments: apartmentCount,
      buildings: buildings.length,
      access_points: buildings.reduce((total, building) => total + building.landings, 0),
      airtime_warnings: run.warnings,
      letters_read_back: checked.opened,
      ms: Math.round(run.ms),
      limit_ms: Math.round(alone.ms),
      p50_ms: round(median(checked.gapsMs)),
      limit_p50_ms: round(median(alone.perLetterMs)),
      limit_p99_ms: round(percentile(alone.perLetterMs, 99)),
      // Per building (median): waiting for the worker, the provisioning transaction and first letter, the other letters, configs and CSV, the job's end.
      job_phases_ms: medians,
      letter_kb: round(checked.letterKb),
      letter_kb_alone: round(alone.letterKb),
      // What each side cost in CPU: unlike the figures above, barely moved by other work on the machine.
      cpu_ms: { worker: Math.round(cpuMs.worker), api: Math.round(cpuMs.api), postgres: Math.round(cpuMs.postgres), alone: Math.round(alone.cpuMs) },
      cpu_ratio: round(alone.cpuMs / cpuMs.worker, 3),
      worker_rss_mb_before: round(rssBefore),
      load_avg_1m: round(loadBefore, 2),
    };
  } finally {
    await worker?.stop();
    await api?.stop();
    await database?.close();
    await bench.drop();
    await removeData();
  }
}

export const wifiProvisioning: Benchmark = {
  name: 'wifi_provisioning',
  run: async () => [
    await measureWifiProvisioning({ workerNodeArgs: cpuProfileArgs('BENCH_WORKER_CPU_PROF'), apiNodeArgs: cpuProfileArgs('BENCH_API_CPU_PROF') }),
  ],
};
