import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRevealPassphrase, type BuildingRelation } from '../src/connectivity/access.ts';
import type { Harness } from './helpers/harness.ts';
import { openPage, signInWithForm, type Person } from './helpers/pages.ts';
import { startWorld, type World } from './helpers/world.ts';

/*
 * What the pages show comes from the modules' read functions and rights tables: a page that does
 * not exist is a French page, the passphrases follow the connectivity rights table, and a
 * donation's page lists the devices the bench may see, as the devices module decides.
 */

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let operator: Person;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
  operator = await signInWithForm(harness.app, bench.operator);
});
afterAll(async () => harness?.close());

// What Chromium sends when a link is followed or an address typed.
const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('a page that does not exist', () => {
  it('is a French page with the site header for a browser, not the API’s JSON', async () => {
    const response = await harness.app.request('/nulle-part', { headers: { accept: browserAccept } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    // The pages' own headers, as on every page.
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<title>Page introuvable — Boucle</title>');
    expect(html).toContain('<h1>Page introuvable</h1>');
    expect(html).toContain('Cette adresse ne mène à aucune page de Boucle');
    expect(html).toContain('<a href="/">Revenir à l’accueil</a>');
    expect(html).toContain('<header class="site">');
    expect(html).toContain('Se connecter');
  });

  it('keeps the signed-in viewer’s navigation', async () => {
    const response = await harness.app.request('/dons/inconnu', { headers: { accept: browserAccept, cookie: operator.cookie } });
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain('<h1>Page introuvable</h1>');
    expect(html).toContain('aria-label="Menu principal"');
    expect(html).toContain('<a href="/scan">Poste de scan</a>');
    expect(html).toMatch(/data-testid="viewer">workshop_operator de test · [^<]+ · /);
    expect(html).toContain('Se déconnecter');
  });

  it.each([
    ['an API path, even from a browser', '/api/nulle-part', browserAccept],
    ['a client that asks for JSON', '/nulle-part', 'application/json'],
    ['a client that asks for nothing in particular', '/nulle-part', '*/*'],
  ])('stays the problem+json 404 for %s', async (_who, path, accept) => {
    const response = await harness.app.request(path, { headers: { accept, authorization: `Bearer ${world.admin.token}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, code: 'route_not_found' });
  });
});

describe('who sees a building’s Wi-Fi passphrases', () => {
  const expected: Record<BuildingRelation, boolean> = { landlord: true, installer: true, coordinator: false };
  it.each(Object.entries(expected) as [BuildingRelation, boolean][])('the rights table answers %s: %s', (relation, reveals) => {
    expect(canRevealPassphrase(relation)).toBe(reveals);
  });

  it('offers the tenants’ letters on the building page to the landlord, not to the coordinator', async () => {
    const landlord = await world.landlord();
    const building = await world.building(landlord.manager.token, landlord.residence.id, { apartments: [{ unit: '001', floor: 0 }] });
    const own = await openPage(harness.app, `/buildings/${building.id}`, await signInWithForm(harness.app, landlord.manager));
    expect(own.status).toBe(200);
    expect(own.html).toContain('<th scope="col">Lettre au locataire</th>');
    const coordinator = await openPage(harness.app, `/buildings/${building.id}`, await signInWithForm(harness.app, world.admin));
    expect(coordinator.status).toBe(200);
    expect(coordinator.html).toContain('data-apartment-id');
    expect(coordinator.html).not.toContain('Lettre au locataire');
  });
});

describe('a donation’s page', () => {
  it('lists only the devices the bench still holds: one moved to another organisation is that organisation’s to show', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const kept = await world.device(bench.operator.token, bench.site.id, { donationId: donation.id, model: 'Latitude 5490' });
    const moved = await world.device(bench.operator.token, bench.site.id, { donationId: donation.id, model: 'EliteBook 840' });
    const other = await world.workshop();
    const move = await world.call('POST', `/api/devices/${moved.code}/moves`, {
      token: world.admin.token,
      body: { siteId: other.site.id, version: moved.version },
    });
    expect(move.status, JSON.stringify(move.body)).toBe(200);

    const page = await openPage(harness.app, `/donations/${donation.id}`, operator);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<a href="/d/${kept.code}">${kept.code}</a>`);
    expect(page.html).not.toContain(moved.code);
    // The donation still counts what it brought in; the coordinator sees both devices.
    expect(page.html).toMatch(/data-testid="received">2</);
    const coordinator = await openPage(harness.app, `/donations/${donation.id}`, await signInWithForm(harness.app, world.admin));
    expect(coordinator.html).toContain(kept.code);
    expect(coordinator.html).toContain(moved.code);
  });
});
