import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Role } from '../../src/auth/roles.ts';
import { insertUser } from '../../src/auth/users.service.ts';
import { organisations } from '../../src/organisations/organisations.schema.ts';
import type { OrganisationKind } from '../../src/organisations/organisations.types.ts';
import type { App } from '../../src/http/app.ts';
import { startHarness, type Harness } from './harness.ts';

export type Response = { status: number; body: any; headers: Headers };
export type CallOptions = { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> };

/** Calls the app as an HTTP client would, through app.request. */
export async function call(app: App, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await app.request(path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export const uniqueEmail = (role: string) => `${role}.${randomBytes(5).toString('hex')}@test.boucle.example`;

export type Account = { id: string; email: string; password: string; token: string; organisationId: string; role: Role };

/**
 * A test file's cast: a coordinator admin, and factories that create organisations, accounts,
 * sites and devices through the API, as people would.
 */
export async function createWorld(harness: Harness) {
  const { app, database } = harness;
  const [coordinator] = await database.db.insert(organisations).values({ name: 'Coordination de test', shortName: 'Coord', kind: 'coordinator' }).returning();
  const adminPassword = `pw-${randomBytes(12).toString('hex')}`;
  const adminUser = await insertUser(database.db, {
    organisationId: coordinator!.id,
    email: uniqueEmail('admin'),
    displayName: 'Admin',
    role: 'admin',
    password: adminPassword,
  });
  const admin: Account = {
    id: adminUser.id,
    email: adminUser.email,
    password: adminPassword,
    token: await issueToken(app, adminUser.email, adminPassword),
    organisationId: coordinator!.id,
    role: 'admin',
  };

  async function expectCreated(response: Response) {
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  }

  const donationsBySite = new Map<string, string>();
  const world = {
    app,
    admin,
    call: (method: string, path: string, options?: CallOptions) => call(app, method, path, options),
    async organisation(kind: OrganisationKind, name = `${kind} ${randomBytes(3).toString('hex')}`) {
      return expectCreated(
        await call(app, 'POST', '/api/organisations', { token: admin.token, body: { name, shortName: name.slice(0, 24), kind } }),
      ) as Promise<{ id: string; name: string; kind: OrganisationKind }>;
    },
    async account(organisationId: string, role: Role): Promise<Account> {
      const password = `pw-${randomBytes(12).toString('hex')}`;
      const email = uniqueEmail(role);
      const user = await expectCreated(
        await call(app, 'POST', '/api/users', {
          token: admin.token,
          body: { organisationId, email, displayName: `${role} de test`, role, password },
        }),
      );
      return { id: user.id, email, password, token: await issueToken(app, email, password), organisationId, role };
    },
    async site(organisationId: string, overrides: Record<string, unknown> = {}) {
      return expectCreated(
        await call(app, 'POST', '/api/sites', {
          token: admin.token,
          body: { organisationId, name: 'Atelier de test', kind: 'workshop', address: '1 rue du Test', communeCode: '47001', ...overrides },
        }),
      ) as Promise<{ id: string; organisationId: string; name: string }>;
    },
    /** A donation received at a site, recorded by the holder of `token`. */
    async donation(token: string, siteId: string, overrides: Record<string, unknown> = {}) {
      return expectCreated(
        await call(app, 'POST', '/api/donations', {
          token,
          body: { collectionSiteId: siteId, donor: { name: 'Donateur de test' }, ...overrides },
        }),
      ) as Promise<{ id: string; organisationId: string; collectionSiteId: string }>;
    },
    /** A collected device at a site, in a donation of its own (one per site, made on first use). */
    async device(token: string, siteId: string, overrides: Record<string, unknown> = {}) {
      let donationId = donationsBySite.get(siteId);
      if (!donationId) {
        donationId = (await world.donation(token, siteId)).id;
        donationsBySite.set(siteId, donationId);
      }
      return expectCreated(
        await call(app, 'POST', '/api/devices', {
          token,
          body: {
            kind: 'laptop',
            brand: 'Lenovo',
            model: 'ThinkPad T480',
            serialNumber: randomBytes(5).toString('hex'),
            storageMedia: [],
            donationId,
            siteId,
            ...overrides,
          },
        }),
      ) as Promise<{ id: string; code: string; status: string; siteId: string; donationId: string; version: number }>;
    },
    /** A workshop organisation with a bench site and an operator: the usual starting point. */
    async workshop() {
      const organisation = await world.organisation('workshop');
      const site = await world.site(organisation.id);
      const operator = await world.account(organisation.id, 'workshop_operator');
      return { organisation, site, operator };
    },
    /** A landlord with a manager and one residence: where shared Wi-Fi starts. */
    async landlord(residence: Record<string, unknown> = {}) {
      const organisation = await world.organisation('landlord');
      const manager = await world.account(organisation.id, 'landlord_manager');
      const created = await expectCreated(
        await call(app, 'POST', '/api/residences', {
          token: manager.token,
          body: { name: `Résidence ${randomBytes(3).toString('hex')}`, shortName: 'LesPins', communeCode: '13201', ...residence },
        }),
      );
      return { organisation, manager, residence: created as { id: string; name: string; shortName: string } };
    },
    /** A building of a residence with `floors` levels (landings 0 to floors - 1), and apartments when given. */
    async building(token: string, residenceId: string, options: { floors?: number; apartments?: { unit: string; floor: number }[]; name?: string } = {}) {
      const building = await expectCreated(
        await call(app, 'POST', `/api/residences/${residenceId}/buildings`, {
          token,
          body: {
            name: options.name ?? `Bât. ${randomBytes(2).toString('hex')}`,
            address: '12 avenue de la Viste, 13015 Marseille',
            communeCode: '13215',
            floors: options.floors ?? 3,
          },
        }),
      );
      if (options.apartments)
        await expectCreated(await call(app, 'POST', `/api/buildings/${building.id}/apartments`, { token, body: { apartments: options.apartments } }));
      return building as { id: string; name: string; organisationId: string; floors: number };
    },
    /** An internet provider's installer organisation with one installer. */
    async isp() {
      const organisation = await world.organisation('isp');
      const installer = await world.account(organisation.id, 'installer');
      return { organisation, installer };
    },
  };
  return world;
}

export async function issueToken(app: App, email: string, password: string): Promise<string> {
  const response = await call(app, 'POST', '/api/auth/tokens', { body: { email, password, label: 'test' } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.token;
}

export type World = Awaited<ReturnType<typeof createWorld>>;

/**
 * What a test file starts with: a harness of its own (a throwaway database, a Redis key prefix, a
 * files folder), the world's cast on it, and the workers when its tests need the jobs done.
 */
export async function startWorld(options: { workers?: boolean } = {}) {
  const harness = await startHarness();
  const world = await createWorld(harness);
  if (options.workers) harness.startWorkers();
  return { harness, world };
}
