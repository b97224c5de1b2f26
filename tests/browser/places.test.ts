import { Frais, ModaliteAcces, Service } from '@gouvfr-anct/lieux-de-mediation-numerique';
import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sitePlaces } from '../../src/places/places.schema.ts';
import { otherActorPlace, publishPlace } from '../helpers/places.ts';
import { axeViolations, keepScreenshot, pageProblems, signIn, startBrowserHarness, type BrowserHarness } from './browser.ts';

/*
 * /lieux in Chromium, as a family's mediator or a donor uses it: the filters, the keyboard alone,
 * a phone's width, axe-core, and the map's markers with no tile server reachable (the tests run
 * offline: every tile request is refused here, as a network without the internet would). The
 * app's clock is a Tuesday at 10:00 in Paris.
 */

let browser: BrowserHarness;
const ids = {} as Record<'agen' | 'marmande' | 'villeneuve' | 'boe' | 'unpublished', string>;
const tileHosts = /^https?:\/\/[abc]\.tile\.openstreetmap\.fr\//;

beforeAll(async () => {
  browser = await startBrowserHarness({ app: { clock: () => new Date('2026-12-22T09:00:00Z') } });
  const { world, harness } = browser;
  const workshop = await world.organisation('workshop', 'Rebond 47');
  const centre = await world.organisation('mediation', 'Centre social de Villeneuve');
  ids.agen = (await world.site(workshop.id, { name: 'Atelier d’Agen', address: '12 rue des Ateliers', postalCode: '47000', communeCode: '47001' })).id;
  ids.marmande = (await world.site(workshop.id, { name: 'Point de collecte de Marmande', kind: 'collection_point', communeCode: '47157' })).id;
  ids.villeneuve = (await world.site(centre.id, { name: 'Espace numérique de Villeneuve', kind: 'mediation_place', communeCode: '47323' })).id;
  ids.unpublished = (await world.site(workshop.id, { name: 'Réserve de Boé', communeCode: '47031' })).id;
  await publishPlace(harness.database, ids.agen, {
    latitude: 44.2031,
    longitude: 0.6163,
    services: [Service.MaterielInformatiqueAPrixSolidaire],
    activities: ['collects_donations', 'hands_over'],
    openingHours: 'Mo-Fr 09:00-12:00,14:00-17:30; PH off',
    phone: '05 53 00 00 47',
    accessModes: [ModaliteAcces.SePresenter],
    fees: [Frais.Payant],
    bookingUrl: 'https://rebond47.example/rendez-vous',
  });
  await publishPlace(harness.database, ids.marmande, { activities: ['collects_donations'], openingHours: 'Sa 09:00-12:30; PH off' });
  await publishPlace(harness.database, ids.villeneuve, {
    latitude: 44.4081,
    longitude: 0.7047,
    services: [Service.MaitriseDesOutilsNumeriquesDuQuotidien],
    activities: ['trains_families'],
    openingHours: 'Mo-Fr 09:00-12:00,13:30-18:00; PH off',
  });
  ids.boe = (
    await otherActorPlace(harness.database, world.admin.organisationId, {
      name: 'Médiathèque de Boé',
      communeCode: '47031',
      commune: 'Boé',
      postalCode: '47550',
      latitude: 44.16,
      longitude: 0.63,
      services: [Service.MaitriseDesOutilsNumeriquesDuQuotidien],
      openingHours: 'Tu-Sa 10:00-18:00',
    })
  ).id;
}, 120_000);
afterAll(() => browser?.close());

/** A context where no tile server answers: each tile request is refused and counted. */
async function offlineContext(options: Parameters<BrowserHarness['newContext']>[0] = {}) {
  const context = await browser.newContext(options);
  const refusedTiles: string[] = [];
  await context.route(tileHosts, (route) => {
    refusedTiles.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  return { context, refusedTiles };
}

/** The page's problems, but the tiles this test refuses on purpose. */
const problemsBesidesTiles = (problems: string[]) =>
  problems.filter((problem) => !problem.startsWith('console: Failed to load resource: net::ERR_INTERNET_DISCONNECTED'));

async function submitAndWait(page: Page, submit: () => Promise<void>) {
  const committed = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 15_000 });
  await submit();
  await committed;
  await page.waitForLoadState('load');
}

