import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import { eq, inArray } from 'drizzle-orm';
import type { Actor } from '../../src/auth/actor.ts';
import { authenticate, issueCredential } from '../../src/auth/auth.service.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { formatAssetCode } from '../../src/devices/asset-code.ts';
import { devices, type StorageMedium } from '../../src/devices/devices.schema.ts';
import { organisations, sites } from '../../src/organisations/organisations.schema.ts';
import { qualifications } from '../../src/qualifications/qualifications.schema.ts';
import { redisOptionsFromUrl } from '../../src/redis.ts';
import { renderCertificatePdf } from '../../src/wiping/certificate-pdf.ts';
import type { CertificateStatement } from '../../src/wiping/certificate-statement.ts';
import { verifyCertificate } from '../../src/wiping/certificates.ts';
import { canonicalJson, certificateSigningKey, signStatement } from '../../src/wiping/signing.ts';
import { recordWipes, type WipeInput } from '../../src/wiping/wiping.service.ts';
import {
  backendPids,
  cpuProfileArgs,
  createBenchDatabase,
  measureCpu,
  median,
  progress,
  registerCleanup,
  round,
  seedWorkshop,
  startWorker,
  type BenchResult,
  type Benchmark,
  type WorkerProcess,
} from './support.ts';

/**
 * certificate_render: wipe certificates signed and rendered to PDF by the worker process as
 * production runs it (npm run worker: outbox relay, BullMQ, issueCertificate, the file store), in
 * certificates per second. 500 devices, each with one SSD, have their wipe recorded by
 * recordWipes (the service behind POST /api/devices/{code}/wipes, called in this process by a
 * qualified operator, 4 at a time): each becomes `wiped` and queues its certificate in the outbox.
 * The time runs from the first of these commits until every one of the 500 certificates has its
 * file (wipe_certificates.file_id, polled every 20 ms). Each transition also queues its
 * `device-events` job (stock counters), which the worker runs in the same window, as in production.
 *
 * The limit: the same 500 statements, built in this process from the same data (no database, no
 * queue), each signed (signStatement) and rendered (renderCertificatePdf) straight to a file, one
 * after the other.
 *
 * It cannot pass on empty work: 500 certificate rows with a file, each file on disk with its listed
 * size (> 0), each stored statement equal to the one built here (but for its id and time), the
 * first, middle and last verifying as `valid` (verifyCertificate) with their PDF opening (mupdf)
 * to one page naming the device, and the queue holding 508 completed jobs (8 of them the warm-up's),
 * none failed or retried.
 */

const deviceCount = Number(process.env.BENCH_CERTIFICATES ?? 500);
// Rendered first, by the worker and in this process, so that both figures are warm ones.
const warmUpCount = 8;
// recordWipes calls in flight at once: enough to queue the 500 jobs faster than they render.
const clients = 4;
const publicUrl = 'https://boucle.example.org';
const appSecret = randomBytes(32).toString('base64url');
const pollMs = 20;
const timeoutMs = 120_000;

const ssdOf = (index: number): StorageMedium => ({
  type: 'ssd',
  model: 'Samsung 860 EVO',
  serialNumber: `S3Z9NB0K${String(index).padStart(6, '0')}`,
  capacityGb: 250,
});

const wipeInput = (endedAt: Date): WipeInput => ({
  mediumIndex: 0,
  level: 'purge',
  technique: 'crypto_erase',
  toolName: 'hdparm',
  toolVersion: '9.65',
  verification: 'full',
  result: 'passed',
  startedAt: new Date(endedAt.getTime() - 10 * 60_000),
  endedAt,
});

type DeviceRow = { id: string; assetCode: string; kind: string; brand: string; model: string; serialNumber: string | null; storageMedia: StorageMedium[] };
type Place = { organisation: string; location: string };
type WipeRecord = Awaited<ReturnType<typeof recordWipes>>['records'][number];

