import { printResult, progress, releaseAll, type Benchmark } from './support.ts';
import { certificateRender } from './certificate-render.ts';
import { intakeBulk } from './intake-bulk.ts';
import { labelRender } from './label-render.ts';
import { matching } from './matching.ts';
import { readScaling } from './read-scaling.ts';
import { reportQuery } from './report-query.ts';
import { transitionThroughput } from './transition-throughput.ts';
import { wifiProvisioning } from './wifi-provisioning.ts';

/**
 * `npm run bench [-- name...]`: runs every benchmark in order (or only those named) and prints one
 * JSON line per figure on stdout; progress and the API's logs go to stderr (`npm run -s bench`
 * also keeps npm's own banner off stdout). Needs Postgres (BENCH_DATABASE_SERVER, default
 * postgres://postgres@127.0.0.1:5432) with the right to create databases.
 *
 * Knobs: BENCH_TRANSITIONS (transitions per path, default 8000); BENCH_INTAKE_DEVICES and
 * BENCH_INTAKE_RUNS (devices per lot, default 10000; lots per path, default 3); BENCH_LABELS,
 * BENCH_LABEL_RUNS and BENCH_LABEL_FORMATS (labels per batch, default 1800; batches per format,
 * default 3; formats, default a4-3x7,a4-5x13); BENCH_CERTIFICATES (devices wiped, hence certificates
 * issued, default 500); BENCH_MATCHING_REQUESTS and BENCH_MATCHING_DEVICES (default 10000 each);
 * BENCH_WIFI_APARTMENTS (apartments provisioned, 8 to a landing, 10 landings to a building, default 400);
 * BENCH_REPORT_DEVICES and BENCH_REPORT_RUNS (devices of the scale network, 10 events each, default
 * 1000000; indicator answers timed, default 200); BENCH_SCALE_DEVICES and BENCH_READ_RUNS (the large
 * network of read_scaling, default 1000000, beside one of 10000; answers timed per read, default 100).
 * BENCH_API_CPU_PROF=<dir> and
 * BENCH_WORKER_CPU_PROF=<dir> write CPU profiles of the API and worker processes there (open them
 * in Chrome DevTools).
 */
const benchmarks: Benchmark[] = [transitionThroughput, intakeBulk, labelRender, certificateRender, matching, wifiProvisioning, reportQuery, readScaling];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
if (unknown.length > 0) {
  progress(`unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((benchmark) => benchmark.name).join(', ')}`);
  process.exit(2);
}

// Ctrl-C still stops the API process and drops the throwaway database. The signal often arrives
// twice (from the terminal, and relayed by tsx and npm): the first one starts the cleanup, the
// others must not end the process before it is done.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: cleaning up`);
    void releaseAll().finally(() => process.exit(130));
  });
}

let failed = false;
for (const benchmark of benchmarks) {
  if (wanted.length > 0 && !wanted.includes(benchmark.name)) continue;
  const started = performance.now();
  try {
    for (const result of await benchmark.run()) {
      printResult(result);
      if (typeof result.errors === 'number' && result.errors > 0) failed = true;
    }
    progress(`${benchmark.name}: done in ${Math.round((performance.now() - started) / 1000)} s`);
  } catch (error) {
    failed = true;
    progress(`${benchmark.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
await releaseAll();
process.exitCode = failed ? 1 : 0;
