import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness } from './helpers/harness.ts';
import { openPage, signInWithForm, type Person } from './helpers/pages.ts';
import { startWorld, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
const people: Record<'admin' | 'operator' | 'otherOperator' | 'donor', Person> = {} as never;
const year = String(new Date().getFullYear());

/** The figure a row of the page's table shows for the period, by its label. */
function shown(html: string, label: string) {
  const row = html.match(new RegExp(`<th scope="row">${label}</th><td>([^<]*)</td><td>([^<]*)</td>`));
  return row ? { value: row[1], previous: row[2] } : undefined;
}

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const shop = await world.workshop();
  const other = await world.workshop();
  const workers = harness.startWorkers();
  for (let index = 0; index < 3; index++) await world.device(shop.operator.token, shop.site.id, { storageMedia: [] });
  const dismantled = await world.device(shop.operator.token, shop.site.id, { storageMedia: [] });
  expect((await world.call('POST', `/api/devices/${dismantled.code}/transitions`, { token: shop.operator.token, body: { to: 'dismantled' } })).status).toBe(
    200,
  );
  await world.device(other.operator.token, other.site.id, { storageMedia: [] });
  await eventually('the device events counted', async () => {
    const [row] = await harness.database.db.execute<{ uncounted: number }>(sql`
      select count(*)::int as uncounted from device_events e
      where not exists (select 1 from indicator_counted_events c where c.source = 'device' and c.event_id = e.id)`);
    return row!.uncounted === 0;
  });
  await workers.close();
  const donor = await world.account((await world.organisation('donor')).id, 'donor_viewer');
  Object.assign(people, {
    admin: await signInWithForm(harness.app, world.admin),
    operator: await signInWithForm(harness.app, shop.operator),
    otherOperator: await signInWithForm(harness.app, other.operator),
    donor: await signInWithForm(harness.app, donor),
  });
});
afterAll(() => harness?.close());

describe('the steering page', () => {
  it('shows the coordinator the year’s figures for the whole network, beside the previous year, in French', async () => {
    const page = await openPage(harness.app, '/pilotage', people.admin);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="fr">');
    expect(page.html).toMatch(/<h1>Pilotage du réseau<\/h1>/);
    expect(page.html).toContain(`Tout le réseau, période ${year} comparée à ${Number(year) - 1}`);
    expect(shown(page.html, 'Appareils collectés')).toEqual({ value: '5', previous: '0' });
    expect(shown(page.html, 'Appareils démantelés')).toEqual({ value: '1', previous: '0' });
    expect(shown(page.html, 'Taux de réemploi \\(%\\)')).toEqual({ value: '0', previous: '—' });
    expect(page.html).toContain(`href="/api/indicators.csv?period=${year}"`);
    const csv = await harness.app.request(`/api/indicators.csv?period=${year}`, { headers: { cookie: people.admin.cookie } });
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain(`Appareils collectés;;Tout le réseau;${year};5;${Number(year) - 1};0`);
    expect(page.html).toContain('Chaque appareil remis à un foyer remplace un appareil neuf');
    expect(page.html).toContain('43 à 97 %');
  });

  it('shows a workshop its own figures only, and a territory where nothing happened as zeros', async () => {
    expect(shown((await openPage(harness.app, '/pilotage', people.operator)).html, 'Appareils collectés')).toEqual({ value: '4', previous: '0' });
    expect(shown((await openPage(harness.app, '/pilotage', people.otherOperator)).html, 'Appareils collectés')).toEqual({ value: '1', previous: '0' });
    const landes = await openPage(harness.app, `/pilotage?period=${year}&territory=40`, people.admin);
    expect(landes.html).toContain('Landes (40), période');
    expect(shown(landes.html, 'Appareils collectés')).toEqual({ value: '0', previous: '0' });
  });

  it('says in French which filter is wrong, next to it', async () => {
    const page = await openPage(harness.app, '/pilotage?period=2026-13&territory=99', people.admin);
    expect(page.status).toBe(422);
    expect(page.html).toContain('Indiquez une année (2026), un trimestre (2026-Q2) ou un mois (2026-03).');
    expect(page.html).toContain('99 n’est pas le code d’un département.');
    expect(page.html).toContain('href="#champ-period"');
    expect(page.html).toContain('aria-invalid="true"');
    expect(page.html).not.toContain('<caption>Tout le réseau');
    const programme = await openPage(harness.app, '/pilotage?period=2026&programmeId=abc', people.admin);
    expect(programme.status).toBe(422);
    expect(programme.html).toContain('id="champ-programmeId-erreur">Choisissez un dispositif de la liste.');
  });

  it('is refused to a donor and sends a visitor to sign in', async () => {
    expect((await openPage(harness.app, '/pilotage', people.donor)).status).toBe(403);
    const visitor = await openPage(harness.app, '/pilotage');
    expect(visitor.status).toBe(303);
    expect(visitor.location).toBe('/login?next=%2Fpilotage');
  });
});
