import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

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
