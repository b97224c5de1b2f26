import type { Queue } from 'bullmq';
import { getCookie } from 'hono/cookie';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { allocationRoutes } from '../allocation/allocation.routes.ts';
import { trainingRoutes } from '../allocation/training.routes.ts';
import { apartmentRoutes } from '../connectivity/apartments.routes.ts';
import { deploymentRoutes } from '../connectivity/deployments.routes.ts';
import { fundRoutes } from '../fund/fund.routes.ts';
import { indicatorExportRoutes } from '../indicators/indicator-exports.routes.ts';
import { indicatorRoutes } from '../indicators/indicators.routes.ts';
import { incidentRoutes } from '../connectivity/incidents.routes.ts';
import { placesRoutes } from '../connectivity/places.routes.ts';
import { placesMapRoutes } from '../places/places.routes.ts';
import { authenticate } from '../auth/auth.service.ts';
import { signInThrottle } from '../auth/sign-in-throttle.ts';
import { authRoutes, sessionCookie, type SignIns } from '../auth/auth.routes.ts';
import { userRoutes } from '../auth/users.routes.ts';
import type { Database } from '../db/client.ts';
import { deviceRoutes } from '../devices/devices.routes.ts';
import { organisationRoutes } from '../organisations/organisations.routes.ts';
import { stockRoutes } from '../stock/stock.routes.ts';
import { donationRoutes } from '../donations/donations.routes.ts';
import type { FileStore } from '../files/file-store.ts';
import { fileRoutes } from '../files/files.routes.ts';
import { jobRoutes } from '../jobs/jobs.routes.ts';
import { labelRoutes } from '../labels/labels.routes.ts';
import { notFoundPage, pageRoutes, wantsNotFoundPage } from '../pages/pages.tsx';
import { qualificationRoutes } from '../qualifications/qualifications.routes.ts';
import { refurbishmentRoutes } from '../refurbishment/refurbishment.routes.ts';
import { scanRoutes } from '../scan/scan.routes.ts';
import { wipingRoutes } from '../wiping/wiping.routes.ts';
import { reuseRoutes } from '../reuse/reuse.routes.ts';
import { defaultMapTiles, type MapTiles } from '../places/map-tiles.ts';
import { clientAddress } from './client-address.ts';
import { inventoryRetryAfterSeconds, inventoryTurns, limitBodies, shownSize } from './body-limits.ts';
import { docsRoutes } from './docs.ts';
import { DomainError } from '../errors.ts';
import { idempotency } from '../idempotency/idempotency.ts';
import { csrfHeader, csrfTokenMatches } from '../pages/csrf.ts';
import { handleError, problemResponse } from './problem.ts';
import { actorOf, changesState, createRouter } from './router.ts';

export type AppDeps = {
  database: Database;
  fileStore: FileStore;
  logger: Logger;
  /** Key material: signs wipe certificates, encrypts Wi-Fi passphrases. */
  appSecret: string;
  /** Resolves when the queue's Redis answers; used by /readyz. */
  pingRedis: () => Promise<void>;
  publicUrl: string;
  /** The queues the admins' dashboard (bull-board) shows; optional for callers that have none. */
  queues?: readonly Queue[];
  /** How many reverse proxies stand in front, whose X-Forwarded-For names the client (0: none). */
  trustedProxies?: number;
  /** What time it is: "ouvert maintenant" on /lieux and a place's page; tests choose the instant. */
  clock?: () => Date;
  /** The tile server of the maps (the content security policy allows its hosts); OpenStreetMap France's by default. */
  mapTiles?: MapTiles;
};

const bearerPattern = /^Bearer\s+(\S+)$/i;

/**
 * The only API routes open without signing in: signing in, the API's description, the
 * certificates' public key and statements, the open data's schema (columns, no data), and the
 * network's places in the national schema (what the national map and data.gouv.fr read).
 */
const isPublic = (method: string, path: string) =>
  (method === 'POST' && (path === '/api/auth/login' || path === '/api/auth/tokens')) ||
  (method === 'GET' &&
    (path === '/api/openapi.json' ||
      path === '/api/keys/certificates' ||
      path === '/api/keys/reuse-attestations' ||
      path === '/api/indicators/open-data/schema.json' ||
      path === '/api/places/export.csv' ||
      path === '/api/places/export.json' ||
      /^\/api\/certificates\/[^/]+$/.test(path) ||
      path === '/api/docs' ||
      path.startsWith('/api/docs/')));