/** The map drawn by the script: its markers counted once Leaflet placed them. */
async function drawnMap(page: Page) {
  const map = page.locator('[data-places-map][data-markers]');
  await map.waitFor({ timeout: 10_000 });
  return Number(await map.getAttribute('data-markers'));
}

const listedNames = (page: Page) => page.locator('li.place .place-name a').allInnerTexts();

type Focused = { tag: string; id: string; text: string; className: string; outline: string; boxShadow: string; href: string | null };
const focusedElement = (page: Page) =>
  page.evaluate((): Focused | null => {
    type El = {
      id: string;
      tagName: string;
      textContent: string | null;
      className: unknown;
      getAttribute: (name: string) => string | null;
    };
    const { document, getComputedStyle } = globalThis as unknown as {
      document: { activeElement: El | null };
      getComputedStyle: (element: El) => { outlineStyle: string; outlineWidth: string; boxShadow: string };
    };
    const element = document.activeElement;
    if (!element) return null;
    const style = getComputedStyle(element);
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      text: (element.textContent || element.getAttribute('alt') || '').replace(/\s+/g, ' ').trim().slice(0, 60),
      className: String(element.className),
      outline: style.outlineStyle === 'none' || style.outlineWidth === '0px' ? 'none' : `${style.outlineStyle} ${style.outlineWidth}`,
      boxShadow: style.boxShadow,
      href: element.getAttribute('href'),
    };
  });

