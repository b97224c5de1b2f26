import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import type { Actor } from '../../src/auth/actor.ts';
import { authenticate, issueCredential } from '../../src/auth/auth.service.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { labelFormats, labelsPerPage, type LabelFormat } from '../../src/labels/formats.ts';
import { createLabelBatch } from '../../src/labels/labels.service.ts';
import { deviceUrl } from '../../src/labels/render-batch.ts';
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
 * label_render: a batch of 1,800 labels rendered to PDF by the worker process as production runs
 * it (npm run worker: outbox relay, BullMQ, renderLabelBatch, the file store), in labels per
 * second from the moment the batch is committed (its job is in the outbox) until its job reads
 * `succeeded`, against generating the same 1,800 QR codes alone with the `qrcode` package (as SVG,
 * at the format's error-correction level), in the benchmark's own process. One line per sheet
 * format (a4-3x7 is `label_render`); each is the median of `runs` rounds of both.
 *
 * Each PDF is then opened (mupdf): it must have ceil(1,800 / labels per page) pages, and the first
 * and the last label must read, with a QR reader, as their devices' addresses. The worker's peak
 * RSS says whether the PDF is streamed rather than built in memory.
 */

const labelCount = Number(process.env.BENCH_LABELS ?? 1_800);
const formatIds = (process.env.BENCH_LABEL_FORMATS ?? 'a4-3x7,a4-5x13').split(',');
const publicUrl = 'https://boucle.example.org';
const targets = { ratio: 0.5, rssMb: 300 };
const runs = Number(process.env.BENCH_LABEL_RUNS ?? 3);

type JobRow = { state: string; processed: number; run_ms: number | null; failure_reason: string | null };

/** Polls the job's row every 20 ms until it finishes; fails at once if the worker dies or the job fails. */
async function waitForJob(database: Database, worker: WorkerProcess, jobId: string, timeoutMs = 120_000): Promise<JobRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [job] = await database.sql<JobRow[]>`select state, processed, failure_reason,
      (extract(epoch from finished_at - started_at) * 1000)::float8 as run_ms from background_jobs where id = ${jobId}`;
    if (job?.state === 'succeeded') return job;
    if (job?.state === 'failed') throw new Error(`the label job failed: ${job.failure_reason}`);
    if (worker.exited()) throw new Error(`the worker exited (${JSON.stringify(worker.exited())}):\n${worker.output()}`);
    if (Date.now() > deadline) throw new Error(`the label job is still ${job?.state} (${job?.processed} labels) after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The rendered PDF of a job, as the file store wrote it, checked against its `files` row. */
async function renderedPdf(database: Database, dataDir: string, jobId: string): Promise<Uint8Array> {
  const files = await database.sql<{ storage_key: string; size: number; sha256: string; kind: string }[]>`
    select storage_key, size, sha256, kind from files where job_id = ${jobId}`;
  const sheet = files.find((file) => file.kind === 'label_sheet');
  if (!sheet) throw new Error(`the job ${jobId} produced no label sheet (files: ${JSON.stringify(files)})`);
  const bytes = await readFile(join(dataDir, 'files', sheet.storage_key));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== Number(sheet.size) || sha256 !== sheet.sha256) throw new Error(`the stored PDF does not match its files row`);
  return bytes;
}

type JsQr = typeof import('jsqr').default;
const jsQR = createRequire(import.meta.url)('jsqr') as JsQr;

/**
 * Page count, and the first and last labels read back as a phone would: the page rendered at
 * 8 px/mm, the label's cell cut out and decoded. An empty or truncated render cannot pass.
 */
async function checkPdf(bytes: Uint8Array, format: LabelFormat, urls: string[]): Promise<{ pages: number; decoded: number }> {
  const mupdf = await import('mupdf');
  const document = mupdf.Document.openDocument(bytes, 'application/pdf');
  try {
    const pages = document.countPages();
    const expectedPages = Math.ceil(urls.length / labelsPerPage(format));
    if (pages !== expectedPages) throw new Error(`the PDF has ${pages} pages, not ${expectedPages}`);
    const pointsPerMm = 72 / 25.4;
    const pixelsPerMm = 8;
    let decoded = 0;
    for (const index of [0, urls.length - 1]) {
      const page = document.loadPage(Math.floor(index / labelsPerPage(format)));
      const scale = pixelsPerMm / pointsPerMm;
      const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false);
      try {
        const stride = pixmap.getStride();
        const rgb = pixmap.getPixels();
        const onPage = index % labelsPerPage(format);
        const cell = {
          x: Math.ceil((format.grid.marginLeftMm + (onPage % format.grid.columns) * format.grid.pitchXMm) * pixelsPerMm),
          y: Math.ceil((format.grid.marginTopMm + Math.floor(onPage / format.grid.columns) * format.grid.pitchYMm) * pixelsPerMm),
          width: Math.floor(format.label.widthMm * pixelsPerMm),
          height: Math.floor(format.label.heightMm * pixelsPerMm),
        };
        const rgba = new Uint8ClampedArray(cell.width * cell.height * 4);
        for (let y = 0; y < cell.height; y++) {
          for (let x = 0; x < cell.width; x++) {
            const source = (cell.y + y) * stride + (cell.x + x) * 3;
            rgba.set([rgb[source]!, rgb[source + 1]!, rgb[source + 2]!, 255], (y * cell.width + x) * 4);
          }
        }
        const found = jsQR(rgba, cell.width, cell.height, { inversionAttempts: 'dontInvert' });
        if (found?.data !== urls[index]) throw new Error(`label ${index} reads ${JSON.stringify(found?.data ?? null)}, not ${urls[index]}`);
        decoded++;
      } finally {
        pixmap.destroy();
        page.destroy();
      }
    }
    return { pages, decoded };
  } finally {
    document.destroy();
  }
}

/** CPU time (user + system) this process has used, in ms. */
const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** The same URLs' QR codes alone, at the format's level, as SVG (the limit) or PNG (for comparison): wall and CPU ms. */
async function qrCodesAlone(urls: string[], format: LabelFormat, type: 'svg' | 'png') {
  const options = { errorCorrectionLevel: format.qrErrorCorrection };
  let bytes = 0;
  const cpuBefore = ownCpuMs();
  const started = performance.now();
  for (const url of urls) {
    bytes += type === 'svg' ? (await QRCode.toString(url, { ...options, type: 'svg' })).length : (await QRCode.toBuffer(url, options)).length;
  }
  const ms = performance.now() - started;
  if (bytes === 0) throw new Error('the QR codes alone came out empty');
  return { ms, cpuMs: ownCpuMs() - cpuBefore };
}

async function renderOnce(database: Database, worker: WorkerProcess, actor: Actor, formatId: string, count: number) {
  const ordered = performance.now();
  const batch = await createLabelBatch(database.db, actor, { format: formatId, count });
  // The batch and its job are committed, with the job in the outbox: the worker takes it from here.
  const enqueued = performance.now();
  const job = await waitForJob(database, worker, batch.jobId);
  const ms = performance.now() - enqueued;
  return { batch, job, ms, orderMs: enqueued - ordered };
}

/**
 * `runs` rounds of: a batch rendered by the worker (timed from its commit to `succeeded`), its PDF
 * checked, then the same URLs' QR codes alone in this process; right after each other, so both
 * sides of a round see the same load on the machine. The figures are the medians.
 */
async function measureFormat(
  database: Database,
  dataDir: string,
  worker: WorkerProcess,
  actor: Actor,
  format: LabelFormat,
  databaseName: string,
): Promise<BenchResult> {
  const loadBefore = loadavg()[0]!;
  // Two pages first, so that the figure is a warm worker's, as in production.
  const warmUp = await renderOnce(database, worker, actor, format.id, labelsPerPage(format) * 2);
  const warmUrls = (await database.sql<{ code: string }[]>`select code from label_batch_items where batch_id = ${warmUp.batch.id} order by position`).map(
    (row) => deviceUrl(publicUrl, row.code),
  );
  await qrCodesAlone(warmUrls, format, 'svg');
  const rssBefore = worker.peakRssMb();

  progress(`label_render ${format.id}: ${runs} batches of ${labelCount} labels, each followed by the same QR codes alone`);
  const rounds: {
    ms: number;
    runMs: number;
    orderMs: number;
    cpuMs: { worker: number; postgres: number };
    pdfKb: number;
    pages: number;
    qr: { ms: number; cpuMs: number };
  }[] = [];
  let urls: string[] = [];
  for (let run = 0; run < runs; run++) {
    const meters = { worker: await measureCpu(() => [worker.pid]), postgres: await measureCpu(() => backendPids(database.sql, databaseName)) };
    const rendered = await renderOnce(database, worker, actor, format.id, labelCount);
    const cpuMs = { worker: await meters.worker(), postgres: await meters.postgres() };
    urls = (await database.sql<{ code: string }[]>`select code from label_batch_items where batch_id = ${rendered.batch.id} order by position`).map((row) =>
      deviceUrl(publicUrl, row.code),
    );
    const pdf = await renderedPdf(database, dataDir, rendered.batch.jobId);
    const checked = await checkPdf(pdf, format, urls);
    const qr = await qrCodesAlone(urls, format, 'svg');
    rounds.push({
      ms: rendered.ms,
      runMs: rendered.job.run_ms ?? Number.NaN,
      orderMs: rendered.orderMs,
      cpuMs,
      pdfKb: pdf.length / 1024,
      pages: checked.pages,
      qr,
    });
    progress(
      `label_render ${format.id}, batch ${run + 1}: ${Math.round(rendered.ms)} ms (${Math.round(rendered.job.run_ms ?? Number.NaN)} ms from the job's start), ` +
        `${checked.pages} pages, ${round(pdf.length / 1024)} KB, first and last labels read back; worker CPU ${Math.round(cpuMs.worker)} ms; ` +
        `QR codes alone ${Math.round(qr.ms)} ms (CPU ${Math.round(qr.cpuMs)} ms); worker peak RSS ${round(worker.peakRssMb())} MB`,
    );
  }
  const png = await qrCodesAlone(urls, format, 'png');
  const rssMb = worker.peakRssMb();

  const renderMs = median(rounds.map((entry) => entry.ms));
  const qrMs = median(rounds.map((entry) => entry.qr.ms));
  const perSecond = (labelCount * 1000) / renderMs;
  const qrPerSecond = (labelCount * 1000) / qrMs;
  const ratio = perSecond / qrPerSecond;
  const workerCpuMs = median(rounds.map((entry) => entry.cpuMs.worker));
  const qrCpuMs = median(rounds.map((entry) => entry.qr.cpuMs));
  const met = ratio >= targets.ratio && rssMb < targets.rssMb;
  if (!met) progress(`label_render ${format.id} misses a target: ${JSON.stringify(targets)}`);
  return {
    name: format.id === 'a4-3x7' ? 'label_render' : `label_render_${format.id.replaceAll('-', '_')}`,
    value: round(perSecond),
    unit: 'labels/s',
    limit: round(qrPerSecond),
    ratio: round(ratio, 3),
    rss_mb: round(rssMb),
    errors: 0,
    format: format.id,
    labels: labelCount,
    runs,
    pages: rounds[0]!.pages,
    pdf_kb: round(median(rounds.map((entry) => entry.pdfKb))),
    ms: Math.round(renderMs),
    runs_ms: rounds.map((entry) => Math.round(entry.ms)),
    job_run_ms: Math.round(median(rounds.map((entry) => entry.runMs))),
    order_ms: Math.round(median(rounds.map((entry) => entry.orderMs))),
    qr_svg_ms: Math.round(qrMs),
    qr_svg_runs_ms: rounds.map((entry) => Math.round(entry.qr.ms)),
    qr_png_ms: Math.round(png.ms),
    ratio_vs_png: round(perSecond / ((labelCount * 1000) / png.ms), 3),
    // What each side cost in CPU: unlike the figures above, barely moved by other work on the machine.
    cpu_ms: { worker: Math.round(workerCpuMs), postgres: Math.round(median(rounds.map((entry) => entry.cpuMs.postgres))), qr_svg: Math.round(qrCpuMs) },
    cpu_ratio: round(qrCpuMs / workerCpuMs, 3),
    worker_rss_mb_before: round(rssBefore),
    load_avg_1m: round(loadBefore, 2),
    targets: { ratio_min: targets.ratio, rss_mb_max: targets.rssMb },
    targets_met: met,
  };
}

