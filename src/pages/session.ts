import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Actor } from '../auth/actor.ts';
import { sessionCookie } from '../auth/auth.routes.ts';
import { authenticate } from '../auth/auth.service.ts';
import type { Role } from '../auth/roles.ts';
import { getOrganisation } from '../organisations/organisations.service.ts';
import { csrfField, csrfToken, csrfTokenMatches } from './csrf.ts';

/**
 * The database handle a page passes on to the modules, typed as the modules take it: pages never
 * name the db client, they hand `database.db` (or a module's own transaction) to a module's function.
 */
export type Database = { db: Parameters<typeof authenticate>[0] };
export type DbOrTx = Parameters<typeof getOrganisation>[0];

/** Who is looking at a page: the signed-in person, their organisation's name, and the CSRF token their forms carry. */
export type Viewer = Actor & { organisationName: string; csrf: string };
export type PageEnv = { Variables: { viewer: Viewer | null } };

/** Reads the session cookie of every page request; pages decide what an anonymous visitor gets. */
export function pageSession(database: Database, appSecret: string): MiddlewareHandler<PageEnv> {
  return async (c, next) => {
    const secret = getCookie(c, sessionCookie);
    const actor = secret ? await authenticate(database.db, secret) : null;
    if (!actor) {
      c.set('viewer', null);
      return next();
    }
    const organisation = await getOrganisation(database.db, actor, actor.organisationId);
    c.set('viewer', { ...actor, organisationName: organisation.name, csrf: csrfToken(appSecret, actor.credentialId) });
    return next();
  };
}

export class PageRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The viewer of a page that needs one, with one of these roles: an anonymous visitor is sent to
 * the sign-in page (and back here after), a signed-in one without the role gets a 403 page.
 */
export function viewerOf(c: Context<PageEnv>, roles?: readonly Role[]): Viewer {
  const viewer = c.get('viewer');
  if (!viewer) throw new SignInFirst(c.req.path + (new URL(c.req.url).search ?? ''));
  if (roles && !roles.includes(viewer.role)) throw new PageRefusal(403, 'Cette page n’est pas accessible avec votre rôle.');
  return viewer;
}

export class SignInFirst extends Error {
  constructor(readonly next: string) {
    super('sign in first');
  }
}

/**
 * The posted form's fields and files; a body that is no readable form (a broken multipart) is a
 * 400 page, not a 500. `all` keeps every value of a name sent more than once (the ticked boxes of
 * a list), as an array.
 */
export async function postedBody(c: Context<PageEnv>, options: { all?: boolean } = {}) {
  try {
    return await c.req.parseBody({ all: options.all ?? false });
  } catch {
    throw new PageRefusal(400, 'Le formulaire envoyé est illisible : rechargez la page et recommencez.');
  }
}

/** A posted form's fields, once its CSRF token is checked against the viewer's session. */
export async function postedForm(
  c: Context<PageEnv>,
  viewer: Viewer,
  appSecret: string,
  parsed?: Record<string, string | File | (string | File)[]>,
): Promise<Record<string, string>> {
  const body = parsed ?? (await postedBody(c));
  // Without a prototype, as hono parses it: a field named "constructor" is a field like any other.
  const fields = Object.assign(
    Object.create(null) as Record<string, string>,
    Object.fromEntries(Object.entries(body).filter(([, value]) => typeof value === 'string')),
  );
  if (!csrfTokenMatches(appSecret, viewer.credentialId, fields[csrfField])) {
    throw new PageRefusal(403, 'Ce formulaire a expiré ou ne vient pas de Boucle : rechargez la page et recommencez.');
  }
  return fields;
}