/** What certificateStatement (src/wiping/certificate-statement.ts) states, built from what this process holds. */
function buildStatement(certificateId: string, device: DeviceRow, record: WipeRecord, actor: Actor, place: Place, wipedAt: Date): CertificateStatement {
  return {
    certificateId,
    standard: 'NIST SP 800-88 Rev. 1',
    device: {
      code: formatAssetCode(device.assetCode),
      kind: device.kind as CertificateStatement['device']['kind'],
      manufacturer: device.brand,
      model: device.model,
      serialNumber: device.serialNumber,
    },
    media: device.storageMedia.map((medium, index) => ({
      index,
      type: medium.type,
      model: medium.model ?? null,
      serialNumber: medium.serialNumber ?? null,
      capacityGb: medium.capacityGb ?? null,
      sanitization: {
        recordId: record.id,
        level: record.level,
        technique: record.technique,
        passes: record.passes,
        pattern: record.pattern,
        tool: record.toolName,
        toolVersion: record.toolVersion,
        verification: record.verification,
        result: record.result,
        startedAt: record.startedAt.toISOString(),
        endedAt: record.endedAt.toISOString(),
        operator: { name: actor.displayName, role: actor.role },
      },
    })),
    organisation: place.organisation,
    location: place.location,
    destination: 'reuse',
    wipedAt: wipedAt.toISOString(),
  };
}

type Wiped = { device: DeviceRow; record: WipeRecord; wipedAt: Date };

/**
 * recordWipes on every device, `clients` at a time; answers each device's record and when the
 * device became wiped (as seen from here), and when the first and last of these commits landed.
 */
