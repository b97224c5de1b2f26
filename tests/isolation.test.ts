import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../src/auth/auth.schema.ts';
import { organisationKindsForRole, roles, type Role } from '../src/auth/roles.ts';
import { organisations, sites } from '../src/organisations/organisations.schema.ts';
import { organisationKinds, type OrganisationKind } from '../src/organisations/organisations.types.ts';
import type { Harness } from './helpers/harness.ts';
import { startWorld, uniqueEmail, type Account, type Response, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;

const problemType = 'application/problem+json';

function expectProblem(response: Response, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe(problemType);
  expect(response.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

/** Every non-admin role, in every kind of organisation it may belong to. */
const memberCases = roles.filter((role) => role !== 'admin').flatMap((role) => organisationKindsForRole[role].map((kind) => ({ role, kind })));

type Member = {
  role: Role;
  kind: OrganisationKind;
  organisation: { id: string; name: string };
  site: { id: string; organisationId: string };
  user: Account;
  colleague: Account;
};

const members = new Map<string, Member>();
const memberKey = (role: Role, kind: OrganisationKind) => `${role}@${kind}`;
let foreign: Awaited<ReturnType<World['workshop']>>;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  foreign = await world.workshop();
  for (const { role, kind } of memberCases) {
    const organisation = await world.organisation(kind);
    const site = await world.site(organisation.id, { name: `Local ${role}` });
    const user = await world.account(organisation.id, role);
    const colleague = await world.account(organisation.id, role);
    members.set(memberKey(role, kind), { role, kind, organisation, site, user, colleague });
  }
});
afterAll(() => harness.close());

async function rowsOf(member: { site: { id: string }; user: { id: string } }) {
  const [site] = await harness.database.db.select().from(sites).where(eq(sites.id, member.site.id));
  const [user] = await harness.database.db.select().from(users).where(eq(users.id, member.user.id));
  return { site, user };
}

/** What another organisation's user tries against the foreign workshop; each must look like it does not exist. */
const foreignRoutes = [
  { method: 'GET', path: () => `/api/sites/${foreign.site.id}`, kind: 'site' },
  { method: 'PATCH', path: () => `/api/sites/${foreign.site.id}`, kind: 'site', body: { name: 'Pris par un autre' } },
  { method: 'PATCH', path: () => `/api/sites/${foreign.site.id}`, kind: 'site', body: { communeCode: '75056' } },
  { method: 'GET', path: () => `/api/sites/${foreign.site.id}/stock`, kind: 'site' },
  { method: 'GET', path: () => `/api/users/${foreign.operator.id}`, kind: 'user' },
  { method: 'PATCH', path: () => `/api/users/${foreign.operator.id}`, kind: 'user', body: { displayName: 'Pris par un autre' } },
  { method: 'PATCH', path: () => `/api/users/${foreign.operator.id}`, kind: 'user', body: { password: 'a password I chose for you' } },
  { method: 'PATCH', path: () => `/api/users/${foreign.operator.id}`, kind: 'user', body: { disabled: true } },
  { method: 'GET', path: () => `/api/organisations/${foreign.organisation.id}`, kind: 'organisation' },
] as const;

const routeName = (route: (typeof foreignRoutes)[number]) => `${route.method} ${route.kind}${'body' in route ? ` ${JSON.stringify(route.body)}` : ''}`;

describe.each(memberCases)('a $role in a $kind organisation', ({ role, kind }) => {
  const member = () => members.get(memberKey(role, kind))!;

  it.each(foreignRoutes.map((route) => [routeName(route), route] as const))(
    'answers 404 to %s of another organisation, exactly as for an id that does not exist, and changes nothing',
    async (_name, route) => {
      const before = await rowsOf({ site: foreign.site, user: foreign.operator });
      const body = 'body' in route ? route.body : undefined;
      const response = await world.call(route.method, route.path(), { token: member().user.token, body });
      expectProblem(response, 404, 'not_found');
      // No existence leak: a random id answers the same words.
      const unknownPath = route.path().replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, randomUUID());
      const unknown = await world.call(route.method, unknownPath, { token: member().user.token, body });
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toBe(response.body.detail);
      expect(await rowsOf({ site: foreign.site, user: foreign.operator })).toEqual(before);
      // The foreign operator was neither renamed, nor disabled, nor signed out.
      expect((await world.call('GET', '/api/me', { token: foreign.operator.token })).status).toBe(200);
    },
  );

  it("lists only its own organisation's sites, accounts and organisation", async () => {
    const { user, colleague, organisation, site } = member();
    const siteList = await world.call('GET', '/api/sites', { token: user.token });
    expect(siteList.status).toBe(200);
    expect(siteList.body.items.map((item: { id: string }) => item.id)).toEqual([site.id]);

    const userList = await world.call('GET', '/api/users', { token: user.token });
    expect(userList.status).toBe(200);
    expect(userList.body.items.map((item: { id: string }) => item.id).sort()).toEqual([user.id, colleague.id].sort());
    for (const item of userList.body.items) expect(item.organisationId).toBe(organisation.id);

    const organisationList = await world.call('GET', '/api/organisations', { token: user.token });
    expect(organisationList.status).toBe(200);
    expect(organisationList.body.items.map((item: { id: string }) => item.id)).toEqual([organisation.id]);
  });

  it('finds nothing when it filters its lists on another organisation', async () => {
    for (const list of ['/api/sites', '/api/users']) {
      const response = await world.call('GET', `${list}?organisationId=${foreign.organisation.id}`, { token: member().user.token });
      expect(response.status, list).toBe(200);
      expect(response.body.items, list).toEqual([]);
    }
  });

  it('reads its own organisation, sites and colleagues', async () => {
    const { user, colleague, organisation, site } = member();
    for (const path of [`/api/organisations/${organisation.id}`, `/api/sites/${site.id}`, `/api/sites/${site.id}/stock`, `/api/users/${colleague.id}`]) {
      expect((await world.call('GET', path, { token: user.token })).status, path).toBe(200);
    }
  });

  it('cannot create organisations, sites or accounts (403), and nothing is created', async () => {
    const { user, organisation } = member();
    const counts = async () => ({
      organisations: await harness.database.db.$count(organisations),
      sites: await harness.database.db.$count(sites),
      users: await harness.database.db.$count(users),
    });
    const before = await counts();
    const attempts = [
      ['/api/organisations', { name: 'Ma propre coordination', shortName: 'Moi', kind: 'coordinator' }],
      ['/api/sites', { organisationId: organisation.id, name: 'Annexe', kind: 'storage', address: '2 rue du Test', communeCode: '47001' }],
      ['/api/users', { organisationId: organisation.id, email: uniqueEmail(role), displayName: 'Renfort', role, password: 'a long enough password' }],
    ] as const;
    for (const [path, body] of attempts) expectProblem(await world.call('POST', path, { token: user.token, body }), 403, 'forbidden');
    expect(await counts()).toEqual(before);
  });

  it("cannot change its own organisation's sites (403)", async () => {
    const { user, site } = member();
    const before = await rowsOf({ site, user });
    expectProblem(await world.call('PATCH', `/api/sites/${site.id}`, { token: user.token, body: { name: 'Renommé' } }), 403, 'forbidden');
    expect(await rowsOf({ site, user })).toEqual(before);
  });

  it.each([{ displayName: 'Renommé par un collègue' }, { password: 'a password I chose for you' }, { disabled: true }])(
    "cannot change a colleague's account with %j (403), and changes nothing",
    async (body) => {
      const { user, colleague, site } = member();
      const before = await rowsOf({ site, user: colleague });
      expectProblem(await world.call('PATCH', `/api/users/${colleague.id}`, { token: user.token, body }), 403, 'forbidden');
      expect(await rowsOf({ site, user: colleague })).toEqual(before);
      expect((await world.call('GET', '/api/me', { token: colleague.token })).status).toBe(200);
    },
  );

  it('can change its own display name', async () => {
    const { user } = member();
    const response = await world.call('PATCH', `/api/users/${user.id}`, { token: user.token, body: { displayName: `Nouveau nom ${role}` } });
    expect(response.status).toBe(200);
    expect(response.body.displayName).toBe(`Nouveau nom ${role}`);
    const [row] = await harness.database.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.displayName).toBe(`Nouveau nom ${role}`);
  });

  it.each([true, false])('cannot set its own account to disabled=%s: only the coordinator disables accounts', async (disabled) => {
    const { user, site } = member();
    const before = await rowsOf({ site, user });
    expectProblem(await world.call('PATCH', `/api/users/${user.id}`, { token: user.token, body: { disabled } }), 403, 'forbidden');
    expect(await rowsOf({ site, user })).toEqual(before);
  });
});