/** Builds the HTTP app from its dependencies; no connection is opened here. */
export function createApp(deps: AppDeps) {
  const { database, logger } = deps;
  const app = createRouter();
  const signIns: SignIns = { throttle: signInThrottle(database.db, deps.appSecret), clientAddress: (c) => clientAddress(c, deps.trustedProxies ?? 0) };

  app.use('*', requestId());
  // The API's security headers; pages set their own (a content security policy, see pages.tsx).
  app.use('/api/*', secureHeaders());
  app.use('/healthz', secureHeaders());
  app.use('/readyz', secureHeaders());
  app.use('*', async (c, next) => {
    if (!logger.isLevelEnabled('info')) return next();
    const started = performance.now();
    await next();
    // Method, path and status only: headers and bodies may carry passwords and tokens.
    logger.info(
      { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
  // One queue of inventory reads for the API and the pages: each costs tens of MB of heap.
  const turns = inventoryTurns();
  app.use(
    '/api/*',
    limitBodies(turns, {
      tooLarge: (c, bytes) => problemResponse(c, 413, { detail: `The request body is larger than ${shownSize(bytes)}.`, code: 'body_too_large' }),
      busy: (c) =>
        problemResponse(c, 429, {
          detail: `Other inventories are being read: send this one again in ${inventoryRetryAfterSeconds} seconds.`,
          code: 'inventories_queued',
        }),
    }),
  );
  // Who is calling comes before anything else: an anonymous caller learns nothing about a route's inputs.
  app.use('/api/*', async (c, next) => {
    const bearer = c.req.header('authorization')?.match(bearerPattern)?.[1];
    const cookie = bearer ? undefined : getCookie(c, sessionCookie);
    const secret = bearer ?? cookie;
    const actor = secret ? await authenticate(database.db, secret) : null;
    c.set('actor', actor);
    if (!actor && !isPublic(c.req.method, c.req.path)) actorOf(c);
    // A change asked with the session cookie must come from Boucle's own pages (see csrf.ts).
    if (actor && cookie && changesState(c.req.method) && !csrfTokenMatches(deps.appSecret, actor.credentialId, c.req.header(csrfHeader))) {
      throw new DomainError(403, 'csrf_token_missing', 'This change must come from Boucle’s pages: reload the page and try again.');
    }
    await next();
  });
  app.use('/api/*', idempotency(database.db, deps.appSecret));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const withTimeout = (check: Promise<unknown>) =>
      Promise.race([check, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000))]).then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      );
    const [postgres, redis] = await Promise.all([withTimeout(database.sql`select 1`), withTimeout(deps.pingRedis())]);
    const ready = postgres === 'ok' && redis === 'ok';
    return c.json({ status: ready ? 'ready' : 'not_ready', postgres, redis }, ready ? 200 : 503);
  });

  app.route('/api', authRoutes(database, { secureCookies: deps.publicUrl.startsWith('https:'), appSecret: deps.appSecret, ...signIns }));
  app.route('/api', organisationRoutes(database));
  app.route('/api', userRoutes(database));
  app.route('/api', deviceRoutes(database));
  app.route('/api', stockRoutes(database));
  app.route('/api', donationRoutes(database, deps.fileStore, deps.publicUrl));
  app.route('/api', labelRoutes(database));
  app.route('/api', scanRoutes(database));
  app.route('/api', jobRoutes(database));
  app.route('/api', fileRoutes(database, deps.fileStore));
  app.route('/api', qualificationRoutes(database));
  app.route('/api', wipingRoutes(database, deps.fileStore, deps.appSecret, deps.publicUrl));
  app.route('/api', refurbishmentRoutes(database));
  app.route('/api', allocationRoutes(database));
  app.route('/api', trainingRoutes(database));
  app.route('/api', placesRoutes(database));
  app.route('/api', placesMapRoutes(database, deps.fileStore, logger));
  app.route('/api', deploymentRoutes(database));
  app.route('/api', apartmentRoutes(database, deps.fileStore, deps.appSecret));
  app.route('/api', incidentRoutes(database));
  app.route('/api', indicatorRoutes(database));
  app.route('/api', fundRoutes(database));
  app.route('/api', reuseRoutes(database, deps.appSecret, deps.publicUrl));
  app.route('/api', indicatorExportRoutes(database));
  app.route('/api', docsRoutes());
  app.route(
    '/',
    pageRoutes({
      database,
      fileStore: deps.fileStore,
      appSecret: deps.appSecret,
      publicUrl: deps.publicUrl,
      logger,
      queues: deps.queues,
      inventoryTurns: turns,
      signIns,
      clock: deps.clock ?? (() => new Date()),
      mapTiles: deps.mapTiles ?? defaultMapTiles,
    }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: sessionCookie });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Boucle API',
      version: '0.1.0',
      description: 'Donated computers from collection to families, shared Wi-Fi in social housing. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: deps.publicUrl }],
  });

  // A browser that follows a wrong link gets a French page; the API's callers, a problem.
  app.notFound((c) =>
    wantsNotFoundPage(c) ? notFoundPage(c) : problemResponse(c, 404, { detail: `Nothing at ${c.req.method} ${c.req.path}.`, code: 'route_not_found' }),
  );
  app.onError((error, c) => handleError(error, c, logger));
  return app;
}

export type App = ReturnType<typeof createApp>;
