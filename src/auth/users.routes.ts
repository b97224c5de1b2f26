import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, text, timestamp } from '../http/router.ts';
import { organisationFilter } from '../organisations/organisations.routes.ts';
import { roles } from './roles.ts';
import { passwordInput, userInput } from './users.input.ts';
import { createUser, getUser, listUsers, updateUser } from './users.service.ts';

const userSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(roles),
    disabledAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .openapi('User');

const tag = 'Users';

export function userRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/users',
        operationId: 'createUser',
        tags: [tag],
        summary: 'Creates an account in an organisation, with one role (coordinator only).',
        security: bearerSecurity,
        request: {
          body: json(userInput),
        },
        responses: { 201: ok('Created.', userSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await createUser(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/users',
        operationId: 'listUsers',
        tags: [tag],
        summary: "Your organisation's accounts (every account for the coordinator).",
        security: bearerSecurity,
        request: { query: organisationFilter },
        responses: { 200: ok('Users.', z.object({ items: z.array(userSchema) })), ...problems(401, 422) },
      }),
      async (c) => c.json({ items: asJson(await listUsers(db, actorOf(c), c.req.valid('query'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/users/{id}',
        operationId: 'getUser',
        tags: [tag],
        summary: 'One account.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The user.', userSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getUser(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/users/{id}',
        operationId: 'updateUser',
        tags: [tag],
        summary: 'Changes a name or a password (your own, or any as coordinator), or disables an account.',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(
            z
              .object({ displayName: text(200).optional(), password: passwordInput.optional(), disabled: z.boolean().optional() })
              .refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to change.'),
          ),
        },
        responses: { 200: ok('The user.', userSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await updateUser(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    );
}
