import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from './helpers/harness.ts';
import { garbageSegment, leaks, nastyString, percentEncode, prototypeNames } from './helpers/fuzz.ts';
import { signInWithForm, type Person } from './helpers/pages.ts';
import { createWorld, type Account, type World } from './helpers/world.ts';

/*
 * Bad input on every page route, as tests/bad-input.test.ts does for the API: whatever a browser
 * (or a person with curl) sends, the answer is a page, a redirect or a refusal, never a 500, never
 * a stack trace, and never the inside of a JavaScript object shown as if it were data.
 */

// The routes decide which cases exist, so the app is built before the tests are collected.
const harness = await startHarness();
const pageRoutes = [
  ...new Map(
    harness.app.routes
      .filter((route) => route.method !== 'ALL' && !route.path.startsWith('/api/') && route.path !== '/healthz' && route.path !== '/readyz')
      .map((route) => [`${route.method} ${route.path}`, { method: route.method, path: route.path, name: `${route.method} ${route.path}` }]),
  ).values(),
];
type PageRoute = (typeof pageRoutes)[number];

let world: World;
type Visitor = { person?: Person; csrf?: string; account?: Account };
const visitors = {} as Record<'anonymous' | 'admin' | 'operator' | 'mediator' | 'landlord' | 'installer' | 'donor', Visitor>;
/** Ids of real things, so a path reaches the code behind the lookup and not only the 404. */
const fixtureIds: string[] = [];
/** Every form field the pages show, read from the pages themselves. */
const fieldNames = new Set<string>(['email', 'password', 'file', '_csrf', 'next']);

async function signedIn(account: Account): Promise<Visitor> {
  const person = await signInWithForm(harness.app, account);
  const me = await harness.app.request('/api/me', { headers: { cookie: person.cookie } });
  return { person, account, csrf: ((await me.json()) as { csrfToken: string }).csrfToken };
}

beforeAll(async () => {
  world = await createWorld(harness);
  const bench = await world.workshop();
  const centre = await world.organisation('mediation');
  const landlord = await world.landlord();
  const isp = await world.isp();
  const donorOrganisation = await world.organisation('donor');
  visitors.anonymous = {};
  visitors.admin = await signedIn(world.admin);
  visitors.operator = await signedIn(bench.operator);
  visitors.mediator = await signedIn(await world.account(centre.id, 'mediator'));
  visitors.landlord = await signedIn(landlord.manager);
  visitors.installer = await signedIn(isp.installer);
  visitors.donor = await signedIn(await world.account(donorOrganisation.id, 'donor_viewer'));
  const donation = await world.donation(bench.operator.token, bench.site.id, { donorOrganisationId: donorOrganisation.id, donor: undefined });
  const device = await world.device(bench.operator.token, bench.site.id);
  const building = await world.building(landlord.manager.token, landlord.residence.id, { apartments: [{ unit: '001', floor: 0 }] });
  fixtureIds.push(donation.id, device.id, device.code, building.id, bench.site.id, centre.id);
  // A programme whose criterion is a name a plain object answers to (the only one a criterion key may take): /admin lists it.
  const programme = await world.call('POST', '/api/programmes', {
    token: world.admin.token,
    body: {
      name: 'Dispositif piégé',
      eligibilityCriteria: ['constructor'],
      deviceKinds: ['laptop'],
      reservationDays: 21,
      territories: [{ type: 'departement', code: '47' }],
    },
  });
  expect(programme.status, JSON.stringify(programme.body)).toBe(201);
  for (const route of pageRoutes.filter((candidate) => candidate.method === 'GET' && !candidate.path.includes(':') && !candidate.path.includes('*'))) {
    for (const visitor of Object.values(visitors)) {
      const html = await (await harness.app.request(route.path, { headers: visitor.person ? { cookie: visitor.person.cookie } : {} })).text();
      for (const match of html.matchAll(/\bname="([^"]+)"/g)) fieldNames.add(match[1]!);
    }
  }
});
afterAll(() => harness.close());

type Attempt = { visitor: keyof typeof visitors; method: string; url: string; headers: Record<string, string>; body?: string | FormData };

