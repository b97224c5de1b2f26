import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { inject, onTestFinished } from 'vitest';
import { deleteRedisKeys, testRedis } from './harness.ts';
import { freePort } from './private-redis.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export type BoucleProcess = {
  /** What it printed so far, stdout and stderr together. */
  output: () => string;
  stderr: () => string;
  /** Resolves with its exit code once it has exited. */
  exit: Promise<number | null>;
  /** Waits until its output matches, failing with the output if it exits or takes too long. */
  printed: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** SIGTERM, as a deployment stops it; resolves with the exit code. */
  stop: () => Promise<number | null>;
};

/**
 * Runs an entry point as package.json does (`node --import tsx ...`) with only the variables
 * given (plus PATH and HOME), and stops it when the test ends.
 */
export function runBoucle(entry: 'src/main.ts' | 'workers/index.ts', args: string[], env: Record<string, string>): BoucleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    stderr += chunk.toString('utf8');
  });
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const stop = async () => {
    if (exitCode === undefined) child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exit;
    clearTimeout(killed);
    return code;
  };
  onTestFinished(async () => void (await stop()));
  return {
    output: () => output,
    stderr: () => stderr,
    exit,
    stop,
    async printed(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (exitCode !== undefined) throw new Error(`${entry} exited (${exitCode}) before printing ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`${entry} did not print ${pattern} within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

const serverUrl = inject('adminUrl').replace(/\/postgres$/, '');
const redisUrl = `redis://${testRedis.host}:${testRedis.port}`;

/** An empty database of the test's own (dropped when the test ends), as a new deployment finds it. */
export async function emptyDatabase(): Promise<{ url: string; sql: postgres.Sql }> {
  const name = `${inject('templateDatabase')}_start_${randomBytes(4).toString('hex')}`;
  const maintenance = postgres(inject('adminUrl'), { max: 1, onnotice: () => {} });
  await maintenance`create database ${maintenance(name)}`;
  const sql = postgres(`${serverUrl}/${name}`, { max: 1, onnotice: () => {} });
  onTestFinished(async () => {
    await sql.end();
    await maintenance`drop database if exists ${maintenance(name)} with (force)`;
    await maintenance.end();
  });
  return { url: `${serverUrl}/${name}`, sql };
}

export async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'boucle-start-'));
  // Started as root, an embedded PostgreSQL runs as the postgres user, who must reach its folder.
  await chmod(folder, 0o755);
  onTestFinished(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** The variables of one deployment: its database, its own queue prefix, its folder, a secret. */
export async function deployment(databaseUrl: string, extra: Record<string, string> = {}) {
  const prefix = `boucle-start-${randomBytes(4).toString('hex')}`;
  onTestFinished(() => deleteRedisKeys(prefix));
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    DATA_DIR: await temporaryFolder(),
    APP_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** An API process of a deployment on a free port. */
export async function startApi(env: Record<string, string>): Promise<{ process: BoucleProcess; url: string }> {
  const port = await freePort();
  const api = runBoucle('src/main.ts', ['api'], { ...env, PORT: String(port) });
  return { process: api, url: `http://127.0.0.1:${port}` };
}

export const listening = (api: { process: BoucleProcess }) => api.process.printed(/Boucle is listening/);
export const workersStarted = (workers: BoucleProcess) => workers.printed(/workers started/);