describe('the network coordinator (admin)', () => {
  it("reads every organisation's sites, accounts and stock", async () => {
    for (const path of [
      `/api/organisations/${foreign.organisation.id}`,
      `/api/sites/${foreign.site.id}`,
      `/api/sites/${foreign.site.id}/stock`,
      `/api/users/${foreign.operator.id}`,
    ]) {
      expect((await world.call('GET', path, { token: world.admin.token })).status, path).toBe(200);
    }
    const organisationList = await world.call('GET', '/api/organisations', { token: world.admin.token });
    const ids = organisationList.body.items.map((item: { id: string }) => item.id);
    expect(ids).toEqual(expect.arrayContaining([foreign.organisation.id, ...[...members.values()].map((member) => member.organisation.id)]));
  });

  it('filters lists on one organisation', async () => {
    const response = await world.call('GET', `/api/users?organisationId=${foreign.organisation.id}`, { token: world.admin.token });
    expect(response.body.items.map((item: { id: string }) => item.id)).toEqual([foreign.operator.id]);
  });

  it('disables and re-enables an account of another organisation', async () => {
    const target = await world.account(foreign.organisation.id, 'workshop_operator');
    const disabled = await world.call('PATCH', `/api/users/${target.id}`, { token: world.admin.token, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).not.toBeNull();
    const enabled = await world.call('PATCH', `/api/users/${target.id}`, { token: world.admin.token, body: { disabled: false } });
    expect(enabled.body.disabledAt).toBeNull();
  });
});

describe('sites and the official geography', () => {
  const communes = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@etalab/decoupage-administratif/data/communes.json'), 'utf8')) as {
    code: string;
    nom: string;
    type: string;
    chefLieu?: string;
  }[];
  const current = new Map(communes.filter((commune) => commune.type === 'commune-actuelle').map((commune) => [commune.code, commune]));
  const former = (type: string) => communes.find((commune) => commune.type === type && !current.has(commune.code) && current.has(commune.chefLieu ?? ''))!;

  const siteBody = (communeCode: string) => ({
    organisationId: foreign.organisation.id,
    name: 'Point de collecte',
    kind: 'collection_point',
    address: '3 place de la Mairie',
    communeCode,
  });

  async function refusedCommune(communeCode: string) {
    const before = await harness.database.db.$count(sites);
    const response = await world.call('POST', '/api/sites', { token: world.admin.token, body: siteBody(communeCode) });
    expectProblem(response, 422, 'validation_failed');
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].path).toBe('communeCode');
    expect(await harness.database.db.$count(sites)).toBe(before);
    return response.body.errors[0].message as string;
  }

  it('refuses a code that is no commune, naming communeCode, and creates nothing', async () => {
    expect(await refusedCommune('99999')).toContain('99999');
  });

  it('refuses a code that does not look like an INSEE code', async () => {
    for (const code of ['4700', '470011', 'ABCDE', '2C004', '']) await refusedCommune(code);
  });

  it.each(['commune-deleguee', 'commune-associee'])('refuses a former (%s) commune, naming the commune it belongs to now', async (type) => {
    const old = former(type);
    const now = current.get(old.chefLieu!)!;
    const message = await refusedCommune(old.code);
    expect(message).toContain(now.nom);
    expect(message).toContain(now.code);
  });

  it.each([
    ['2A004', '2A004', 'Ajaccio'],
    ['2a004', '2A004', 'Ajaccio, typed in lower case'],
    ['13203', '13203', 'Marseille 3e arrondissement'],
    ['75056', '75056', 'Paris'],
  ])('accepts %s (%s)', async (typed, stored) => {
    const response = await world.call('POST', '/api/sites', { token: world.admin.token, body: siteBody(typed) });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.communeCode).toBe(stored);
    const [row] = await harness.database.db.select().from(sites).where(eq(sites.id, response.body.id));
    expect(row!.communeCode).toBe(stored);
  });

  it('checks the commune when a site changes too, and changes nothing when refused', async () => {
    const site = await world.site(foreign.organisation.id);
    const [before] = await harness.database.db.select().from(sites).where(eq(sites.id, site.id));
    const response = await world.call('PATCH', `/api/sites/${site.id}`, { token: world.admin.token, body: { communeCode: '99999', name: 'Nouveau' } });
    expectProblem(response, 422, 'validation_failed');
    expect(response.body.errors[0].path).toBe('communeCode');
    const [after] = await harness.database.db.select().from(sites).where(eq(sites.id, site.id));
    expect(after).toEqual(before);
    const accepted = await world.call('PATCH', `/api/sites/${site.id}`, { token: world.admin.token, body: { communeCode: '13203' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.communeCode).toBe('13203');
  });
});

