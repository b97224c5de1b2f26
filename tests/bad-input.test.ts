import { createHash, randomBytes } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, users } from '../src/auth/auth.schema.ts';
import { provisionBuilding } from '../src/connectivity/provisioning.service.ts';
import { passphraseBox } from '../src/connectivity/secret-box.ts';
import { devices } from '../src/devices/devices.schema.ts';
import { bodyLimitFor } from '../src/http/body-limits.ts';
import { organisations, sites } from '../src/organisations/organisations.schema.ts';
import { startHarness, testAppSecret } from './helpers/harness.ts';
import { anyJson, garbageSegment, leaks, nastyString, percentEncode, prototypeNames } from './helpers/fuzz.ts';
import { createWorld, uniqueEmail, type Account, type World } from './helpers/world.ts';

/*
 * Bad input on every route, driven by the OpenAPI document the app publishes: whatever arrives,
 * the answer is a success or an RFC 9457 problem, never a 500, never a stack trace or SQL.
 */

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema: JsonSchema };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
};
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, unknown> };
};
type Route = { method: string; path: string; operation: Operation; name: string };

// The document decides which cases exist, so it is read before the tests are collected.
const harness = await startHarness();
const documentResponse = await harness.app.request('/api/openapi.json');
const openApi = (await documentResponse.json()) as OpenApiDocument;
const httpMethods = ['get', 'post', 'put', 'patch', 'delete'];
const routes: Route[] = Object.entries(openApi.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => httpMethods.includes(method))
    .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation, name: `${method.toUpperCase()} ${path}` })),
);
const bodySchema = (route: Route) => route.operation.requestBody?.content['application/json']?.schema;
const routesWithBody = routes.filter((route) => bodySchema(route));
const protectedRoutes = routes.filter((route) => (route.operation.security ?? []).length > 0);

let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;

/** Fixtures only the fuzzing touches, so whatever it changes cannot disturb the other tests. */
const fuzz = {} as {
  admin: Account;
  operator: Account;
  victim: Account;
  shop: Awaited<ReturnType<World['workshop']>>;
  deviceCode: string;
  /** A landlord of its own, so the fuzz reaches its rollout and its residence. */
  landlordId: string;
  ids: string[];
};

beforeAll(async () => {
  world = await createWorld(harness);
  bench = await world.workshop();
  fuzz.shop = await world.workshop();
  fuzz.admin = await world.account(world.admin.organisationId, 'admin');
  fuzz.operator = await world.account(fuzz.shop.organisation.id, 'workshop_operator');
  fuzz.victim = await world.account(fuzz.shop.organisation.id, 'workshop_operator');
  fuzz.deviceCode = (await world.device(fuzz.operator.token, fuzz.shop.site.id)).code;
  const tokenIds = await harness.database.db
    .select({ id: credentials.id })
    .from(credentials)
    .where(inArray(credentials.userId, [fuzz.victim.id, fuzz.operator.id]));
  const landlord = await world.landlord();
  fuzz.landlordId = landlord.organisation.id;
  fuzz.ids = [
    fuzz.admin.id,
    fuzz.operator.id,
    fuzz.victim.id,
    fuzz.shop.organisation.id,
    fuzz.shop.site.id,
    ...tokenIds.map((row) => row.id),
    fuzz.landlordId,
    landlord.residence.id,
  ];
  // A provisioned building, its apartment, access point and an incident: what the Wi-Fi routes take.
  const wifi = await wifiBuilding(await wifiCast(), 'provisioned');
  fuzz.ids.push(wifi.building.id, wifi.apartment.id, wifi.accessPoint.id, (await openIncidentOn(wifi.building.id)).id);
});
afterAll(() => harness.close());

// ---------------------------------------------------------------------------------------------
// Sending and checking

type Attempt = {
  method: string;
  url: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
};

async function send(attempt: Attempt) {
  const headers: Record<string, string> = { ...attempt.headers };
  if (attempt.token) headers.authorization = `Bearer ${attempt.token}`;
  const response = await harness.app.request(attempt.url, { method: attempt.method, headers, body: attempt.body });
  const text = await response.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // kept as text
  }
  return { status: response.status, headers: response.headers, text, body };
}
type Answer = Awaited<ReturnType<typeof send>>;

// 429: the fuzz's wrong passwords on one account end up waiting, as anyone's would.
const refusals = [400, 401, 403, 404, 409, 413, 415, 422, 429];

const describeAttempt = (attempt: Attempt) =>
  `${attempt.method} ${attempt.url.slice(0, 300)} [${JSON.stringify(attempt.headers ?? {})}] ${(attempt.body ?? '').slice(0, 300)}`;

/**
 * A success, or a problem document with every member RFC 9457 and our conventions ask for. A
 * success is JSON, unless the route documents it as a file (a CSV, a PDF: no JSON content).
 */
function expectWellFormedAnswer(answer: Answer, attempt: Attempt, route?: Route) {
  const context = `${describeAttempt(attempt)}\n→ ${answer.status} ${answer.text.slice(0, 500)}`;
  const success = answer.status >= 200 && answer.status < 300;
  expect(success || refusals.includes(answer.status), context).toBe(true);
  expect(answer.text, context).not.toMatch(leaks);
  if (success) {
    const documented = route?.operation.responses[String(answer.status)];
    const file = documented !== undefined && !documented.content?.['application/json'];
    if (answer.status !== 204) expect(answer.headers.get('content-type'), context).toMatch(file ? /^[a-z]+\/[\w.+-]+/ : /^application\/json/);
    return;
  }
  expect(answer.headers.get('content-type'), context).toBe('application/problem+json');
  const problem = answer.body;
  expect(problem, context).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: answer.status,
    detail: expect.stringMatching(/\S/),
    code: expect.stringMatching(/^[a-z0-9_]+$/),
  });
  expect(problem.requestId, context).toBe(answer.headers.get('x-request-id'));
  if (answer.status === 422) {
    expect(Array.isArray(problem.errors), context).toBe(true);
    expect(problem.errors.length, context).toBeGreaterThan(0);
    for (const error of problem.errors) {
      expect(error, context).toEqual({ path: expect.stringMatching(/\S/), message: expect.stringMatching(/\S/) });
    }
  }
}

/** A route's path with every parameter filled: `{code}` with a device code, any other (`{id}`, `{accessPointId}`) with `id`. */
const fillPath = (path: string, id: string, code: string) =>
  path.replace(/\{(\w+)\}/g, (_whole, name: string) => (name === 'code' ? code : name === 'year' ? '2025' : id));

