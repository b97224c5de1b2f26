import type { Queue } from 'bullmq';
import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import type { FC, PropsWithChildren } from 'hono/jsx';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { SignIns } from '../auth/auth.routes.ts';
import { DomainError } from '../errors.ts';
import { inventoryRetryAfterSeconds, limitBodies, shownSize, type InventoryTurns } from '../http/body-limits.ts';
import { refusalInFrench } from '../http/problem-fr.ts';
import type { FileStore } from '../files/file-store.ts';
import { adminPageRoutes } from './admin-pages.tsx';
import { assetRoutes } from './assets.ts';
import { devicePageRoutes } from './device-page.tsx';
import { landlordPageRoutes } from './landlord-pages.tsx';
import { Layout } from './layout.tsx';
import { loginPageRoutes } from './login-page.tsx';
import { mediatorPageRoutes } from './mediator-pages.tsx';
import { queueBoardPath, queueBoardRoutes } from './queue-board.ts';
import { scanPageRoutes } from './scan-page.tsx';
import { donationPageRoutes } from './donation-pages.tsx';
import { jobPageRoutes } from './jobs-page.tsx';
import { placeImportPageRoutes } from './place-import-page.tsx';
import { fundPageRoutes } from './fund-page.tsx';
import { steeringPageRoutes } from './steering-page.tsx';
import { stockPageRoutes } from './stock-page.tsx';
import { PageRefusal, pageSession, SignInFirst, type PageEnv, type Viewer, type Database } from './session.ts';
import { verifyPageRoutes } from './verify-page.tsx';
import { reusePageRoutes } from './reuse-page.tsx';
import { seeOther } from './redirect.ts';
import type { MapTiles } from '../places/map-tiles.ts';
import { placesPageRoutes } from './places-page.tsx';
import { sitePlacePageRoutes } from './site-place-page.tsx';

export type PageDeps = {
  database: Database;
  fileStore: FileStore;
  appSecret: string;
  publicUrl: string;
  logger: Logger;
  /** The queues bull-board shows at /admin/queues; without them the dashboard says it is unavailable. */
  queues?: readonly Queue[];
  /** The API's queue of inventory reads, which the import page joins. */
  inventoryTurns: InventoryTurns;
  /** The sign-in attempts' counts the API's sign-in routes keep too. */
  signIns: SignIns;
  /** What time it is, for "ouvert maintenant". */
  clock: () => Date;
  /** The maps' tile server. */
  mapTiles: MapTiles;
};

// Scripts and styles from this site only, no inline script; the camera's stream stays in the page.
// Images from here, and the map's tiles from the tile server's hosts alone.
const pageHeaders = (mapTiles: MapTiles) =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:', ...mapTiles.origins],
      mediaSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    permissionsPolicy: { camera: ['self'] },
    // Same-origin form posts then carry their Origin (with no-referrer they would say "null"), which
    // the sign-in form checks.
    referrerPolicy: 'same-origin',
  });
const dashboardHeaders = secureHeaders({ referrerPolicy: 'same-origin' });

const isPage = (path: string) => !path.startsWith('/api/') && path !== '/healthz' && path !== '/readyz';

/** The page of a refusal or a failure: what happened, in French, in the site's frame with the viewer's navigation. */
const ErrorPage: FC<PropsWithChildren<{ title: string; heading?: string; message: string; viewer?: Viewer | null }>> = ({
  title,
  heading,
  message,
  viewer,
  children,
}) => (
  <Layout title={title} viewer={viewer}>
    <h1>{heading ?? title}</h1>
    <p>{message}</p>
    {children}
  </Layout>
);

/**
 * Whether a path no route answers gets the French page rather than the API's problem: a page's
 * path (never /api/), asked by a client that prefers HTML, as a browser's address bar does.
 */
export const wantsNotFoundPage = (c: Context) =>
  isPage(c.req.path) && accepts(c, { header: 'Accept', supports: ['application/json', 'text/html'], default: 'application/json' }) === 'text/html';

/** A page no route answers: said in French, with the way back home; the signed-in viewer keeps their navigation. */
export const notFoundPage = (c: Context) => {
  const viewer = (c as Context<PageEnv>).get('viewer');
  return c.html(
    <ErrorPage
      title="Page introuvable"
      message="Cette adresse ne mène à aucune page de Boucle : elle a peut-être été mal saisie, ou la page a été déplacée."
      viewer={viewer}
    >
      <p>
        <a href="/">Revenir à l’accueil</a>
      </p>
    </ErrorPage>,
    404,
  );
};