async function wipeAll(database: Database, actor: Actor, batch: DeviceRow[]) {
  const wiped: (Wiped | undefined)[] = new Array(batch.length);
  let failures = 0;
  let firstCommit: number | undefined;
  let next = 0;
  const lane = async () => {
    while (next < batch.length) {
      const index = next++;
      const device = batch[index]!;
      try {
        const result = await recordWipes(database.db, actor, device.assetCode, [wipeInput(new Date())]);
        const at = new Date();
        firstCommit ??= performance.now();
        if (!result.wiped || result.records.length !== 1) throw new Error(`not wiped: ${JSON.stringify(result.outstanding)}`);
        wiped[index] = { device, record: result.records[0]!, wipedAt: at };
      } catch (error) {
        if (failures === 0) progress(`certificate_render: recordWipes failed on ${device.assetCode}: ${String(error)}`);
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, lane));
  return { wiped, failures, firstCommit: firstCommit ?? performance.now(), lastCommit: performance.now() };
}

/** Jobs of the wipe-certificates queue by state, as BullMQ counts them. */
async function certificateJobs(prefix: string) {
  const connection = { ...redisOptionsFromUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'), maxRetriesPerRequest: 1 } as ConnectionOptions;
  const queue = new Queue('wipe-certificates', { connection, prefix });
  try {
    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting', 'active');
    const completed = await queue.getCompleted(0, -1);
    return { counts, retried: completed.filter((job) => job.attemptsMade > 1).length };
  } finally {
    await queue.close();
  }
}

/** Polls until `expected` certificates have a file; fails at once if the worker dies, and after timeoutMs. */
async function waitForCertificates(database: Database, worker: WorkerProcess, expected: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let polls = 0;
  for (;;) {
    const [row] = await database.sql<{ done: number }[]>`select count(*)::int as done from wipe_certificates where file_id is not null`;
    polls++;
    if (row!.done >= expected) return polls;
    if (worker.exited()) throw new Error(`the worker exited (${JSON.stringify(worker.exited())}):\n${worker.output()}`);
    if (Date.now() > deadline) {
      const jobs = await certificateJobs(worker.queuePrefix);
      throw new Error(
        `${row!.done} of ${expected} certificates have a file after ${timeoutMs / 1000} s; jobs ${JSON.stringify(jobs.counts)}:\n${worker.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** CPU time (user + system) this process has used, in ms. */
const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** The limit: each statement signed and rendered straight to a file, one after the other, in this process. */
async function renderInProcess(statements: CertificateStatement[], directory: string) {
  const key = certificateSigningKey(appSecret);
  await mkdir(directory, { recursive: true });
  const cpuBefore = ownCpuMs();
  const started = performance.now();
  for (const statement of statements) {
    const signature = signStatement(key, statement);
    const out = createWriteStream(join(directory, `${statement.certificateId}.pdf`));
    await renderCertificatePdf(statement, signature, `${publicUrl}/verify/${statement.certificateId}`, out);
  }
  const ms = performance.now() - started;
  const cpuMs = ownCpuMs() - cpuBefore;
  const sizes = await Promise.all(statements.map(async (statement) => (await stat(join(directory, `${statement.certificateId}.pdf`))).size));
  return { ms, cpuMs, sizes };
}

/** One page, naming the device and the certificate: the PDF is a certificate, not an empty file. */
async function checkPdf(bytes: Uint8Array, statement: CertificateStatement) {
  const mupdf = await import('mupdf');
  const document = mupdf.Document.openDocument(bytes, 'application/pdf');
  try {
    if (document.countPages() !== 1) throw new Error(`certificate ${statement.certificateId} has ${document.countPages()} pages`);
    const page = document.loadPage(0);
    try {
      const text = page.toStructuredText('preserve-whitespace').asText();
      for (const expected of [statement.device.code, statement.certificateId, statement.media[0]!.serialNumber!]) {
        if (!text.includes(expected)) throw new Error(`certificate ${statement.certificateId} does not name ${expected}`);
      }
    } finally {
      page.destroy();
    }
  } finally {
    document.destroy();
  }
}

type Issued = { id: string; device_id: string; statement: CertificateStatement; storage_key: string; size: number; sha256: string };

/**
 * The worker's certificates for these devices, checked: one each, with a file of the listed size,
 * stating what was built here; a few verified and opened. Answers the number of errors found.
 */
async function checkIssued(database: Database, dataDir: string, wiped: Wiped[], place: Place, actor: Actor) {
  const issued = await database.sql<Issued[]>`
    select c.id, c.device_id, c.statement, f.storage_key, f.size::int as size, f.sha256
    from wipe_certificates c join files f on f.id = c.file_id
    where c.device_id = any(${wiped.map((entry) => entry.device.id)}::uuid[])`;
  let errors = 0;
  const fail = (message: string) => {
    if (errors < 5) progress(`certificate_render: ${message}`);
    errors++;
  };
  const byDevice = new Map(issued.map((row) => [row.device_id, row]));
  if (issued.length !== wiped.length || byDevice.size !== wiped.length) fail(`${issued.length} certificates with a file for ${wiped.length} devices`);
  const sizes: number[] = [];
  for (const entry of wiped) {
    const row = byDevice.get(entry.device.id);
    if (!row) {
      fail(`device ${entry.device.assetCode} has no certificate file`);
      continue;
    }
    const size = await stat(join(dataDir, 'files', row.storage_key)).then(
      (file) => file.size,
      () => -1,
    );
    if (size <= 0 || size !== row.size) fail(`the file of certificate ${row.id} is ${size} bytes on disk, ${row.size} listed`);
    sizes.push(size);
    const expected = buildStatement(row.id, entry.device, entry.record, actor, place, new Date(row.statement.wipedAt));
    if (canonicalJson(expected) !== canonicalJson(row.statement)) {
      fail(`certificate ${row.id} states ${canonicalJson(row.statement)}, not ${canonicalJson(expected)}`);
    }
  }
  let verified = 0;
  const sample = [...new Set([0, Math.floor(wiped.length / 2), wiped.length - 1])]
    .map((index) => byDevice.get(wiped[index]!.device.id))
    .filter((row) => row !== undefined);
  for (const row of sample) {
    const verification = await verifyCertificate(database.db, appSecret, row.id);
    if (verification.status !== 'valid') {
      fail(`certificate ${row.id} verifies as ${verification.status}`);
      continue;
    }
    const bytes = await readFile(join(dataDir, 'files', row.storage_key));
    if (createHash('sha256').update(bytes).digest('hex') !== row.sha256) fail(`the file of certificate ${row.id} does not match its sha256`);
    await checkPdf(bytes, row.statement).then(
      () => verified++,
      (error: unknown) => fail(String(error)),
    );
  }
  return { errors, verified, sizes };
}

export async function measureCertificateRender(options: { workerNodeArgs?: string[] } = {}): Promise<BenchResult[]> {
  const bench = await createBenchDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'boucle-bench-certificates-'));
  const removeData = registerCleanup(() => rm(dataDir, { recursive: true, force: true }));
  let database: Database | undefined;
  let worker: WorkerProcess | undefined;
  try {
    database = connectDatabase(bench.url, { max: clients + 2 });
    const { db } = database;
    const seed = await seedWorkshop(database, warmUpCount + deviceCount, { storageMedia: (index) => [ssdOf(index)] });
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await db
      .insert(qualifications)
      .values({ userId: seed.operatorId, kind: 'data_wiping', issuer: 'Centre de formation (bench)', issuedOn: day(-30), expiresOn: day(365) });
    const credential = await issueCredential(db, { email: seed.operatorEmail, password: seed.operatorPassword, kind: 'api_token', label: 'bench' });
    const actor = await authenticate(db, credential.secret);
    if (!actor) throw new Error('the bench token does not authenticate');
    const [organisation] = await db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, seed.organisationId));
    const [site] = await db.select({ name: sites.name }).from(sites).where(eq(sites.id, seed.siteId));
    const place = { organisation: organisation!.name, location: site!.name };
    const rows: DeviceRow[] = await db
      .select({
        id: devices.id,
        assetCode: devices.assetCode,
        kind: devices.kind,
        brand: devices.brand,
        model: devices.model,
        serialNumber: devices.serialNumber,
        storageMedia: devices.storageMedia,
      })
      .from(devices)
      .where(inArray(devices.assetCode, seed.codes));
    const order = new Map(seed.codes.map((code, index) => [code, index]));
    rows.sort((a, b) => order.get(a.assetCode)! - order.get(b.assetCode)!);
    if (rows.length !== warmUpCount + deviceCount || rows.some((row) => !Array.isArray(row.storageMedia) || row.storageMedia.length !== 1))
      throw new Error('the seeded devices are not as asked');

    worker = await startWorker({ databaseUrl: bench.url, dataDir, publicUrl, nodeArgs: options.workerNodeArgs, env: { APP_SECRET: appSecret } });
    const statementsOf = (entries: Wiped[]) => entries.map((entry) => buildStatement(randomUUID(), entry.device, entry.record, actor, place, entry.wipedAt));

    // Warm-up: a few certificates through the worker, and the same rendered here.
    const warmUp = await wipeAll(database, actor, rows.slice(0, warmUpCount));
    if (warmUp.failures > 0) throw new Error(`recordWipes failed on ${warmUp.failures} of the warm-up devices`);
    await waitForCertificates(database, worker, warmUpCount);
    await renderInProcess(statementsOf(warmUp.wiped as Wiped[]), join(dataDir, 'in-process-warm-up'));
    const rssBefore = worker.peakRssMb();
    const loadBefore = loadavg()[0]!;

    progress(`certificate_render: ${deviceCount} devices wiped, ${clients} at a time, their certificates issued by the worker`);
    const meters = { worker: await measureCpu(() => [worker!.pid]), postgres: await measureCpu(() => backendPids(database!.sql, bench.name)) };
    const benchCpuBefore = ownCpuMs();
    const timed = await wipeAll(database, actor, rows.slice(warmUpCount));
    // How far the worker got while this process was still recording wipes (sharing the CPUs with it).
    const [atLastCommit] = await database.sql<{ done: number }[]>`select count(*)::int as done from wipe_certificates where file_id is not null`;
    const polls = await waitForCertificates(database, worker, warmUpCount + deviceCount - timed.failures);
    const done = performance.now();
    const cpuMs = { worker: await meters.worker(), postgres: await meters.postgres(), bench: ownCpuMs() - benchCpuBefore };
    const ms = done - timed.firstCommit;
    const enqueueMs = timed.lastCommit - timed.firstCommit;
    const rssMb = worker.peakRssMb();
    progress(
      `certificate_render: ${deviceCount - timed.failures} certificates in ${Math.round(ms)} ms from the first commit (the last commit after ${Math.round(enqueueMs)} ms); ` +
        `worker CPU ${Math.round(cpuMs.worker)} ms, Postgres ${Math.round(cpuMs.postgres)} ms; worker peak RSS ${round(rssMb)} MB`,
    );

    const wiped = timed.wiped.filter((entry) => entry !== undefined);
    const statements = statementsOf(wiped);
    const inProcess = await renderInProcess(statements, join(dataDir, 'in-process'));
    progress(
      `certificate_render: the same ${statements.length} signed and rendered in this process in ${Math.round(inProcess.ms)} ms (CPU ${Math.round(inProcess.cpuMs)} ms)`,
    );

    const checked = await checkIssued(database, dataDir, wiped, place, actor);
    const emptyInProcess = inProcess.sizes.filter((size) => size <= 0).length;
    if (emptyInProcess > 0) progress(`certificate_render: ${emptyInProcess} in-process certificates are empty`);
    const jobs = await certificateJobs(worker.queuePrefix);
    const jobErrors =
      Math.abs(jobs.counts.completed! - (warmUpCount + wiped.length)) +
      jobs.counts.failed! +
      jobs.counts.delayed! +
      jobs.counts.waiting! +
      jobs.counts.active! +
      jobs.retried;
    if (jobErrors > 0) progress(`certificate_render: the wipe-certificates queue holds ${JSON.stringify(jobs.counts)}, ${jobs.retried} retried`);
    const errors = timed.failures + checked.errors + emptyInProcess + jobErrors;

    const perSecond = (wiped.length * 1000) / ms;
    const limitPerSecond = (statements.length * 1000) / inProcess.ms;
    return [
      {
        name: 'certificate_render',
        value: round(perSecond),
        unit: 'certificates/s',
        limit: round(limitPerSecond),
        ratio: round(perSecond / limitPerSecond, 3),
        rss_mb: round(rssMb),
        errors,
        certificates: wiped.length,
        verified: checked.verified,
        ms: Math.round(ms),
        enqueue_ms: Math.round(enqueueMs),
        issued_during_enqueue: atLastCommit!.done - warmUpCount,
        // The rate once every job is queued and the worker has the machine to itself.
        after_enqueue_per_s: round(((warmUpCount + wiped.length - atLastCommit!.done) * 1000) / (done - timed.lastCommit)),
        limit_ms: Math.round(inProcess.ms),
        polls,
        pdf_kb: round(median(checked.sizes) / 1024),
        pdf_kb_in_process: round(median(inProcess.sizes) / 1024),
        // What each side cost in CPU: unlike the figures above, barely moved by other work on the machine.
        cpu_ms: {
          worker: Math.round(cpuMs.worker),
          postgres: Math.round(cpuMs.postgres),
          bench: Math.round(cpuMs.bench),
          in_process: Math.round(inProcess.cpuMs),
        },
        cpu_ratio: round(inProcess.cpuMs / cpuMs.worker, 3),
        worker_rss_mb_before: round(rssBefore),
        load_avg_1m: round(loadBefore, 2),
      },
    ];
  } finally {
    await worker?.stop();
    await database?.close();
    await bench.drop();
    await removeData();
  }
}

export const certificateRender: Benchmark = {
  name: 'certificate_render',
  run: () =>
    measureCertificateRender({
      workerNodeArgs: cpuProfileArgs('BENCH_WORKER_CPU_PROF'),
    }),
};