async function send(attempt: Attempt) {
  const visitor = visitors[attempt.visitor];
  const headers = { ...attempt.headers, ...(visitor.person ? { cookie: visitor.person.cookie } : {}) };
  const response = await harness.app.request(attempt.url, { method: attempt.method, headers, body: attempt.body });
  return { status: response.status, text: await response.text(), location: response.headers.get('location') };
}

/** After a sign-out the attempt asked for, the next attempts still come from someone signed in. */
async function signBackIn(route: PageRoute, visitor: keyof typeof visitors) {
  const account = visitors[visitor].account;
  if (route.path === '/logout' && account) visitors[visitor] = await signedIn(account);
}

const describeAttempt = (attempt: Attempt) =>
  `${attempt.visitor} ${attempt.method} ${attempt.url.slice(0, 300)} ${typeof attempt.body === 'string' ? attempt.body.slice(0, 300) : attempt.body ? '[multipart]' : ''}`;

/** A page, a redirect to a page of this site, or a refusal; nothing a JavaScript object would print. */
function expectHarmlessAnswer(answer: Awaited<ReturnType<typeof send>>, attempt: Attempt) {
  const context = `${describeAttempt(attempt)}\n→ ${answer.status} ${answer.text.slice(0, 400)}`;
  expect(answer.status, context).toBeLessThan(500);
  expect(answer.text, context).not.toMatch(leaks);
  expect(answer.text, context).not.toMatch(/\[native code\]|\[object Object\]|function Object\(/);
  if (answer.location !== null) expect(new URL(answer.location, 'http://boucle.test/').origin, context).toBe('http://boucle.test');
}

// Built when a test runs, once beforeAll has made the fixtures.
const segmentArbitrary = () =>
  fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...fixtureIds) }, { weight: 1, arbitrary: fc.uuid().map(String) }, { weight: 3, arbitrary: garbageSegment });

const fill = (path: string, values: string[]) => {
  let index = 0;
  return path.replace(/:\w+|\*/g, () => values[index++] ?? 'x');
};
const holes = (path: string) => (path.match(/:\w+|\*/g) ?? []).length;

const fieldValue = fc.oneof(nastyString, fc.constantFrom('on', '1', '47001', 'laptop', 'a4-3x7', 'B7K2-9QXM', ...prototypeNames));

function formArbitrary(csrf: string | undefined) {
  const names = [...fieldNames, ...prototypeNames];
  return fc
    .tuple(fc.dictionary(fc.constantFrom(...names), fieldValue, { maxKeys: 8 }), fc.boolean())
    .map(([fields, withToken]) => ({ ...fields, ...(withToken && csrf ? { _csrf: csrf } : {}) }));
}

function bodyArbitrary(route: PageRoute, csrf: string | undefined): fc.Arbitrary<{ headers: Record<string, string>; body?: string | FormData }> {
  if (route.method === 'GET') return fc.constant({ headers: {} });
  const urlencoded = formArbitrary(csrf).map((fields) => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Object.entries(fields)
      .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
      .join('&'),
  }));
  const multipart = fc
    .tuple(
      formArbitrary(csrf),
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.oneof(nastyString, fc.constantFrom('inventaire.csv', 'a\u0000b.csv', '../../x.csv', '__proto__')),
    )
    .map(([fields, content, filename]) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new File([content], filename || 'x.csv', { type: 'text/csv' }));
      return { headers: {}, body: form };
    });
  const raw = fc
    .tuple(
      fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/octet-stream'),
      nastyString,
    )
    .map(([type, body]) => ({ headers: { 'content-type': type }, body }));
  return fc.oneof(
    { weight: 3, arbitrary: urlencoded },
    { weight: 2, arbitrary: multipart },
    { weight: 1, arbitrary: raw },
    { weight: 1, arbitrary: fc.constant({ headers: {} }) },
  );
}

