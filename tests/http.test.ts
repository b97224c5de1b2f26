import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { testPublicUrl, type Harness } from './helpers/harness.ts';
import { startWorld, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
});
afterAll(() => harness.close());

describe('health checks', () => {
  it('answers /healthz with 200 without touching anything', async () => {
    const response = await world.call('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when Postgres and Redis both answer', async () => {
    const response = await world.call('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
  });

  it('answers /readyz with 503 naming Redis when Redis does not answer', async () => {
    // A real connection to a port where nothing listens.
    const { Redis } = await import('ioredis');
    const app = createApp({
      database: harness.database,
      fileStore: harness.fileStore,
      appSecret: 'x'.repeat(32),
      logger: createLogger('silent'),
      publicUrl: testPublicUrl,
      pingRedis: async () => {
        const redis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        redis.on('error', () => {});
        try {
          await redis.connect();
          await redis.ping();
        } finally {
          redis.disconnect();
        }
      },
    });
    const response = await app.request('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not_ready', postgres: 'ok', redis: 'unreachable' });
  });
});

describe('interactive API docs', () => {
  it('serves an HTML page whose scripts and styles all come from this server', async () => {
    const response = await harness.app.request('/api/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references.length).toBeGreaterThanOrEqual(2);
    for (const reference of references) expect(reference, reference).toMatch(/^\/api\/docs\/assets\//);
    expect(html).not.toMatch(/https?:\/\/|\/\/cdn|unpkg|jsdelivr|cdnjs/i);
  });

  it('serves every asset the page loads, with the content type a browser needs', async () => {
    const html = await (await harness.app.request('/api/docs')).text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    for (const reference of references) {
      const asset = await harness.app.request(reference);
      expect(asset.status, reference).toBe(200);
      const expected = reference.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/;
      expect(asset.headers.get('content-type'), reference).toMatch(expected);
      const body = await asset.text();
      expect(body.length, reference).toBeGreaterThan(0);
      expect(body, reference).not.toMatch(/^\s*</); // not an HTML error page
    }
  });

  it("points Swagger UI at this server's OpenAPI document", async () => {
    const init = await (await harness.app.request('/api/docs/assets/init.js')).text();
    expect(init).toContain("'/api/openapi.json'");
    const document = await harness.app.request('/api/openapi.json');
    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers an unknown asset with a 404 problem, not a file from elsewhere on disk', async () => {
    for (const path of [
      '/api/docs/assets/index.html',
      '/api/docs/assets/package.json',
      '/api/docs/assets/..%2Fpackage.json',
      '/api/docs/assets/%2E%2E%2F%2E%2E%2Fpackage.json',
    ]) {
      const response = await world.call('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
    }
  });
});

describe('request ids', () => {
  it('gives every answer an x-request-id, different each time', async () => {
    const first = await harness.app.request('/healthz');
    const second = await harness.app.request('/healthz');
    expect(first.headers.get('x-request-id')).toMatch(/\S{8,}/);
    expect(second.headers.get('x-request-id')).toMatch(/\S{8,}/);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('puts the same request id in a problem body as in the header', async () => {
    for (const [path, token] of [
      ['/api/nowhere', world.admin.token],
      ['/api/me', undefined],
      ['/api/sites/not-a-uuid', world.admin.token],
      ['/api/sites/00000000-0000-4000-8000-000000000000', world.admin.token],
    ] as const) {
      const response = await world.call('GET', path, { token });
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
      expect(response.body.requestId, path).toBeTruthy();
      expect(response.body.requestId, path).toBe(response.headers.get('x-request-id'));
    }
  });

  it("keeps a caller's request id, so a support request can be traced across services", async () => {
    const response = await world.call('GET', '/api/nowhere', { token: world.admin.token, headers: { 'x-request-id': 'bench-scanner-42' } });
    expect(response.headers.get('x-request-id')).toBe('bench-scanner-42');
    expect(response.body.requestId).toBe('bench-scanner-42');
  });
});

describe('security headers', () => {
  it.each([
    ['a health check', '/healthz', undefined],
    ['a JSON answer', '/api/me', 'admin'],
    ['the docs page', '/api/docs', undefined],
    ['a 404 problem', '/api/nowhere', 'admin'],
    ['a 401 problem', '/api/me', undefined],
  ] as const)('sets them on %s', async (_what, path, who) => {
    const response = await world.call('GET', path, { token: who ? world.admin.token : undefined });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it.each(['/login', '/scan', '/d/B7K2-9QXM'])(
    'gives the page %s a content security policy that allows no script from elsewhere and no inline script',
    async (path) => {
      const response = await world.call('GET', path);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      // Same-origin form posts must carry their Origin header (the sign-in form checks it).
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
    },
  );
});

describe('refusals in French for the pages', () => {
  it('words a refused step in French for a browser that asks for it, in English otherwise, with the same code', async () => {
    const bench = await world.workshop();
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [{ type: 'ssd', capacityGb: 256 }] });
    const attempt = (language?: string) =>
      world.call('POST', `/api/devices/${device.code}/transitions`, {
        token: bench.operator.token,
        headers: language ? { 'accept-language': language } : {},
        body: { to: 'ready' },
      });
    const french = await attempt('fr-FR,fr;q=0.9,en;q=0.5');
    const english = await attempt();
    expect(french.status).toBe(409);
    expect(french.body.code).toBe(english.body.code);
    expect(french.body.detail).toBe(
      'Impossible depuis le statut « collecté » ; possible : données effacées, en reconditionnement, démonté pour pièces, recyclé (DEEE).',
    );
    expect(english.body.detail).toMatch(/^A collected device cannot become ready/);
    const guard = await world.call('POST', `/api/devices/${device.code}/transitions`, {
      token: bench.operator.token,
      headers: { 'accept-language': 'fr' },
      body: { to: 'wiped' },
    });
    expect(guard.status).toBe(409);
    expect(guard.body.detail).toBe('Le support SSD doit avoir un effacement réussi au niveau « Purge », ou être retiré.');
    expect(guard.body.failedGuards).toEqual([{ guard: 'wipe_records_passed', reason: guard.body.detail }]);
  });
});

describe('field errors in French for the pages', () => {
  it('names each bad field in French for a browser that asks for it, the paths unchanged', async () => {
    const bench = await world.workshop();
    const body = { kind: 'laptop', brand: '', model: 'x'.repeat(300), storageMedia: [], donationId: 'pas-un-id' };
    const french = await world.call('POST', '/api/devices', { token: bench.operator.token, headers: { 'accept-language': 'fr-FR' }, body });
    const english = await world.call('POST', '/api/devices', { token: bench.operator.token, body });
    expect(french.status).toBe(422);
    expect(french.body.detail).toBe('Certains champs manquent ou sont incorrects.');
    expect(french.body.errors.map((error: { path: string }) => error.path)).toEqual(english.body.errors.map((error: { path: string }) => error.path));
    const messages = Object.fromEntries(french.body.errors.map((error: { path: string; message: string }) => [error.path, error.message]));
    expect(messages).toMatchObject({ brand: 'Ne peut pas être vide.', donationId: 'Identifiant invalide.' });
    expect(messages.model).toMatch(/caractères au plus\.$/);
  });
});
