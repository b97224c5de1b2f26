import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sitePlaces } from '../src/places/places.schema.ts';
import type { Harness } from './helpers/harness.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

/*
 * A site published as a place in the national schema, through the API: the coordinator publishes,
 * changes and withdraws it; a refused change names each bad field and leaves the place as it was.
 */

let harness: Harness;
let world: World;
let operator: Account;
let site: { id: string };
let otherSite: { id: string };

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const workshop = await world.workshop();
  operator = workshop.operator;
  site = await world.site(workshop.organisation.id, { name: 'Atelier de Boé', address: '4 rue de la Gare', postalCode: '47550', communeCode: '47031' });
  otherSite = await world.site((await world.organisation('mediation')).id, { name: 'Espace numérique', kind: 'mediation_place' });
});
afterAll(() => harness?.close());

const place = {
  pivot: '812 345 678 00013',
  latitude: 44.1636,
  longitude: 0.631,
  typologies: ['ACI'],
  services: ['Acquisition de matériel informatique à prix solidaire'],
  activities: ['collects_donations', 'refurbishes', 'hands_over'],
  openingHours: 'Tu-Fr 09:00-12:00,14:00-17:00; PH off',
  phone: '05 53 00 00 48',
  emails: ['boe@atelier.example'],
  summary: 'Dépôt et vente à prix solidaire d’ordinateurs reconditionnés.',
  accessModes: ['Se présenter'],
  fees: ['Payant'],
};

const publish = (siteId: string, body: unknown, token = world.admin.token, headers: Record<string, string> = {}) =>
  world.call('PUT', `/api/sites/${siteId}/place`, { token, body, headers });
const rowOf = async (siteId: string) => (await harness.database.db.select().from(sitePlaces).where(eq(sitePlaces.siteId, siteId)))[0];

describe('publishing a site as a place', () => {
  it('publishes, reads back, changes (a new date_maj) and withdraws a place', async () => {
    const published = await publish(site.id, place);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body).toMatchObject({ ...place, siteId: site.id, pivot: '81234567800013', website: null, bookingUrl: null });
    const read = await world.call('GET', `/api/sites/${site.id}/place`, { token: world.admin.token });
    expect(read.body).toEqual(published.body);
    // The site's own organisation reads it too.
    expect((await world.call('GET', `/api/sites/${site.id}/place`, { token: operator.token })).status).toBe(200);

    const changed = await publish(site.id, { ...read.body, openingHours: 'Tu-Sa 09:00-12:00; PH off' });
    expect(changed.status).toBe(200);
    expect(changed.body.openingHours).toBe('Tu-Sa 09:00-12:00; PH off');
    expect(new Date(changed.body.updatedAt).getTime()).toBeGreaterThan(new Date(published.body.updatedAt).getTime());
    expect(changed.body.createdAt).toBe(published.body.createdAt);

    const exported = await world.call('GET', '/api/places/export.json');
    expect(exported.body.lieux.map((line: { id: string }) => line.id)).toContain(site.id);

    const withdrawn = await world.call('DELETE', `/api/sites/${site.id}/place`, { token: world.admin.token });
    expect(withdrawn.status).toBe(204);
    const gone = await world.call('GET', `/api/sites/${site.id}/place`, { token: world.admin.token });
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('application/problem+json');
    expect((await world.call('GET', '/api/places/export.json')).body.lieux.map((line: { id: string }) => line.id)).not.toContain(site.id);
  });

  it('refuses a wrong place naming each bad field, in English and in French, and leaves the place as it was', async () => {
    expect((await publish(otherSite.id, { pivot: 'W471001234' })).status).toBe(200);
    const before = await rowOf(otherSite.id);
    const wrong = {
      pivot: '81234567800014',
      latitude: 44.2,
      services: ['Cours de cuisine'],
      openingHours: 'du lundi au vendredi',
      summary: 'x'.repeat(281),
      emails: ['pas-une-adresse'],
      website: 'javascript:alert(1)',
    };
    const refused = await publish(otherSite.id, wrong);
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(
      ['pivot', 'services.0', 'openingHours', 'summary', 'emails.0', 'website', 'longitude'].sort(),
    );
    const inFrench = await publish(otherSite.id, wrong, world.admin.token, { 'accept-language': 'fr-FR' });
    const pivotError = inFrench.body.errors.find((error: { path: string }) => error.path === 'pivot');
    expect(pivotError.message).toBe(
      'Le SIRET (14 chiffres, clé de contrôle valide) ou le numéro RNA (W suivi de 9 caractères) de la structure qui porte le lieu.',
    );
    expect(await rowOf(otherSite.id)).toEqual(before);
  });

  it('is the coordinator’s to change: another role gets a 403 and nothing changes; another organisation does not see the site', async () => {
    expect((await publish(site.id, place)).status).toBe(200);
    const before = await rowOf(site.id);
    const refused = await publish(site.id, { ...place, summary: 'Changé par l’atelier' }, operator.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await world.call('DELETE', `/api/sites/${site.id}/place`, { token: operator.token })).status).toBe(403);
    expect(await rowOf(site.id)).toEqual(before);
    expect((await world.call('GET', `/api/sites/${otherSite.id}/place`, { token: operator.token })).status).toBe(404);
    expect((await world.call('GET', `/api/sites/${site.id}/place`)).status).toBe(401);
  });

  it('answers 404 for a site that does not exist', async () => {
    const missing = await publish('0b7f6a52-3c1e-4e0f-9a51-6f2d7c9e4a10', place);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });
});