const mintedTokens: string[] = [];
/** A fresh bearer token written straight to the table (as the API stores it), without paying argon2 per run. */
async function mintToken(userId: string): Promise<string> {
  const secret = `bct_${randomBytes(32).toString('base64url')}`;
  await harness.database.db
    .insert(credentials)
    .values({ userId, kind: 'api_token', label: 'fuzz', secretHash: createHash('sha256').update(secret).digest('hex') });
  mintedTokens.push(secret);
  return secret;
}

async function counts() {
  const { db } = harness.database;
  return {
    organisations: await db.$count(organisations),
    sites: await db.$count(sites),
    users: await db.$count(users),
    devices: await db.$count(devices),
  };
}

// ---------------------------------------------------------------------------------------------
// Values derived from the request schemas

function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref) return resolve(openApi.components.schemas[schema.$ref.replace('#/components/schemas/', '')]!);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map(resolve));
  return schema;
}

const typeOf = (schema: JsonSchema) => (Array.isArray(schema.type) ? schema.type[0] : schema.type);

/**
 * Values that get past the business rules, where a random one almost never would: a commune that
 * exists, a role that fits the fuzzed workshop, the recycling transition and the channel it needs.
 */
const hints = (): Record<string, fc.Arbitrary<unknown>> => ({
  communeCode: fc.constantFrom('47001', '2A004', '2a004', '13203'),
  postalCode: fc.constantFrom('47000', '20000'),
  to: fc.constantFrom('recycled'),
  role: fc.constantFrom('workshop_operator'),
  organisationId: fc.constantFrom(fuzz.shop.organisation.id, fuzz.landlordId),
  siteId: fc.constantFrom(fuzz.shop.site.id, bench.site.id),
  email: fc.oneof(
    fc.constant(fuzz.victim.email),
    fc.uuid().map((id) => `fuzz.${id.slice(0, 8)}@boucle.example`),
  ),
  deeeChannel: fc.constantFrom('ecosystem', 'Ecologic'),
});

/** A value the schema accepts (nearly always), with existing ids and the hints above. */
function valid(schema: JsonSchema, name = '', depth = 0): fc.Arbitrary<unknown> {
  const hint = hints()[name];
  const generic = validByType(resolve(schema), depth);
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: generic }) : generic;
}

function validByType(schema: JsonSchema & { exclusiveMinimum?: number; maxItems?: number }, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((option) => valid(option, '', depth)));
  switch (typeOf(schema)) {
    case 'string': {
      if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...fuzz.ids), fc.uuid().map(String));
      if (schema.format === 'email') return fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/).map((local) => `${local}@boucle.example`);
      const minLength = Math.max(schema.minLength ?? 0, 1);
      return fc
        .string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 60, 60)) })
        .filter((text) => text.trim().length >= minLength);
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({
        min: schema.minimum ?? schema.exclusiveMinimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        minExcluded: schema.exclusiveMinimum !== undefined,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(valid(schema.items ?? {}, '', depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object':
      return validObject(schema, depth);
    default:
      return anyJson;
  }
}

function validObject(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const fields = Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, valid(property, key, depth + 1)]));
  const known = Object.keys(fields).length ? fc.record(fields, { requiredKeys: schema.required ?? [] }) : fc.constant({});
  // A free-form record (a transition's payload): any JSON under any key, and sometimes the keys a rule reads.
  const free =
    schema.additionalProperties && depth < 3
      ? fc
          .tuple(
            fc.dictionary(fc.string({ unit: 'binary', maxLength: 20 }), anyJson, { maxKeys: 3 }),
            fc.record({ deeeChannel: hints().deeeChannel! }, { requiredKeys: [] }),
          )
          .map(([anything, ruled]) => ({ ...anything, ...ruled }))
      : fc.constant({});
  return fc.tuple(free, known).map(([more, fields]) => ({ ...more, ...fields }));
}

/** A JSON value of another type than the schema asks for. */
function wrongTyped(schema: JsonSchema): fc.Arbitrary<unknown> {
  const type = typeOf(resolve(schema));
  const byType: Record<string, fc.Arbitrary<unknown>> = {
    string: nastyString,
    number: fc.oneof(fc.double({ noNaN: true }), fc.integer()),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.array(anyJson, { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 3 }),
  };
  const others = Object.entries(byType)
    .filter(([name]) => name !== type && !(name === 'number' && type === 'integer'))
    .map(([, arbitrary]) => arbitrary);
  return fc.oneof(...others);
}

/** The right keys, every value of the wrong type. */
function wrongTypedObject(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(resolve(schema).properties ?? {});
  if (properties.length === 0) return fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 3 });
  return fc.record(Object.fromEntries(properties.map(([key, property]) => [key, wrongTyped(property)])), { requiredKeys: [] });
}

/** One place in a JSON value: the path of keys to it. */
function places(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const here = path.length ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => places(item, [...path, index]))];
  if (value && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([key, item]) => places(item, [...path, key]))];
  return here;
}

type Mutation = { at: number; how: 'append' | 'replace' | 'wrong_type' | 'delete' | 'extra_key'; text: string; other: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  how: fc.constantFrom('append', 'append', 'replace', 'wrong_type', 'delete', 'extra_key'),
  text: nastyString,
  other: fc.oneof(anyJson, fc.constantFrom(null, true, 0, -1, 1e308, [], {}, [[[[]]]])),
});

/** Spoils one field of an otherwise valid body: what a buggy client or a curious person sends. */
function mutate(body: unknown, change: Mutation): unknown {
  const copy = structuredClone(body) as any;
  const all = places(copy);
  if (all.length === 0) return change.how === 'extra_key' ? { [change.text]: change.other } : change.other;
  const path = all[change.at % all.length]!;
  const parent = path.slice(0, -1).reduce((node, step) => node[step], copy);
  const last = path.at(-1)!;
  switch (change.how) {
    case 'append':
      parent[last] = typeof parent[last] === 'string' ? `${parent[last]}${change.text}` : change.text;
      break;
    case 'replace':
      parent[last] = change.text;
      break;
    case 'wrong_type':
      parent[last] = change.other;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 'extra_key':
      if (parent && typeof parent === 'object' && !Array.isArray(parent)) parent[change.text] = change.other;
      break;
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Whole requests

/** Stands for a device registered just before the request, so a transition can really happen. */
const freshDevice = '{fresh-device}';

function pathArbitrary(route: Route): fc.Arbitrary<string> {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  if (names.length === 0) return fc.constant(route.path);
  const parts = names.map((name) =>
    name === 'code'
      ? fc.oneof(
          { weight: 3, arbitrary: fc.constant(freshDevice) },
          { weight: 1, arbitrary: fc.constantFrom(fuzz.deviceCode, fuzz.deviceCode.toLowerCase().replace('-', '')) },
          { weight: 2, arbitrary: garbageSegment },
        )
      : name === 'year'
        ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom('2025', '2025.pdf') }, { weight: 2, arbitrary: garbageSegment })
        : fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...fuzz.ids) },
            { weight: 1, arbitrary: fc.uuid().map(String) },
            { weight: 2, arbitrary: garbageSegment },
          ),
  );
  return fc.tuple(...parts).map((values) => names.reduce((path, name, index) => path.replace(`{${name}}`, values[index]!), route.path));
}