/** A form or a file over its route's limit: said in French, with what to do. */
function tooLargePage(c: Context<PageEnv>, bytes: number) {
  const limit = shownSize(bytes, ['Ko', 'Mo']);
  const donation = c.req.path.match(/^\/donations\/([^/]+)\/import$/)?.[1];
  const places = c.req.path === '/admin/lieux/import';
  return c.html(
    <Layout title="Envoi trop volumineux" viewer={c.get('viewer')}>
      <h1>Envoi trop volumineux</h1>
      <p>
        {donation
          ? `Le fichier dépasse ${limit}, la taille d’un inventaire que Boucle accepte : découpez-le en plusieurs fichiers et importez-les l’un après l’autre.`
          : places
            ? `Le fichier dépasse ${limit}, la taille d’un fichier de lieux que Boucle accepte : découpez-le en plusieurs fichiers (chacun avec la ligne d’en-tête) et importez-les l’un après l’autre.`
            : `Ce formulaire dépasse ${limit} : raccourcissez ce que vous avez saisi et recommencez.`}
      </p>
      {donation ? (
        <p>
          <a href={`/donations/${encodeURIComponent(donation)}`}>Revenir au don</a>
        </p>
      ) : null}
    </Layout>,
    413,
  );
}

const inventoriesQueuedPage = (c: Context<PageEnv>) =>
  c.html(
    <Layout title="Import en attente" viewer={c.get('viewer')}>
      <h1>D’autres inventaires sont en cours de lecture</h1>
      <p>Renvoyez le fichier dans {inventoryRetryAfterSeconds} secondes : Boucle lit les inventaires l’un après l’autre.</p>
    </Layout>,
    429,
  );

/** The server-rendered pages, in French, with the session they read and the errors they show. */
export function pageRoutes(deps: PageDeps) {
  const { database, appSecret } = deps;
  const session = pageSession(database, appSecret);
  const app = new Hono<PageEnv>();
  const headers = pageHeaders(deps.mapTiles);
  // bull-board's own pages carry inline scripts: they get the default headers, not this policy.
  app.use('*', (c, next) => (!isPage(c.req.path) ? next() : c.req.path.startsWith(queueBoardPath) ? dashboardHeaders(c, next) : headers(c, next)));
  // Assets need no session: no database lookup for a stylesheet.
  app.use('*', (c, next) => (isPage(c.req.path) && !c.req.path.startsWith('/assets/') ? session(c, next) : next()));
  // Before any page reads a form: the same limits as the API's (src/http/body-limits.ts).
  const pageBodyLimit = limitBodies(deps.inventoryTurns, {
    tooLarge: (c, bytes) => tooLargePage(c as Context<PageEnv>, bytes),
    busy: (c) => inventoriesQueuedPage(c as Context<PageEnv>),
  });
  app.use('*', (c, next) => (isPage(c.req.path) ? pageBodyLimit(c, next) : next()));
  app.route('/', assetRoutes());
  app.route(
    '/',
    loginPageRoutes(database, { appSecret, publicUrl: deps.publicUrl, secureCookies: deps.publicUrl.startsWith('https:'), signIns: deps.signIns }),
  );
  app.route('/', devicePageRoutes(database));
  app.route('/', scanPageRoutes(database, deps.fileStore, appSecret));
  app.route('/', donationPageRoutes(database, deps.fileStore, appSecret));
  app.route('/', jobPageRoutes(database));
  app.route('/', verifyPageRoutes(database, appSecret, deps.publicUrl));
  app.route('/', reusePageRoutes(database, appSecret));
  if (deps.queues) app.route('/', queueBoardRoutes(deps.queues));
  app.route('/', stockPageRoutes(database));
  app.route('/', steeringPageRoutes(database));
  app.route('/', fundPageRoutes(database, appSecret));
  app.route('/', mediatorPageRoutes(database, appSecret));
  app.route('/', landlordPageRoutes(database, appSecret));
  app.route('/', adminPageRoutes(database, appSecret));
  app.route('/', placeImportPageRoutes(database, deps.fileStore, appSecret));
  app.route('/', sitePlacePageRoutes(database, appSecret, deps.mapTiles));
  app.route('/', placesPageRoutes(database, deps.clock, deps.mapTiles));

  app.onError((error, c) => {
    if (error instanceof SignInFirst) return seeOther(c, `/login?next=${encodeURIComponent(error.next)}`);
    const viewer = c.get('viewer');
    const refusal =
      error instanceof PageRefusal
        ? { status: error.status, message: error.message }
        : error instanceof DomainError && error.status < 500
          ? { status: error.status, message: refusalInFrench(error) }
          : undefined;
    if (!refusal) deps.logger.error({ err: error, path: c.req.path }, 'page failed');
    const status = refusal?.status ?? 500;
    return c.html(
      <ErrorPage
        title={status === 404 ? 'Introuvable' : status === 403 ? 'Accès refusé' : 'Erreur'}
        heading={status === 404 ? 'Introuvable' : status === 403 ? 'Accès refusé' : 'Une erreur est survenue'}
        message={refusal?.message ?? 'Une erreur est survenue de notre côté ; elle a été enregistrée. Réessayez dans un instant.'}
        viewer={viewer}
      />,
      status as 400,
    );
  });
  return app;
}