describe('creating accounts', () => {
  const organisationsByKind = new Map<OrganisationKind, { id: string }>();
  beforeAll(async () => {
    for (const kind of organisationKinds) organisationsByKind.set(kind, await world.organisation(kind));
  });

  const misfits = roles.flatMap((role) => organisationKinds.filter((kind) => !organisationKindsForRole[role].includes(kind)).map((kind) => ({ role, kind })));
  const fits = roles.flatMap((role) => organisationKindsForRole[role].map((kind) => ({ role, kind })));

  it.each(misfits)('refuses a $role in a $kind organisation, naming role, and creates nothing', async ({ role, kind }) => {
    const before = await harness.database.db.$count(users);
    const email = uniqueEmail(role);
    const response = await world.call('POST', '/api/users', {
      token: world.admin.token,
      body: { organisationId: organisationsByKind.get(kind)!.id, email, displayName: 'Mal placé', role, password: 'a long enough password' },
    });
    expectProblem(response, 422, 'validation_failed');
    expect(response.body.errors).toEqual([{ path: 'role', message: expect.stringContaining(kind) }]);
    expect(await harness.database.db.$count(users)).toBe(before);
  });

  it.each(fits)('creates a $role in a $kind organisation', async ({ role, kind }) => {
    const email = uniqueEmail(role);
    const response = await world.call('POST', '/api/users', {
      token: world.admin.token,
      body: { organisationId: organisationsByKind.get(kind)!.id, email, displayName: 'Bien placé', role, password: 'a long enough password' },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ role, email, organisationId: organisationsByKind.get(kind)!.id, disabledAt: null });
    expect(response.body).not.toHaveProperty('passwordHash');
  });

  it('refuses an e-mail address already in use, in any case, with 409 and creates nothing', async () => {
    const existing = await world.account(foreign.organisation.id, 'workshop_operator');
    const before = await harness.database.db.$count(users);
    for (const email of [existing.email, existing.email.toUpperCase()]) {
      const response = await world.call('POST', '/api/users', {
        token: world.admin.token,
        body: { organisationId: foreign.organisation.id, email, displayName: 'Doublon', role: 'workshop_operator', password: 'a long enough password' },
      });
      expectProblem(response, 409, 'email_taken');
      expect(response.body.detail).toContain(email);
    }
    expect(await harness.database.db.$count(users)).toBe(before);
  });

  it('answers 404 for an organisation that does not exist', async () => {
    const response = await world.call('POST', '/api/users', {
      token: world.admin.token,
      body: {
        organisationId: randomUUID(),
        email: uniqueEmail('ghost'),
        displayName: 'Fantôme',
        role: 'workshop_operator',
        password: 'a long enough password',
      },
    });
    expectProblem(response, 404, 'not_found');
  });
});