const forgedCursor = fc
  .record({
    createdAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      fc.string(),
      fc.integer(),
      fc.constantFrom('0', '1 2', 'now', 'infinity', '2020-13-45'),
    ),
    id: fc.oneof(fc.uuid().map(String), fc.string()),
  })
  .map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url'));

function queryArbitrary(route: Route): fc.Arbitrary<string> {
  const parameters = (route.operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
  const pair = (name: string, valueArbitrary: fc.Arbitrary<unknown>) =>
    valueArbitrary.map((raw) => `${percentEncode(name)}=${percentEncode(typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? ''))}`);
  const pairs = [
    ...parameters.map((parameter) =>
      pair(
        parameter.name,
        parameter.name === 'cursor'
          ? fc.oneof(forgedCursor, nastyString)
          : fc.oneof(
              valid(parameter.schema, parameter.name),
              valid(parameter.schema, parameter.name).map((text) => `${String(text)}\u0000`),
              nastyString,
            ),
      ),
    ),
    pair('unknown', nastyString),
  ];
  return fc.oneof(
    fc.constant(''),
    fc
      .subarray(pairs, { minLength: 1 })
      .chain((chosen) => fc.tuple(...chosen))
      .map((list) => `?${list.join('&')}`),
    // The same parameter twice, and raw junk that is no query string at all.
    parameters.length ? pair(parameters[0]!.name, fc.string()).map((one) => `?${one}&${one}`) : fc.constant('?a=1&a=2'),
    fc.constantFrom('?', '?&&&', '?=', '?%', '?%ZZ=%ZZ', '?a=%00', '?limit=1e999', '?organisationId[]=x', '?__proto__=1'),
  );
}

type BodyVariant = { headers?: Record<string, string>; body?: string };

const json = (value: unknown): BodyVariant => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
const malformedJson = ['{"a":', '{', '[1,]', "{'a':1}", 'NaN', '\u0000', 'undefined', '{"a":1}}', '"unterminated', '{"a":1,}', '{"a":01}', '{"a":1}\u0000', ''];
const foreignContentTypes = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonx',
];

function bodyArbitrary(route: Route): fc.Arbitrary<BodyVariant> {
  if (route.method === 'GET') return fc.constant({});
  const schema = resolve(bodySchema(route) ?? { type: 'object', properties: {} });
  const nested = fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
  return fc.oneof(
    { weight: 2, arbitrary: valid(schema).map(json) },
    { weight: 6, arbitrary: fc.tuple(valid(schema), mutation).map(([body, change]) => json(mutate(body, change))) },
    { weight: 1, arbitrary: wrongTypedObject(schema).map(json) },
    { weight: 1, arbitrary: anyJson.map(json) },
    { weight: 1, arbitrary: fc.constantFrom(...malformedJson).map((body) => ({ headers: { 'content-type': 'application/json' }, body })) },
    { weight: 1, arbitrary: nested.map((body) => ({ headers: { 'content-type': 'application/json' }, body })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...foreignContentTypes), valid(schema))
        .map(([type, payload]) => ({ headers: { 'content-type': type }, body: JSON.stringify(payload) })),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

function attemptArbitrary(route: Route) {
  return fc.record({
    actor: fc.constantFrom('admin', 'workshop_operator') as fc.Arbitrary<'admin' | 'workshop_operator'>,
    path: pathArbitrary(route),
    query: queryArbitrary(route),
    body: bodyArbitrary(route),
  });
}

// ---------------------------------------------------------------------------------------------

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and gives every operation a unique operationId and a summary', () => {
    expect(documentResponse.status).toBe(200);
    expect(openApi.openapi).toMatch(/^3\.1\./);
    expect(routes.length).toBeGreaterThan(10);
    const ids = routes.map((route) => route.operation.operationId);
    for (const route of routes) {
      expect(route.operation.operationId, route.name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(route.operation.summary, route.name).toMatch(/\S{3}/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes every API route the app serves', () => {
    const documented = new Set(routes.map((route) => `${route.method} ${route.path.replace(/\{(\w+)\}/g, ':$1')}`));
    const served = new Set(
      harness.app.routes
        .filter(
          (route) => route.method !== 'ALL' && route.path.startsWith('/api/') && !route.path.startsWith('/api/docs') && route.path !== '/api/openapi.json',
        )
        .map((route) => `${route.method} ${route.path}`),
    );
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
  });

  it('documents every error answer as a problem+json', () => {
    for (const route of routes) {
      for (const [status, response] of Object.entries(route.operation.responses)) {
        if (Number(status) >= 400) expect(Object.keys(response.content ?? {}), `${route.name} ${status}`).toEqual(['application/problem+json']);
      }
    }
  });

  it('documents string patterns as plain ECMAScript patterns that accept what the API accepts', () => {
    const patterns: { where: string; pattern: string }[] = [];
    const walk = (schema: JsonSchema, where: string) => {
      const resolved = resolve(schema);
      if (resolved.pattern) patterns.push({ where, pattern: resolved.pattern });
      for (const [key, property] of Object.entries(resolved.properties ?? {})) walk(property, `${where}.${key}`);
      if (resolved.items) walk(resolved.items, `${where}[]`);
    };
    for (const route of routesWithBody) walk(bodySchema(route)!, route.name);
    expect(patterns.length).toBeGreaterThan(0);
    for (const { where, pattern } of patterns) {
      // A JavaScript regex literal's flags ("/i") are no part of a JSON Schema pattern.
      expect(pattern, where).not.toMatch(/\/[dgimsuvy]+$/);
      expect(() => new RegExp(pattern, 'u'), where).not.toThrow();
    }
    const communeCode = patterns.find(({ where }) => where === 'POST /api/sites.communeCode')!;
    for (const code of ['47001', '2A004', '13203']) expect(new RegExp(communeCode.pattern, 'u').test(code), code).toBe(true);
  });
});

describe('arbitrary requests on every route, as an admin and as a workshop operator', () => {
  it.each(routes.map((route) => [route.name, route] as const))('%s answers a success or a problem, never a 500', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(attemptArbitrary(route), async ({ actor, path, query, body }) => {
        // Whatever the previous run did (signed out, changed a password, disabled someone), start clean.
        await harness.database.db
          .update(users)
          .set({ disabledAt: null })
          .where(inArray(users.id, [fuzz.admin.id, fuzz.operator.id]));
        const account = actor === 'admin' ? fuzz.admin : fuzz.operator;
        const url = path.includes(freshDevice)
          ? path.replace(freshDevice, (await world.device(await mintToken(fuzz.operator.id), fuzz.shop.site.id)).code)
          : path;
        const attempt: Attempt = { method: route.method, url: `${url}${query}`, token: await mintToken(account.id), ...body };
        expectWellFormedAnswer(await send(attempt), attempt, route);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 40) },
    );
  });

  it('never shows a token secret in the list of tokens', async () => {
    const attempt: Attempt = { method: 'GET', url: '/api/auth/tokens', token: await mintToken(fuzz.admin.id) };
    const answer = await send(attempt);
    expect(answer.status).toBe(200);
    for (const secret of mintedTokens) expect(answer.text).not.toContain(secret);
  });
});

