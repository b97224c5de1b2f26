import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const drizzleKit = join(process.cwd(), 'node_modules', '.bin', 'drizzle-kit');

describe('migrations', () => {
  it('pass drizzle-kit check (no conflicting or edited snapshots)', async () => {
    const { stdout } = await run(drizzleKit, ['check'], { cwd: process.cwd() });
    expect(stdout).toMatch(/Everything's fine/);
  }, 60_000);

  it('match the schema: generating from the schema finds nothing to migrate', async () => {
    // Generate into a copy of migrations/: a schema change without its migration would add a file.
    // drizzle-kit wants a path relative to the project.
    await mkdir('node_modules/.cache', { recursive: true });
    const copy = await mkdtemp('node_modules/.cache/boucle-migrations-');
    try {
      await cp('migrations', copy, { recursive: true });
      const before = await readdir(copy);
      const { stdout, stderr } = await run(
        drizzleKit,
        ['generate', '--dialect', 'postgresql', '--schema', './src/*/*.schema.ts', '--casing', 'snake_case', '--out', copy],
        { cwd: process.cwd() },
      );
      expect(await readdir(copy), stdout).toEqual(before);
      expect(`${stdout}${stderr}`).toMatch(/No schema changes/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 60_000);
});