const queryArbitrary = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(fc.oneof(fc.constantFrom('next', 'kind', 'grade', 'siteId', 'q', 'ajoutee', 'compte', 'incident', ...prototypeNames), nastyString), nastyString),
      { minLength: 1, maxLength: 4 },
    )
    .map((pairs) => `?${pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&')}`),
  fc.constantFrom(
    '?next=%2F%09%2Fevil.example',
    '?next=%2F%0A%2Fevil.example',
    '?next=%2F%0D%2Fevil.example',
    '?next=%5C%5Cevil.example',
    '?next=https%3A%2F%2Fevil.example',
    '?__proto__[x]=1',
    '?constructor=1',
  ),
);

describe('arbitrary requests on every page route, as anyone who may send them', () => {
  it('covers every page route the app serves', () => {
    expect(pageRoutes.length).toBeGreaterThan(20);
    expect(pageRoutes.map((route) => route.name)).toEqual(
      expect.arrayContaining(['POST /login', 'GET /assets/:name', 'POST /donations/:id/import', 'GET /d/:code']),
    );
  });

  it.each(pageRoutes.map((route) => [route.name, route] as const))('%s answers a page, a redirect or a refusal, never a 500', async (_name, route) => {
    const visitorNames = Object.keys(visitors) as (keyof typeof visitors)[];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...visitorNames).chain((visitor) =>
          fc.record({
            visitor: fc.constant(visitor),
            segments: fc.array(segmentArbitrary(), { minLength: holes(route.path), maxLength: holes(route.path) }),
            query: queryArbitrary,
            body: bodyArbitrary(route, visitors[visitor].csrf),
          }),
        ),
        async ({ visitor, segments, query, body }) => {
          const attempt: Attempt = { visitor, method: route.method, url: `${fill(route.path, segments)}${query}`, ...body };
          expectHarmlessAnswer(await send(attempt), attempt);
          await signBackIn(route, visitor);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 25) },
    );
  });
});

describe('the names a plain JavaScript object answers to', () => {
  it.each(pageRoutes.filter((route) => holes(route.path) > 0).map((route) => [route.name, route] as const))(
    '%s takes each of them as a path segment without a 500',
    async (_name, route) => {
      for (const name of prototypeNames) {
        for (const visitor of ['anonymous', 'admin', 'operator'] as const) {
          const attempt: Attempt = {
            visitor,
            method: route.method,
            url: fill(route.path, Array(holes(route.path)).fill(name)),
            headers: route.method === 'GET' ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
            body: route.method === 'GET' ? undefined : `_csrf=${visitors[visitor].csrf ?? ''}`,
          };
          expectHarmlessAnswer(await send(attempt), attempt);
        }
      }
    },
  );

  it.each(pageRoutes.filter((route) => route.method === 'POST').map((route) => [route.name, route] as const))(
    '%s takes each of them as a field name and as every field’s value',
    async (_name, route) => {
      const url = fill(route.path, Array(holes(route.path)).fill(fixtureIds[0]!));
      for (const name of prototypeNames) {
        const asValues = [...fieldNames].map((field) => `${percentEncode(field)}=${percentEncode(name)}`);
        const asName = `${percentEncode(name)}=1&${percentEncode(`${name}[]`)}=2`;
        for (const body of [asValues.join('&'), asName]) {
          const attempt: Attempt = {
            visitor: 'admin',
            method: 'POST',
            url,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `${body}&_csrf=${visitors.admin.csrf}`,
          };
          expectHarmlessAnswer(await send(attempt), attempt);
          await signBackIn(route, 'admin');
        }
      }
    },
  );

  it('shows a programme criterion named like one of them as its own words on /admin', async () => {
    const answer = await send({ visitor: 'admin', method: 'GET', url: '/admin', headers: {} });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('constructor');
    expect(answer.text).not.toMatch(/\[native code\]|\[object Object\]/);
  });

  it('answers an asset named like one of them with a 404', async () => {
    for (const name of prototypeNames) {
      const answer = await send({ visitor: 'anonymous', method: 'GET', url: `/assets/${name}`, headers: {} });
      expect(answer.status, name).toBe(404);
      const docs = await send({ visitor: 'anonymous', method: 'GET', url: `/api/docs/assets/${name}`, headers: {} });
      expect(docs.status, name).toBe(404);
    }
  });
});