describe('the names a plain JavaScript object answers to', () => {
  it.each(routes.map((route) => [route.name, route] as const))(
    '%s takes __proto__, constructor, toString... in every path segment, query parameter and body field',
    async (_name, route) => {
      const queryNames = (route.operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
      const properties = Object.keys(resolve(bodySchema(route) ?? { type: 'object' }).properties ?? {});
      for (const name of prototypeNames) {
        const url = route.path.replace(/\{\w+\}/g, percentEncode(name));
        const query = [...queryNames, name].map((parameter) => `${percentEncode(parameter)}=${percentEncode(name)}`).join('&');
        const bodies =
          route.method === 'GET'
            ? [undefined]
            : [Object.fromEntries(properties.map((property) => [property, name])), JSON.parse(`{"${name}":{"${name}":"x"}}`)];
        for (const body of bodies) {
          for (const token of [await mintToken(fuzz.admin.id), await mintToken(fuzz.operator.id)]) {
            const attempt: Attempt = { method: route.method, url: `${url}?${query}`, token, ...(body === undefined ? {} : json(body)) };
            expectWellFormedAnswer(await send(attempt), attempt, route);
          }
        }
      }
    },
  );
});

describe('bodies that are not what a route takes', () => {
  it.each(routesWithBody.map((route) => [route.name, route] as const))(
    '%s refuses malformed JSON with a 400 problem, and creates nothing',
    async (_name, route) => {
      for (const text of malformedJson.filter((body) => body !== '')) {
        const before = await counts();
        const attempt: Attempt = {
          method: route.method,
          url: fillPath(route.path, fuzz.shop.site.id, fuzz.deviceCode),
          token: world.admin.token,
          headers: { 'content-type': 'application/json' },
          body: text,
        };
        const answer = await send(attempt);
        expectWellFormedAnswer(answer, attempt);
        expect(answer.status, JSON.stringify(text)).toBe(400);
        expect(answer.body.code).toBe('malformed_request');
        expect(await counts()).toEqual(before);
      }
    },
  );

  it.each(routesWithBody.map((route) => [route.name, route] as const))('%s refuses a body that is not JSON with a 415 problem', async (_name, route) => {
    for (const type of foreignContentTypes.filter((type) => type !== 'application/jsonx')) {
      const attempt: Attempt = {
        method: route.method,
        url: fillPath(route.path, fuzz.shop.site.id, fuzz.deviceCode),
        token: world.admin.token,
        headers: { 'content-type': type },
        body: '{}',
      };
      const answer = await send(attempt);
      expectWellFormedAnswer(answer, attempt);
      expect(answer.status, type).toBe(415);
    }
  });

  it.each(routesWithBody.filter((route) => route.operation.requestBody?.required).map((route) => [route.name, route] as const))(
    '%s answers an empty body with 422 naming what is missing',
    async (_name, route) => {
      const attempt: Attempt = {
        method: route.method,
        url: fillPath(route.path, fuzz.shop.site.id, fuzz.deviceCode),
        token: world.admin.token,
      };
      const answer = await send(attempt);
      expectWellFormedAnswer(answer, attempt);
      expect(answer.status).toBe(422);
      const schema = resolve(bodySchema(route)!);
      const required = schema.required ?? [];
      const paths = answer.body.errors.map((error: { path: string }) => error.path);
      const variants = (schema as { oneOf?: { properties?: Record<string, unknown> }[] }).oneOf;
      if (required.length) expect(paths).toEqual(expect.arrayContaining(required));
      // A body of several shapes (oneOf) names what tells them apart.
      else if (variants) expect(paths.every((path: string) => variants.some((variant) => path in (variant.properties ?? {})))).toBe(true);
      else expect(paths).toEqual(['(body)']);
    },
  );

  it.each(routesWithBody.map((route) => [route.name, route] as const))(
    '%s refuses a body over its limit with a 413 problem, and creates nothing',
    async (_name, route) => {
      const before = await counts();
      const url = fillPath(route.path, fuzz.shop.site.id, fuzz.deviceCode);
      const limit = bodyLimitFor(url).bytes;
      const big = JSON.stringify({ name: 'x'.repeat(limit + 10), email: 'big@boucle.example', password: 'x' });
      const declaredLength: Record<string, string>[] = [
        { 'content-type': 'application/json' },
        { 'content-type': 'application/json', 'content-length': String(big.length) },
      ];
      for (const headers of declaredLength) {
        const attempt: Attempt = {
          method: route.method,
          url,
          token: world.admin.token,
          headers,
          body: big,
        };
        const answer = await send(attempt);
        expectWellFormedAnswer(answer, attempt);
        expect(answer.status).toBe(413);
        expect(answer.body.code).toBe('body_too_large');
      }
      expect(await counts()).toEqual(before);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Shared Wi-Fi fixtures, built by the coordinator as a landlord's manager would

type WifiCast = { landlord: Awaited<ReturnType<World['landlord']>>; isp: Awaited<ReturnType<World['isp']>> };

const newWifiCast = async (): Promise<WifiCast> => ({ landlord: await world.landlord(), isp: await world.isp() });
let acceptedCast: Promise<WifiCast> | undefined;
/** The landlord and internet provider the accepted requests build on, made on first use. */
const wifiCast = () => (acceptedCast ??= newWifiCast());

function succeeded(response: { status: number; body: any }, status = 200) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A building of the cast's residence, with no apartment yet; its deployment is planned. */
const freshBuilding = (cast: WifiCast, apartments?: { unit: string; floor: number }[]) =>
  world.building(world.admin.token, cast.landlord.residence.id, { floors: 2, name: `Bât. ${hex(4)}`, apartments });

/**
 * A building with one apartment and one access point on the ground floor, taken as far as
 * `stage`: planned, or provisioned (installer assigned, box and access point installed, the
 * apartment given its SSID and passphrase as the provisioning job does).
 */
async function wifiBuilding(cast: WifiCast, stage: 'planned' | 'provisioned' = 'planned') {
  const token = world.admin.token;
  const building = await freshBuilding(cast, [{ unit: '001', floor: 0 }]);
  const [apartment] = succeeded(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token })).items as { id: string }[];
  const register = async (body: Record<string, unknown>) =>
    succeeded(await world.call('POST', `/api/buildings/${building.id}/network-devices`, { token, body }), 201) as { id: string };
  const accessPoint = await register({ kind: 'access_point', model: 'TP-Link EAP245', floor: 0 });
  if (stage === 'provisioned') {
    const step = async (to: string) => succeeded(await world.call('POST', `/api/buildings/${building.id}/deployment/transitions`, { token, body: { to } }));
    succeeded(await world.call('PATCH', `/api/buildings/${building.id}/deployment`, { token, body: { ispOrganisationId: cast.isp.organisation.id } }));
    await step('surveyed');
    await register({ kind: 'building_box', model: 'Nokia G-010G-Q' });
    await step('box_installed');
    await step('access_points_installed');
    // What the provisioning job does; no worker runs in this file.
    await provisionBuilding(harness.database.db, passphraseBox(testAppSecret), building.id, world.admin.id);
  }
  return { building, apartment: apartment!, accessPoint };
}

async function openIncidentOn(buildingId: string) {
  const body = { buildingId, category: 'no_signal', description: 'Plus de réseau dans le hall' };
  return succeeded(await world.call('POST', '/api/incidents', { token: world.admin.token, body }), 201) as { id: string };
}

/**
 * A body each route accepts as the coordinator, built on fresh fixtures; the cases below spoil
 * one field at a time.
 */
/** The contact an organisation or a site publishes on its devices' public cards. */
const publicContact = { publicPhone: '05 53 12 34 56', publicEmail: 'contact@atelier.example' };

async function acceptedRequest(route: Route): Promise<{ url: string; body?: Record<string, unknown> }> {
  const device = () =>
    world.device(bench.operator.token, bench.site.id, { storageMedia: [{ type: 'ssd', model: 'Samsung 860', serialNumber: 'S3Z9', capacityGb: 250 }] });
  switch (route.operation.operationId) {
    case 'login':
      return { url: route.path, body: { email: world.admin.email, password: world.admin.password } };
    case 'createApiToken':
      return { url: route.path, body: { email: world.admin.email, password: world.admin.password, label: 'Poste de scan' } };
    case 'createOrganisation':
      return { url: route.path, body: { name: 'Emmaüs Connect Agen', shortName: 'Emmaüs', kind: 'workshop', siren: '214700015', ...publicContact } };
    case 'setRetiredStock': {
      const townHall = await world.call('POST', '/api/organisations', {
        token: world.admin.token,
        body: { name: 'Mairie de Nérac', shortName: 'Nérac', kind: 'donor', siren: '214701955', publicBody: true },
      });
      return { url: fillPath(route.path, succeeded(townHall, 201).id, ''), body: { devices: 120 } };
    }
    case 'updateOrganisation':
      return { url: route.path.replace('{id}', (await world.organisation('workshop')).id), body: publicContact };
    case 'createSite':
      return {
        url: route.path,
        body: {
          organisationId: bench.organisation.id,
          name: 'Réserve',
          kind: 'storage',
          address: '12 rue Montesquieu',
          postalCode: '47000',
          communeCode: '47001',
          ...publicContact,
        },
      };
    case 'publishSitePlace':
      return {
        url: fillPath(route.path, bench.site.id, ''),
        body: {
          pivot: '81234567800013',
          openingHours: 'Mo-Fr 09:00-12:00; PH off',
          phone: '05 53 00 00 47',
          emails: ['atelier@boucle.example'],
          website: 'https://atelier.boucle.example',
          summary: 'Atelier de reconditionnement',
          bookingUrl: 'https://atelier.boucle.example/rendez-vous',
          services: ['Acquisition de matériel informatique à prix solidaire'],
        },
      };
    case 'updateSite':
      return {
        url: route.path.replace('{id}', (await world.site(bench.organisation.id)).id),
        body: { name: 'Atelier', kind: 'workshop', address: '1 cours Gambetta', postalCode: '47000', communeCode: '47001', ...publicContact },
      };
    case 'createUser':
      return {
        url: route.path,
        body: {
          organisationId: bench.organisation.id,
          email: uniqueEmail('new'),
          displayName: 'Inès',
          role: 'workshop_operator',
          password: 'a long enough password',
        },
      };
    case 'updateUser':
      return {
        url: route.path.replace('{id}', (await world.account(bench.organisation.id, 'workshop_operator')).id),
        body: { displayName: 'Inès B.', password: 'another long password', disabled: false },
      };
    case 'createDevice':
      return {
        url: route.path,
        body: {
          donationId: (await world.donation(bench.operator.token, bench.site.id)).id,
          notes: 'Rayure sur le capot',
          labelCode: undefined,
          kind: 'laptop',
          brand: 'Dell',
          model: 'Latitude 5490',
          serialNumber: '7CQ8KQ2',
          storageMedia: [{ type: 'ssd', model: 'Samsung 860', serialNumber: 'S3Z9NB0K123', capacityGb: 250 }],
          siteId: bench.site.id,
        },
      };
    case 'createDonation':
      return {
        url: route.path,
        body: {
          collectionSiteId: bench.site.id,
          donor: { name: 'Mairie de Nérac', contact: 'dsi@nerac.example' },
          campaign: 'Parc 2026',
          expectedCount: 12,
          reuseCommitmentReference: 'Convention 2026-04',
          reuseCommitmentDate: '2026-01-05',
        },
      };
    case 'registerDonationDevices':
      return {
        url: route.path.replace('{id}', (await world.donation(bench.operator.token, bench.site.id)).id),
        body: {
          devices: [
            {
              kind: 'laptop',
              brand: 'HP',
              model: 'EliteBook 840',
              serialNumber: `5CG${Math.random().toString(36).slice(2, 10)}`,
              storageMedia: [{ type: 'ssd', model: 'WD', serialNumber: 'WD1' }],
              notes: 'ok',
            },
          ],
        },
      };
    case 'recordQualification':
      return {
        url: route.path.replace('{id}', (await world.account(bench.organisation.id, 'workshop_operator')).id),
        body: { kind: 'data_wiping', issuer: 'Centre de formation', issuedOn: '2026-01-05', expiresOn: '2028-01-05' },
      };
    case 'recordWipes':
      return {
        url: route.path.replace('{code}', (await device()).code),
        body: {
          logFileId: '9b2f3a1e-0c4d-4e5f-8a6b-7c8d9e0f1a2b',
          records: [
            {
              mediumIndex: 0,
              level: 'purge',
              technique: 'crypto_erase',
              pattern: 'n/a',
              toolName: 'hdparm',
              toolVersion: '9.65',
              verification: 'full',
              result: 'passed',
              failureReason: 'none',
              startedAt: '2026-11-30T08:00:00Z',
              endedAt: '2026-11-30T08:10:00Z',
            },
          ],
        },
      };
    case 'openWorkOrder':
      return { url: route.path.replace('{code}', (await device()).code), body: { siteId: bench.site.id, need: 'Collégien en 4e' } };
    case 'updateWorkOrder':
      return {
        url: route.path.replace('{id}', bench.site.id),
        body: {
          checklist: { power: 'ok', batteryHealthPercent: 90 },
          partsFitted: [{ kind: 'RAM', description: '4 Go DDR4', reused: true, costCents: 0 }],
          operatingSystem: { name: 'Linux Mint', version: '22', licence: 'GPL' },
          specs: { cpu: 'Intel Core i5', ramGb: 8, storageGb: 256 },
          cosmetic: 'A',
          minutesSpent: 30,
        },
      };
    case 'completeWorkOrder':
      return { url: route.path.replace('{id}', bench.site.id), body: { grade: 'B', gradeOverrideReason: 'Charnière fragile', siteId: bench.site.id } };
    case 'createProgramme':
      return {
        url: route.path,
        body: {
          name: 'Équipement des collégiens',
          eligibilityCriteria: ['child_in_college'],
          deviceKinds: ['laptop'],
          trainingModuleId: bench.site.id,
          reservationDays: 21,
          territories: [{ type: 'departement', code: '47' }],
        },
      };
    case 'createHousehold':
      return {
        url: route.path,
        body: {
          reference: 'F-2026-001',
          communeCode: '47001',
          size: 4,
          contactPhone: '06 12 34 56 78',
          contactEmail: 'famille@example.org',
          attestations: ['child_in_college'],
          consent: true,
        },
      };
    case 'submitRequest':
      return {
        url: route.path,
        body: { householdId: bench.site.id, programmeId: bench.site.id, need: { kind: 'laptop', minRamGb: 4, notes: 'Pour Pronote' } },
      };
    case 'reserveDevice':
      return { url: route.path.replace('{id}', bench.site.id), body: { deviceCode: (await device()).code } };
    case 'cancelRequest':
    case 'closeRequest':
    case 'releaseReservation':
      return { url: route.path.replace('{id}', bench.site.id), body: { reason: 'La famille a déménagé' } };
    case 'createTrainingModule':
      return { url: route.path, body: { title: 'Pronote et l’ENT', durationMinutes: 120, topics: ['Se connecter'] } };
    case 'createTrainingSession':
      return {
        url: route.path,
        body: { moduleId: bench.site.id, siteId: bench.site.id, startsAt: '2026-12-10T14:00:00Z', capacity: 12, trainerName: 'Inès' },
      };
    case 'enrolRequest':
      return { url: route.path.replace('{id}', bench.site.id), body: { sessionId: bench.site.id } };
    case 'recordAttendance':
      return { url: route.path.replace('{id}', bench.site.id), body: { requestId: bench.site.id, present: true } };
    case 'handOver':
      return { url: route.path.replace('{id}', bench.site.id), body: { deviceCode: (await device()).code, receivedBy: 'Mme Durand', termsAccepted: true } };
    case 'createLabelBatch':
      return { url: route.path, body: { format: 'a4-3x7', count: 3 } };
    case 'scan':
      return { url: route.path, body: { code: (await device()).code } };
    case 'transitionDevice':
      return {
        url: route.path.replace('{code}', (await device()).code),
        body: { to: 'recycled', siteId: bench.site.id, note: 'Carte mère HS', payload: { deeeChannel: 'ecosystem', bordereau: 'BSD-2024-001' } },
      };
    case 'moveDevice':
      return {
        url: route.path.replace('{code}', (await device()).code),
        body: { siteId: (await world.site(bench.organisation.id)).id, note: 'Navette du mardi' },
      };
    case 'createResidence': {
      const { landlord } = await wifiCast();
      return {
        url: route.path,
        body: { name: `Résidence Les Églantiers ${hex(4)}`, shortName: 'Églantiers', communeCode: '13215', organisationId: landlord.organisation.id },
      };
    }
    case 'createBuilding': {
      const { landlord } = await wifiCast();
      return {
        url: fillPath(route.path, landlord.residence.id, ''),
        body: { name: `Bât. B ${hex(4)}`, address: '12 avenue de la Viste, 13015 Marseille', communeCode: '13215', floors: 5 },
      };
    }
    case 'addApartments':
      return { url: fillPath(route.path, (await freshBuilding(await wifiCast())).id, ''), body: { apartments: [{ unit: 'B12', floor: 1 }] } };
    case 'updateDeployment': {
      const cast = await wifiCast();
      return {
        url: fillPath(route.path, (await freshBuilding(cast)).id, ''),
        body: {
          ispOrganisationId: cast.isp.organisation.id,
          securityMode: 'wpa2_wpa3_transition',
          filtering: 'malware',
          monthlyCostCents: 250,
          costStartsOn: '2027-01-01',
          costRecovery: 'collective_agreement',
          ssidPattern: '{residence}-{unit}',
          passphraseLength: 14,
          supportContact: 'Hotline connexion solidaire : 04 91 00 00 00',
        },
      };
    }
    case 'transitionDeployment':
      return {
        url: fillPath(route.path, (await freshBuilding(await wifiCast())).id, ''),
        body: { to: 'suspended', note: 'Travaux de désamiantage dans la cage d’escalier' },
      };
    case 'registerNetworkDevice': {
      const macAddress = [...randomBytes(6)].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
      return {
        url: fillPath(route.path, (await freshBuilding(await wifiCast())).id, ''),
        body: { kind: 'access_point', model: 'TP-Link EAP245', serialNumber: `Y21C${hex(4)}`, macAddress, floor: 1, ssidsPerRadio: 8, radios: 2 },
      };
    }
    case 'renameSsid':
      return { url: fillPath(route.path, (await wifiBuilding(await wifiCast(), 'provisioned')).apartment.id, ''), body: { ssid: `Pins-${hex(3)}` } };
    case 'setOptIn':
      return { url: fillPath(route.path, (await wifiBuilding(await wifiCast())).apartment.id, ''), body: { optIn: 'in', on: '2026-03-02' } };
    case 'changeApartmentStatus':
      return { url: fillPath(route.path, (await wifiBuilding(await wifiCast(), 'provisioned')).apartment.id, ''), body: { to: 'credentials_delivered' } };
    case 'openIncident': {
      const { building, apartment, accessPoint } = await wifiBuilding(await wifiCast());
      return {
        url: route.path,
        body: {
          buildingId: building.id,
          apartmentId: apartment.id,
          networkDeviceId: accessPoint.id,
          category: 'ap_down',
          description: 'Le point d’accès du rez-de-chaussée clignote en rouge',
        },
      };
    }
    case 'changeIncidentStatus': {
      const incident = await openIncidentOn((await freshBuilding(await wifiCast())).id);
      return { url: fillPath(route.path, incident.id, ''), body: { to: 'resolved', note: 'Point d’accès redémarré, le signal est revenu' } };
    }
    case 'recordFundContribution':
      return {
        url: route.path,
        body: {
          funderOrganisationId: (await world.organisation('funder')).id,
          year: 2026,
          amountCents: 1_500_000,
          conventionReference: `CAF-${Math.random().toString(36).slice(2, 8)}`,
          signedOn: '2026-01-20',
        },
      };
    default: {
      const id = route.path.startsWith('/api/auth/tokens') && route.path.includes('{id}') ? await mintedTokenId() : bench.site.id;
      return { url: fillPath(route.path, id, route.path.includes('{code}') ? (await device()).code : '') };
    }
  }
}

async function mintedTokenId(): Promise<string> {
  const response = await send({
    method: 'POST',
    url: '/api/auth/tokens',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: world.admin.email, password: world.admin.password }),
  });
  return response.body.id;
}

/** Every string in a body, and every key of a free-form record, as a path of keys. */
function stringPlaces(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; key?: boolean }[] {
  if (typeof value === 'string') return [{ path }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPlaces(item, [...path, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(path.at(-1) === 'payload' ? [{ path: [...path, key], key: true }] : []),
      ...stringPlaces(item, [...path, key]),
    ]);
  }
  return [];
}

function spoil(body: Record<string, unknown>, place: { path: (string | number)[]; key?: boolean }, text: string) {
  const copy = structuredClone(body);
  let parent: any = copy;
  for (const step of place.path.slice(0, -1)) parent = parent[step];
  const last = place.path.at(-1)!;
  if (place.key) {
    parent[`${String(last)}${text}`] = parent[last];
    delete parent[last];
  } else {
    parent[last] = `${parent[last]}${text}`;
  }
  return copy;
}

describe('text the database cannot store', () => {
  // Postgres text refuses U+0000, and jsonb refuses both \u0000 and a lone surrogate: the API must
  // refuse them as invalid fields (422), not fail on the insert.
  const spoilers = [
    ['a NUL character', 'a\u0000b'],
    ['a lone surrogate', '\ud800'],
  ] as const;

  it.each(routesWithBody.map((route) => [route.name, route] as const))(
    '%s answers a NUL character or a lone surrogate in any text field with a problem, never a 500',
    async (_name, route) => {
      const template = await acceptedRequest(route);
      const schemaStrings = Object.entries(resolve(bodySchema(route)!).properties ?? {})
        .filter(([, property]) => typeOf(resolve(property)) === 'string')
        .map(([key]) => key);
      // The accepted body covers every string field the document lists, but those it cannot hold at
      // once (a donation's donor is an organisation or a person; a batch's site defaults to the donation's).
      const alternatives: Record<string, string[]> = { createDonation: ['donorOrganisationId'], registerDonationDevices: ['siteId'] };
      const expected = schemaStrings.filter((key) => !alternatives[route.operation.operationId ?? '']?.includes(key));
      expect(Object.keys(template.body ?? {})).toEqual(expect.arrayContaining(expected));
      const failures: string[] = [];
      for (const place of stringPlaces(template.body)) {
        for (const [what, text] of spoilers) {
          const fresh = await acceptedRequest(route);
          const attempt: Attempt = {
            method: route.method,
            url: fresh.url,
            token: world.admin.token,
            ...json(spoil(fresh.body!, place, text)),
          };
          const answer = await send(attempt);
          const where = `${place.key ? 'key of ' : ''}${place.path.join('.')} with ${what}`;
          if (answer.status >= 500) failures.push(`${where} → ${answer.status}`);
          else expectWellFormedAnswer(answer, attempt);
        }
      }
      expect(failures).toEqual([]);
    },
  );

  it.each([
    ['q', '%00'],
    ['q', 'a%00b'],
    ['cursor', '%00'],
  ])('GET /api/devices?%s=%s answers without a 500', async (name, raw) => {
    const attempt: Attempt = { method: 'GET', url: `/api/devices?${name}=${raw}`, token: bench.operator.token };
    expectWellFormedAnswer(await send(attempt), attempt);
  });
});

describe('the shared Wi-Fi bodies the text cases spoil', () => {
  // Spoiled on a building or an apartment the coordinator may not touch, a body would be refused
  // before its text is ever read: each must be accepted as it is.
  const wifiOperations = [
    'createResidence',
    'createBuilding',
    'addApartments',
    'updateDeployment',
    'transitionDeployment',
    'registerNetworkDevice',
    'renameSsid',
    'setOptIn',
    'changeApartmentStatus',
    'openIncident',
    'changeIncidentStatus',
  ];

  it('covers every shared Wi-Fi route with a JSON body', () => {
    const withBody = routesWithBody.filter((route) => route.operation.tags?.includes('Shared connectivity')).map((route) => route.operation.operationId);
    expect(withBody.sort()).toEqual([...wifiOperations].sort());
  });

  it.each(routesWithBody.filter((route) => wifiOperations.includes(route.operation.operationId ?? '')).map((route) => [route.name, route] as const))(
    '%s accepts the unspoiled body from the coordinator',
    async (_name, route) => {
      const { url, body } = await acceptedRequest(route);
      const attempt: Attempt = { method: route.method, url, token: world.admin.token, ...json(body) };
      const answer = await send(attempt);
      expectWellFormedAnswer(answer, attempt, route);
      expect([200, 201], answer.text).toContain(answer.status);
    },
  );
});

describe('dates Postgres cannot hold', () => {
  // ISO 8601 has a year 0000; Postgres does not, and nobody means it: a 422 naming the field.
  it.each(['0000-01-01', '2200-01-01'])('refuses %s as a day, naming the field, without a 500', async (day) => {
    const { building, apartment } = await wifiBuilding(await wifiCast());
    const operator = await world.account(bench.organisation.id, 'workshop_operator');
    const attempts: (Attempt & { field: string })[] = [
      { method: 'PUT', url: `/api/apartments/${apartment.id}/opt-in`, token: world.admin.token, ...json({ optIn: 'in', on: day }), field: 'on' },
      { method: 'PATCH', url: `/api/buildings/${building.id}/deployment`, token: world.admin.token, ...json({ costStartsOn: day }), field: 'costStartsOn' },
      {
        method: 'POST',
        url: `/api/users/${operator.id}/qualifications`,
        token: world.admin.token,
        ...json({ kind: 'data_wiping', issuer: 'Centre de formation', issuedOn: day, expiresOn: '2028-01-01' }),
        field: 'issuedOn',
      },
    ];
    for (const { field, ...attempt } of attempts) {
      const answer = await send(attempt);
      expectWellFormedAnswer(answer, attempt);
      expect(answer.status, attempt.url).toBe(422);
      expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual([field]);
    }
  });
});

describe('forged page cursors', () => {
  const someId = '5f0c7a3e-2b1d-4c8e-9a6f-0d4b3e2a1c9f';
  it.each([
    { createdAt: '0', id: someId },
    { createdAt: '1 2', id: someId },
    { createdAt: 2, id: someId },
    { createdAt: 'Thu, 01 Jan 1970 00:00:00 GMT+9999', id: someId },
    { createdAt: '2024-02-30', id: someId },
    { createdAt: '2024-01-01T00:00:00.000Z', id: 'not-a-uuid' },
    { createdAt: '+010000-01-01T00:00:00.000Z', id: someId },
  ])('refuses %j as a cursor this API never gave', async (cursor) => {
    const encoded = Buffer.from(JSON.stringify(cursor)).toString('base64url');
    const attempt: Attempt = { method: 'GET', url: `/api/devices?cursor=${encoded}`, token: bench.operator.token };
    const answer = await send(attempt);
    expectWellFormedAnswer(answer, attempt);
    // A well-formed date may page; anything else is named as the cursor.
    if (answer.status !== 200) {
      expect(answer.status).toBe(422);
      expect(answer.body.errors[0].path).toBe('cursor');
    }
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/api/nowhere'],
    ['GET', '/api/'],
    ['POST', '/api/organisations/extra/segments'],
    ['DELETE', '/api/sites'],
    ['PUT', '/api/users'],
    ['GET', '/api/devices/B7K2-9QXM/nope'],
    ['GET', '/nowhere'],
    ['GET', '/api/docs/assets/unknown.js'],
  ])('answers %s %s with a 404 problem', async (method, url) => {
    const attempt: Attempt = { method, url, token: world.admin.token };
    const answer = await send(attempt);
    expectWellFormedAnswer(answer, attempt);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('route_not_found');
  });
});

describe('calls without credentials', () => {
  it('leaves sign-in, token issue, the documents, the signing keys, the certificates’ signed statements, the open data’s schema and the national export of places open, and protects everything else', () => {
    const open = routes
      .filter((route) => !protectedRoutes.includes(route))
      .map((route) => route.operation.operationId)
      .sort();
    expect(open).toEqual([
      'createApiToken',
      'exportPlacesCsv',
      'exportPlacesJson',
      'getCertificateKey',
      'getCertificateVerification',
      'getReuseAttestationKey',
      'login',
      'openDataSchema',
    ]);
  });

  it.each(protectedRoutes.map((route) => [route.name, route] as const))(
    '%s answers a well-formed call without credentials with a 401 problem, and changes nothing',
    async (_name, route) => {
      const { url, body } = await acceptedRequest(route);
      const before = await counts();
      const wrongCredentials: Record<string, string>[] = [
        {},
        { authorization: 'Bearer bct_not-a-token' },
        { cookie: 'boucle_session=bcs_forged' },
        { authorization: 'Basic YWRtaW46YWRtaW4=' },
      ];
      for (const credentialsSent of wrongCredentials) {
        const attempt: Attempt = {
          method: route.method,
          url,
          headers: { ...credentialsSent, ...(body ? json(body).headers : {}) },
          body: body ? JSON.stringify(body) : undefined,
        };
        const answer = await send(attempt);
        expectWellFormedAnswer(answer, attempt);
        expect(answer.status, JSON.stringify(credentialsSent)).toBe(401);
        expect(answer.body.code).toBe('not_signed_in');
      }
      expect(await counts()).toEqual(before);
    },
  );

  it.each(protectedRoutes.map((route) => [route.name, route] as const))('%s answers 401 before looking at the path or the body', async (_name, route) => {
    const attempt: Attempt = {
      method: route.method,
      url: fillPath(route.path, 'not-an-id', 'not-a-code'),
      ...(route.method === 'GET' ? {} : json({})),
    };
    const answer = await send(attempt);
    expectWellFormedAnswer(answer, attempt);
    expect(answer.status).toBe(401);
  });
});
