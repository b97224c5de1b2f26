import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const temporaryFolders: string[] = [];

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'boucle-config-'));
  temporaryFolders.push(folder);
  return folder;
}

afterAll(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});

/** The ConfigError loadConfig throws for this environment (fails the test if it loads). */
function refusal(env: NodeJS.ProcessEnv): ConfigError {
  const warnings: string[] = [];
  try {
    loadConfig(env, (message) => warnings.push(message));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

function expectOneLineNaming(error: ConfigError, variable: string) {
  expect(error.message).not.toMatch(/[\r\n]/);
  expect(error.message).toContain(variable);
}

describe('configuration on a local machine', () => {
  it('runs with nothing set but a secret: local Postgres, local Redis, port 3000', () => {
    const config = loadConfig({ APP_SECRET: secret }, () => {
      throw new Error('no warning expected');
    });
    expect(config).toMatchObject({
      env: 'development',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/boucle',
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      appSecret: secret,
      queuePrefix: 'boucle',
      logLevel: 'info',
      dataDir: resolve('.data'),
    });
    expect(config.bootstrapAdmin).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ APP_SECRET: secret, PORT: '', DATABASE_URL: '', PUBLIC_URL: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/boucle');
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('knows which addresses were given: unset ones are the local defaults, which a silent server lets the start replace', () => {
    expect(loadConfig({ APP_SECRET: secret })).toMatchObject({ databaseSource: 'default', redisSource: 'default' });
    const given = loadConfig({ APP_SECRET: secret, DATABASE_URL: 'postgres://boucle@db.example.org/boucle', REDIS_URL: 'redis://queue.example.org:6380' });
    expect(given).toMatchObject({
      databaseUrl: 'postgres://boucle@db.example.org/boucle',
      databaseSource: 'given',
      redisUrl: 'redis://queue.example.org:6380',
      redisSource: 'given',
    });
    expect(loadConfig({ APP_SECRET: secret, DATABASE_URL: 'embedded' })).toMatchObject({ databaseSource: 'embedded' });
  });

  it('derives the public URL from the port, and drops a trailing slash from a given one', () => {
    expect(loadConfig({ APP_SECRET: secret, PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ APP_SECRET: secret, PUBLIC_URL: 'https://boucle.example.org/' }).publicUrl).toBe('https://boucle.example.org');
  });

  it('takes the bootstrap admin from the two variables together, e-mail in lower case', () => {
    const config = loadConfig({ APP_SECRET: secret, BOOTSTRAP_ADMIN_EMAIL: 'Admin@Boucle.Example', BOOTSTRAP_ADMIN_PASSWORD: 'a long enough password' });
    expect(config.bootstrapAdmin).toEqual({ email: 'admin@boucle.example', password: 'a long enough password' });
  });
});

describe('refusing a bad configuration with one line naming the variable', () => {
  it.each(['abc', '70000', '0', '-1', '3.5', '12\n34'])('refuses PORT=%j', (port) => {
    expectOneLineNaming(refusal({ APP_SECRET: secret, PORT: port }), 'PORT');
  });

  it.each(['not a url', 'mysql://root@127.0.0.1/boucle', 'http://127.0.0.1:5432/boucle'])('refuses DATABASE_URL=%j', (url) => {
    expectOneLineNaming(refusal({ APP_SECRET: secret, DATABASE_URL: url }), 'DATABASE_URL');
  });

  it('believes no reverse proxy unless TRUSTED_PROXIES says how many stand in front', () => {
    expect(loadConfig({ APP_SECRET: secret }, () => {}).trustedProxies).toBe(0);
    expect(loadConfig({ APP_SECRET: secret, TRUSTED_PROXIES: '1' }, () => {}).trustedProxies).toBe(1);
  });

  it.each(['-1', 'yes', '1.5', '9'])('refuses TRUSTED_PROXIES=%j', (value) => {
    expectOneLineNaming(refusal({ APP_SECRET: secret, TRUSTED_PROXIES: value }), 'TRUSTED_PROXIES');
  });

  it('takes the map’s tiles from OpenStreetMap France unless MAP_TILES_URL names another server, whose hosts the pages’ policy lets in', () => {
    const standard = loadConfig({ APP_SECRET: secret }, () => {}).mapTiles;
    expect(standard.url).toBe('https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png');
    expect(standard.origins).toEqual(['https://a.tile.openstreetmap.fr', 'https://b.tile.openstreetmap.fr', 'https://c.tile.openstreetmap.fr']);
    const own = loadConfig(
      { APP_SECRET: secret, MAP_TILES_URL: 'https://tuiles.reseau.example/{z}/{x}/{y}.png', MAP_TILES_ATTRIBUTION: '© IGN' },
      () => {},
    ).mapTiles;
    expect(own).toMatchObject({ origins: ['https://tuiles.reseau.example'], subdomains: [], attribution: '© IGN' });
  });

  it.each([
    'https://tiles.example/{z}/{x}.png',
    'ftp://tiles.example/{z}/{x}/{y}.png',
    'tiles',
    'https://{r}.tiles.example/{z}/{x}/{y}.png',
    'https://user:pw@tiles.example/{z}/{x}/{y}.png',
  ])('refuses MAP_TILES_URL=%j', (url) => {
    expectOneLineNaming(refusal({ APP_SECRET: secret, MAP_TILES_URL: url }), 'MAP_TILES_URL');
  });

  it('refuses a REDIS_URL that is not redis://', () => {
    expectOneLineNaming(refusal({ APP_SECRET: secret, REDIS_URL: 'http://127.0.0.1:6379' }), 'REDIS_URL');
  });

  it('refuses to start in production without APP_SECRET', () => {
    const dataDir = temporaryFolder();
    expectOneLineNaming(refusal({ NODE_ENV: 'production', DATA_DIR: dataDir }), 'APP_SECRET');
    expect(existsSync(join(dataDir, 'app-secret'))).toBe(false);
  });

  it('refuses an APP_SECRET shorter than 32 characters', () => {
    expectOneLineNaming(refusal({ NODE_ENV: 'production', APP_SECRET: 'short-secret' }), 'APP_SECRET');
  });

  it('refuses BOOTSTRAP_ADMIN_EMAIL without BOOTSTRAP_ADMIN_PASSWORD, and the reverse', () => {
    expectOneLineNaming(refusal({ APP_SECRET: secret, BOOTSTRAP_ADMIN_EMAIL: 'admin@boucle.example' }), 'BOOTSTRAP_ADMIN_PASSWORD');
    expectOneLineNaming(refusal({ APP_SECRET: secret, BOOTSTRAP_ADMIN_PASSWORD: 'a long enough password' }), 'BOOTSTRAP_ADMIN_EMAIL');
  });

  // Configuration errors land in CI logs and journald: a refused secret must not be printed with them.
  it.each([
    { variable: 'APP_SECRET', env: { APP_SECRET: 'my-short-app-secret' }, secret: 'my-short-app-secret' },
    {
      variable: 'BOOTSTRAP_ADMIN_PASSWORD',
      env: { APP_SECRET: secret, BOOTSTRAP_ADMIN_EMAIL: 'admin@boucle.example', BOOTSTRAP_ADMIN_PASSWORD: 'hunter2-pw' },
      secret: 'hunter2-pw',
    },
    { variable: 'DATABASE_URL', env: { APP_SECRET: secret, DATABASE_URL: 'mysql://boucle:db-password-123@db.example/boucle' }, secret: 'db-password-123' },
  ])('does not repeat the refused secret of $variable in the message', ({ variable, env, secret: refused }) => {
    const error = refusal(env);
    expectOneLineNaming(error, variable);
    expect(error.message).not.toContain(refused);
  });
});

describe('the development secret', () => {
  it('is generated once into DATA_DIR/app-secret with a warning, then read back silently', () => {
    const dataDir = join(temporaryFolder(), 'nested', 'data');
    const warnings: string[] = [];
    const first = loadConfig({ DATA_DIR: dataDir }, (message) => warnings.push(message));
    expect(first.appSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.dataDir).toBe(dataDir);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('APP_SECRET');
    const file = join(dataDir, 'app-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.appSecret);
    // Only its owner may read it.
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const again: string[] = [];
    const second = loadConfig({ DATA_DIR: dataDir }, (message) => again.push(message));
    expect(second.appSecret).toBe(first.appSecret);
    expect(again).toEqual([]);
  });

  it('is not generated when APP_SECRET is given', () => {
    const dataDir = temporaryFolder();
    const warnings: string[] = [];
    expect(loadConfig({ DATA_DIR: dataDir, APP_SECRET: secret }, (message) => warnings.push(message)).appSecret).toBe(secret);
    expect(warnings).toEqual([]);
    expect(existsSync(join(dataDir, 'app-secret'))).toBe(false);
  });

  it('gives two data folders two different secrets', () => {
    const one = loadConfig({ DATA_DIR: temporaryFolder() }, () => {});
    const two = loadConfig({ DATA_DIR: temporaryFolder() }, () => {});
    expect(one.appSecret).not.toBe(two.appSecret);
  });
});

describe('the entry point with a bad variable', () => {
  it('exits non-zero and prints exactly one line to stderr naming PORT', async () => {
    const dataDir = temporaryFolder();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', 'src/main.ts', 'migrate'],
        {
          cwd: resolve(import.meta.dirname, '..'),
          // Nothing listens on port 1: if the configuration were accepted, no database would be created either.
          env: { ...process.env, PORT: 'abc', DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/boucle' },
          timeout: 20_000,
        },
        (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
    expect(existsSync(join(dataDir, 'app-secret'))).toBe(false);
  });
});