export async function measureLabelRender(options: { workerNodeArgs?: string[] } = {}): Promise<BenchResult[]> {
  const formats = formatIds.map((id) => {
    const format = labelFormats().get(id);
    if (!format) throw new Error(`unknown label format ${id}`);
    return format;
  });
  const bench = await createBenchDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'boucle-bench-labels-'));
  const removeData = registerCleanup(() => rm(dataDir, { recursive: true, force: true }));
  let database: Database | undefined;
  let worker: WorkerProcess | undefined;
  try {
    database = connectDatabase(bench.url, { max: 2 });
    const seed = await seedWorkshop(database, 0);
    const credential = await issueCredential(database.db, { email: seed.operatorEmail, password: seed.operatorPassword, kind: 'api_token', label: 'bench' });
    const actor = await authenticate(database.db, credential.secret);
    if (!actor) throw new Error('the bench token does not authenticate');
    worker = await startWorker({ databaseUrl: bench.url, dataDir, publicUrl, nodeArgs: options.workerNodeArgs });
    const results: BenchResult[] = [];
    for (const format of formats) results.push(await measureFormat(database, dataDir, worker, actor, format, bench.name));
    return results;
  } finally {
    await worker?.stop();
    await database?.close();
    await bench.drop();
    await removeData();
  }
}

export const labelRender: Benchmark = {
  name: 'label_render',
  run: () =>
    measureLabelRender({
      workerNodeArgs: cpuProfileArgs('BENCH_WORKER_CPU_PROF'),
    }),
};
