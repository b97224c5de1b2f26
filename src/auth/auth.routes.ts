import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrfToken } from '../pages/csrf.ts';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, problems, text, timestamp } from '../http/router.ts';
import { issueCredential, listApiTokens, revokeCredential, sessionLifetimeMs } from './auth.service.ts';
import { roles } from './roles.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

export const sessionCookie = 'boucle_session';

const credentialsBody = z.object({
  email: z.email('Give the e-mail address of the account.'),
  password: z.string().min(1, 'Give the password.').max(1024),
});

const meSchema = z
  .object({
    userId: z.uuid(),
    displayName: z.string(),
    email: z.string(),
    role: z.enum(roles),
    organisationId: z.uuid(),
    organisationKind: z.string(),
    csrfToken: z.string().optional().openapi({ description: 'With the session cookie: the X-CSRF-Token header that changes must carry.' }),
  })
  .openapi('Me');

const tokenSchema = z
  .object({ id: z.uuid(), label: z.string().nullable(), createdAt: timestamp, lastUsedAt: timestamp.nullable(), revokedAt: timestamp.nullable() })
  .openapi('ApiToken');

const tag = 'Authentication';

/** What every sign-in route needs (this API's and the sign-in page's): the attempts' counts, and where a request comes from. */
export type SignIns = { throttle: SignInThrottle; clientAddress: (c: Context) => string | undefined };

export function authRoutes(
  database: Database,
  options: { secureCookies: boolean; appSecret: string; throttle: SignInThrottle; clientAddress: (c: Context) => string | undefined },
) {
  const { db } = database;
  const signIn = (c: Context, input: { email: string; password: string; label?: string }, kind: 'session' | 'api_token') =>
    options.throttle.attempt({ email: input.email, address: options.clientAddress(c) }, () => issueCredential(db, { ...input, kind }));
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/login',
        operationId: 'login',
        tags: [tag],
        summary: 'Sign in with e-mail and password; sets the session cookie used by the pages.',
        request: { body: { required: true, content: { 'application/json': { schema: credentialsBody } } } },
        responses: { 204: { description: 'Signed in; the cookie is set.' }, ...problems(401, 422, 429) },
      }),
      async (c) => {
        const credential = await signIn(c, c.req.valid('json'), 'session');
        c.header('cache-control', 'no-store');
        setCookie(c, sessionCookie, credential.secret, {
          httpOnly: true,
          sameSite: 'Lax',
          secure: options.secureCookies,
          path: '/',
          maxAge: sessionLifetimeMs / 1000,
        });
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/logout',
        operationId: 'logout',
        tags: [tag],
        summary: 'Ends the current session or revokes the token used for this request.',
        security: bearerSecurity,
        responses: { 204: { description: 'Signed out.' }, ...problems(401) },
      }),
      async (c) => {
        const actor = actorOf(c);
        await revokeCredential(db, actor, actor.credentialId);
        deleteCookie(c, sessionCookie, { path: '/' });
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/tokens',
        operationId: 'createApiToken',
        tags: [tag],
        summary: 'Issues a bearer token for an API client or a scanning station (shown once, stored hashed).',
        request: {
          body: {
            required: true,
            content: {
              'application/json': {
                schema: credentialsBody.extend({ label: text(100).optional() }),
              },
            },
          },
        },
        responses: {
          201: {
            description: 'The token; keep it, it is not shown again.',
            content: { 'application/json': { schema: z.object({ id: z.uuid(), token: z.string() }) } },
          },
          ...problems(401, 422, 429),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const credential = await signIn(c, body, 'api_token');
        // A secret: no cache, no proxy, no idempotency record keeps it (see idempotency.ts).
        c.header('cache-control', 'no-store');
        return c.json({ id: credential.id, token: credential.secret }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/tokens',
        operationId: 'listApiTokens',
        tags: [tag],
        summary: 'Your API tokens (never their secrets).',
        security: bearerSecurity,
        responses: {
          200: { description: 'Tokens.', content: { 'application/json': { schema: z.object({ items: z.array(tokenSchema) }) } } },
          ...problems(401),
        },
      }),
      async (c) => c.json({ items: asJson(await listApiTokens(db, actorOf(c))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/auth/tokens/{id}',
        operationId: 'revokeApiToken',
        tags: [tag],
        summary: 'Revokes one of your API tokens at once.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 204: { description: 'Revoked.' }, ...problems(401, 404, 422) },
      }),
      async (c) => {
        await revokeCredential(db, actorOf(c), c.req.valid('param').id);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/me',
        operationId: 'getMe',
        tags: [tag],
        summary: 'Who is signed in, in which organisation, with which role.',
        security: bearerSecurity,
        responses: {
          200: { description: 'The signed-in user.', content: { 'application/json': { schema: meSchema } } },
          ...problems(401),
        },
      }),
      (c) => {
        const { credentialId, ...me } = actorOf(c);
        const viaCookie = !c.req.header('authorization') && getCookie(c, sessionCookie) !== undefined;
        return c.json({ ...me, ...(viaCookie ? { csrfToken: csrfToken(options.appSecret, credentialId) } : {}) }, 200);
      },
    );
}