/** Presses Tab until `wanted` holds for the focused element; answers every element reached. */
async function tabUntil(page: Page, wanted: (focused: Focused) => boolean, presses = 80): Promise<Focused[]> {
  const reached: Focused[] = [];
  for (let press = 0; press < presses; press++) {
    await page.keyboard.press('Tab');
    const focused = await focusedElement(page);
    if (!focused) continue;
    reached.push(focused);
    if (wanted(focused)) return reached;
  }
  throw new Error(`not reached with Tab: ${reached.map((item) => `${item.tag}#${item.id} « ${item.text} »`).join(' | ')}`);
}

describe('the map of places with no tile server reachable', { timeout: 60_000 }, () => {
  it('draws a marker for each place with coordinates, none for the one without, other actors told apart, and keeps the list', async () => {
    const { context, refusedTiles } = await offlineContext();
    const page = await context.newPage();
    const problems = pageProblems(page);
    await page.goto('/lieux');
    expect(await drawnMap(page)).toBe(3);
    const markers = page.locator('.leaflet-marker-icon');
    expect(await markers.count()).toBe(3);
    expect((await markers.evaluateAll((icons) => icons.map((icon) => (icon as unknown as { alt: string }).alt))).sort()).toEqual(
      ['Atelier d’Agen', 'Espace numérique de Villeneuve', 'Médiathèque de Boé (autre acteur)'].sort(),
    );
    expect(await page.locator('.leaflet-marker-icon.marker-other').count()).toBe(1);
    // Leaflet asked for tiles, none came, and the page still lists every place, Marmande's (no coordinates) with them.
    await expect.poll(() => refusedTiles.length).toBeGreaterThan(0);
    expect((await listedNames(page)).sort()).toEqual(
      ['Atelier d’Agen', 'Espace numérique de Villeneuve', 'Médiathèque de Boé', 'Point de collecte de Marmande'].sort(),
    );
    // A marker opens its popup, which leads to the place's page.
    await page.locator('.leaflet-marker-icon[alt="Atelier d’Agen"]').click();
    const popupLink = page.locator('.leaflet-popup a', { hasText: 'Atelier d’Agen' });
    await popupLink.waitFor();
    expect(await popupLink.getAttribute('href')).toBe(`/lieux/${ids.agen}`);
    await keepScreenshot(page, 'places-offline-map');
    expect(problemsBesidesTiles(problems)).toEqual([]);
    await context.close();
  });
});

describe('the filters of /lieux, in Chromium', { timeout: 60_000 }, () => {
  it('narrows the list and the map to a need, a commune or intercommunality, and the places open now', async () => {
    const { context } = await offlineContext();
    const page = await context.newPage();
    const problems = pageProblems(page);
    await page.goto('/lieux');
    await page.getByLabel('Vous cherchez à').selectOption({ label: 'Donner un ordinateur' });
    await submitAndWait(page, () => page.getByRole('button', { name: 'Afficher les lieux' }).click());
    expect(new URL(page.url()).searchParams.get('besoin')).toBe('donner');
    expect((await listedNames(page)).sort()).toEqual(['Atelier d’Agen', 'Point de collecte de Marmande']);
    // Marmande's collection point has no coordinates: one marker for two places.
    expect(await drawnMap(page)).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Où donner un ordinateur ?');

    await page.getByLabel('Vous cherchez à').selectOption({ label: 'Tout' });
    await page.getByLabel('Commune ou intercommunalité').selectOption({ label: "CA Agglomération d'Agen" });
    await submitAndWait(page, () => page.getByRole('button', { name: 'Afficher les lieux' }).click());
    expect((await listedNames(page)).sort()).toEqual(['Atelier d’Agen', 'Médiathèque de Boé']);

    await page.getByLabel('Commune ou intercommunalité').selectOption({ label: 'Partout' });
    await page.getByLabel('Ouvert maintenant').check();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Afficher les lieux' }).click());
    // Tuesday 10:00 in Paris: the collection point opens on Saturdays only.
    expect((await listedNames(page)).sort()).toEqual(['Atelier d’Agen', 'Espace numérique de Villeneuve', 'Médiathèque de Boé']);
    expect(await page.getByLabel('Ouvert maintenant').isChecked()).toBe(true);

    // The three questions are links of their own.
    await submitAndWait(page, () => page.getByRole('link', { name: 'Où se former ?' }).click());
    expect((await listedNames(page)).sort()).toEqual(['Espace numérique de Villeneuve', 'Médiathèque de Boé']);
    expect(problemsBesidesTiles(problems)).toEqual([]);
    await context.close();
  });
});

describe('/lieux with the keyboard alone', { timeout: 60_000 }, () => {
  it('chooses a need, reaches the list and a place’s page, and a map’s pin, each focus visible', async () => {
    const { context } = await offlineContext();
    const page = await context.newPage();
    await page.goto('/lieux');
    await drawnMap(page);
    const reached = await tabUntil(page, (focused) => focused.id === 'champ-besoin');
    // Chromium on Linux changes a closed select's choice with the arrow keys.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#champ-besoin').inputValue()).toBe('se-former');
    reached.push(...(await tabUntil(page, (focused) => focused.tag === 'button' && focused.text === 'Afficher les lieux')));
    await submitAndWait(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).searchParams.get('besoin')).toBe('se-former');
    await drawnMap(page);

    // Past the map's pins (focusable buttons named after their place), the list's links.
    const toPin = await tabUntil(page, (focused) => focused.className.includes('leaflet-marker-icon'));
    reached.push(...toPin);
    const pin = toPin.at(-1)!;
    expect(['Espace numérique de Villeneuve', 'Médiathèque de Boé (autre acteur)']).toContain(pin.text);
    await page.keyboard.press('Enter');
    // Opened from the keyboard, the popup gives the focus to its link.
    await expect.poll(async () => (await focusedElement(page))?.href ?? '').toMatch(/^\/lieux\/[0-9a-f-]{36}$/);
    const toList = await tabUntil(page, (focused) => focused.href === `/lieux/${ids.villeneuve}` && focused.text === 'Espace numérique de Villeneuve');
    reached.push(...toList);
    await submitAndWait(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname).toBe(`/lieux/${ids.villeneuve}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Espace numérique de Villeneuve');

    const invisible = reached.filter((item) => item.outline === 'none' && item.boxShadow === 'none').map((item) => `${item.tag}#${item.id} « ${item.text} »`);
    expect(invisible, 'elements whose focus cannot be seen').toEqual([]);
    await context.close();
  });
});

/** How wide a page is for its screen, and the elements sticking out. */
const overflowOf = (page: Page) =>
  page.evaluate(() => {
    type El = { tagName: string; id: string; className: unknown; getBoundingClientRect: () => { right: number } };
    const { document } = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelectorAll: (selector: string) => El[] };
    };
    const { scrollWidth, clientWidth } = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > clientWidth + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}.${String(element.className).split(' ').join('.')}`);
    return { scrollWidth, clientWidth, wide };
  });

describe('/lieux on a phone', { timeout: 60_000 }, () => {
  it('fits a 375 px wide screen, the list, the map and a place’s page', async () => {
    const { context } = await offlineContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    for (const path of ['/lieux', `/lieux/${ids.agen}`, `/lieux/${ids.marmande}`]) {
      await page.goto(path);
      if (path !== `/lieux/${ids.marmande}`) await drawnMap(page);
      const fits = await overflowOf(page);
      expect(fits.scrollWidth, `${path} is ${fits.scrollWidth} px wide for ${fits.clientWidth}: ${fits.wide.join(', ')}`).toBeLessThanOrEqual(fits.clientWidth);
    }
    await page.goto('/lieux');
    await drawnMap(page);
    const map = await page.locator('[data-places-map]').boundingBox();
    expect(map!.width).toBeLessThanOrEqual(375);
    await keepScreenshot(page, 'places-phone');
    await context.close();
  });
});

describe('accessibility of the places’ pages', { timeout: 60_000 }, () => {
  let context: BrowserContext;
  beforeAll(async () => {
    // axe is injected as a script: only a context that ignores the pages' CSP lets it in.
    ({ context } = await offlineContext({ bypassCSP: true }));
  });
  afterAll(() => context?.close());

  it.each([
    ['/lieux', true],
    ['/lieux?besoin=donner&ouvert=maintenant', true],
    ['/lieux?besoin=voler', true],
    ['/lieux/AGEN', true],
    ['/lieux/MARMANDE', false],
    ['/lieux/BOE', true],
  ])('finds no serious or critical violation on %s', async (path, withMap) => {
    const page = await context.newPage();
    await page.goto(path.replace('AGEN', ids.agen).replace('MARMANDE', ids.marmande).replace('BOE', ids.boe));
    if (withMap) await drawnMap(page);
    expect((await axeViolations(page)).map((violation) => violation.summary)).toEqual([]);
    await page.close();
  });

  it('finds none on the site’s place form, whose map places the site with a click', async () => {
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, browser.world.admin, `/admin/sites/${ids.unpublished}`);
    expect(new URL(page.url()).pathname).toBe(`/admin/sites/${ids.unpublished}`);
    const picker = page.locator('[data-coordinates-picker]');
    await picker.locator('.leaflet-tile-pane').waitFor({ state: 'attached' });
    expect((await axeViolations(page)).map((violation) => violation.summary)).toEqual([]);

    await picker.scrollIntoViewIfNeeded();
    const box = (await picker.boundingBox())!;
    await picker.click({ position: { x: box.width / 2, y: box.height / 2 } });
    const latitude = Number(await page.getByLabel('Latitude', { exact: true }).inputValue());
    const longitude = Number(await page.getByLabel('Longitude', { exact: true }).inputValue());
    expect(Number.isFinite(latitude) && latitude > 40 && latitude < 50, String(latitude)).toBe(true);
    expect(Number.isFinite(longitude) && longitude > -5 && longitude < 8, String(longitude)).toBe(true);
    expect(await picker.locator('.leaflet-marker-icon').count()).toBe(1);

    await page.getByLabel('Publier ce lieu').check();
    await page.getByLabel('SIRET ou RNA de la structure').fill('81234567800013');
    await page.getByLabel('Collecte les ordinateurs donnés').check();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Enregistrer la fiche publique' }).click());
    expect(await page.getByRole('status').innerText()).toContain('Fiche publique enregistrée.');
    const [row] = await browser.harness.database.db.select().from(sitePlaces).where(eq(sitePlaces.siteId, ids.unpublished));
    expect(row).toMatchObject({ latitude, longitude, activities: ['collects_donations'] });
    expect(problemsBesidesTiles(problems)).toEqual([]);
    await page.close();
  });
});
