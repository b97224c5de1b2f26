import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices } from '../../src/devices/devices.schema.ts';
import { wipeCertificates } from '../../src/wiping/wiping.schema.ts';
import { eventually } from '../helpers/harness.ts';
import type { Account, World } from '../helpers/world.ts';
import { axeViolations, keepScreenshot, pageProblems, requestsElsewhere, signIn, startBrowserHarness, type BrowserHarness } from './browser.ts';

/*
 * The French pages in Chromium, for the people who use them: a mediator records a family and
 * reserves a device for it, a landlord follows its buildings and reports an incident. Every main
 * page, with realistic content, is checked with axe-core (no serious or critical violation) and
 * for errors its scripts raise; one form is used with the keyboard alone, the scan station on a phone.
 */

let browser: BrowserHarness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let mediator: Account;
let trainedProgramme: { id: string; name: string };
const sessionTrainer = 'Inès Formatrice';

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const suffix = () => randomBytes(3).toString('hex').toUpperCase();
const ssd = { type: 'ssd', model: 'Samsung 860', serialNumber: 'S3Z9NB0K123', capacityGb: 250 };

async function qualify(account: Account, kind: 'data_wiping' | 'refurbishment') {
  const response = await world.call('POST', `/api/users/${account.id}/qualifications`, {
    token: world.admin.token,
    body: { kind, issuer: 'Centre de formation ADN', issuedOn: day(-200), expiresOn: day(365) },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

/** A device of the bench put on the shelf, as tests/pages.test.ts does: ready, graded, with its specs. */
async function readyDevice(kind: 'laptop' | 'desktop' | 'tablet', grade: 'A' | 'B' | 'C' = 'A') {
  const device = await world.device(bench.operator.token, bench.site.id, { kind, brand: 'Dell', model: kind === 'tablet' ? 'Venue 11' : 'Latitude 7490' });
  await browser.harness.database.db
    .update(devices)
    .set({ status: 'ready', grade, specs: { cpu: 'Intel Core i5-8350U', ramGb: 8, storageGb: 256 } })
    .where(eq(devices.id, device.id));
  return device;
}

/** A family and its request filed through the API by the mediator; answers the request. */
async function requestThroughApi(kind: 'laptop' | 'desktop') {
  const household = await world.call('POST', '/api/households', {
    token: mediator.token,
    body: {
      reference: `CSV-API-${suffix()}`,
      communeCode: '47001',
      size: 4,
      contactPhone: '06 11 22 33 44',
      attestations: ['child_in_college'],
      consent: true,
    },
  });
  expect(household.status, JSON.stringify(household.body)).toBe(201);
  const request = await world.call('POST', '/api/requests', {
    token: mediator.token,
    body: { householdId: household.body.id, programmeId: trainedProgramme.id, need: { kind, minRamGb: 4, notes: 'Clavier AZERTY, écran 14 pouces au moins.' } },
  });
  expect(request.status, JSON.stringify(request.body)).toBe(201);
  expect(request.body.status).toBe('eligible');
  return request.body as { id: string; householdId: string };
}

beforeAll(async () => {
  browser = await startBrowserHarness();
  world = browser.world;
  bench = await world.workshop();
  await qualify(bench.operator, 'data_wiping');
  await qualify(bench.operator, 'refurbishment');
  const centre = await world.organisation('mediation', `Centre social du Pin ${suffix()}`);
  mediator = await world.account(centre.id, 'mediator');
  const place = await world.site(centre.id, { name: 'Centre social du Pin', kind: 'mediation_place', address: '4 place du Pin, Agen' });
  const module = await world.call('POST', '/api/training-modules', { token: world.admin.token, body: { title: 'Pronote et l’ENT', durationMinutes: 90 } });
  expect(module.status, JSON.stringify(module.body)).toBe(201);
  const programme = await world.call('POST', '/api/programmes', {
    token: world.admin.token,
    body: {
      name: `Un ordinateur pour le collège ${suffix()}`,
      eligibilityCriteria: ['child_in_college'],
      deviceKinds: ['laptop', 'desktop'],
      reservationDays: 21,
      territories: [{ type: 'departement', code: '47' }],
      trainingModuleId: module.body.id,
    },
  });
  expect(programme.status, JSON.stringify(programme.body)).toBe(201);
  trainedProgramme = programme.body;
  const session = await world.call('POST', '/api/training-sessions', {
    token: mediator.token,
    body: {
      moduleId: module.body.id,
      siteId: place.id,
      startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      capacity: 8,
      trainerName: sessionTrainer,
    },
  });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
});
afterAll(() => browser?.close());

/** Clicks what submits a form and waits for the document the server answers with. */
async function submitAndWait(page: Page, submit: () => Promise<void>) {
  const committed = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 15_000 });
  await submit();
  await committed;
  await page.waitForLoadState('load');
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** What Chromium logs for a document answered with an error status: the server's answer, not a script's error. */
const statusTexts: Record<number, string> = { 404: 'Not Found', 422: 'Unprocessable Entity' };
const documentRefused = (status: number) => `console: Failed to load resource: the server responded with a status of ${status} (${statusTexts[status]})`;

describe('a mediator’s request, from the family to the reserved device, in Chromium', { timeout: 60_000 }, () => {
  it('records a family and files its request through the forms, reserves on the request page, and sees the device reserved', async () => {
    const laptop = await readyDevice('laptop');
    const reference = `CSV-2026-${suffix()}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, mediator, '/households/new');
    expect(pathOf(page)).toBe('/households/new');

    await page.getByLabel('Référence de la famille').fill(reference);
    await page.getByLabel('Code INSEE de la commune').fill('47001');
    await page.getByLabel('Nombre de personnes du foyer').fill('3');
    await page.getByLabel('Téléphone').fill('06 12 34 56 78');
    await page.getByLabel('Un enfant au collège').check();
    await page.getByLabel('La famille accepte que ces informations soient conservées').check();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Enregistrer la famille' }).click());
    expect(pathOf(page), await page.locator('main').innerText()).toBe('/households');
    expect(await page.getByRole('status').first().innerText()).toContain(`Famille ${reference} enregistrée.`);

    await submitAndWait(page, () => page.getByRole('link', { name: 'Déposer sa demande d’équipement' }).click());
    expect(pathOf(page)).toBe('/requests/new');
    // The family just recorded comes chosen already.
    expect(await page.locator('#champ-householdId option:checked').innerText()).toBe(reference);
    await page.getByLabel('Dispositif').selectOption({ label: trainedProgramme.name });
    await page.getByLabel('Type d’équipement').selectOption({ label: 'Ordinateur portable' });
    await page.getByLabel('Mémoire vive minimale (Go)').fill('4');
    await page.getByLabel('Remarques').fill('Pour les devoirs sur l’ENT.');
    await submitAndWait(page, () => page.getByRole('button', { name: 'Déposer la demande' }).click());
    const requestId = pathOf(page).match(/^\/requests\/([0-9a-f-]{36})$/)?.[1];
    expect(requestId, `landed on ${page.url()}: ${await page.locator('main').innerText()}`).toBeTruthy();
    expect(await page.getByTestId('request-status').innerText()).toBe('Éligible, en attente d’un équipement');

    await submitAndWait(page, () => page.getByRole('button', { name: 'Réserver un équipement' }).click());
    expect(pathOf(page)).toBe(`/requests/${requestId}`);
    expect(await page.getByTestId('request-status').innerText()).toBe('Réservé : formation à réserver');
    const reserved = await page.getByTestId('reserved-device').innerText();
    expect(reserved).toContain(`Réservé : ${laptop.code}`);
    expect(await page.getByTestId('reserved-device').getByRole('link', { name: laptop.code }).getAttribute('href')).toBe(`/d/${laptop.code}`);

    // The API says the same: the request holds this device, and the device is reserved.
    const request = await world.call('GET', `/api/requests/${requestId}`, { token: mediator.token });
    expect(request.status).toBe(200);
    expect(request.body).toMatchObject({ status: 'reserved', reservedDeviceId: laptop.id, need: { kind: 'laptop', minRamGb: 4 } });
    const device = await world.call('GET', `/api/devices/${laptop.code}`, { token: bench.operator.token });
    expect(device.body).toMatchObject({ id: laptop.id, status: 'reserved' });

    // Then the family is booked on the training the programme asks for, from the same page.
    await page.getByLabel(new RegExp(sessionTrainer)).check();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Inscrire la famille' }).click());
    expect(await page.getByTestId('request-status').innerText()).toBe('Réservé : formation programmée');
    expect((await world.call('GET', `/api/requests/${requestId}`, { token: mediator.token })).body.status).toBe('training_scheduled');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('a landlord’s rollout, in Chromium', { timeout: 60_000 }, () => {
  it('shows a landlord manager its own buildings, not another landlord’s (404), the apartments of its own, and the incident it reports', async () => {
    const own = await world.landlord({ name: `Résidence Les Pins ${suffix()}` });
    const tower = await world.building(own.manager.token, own.residence.id, {
      name: 'Bâtiment A',
      apartments: [
        { unit: '001', floor: 0 },
        { unit: '101', floor: 1 },
        { unit: '102', floor: 1 },
      ],
    });
    const annex = await world.building(own.manager.token, own.residence.id, { name: 'Bâtiment B' });
    const other = await world.landlord({ name: `Résidence du Port ${suffix()}` });
    const elsewhere = await world.building(other.manager.token, other.residence.id, { name: 'Bâtiment C' });

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, own.manager, '/rollout');
    expect(pathOf(page)).toBe('/rollout');
    const rows = await page.locator('[data-building-id]').evaluateAll((items) => items.map((item) => item.getAttribute('data-building-id')));
    expect(new Set(rows)).toEqual(new Set([tower.id, annex.id]));
    expect(await page.locator(`[data-building-id="${elsewhere.id}"]`).count()).toBe(0);

    const refused = await page.goto(`/buildings/${elsewhere.id}`);
    expect(refused?.status()).toBe(404);
    // Chromium logs the document's 404 itself: what the server meant, not a script's error.
    expect(problems.splice(0)).toEqual([documentRefused(404)]);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Introuvable');
    expect(await page.locator('main').innerText()).not.toContain('Bâtiment C');

    await page.goto('/rollout');
    await submitAndWait(page, () => page.locator(`[data-building-id="${tower.id}"]`).getByRole('link').click());
    expect(pathOf(page)).toBe(`/buildings/${tower.id}`);
    const units = await page.locator('[data-apartment-id] th').allInnerTexts();
    expect(units).toEqual(['001', '101', '102']);

    const description = 'Plus de signal dans la cage d’escalier depuis lundi';
    await page.getByLabel('Problème').selectOption('no_signal');
    await page.getByLabel('Logement concerné').selectOption({ label: 'Logement 101 (1e étage)' });
    await page.getByLabel('Description').fill(description);
    await submitAndWait(page, () => page.getByRole('button', { name: 'Signaler l’incident' }).click());
    expect(pathOf(page)).toBe(`/buildings/${tower.id}`);
    expect(await page.getByRole('status').first().innerText()).toContain('Incident enregistré');
    const listed = page.locator('[data-incident-id]', { hasText: description });
    await listed.waitFor();
    expect(await listed.innerText()).toContain('Logement 101');

    const incidents = await world.call('GET', `/api/incidents?buildingId=${tower.id}`, { token: own.manager.token });
    expect(incidents.status).toBe(200);
    expect(incidents.body.items).toEqual([expect.objectContaining({ category: 'no_signal', description, buildingId: tower.id })]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

/**
 * One page to check: how to reach it (a URL, or what a person does to get there), and the status
 * its document answers with when that is meant to be an error (a refused form's 422).
 */
type Visit = { name: string; open: (page: Page) => Promise<unknown>; documentStatus?: number };

const goTo = (path: string, name = path): Visit => ({
  name,
  open: async (page) => {
    const response = await page.goto(path);
    expect(response?.status(), `${name} answered ${response?.status()}`).toBeLessThan(400);
  },
});

/**
 * Visits each page twice, signed in as `account` (or signed out): once under the pages' own
 * Content-Security-Policy, for the errors their scripts raise or log, once with the CSP bypassed
 * so that axe-core can be injected. Answers one readable line per finding.
 */
async function findingsOn(account: Account | null, visits: Visit[], screenshot?: { visit: string; name: string }): Promise<string[]> {
  const contexts: BrowserContext[] = [await browser.newContext(), await browser.newContext({ bypassCSP: true })];
  try {
    const [strict, audited] = await Promise.all(contexts.map((context) => context.newPage()));
    const problems = pageProblems(strict!);
    const elsewhere = requestsElsewhere(strict!, browser.baseUrl);
    if (account) await Promise.all([signIn(strict!, account), signIn(audited!, account)]);
    problems.splice(0);
    const findings: string[] = [];
    for (const visit of visits) {
      // The two contexts share nothing: the same visit runs in both at once.
      const [logged, violations] = await Promise.all([
        (async () => {
          await visit.open(strict!);
          await strict!.waitForLoadState('load');
          // Deferred scripts run and their first fetches answer before the page counts as clean.
          await strict!.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => {});
          return [
            ...problems.splice(0).filter((problem) => !visit.documentStatus || problem !== documentRefused(visit.documentStatus)),
            ...elsewhere.splice(0),
          ];
        })(),
        (async () => {
          await visit.open(audited!);
          await audited!.waitForLoadState('load');
          if (screenshot?.visit === visit.name) await keepScreenshot(audited!, screenshot.name);
          return axeViolations(audited!);
        })(),
      ]);
      findings.push(...logged.map((problem) => `${visit.name}: ${problem}`), ...violations.map((violation) => `${visit.name}: ${violation.summary}`));
    }
    return findings;
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}

/** An address no page answers: the French 404 page, in the site's frame. */
const missingPage = (name: string): Visit => ({
  name,
  documentStatus: 404,
  open: async (page) => {
    const response = await page.goto('/nulle-part');
    expect(response?.status(), `${name} answered ${response?.status()}`).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('Page introuvable');
  },
});

/** The scan station with `code` typed and its card shown, as a keyboard-wedge scanner does. */
async function openCard(page: Page, code: string) {
  await page.goto('/scan');
  await page.locator('#scan-code').fill(code);
  await page.locator('#scan-code').press('Enter');
  await page.locator(`[data-testid=device-card][data-code="${code.replace('-', '')}"]`).waitFor({ timeout: 10_000 });
}

describe('accessibility and script errors of the main pages, with realistic content', { timeout: 60_000 }, () => {
  it('the sign-in page, a device’s public card and a page that does not exist, signed out', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    expect(await findingsOn(null, [goTo('/login'), goTo(`/d/${device.code}`, '/d/{code} signed out'), missingPage('/nulle-part signed out')])).toEqual([]);
  });

  it('the bench’s pages: the scan station with a card open, a passport with its history and certificate, stock, donations, a finished label batch', async () => {
    // A laptop wiped (its certificate issued by the worker) and on the bench for refurbishment.
    const laptop = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd], notes: 'Rayure sur le capot' });
    const wiped = await world.call('POST', `/api/devices/${laptop.code}/wipes`, {
      token: bench.operator.token,
      body: {
        records: [
          {
            mediumIndex: 0,
            level: 'purge',
            technique: 'crypto_erase',
            toolName: 'hdparm',
            verification: 'full',
            result: 'passed',
            startedAt: new Date(Date.now() - 60_000).toISOString(),
            endedAt: new Date().toISOString(),
          },
        ],
      },
    });
    expect(wiped.body, JSON.stringify(wiped.body)).toMatchObject({ wiped: true });
    const opened = await world.call('POST', `/api/devices/${laptop.code}/work-orders`, { token: bench.operator.token, body: { need: 'Collégien en 4e' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await eventually('the wipe certificate', async () => {
      const [certificate] = await browser.harness.database.db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, laptop.id));
      return Boolean(certificate?.fileId);
    });
    await readyDevice('tablet', 'B');
    await readyDevice('tablet', 'C');
    const donation = await world.donation(bench.operator.token, bench.site.id, {
      donor: { name: 'Crédit Agricole d’Aquitaine' },
      campaign: 'Renouvellement du parc 2026',
      expectedCount: 4,
    });
    for (let index = 0; index < 2; index++) await world.device(bench.operator.token, bench.site.id, { donationId: donation.id });
    const batch = await world.call('POST', '/api/label-batches', { token: bench.operator.token, body: { format: 'a4-3x7', donationId: donation.id } });
    expect(batch.status, JSON.stringify(batch.body)).toBe(202);
    await eventually(
      'the label sheet',
      async () => (await world.call('GET', `/api/jobs/${batch.body.jobId}`, { token: bench.operator.token })).body.state === 'succeeded',
    );

    const findings = await findingsOn(bench.operator, [
      { name: '/scan with a device card open', open: (page) => openCard(page, laptop.code) },
      goTo(`/d/${laptop.code}`, '/d/{code} signed in'),
      goTo('/stock'),
      goTo('/donations'),
      goTo(`/donations/${donation.id}`, '/donations/{id}'),
      goTo(`/jobs/${batch.body.jobId}`, '/jobs/{id} of a finished label batch'),
    ]);
    expect(findings).toEqual([]);
  });

  it('the mediator’s pages: families, the family form (and its refusal), requests, a reserved request, training sessions', async () => {
    await readyDevice('desktop', 'B');
    const request = await requestThroughApi('desktop');
    const reserved = await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: {} });
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(201);
    await requestThroughApi('laptop');

    const refusedSubmission: Visit = {
      name: '/households/new refused',
      documentStatus: 422,
      open: async (page) => {
        await page.goto('/households/new');
        await page.getByLabel('Référence de la famille').fill(`CSV-BAD-${suffix()}`);
        await page.getByLabel('Code INSEE de la commune').fill('4700');
        await page.getByLabel('Nombre de personnes du foyer').fill('3');
        const answer = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/households/new');
        await submitAndWait(page, () => page.getByRole('button', { name: 'Enregistrer la famille' }).click());
        expect((await answer).status()).toBe(422);
        await page.locator('.error-summary').waitFor();
        expect(await page.locator('#champ-communeCode-erreur').innerText()).toContain('Le code INSEE de la commune a 5 caractères');
        expect(await page.locator('#champ-consent-erreur').innerText()).toContain('La famille doit avoir accepté');
      },
    };
    const findings = await findingsOn(mediator, [
      goTo('/households'),
      goTo('/households/new'),
      refusedSubmission,
      goTo('/requests'),
      goTo('/requests/new'),
      goTo(`/requests/${request.id}`, '/requests/{id} reserved'),
      goTo('/sessions'),
      goTo('/stock', '/stock as a mediator'),
    ]);
    expect(findings).toEqual([]);
  });

  it('the landlord’s pages: the rollout of its buildings and a building with apartments and an open incident', async () => {
    const landlord = await world.landlord({ name: `Résidence Les Tilleuls ${suffix()}` });
    const building = await world.building(landlord.manager.token, landlord.residence.id, {
      name: 'Bâtiment A',
      floors: 3,
      apartments: [
        { unit: '001', floor: 0 },
        { unit: '101', floor: 1 },
        { unit: '201', floor: 2 },
      ],
    });
    await world.building(landlord.manager.token, landlord.residence.id, { name: 'Bâtiment B' });
    const incident = await world.call('POST', '/api/incidents', {
      token: landlord.manager.token,
      body: { buildingId: building.id, category: 'slow', description: 'Débit très faible le soir au 2e étage' },
    });
    expect(incident.status, JSON.stringify(incident.body)).toBe(201);
    const findings = await findingsOn(landlord.manager, [goTo('/rollout'), goTo(`/buildings/${building.id}`, '/buildings/{id}')], {
      visit: '/rollout',
      name: 'rollout-landlord',
    });
    expect(findings).toEqual([]);
  });

  it('the coordinator’s network page, the steering page (its filters refused too), the fund’s page, the reuse attestations and a page that does not exist', async () => {
    const wrongPeriod: Visit = {
      name: '/pilotage with a wrong period',
      documentStatus: 422,
      open: async (page) => {
        await page.goto('/pilotage');
        await page.getByLabel('Période', { exact: true }).fill('2026-13');
        await submitAndWait(page, () => page.getByRole('button', { name: 'Afficher' }).click());
        expect(await page.locator('#champ-period-erreur').innerText()).toContain('Indiquez une année');
      },
    };
    expect(
      await findingsOn(world.admin, [
        goTo('/admin'),
        goTo('/pilotage'),
        wrongPeriod,
        goTo('/pilotage/fonds'),
        goTo('/reemploi'),
        missingPage('/nulle-part signed in'),
      ]),
    ).toEqual([]);
  });
});

// bull-board's own interface is not ours to audit with axe; what Boucle promises of it is checked here.
describe('the queue dashboard, in Chromium', { timeout: 60_000 }, () => {
  it('loads nothing from another host, says it is in French, and gets its fonts from here', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = pageProblems(page);
    const elsewhere = requestsElsewhere(page, browser.baseUrl);
    const fonts: string[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/admin/queues/fonts/')) fonts.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    await signIn(page, world.admin, '/admin/queues');
    expect(pathOf(page)).toBe('/admin/queues');
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    const plexLoaded = await page.evaluate(async () => {
      const { document } = globalThis as unknown as { document: { fonts: { ready: Promise<unknown>; check: (font: string) => boolean } } };
      await document.fonts.ready;
      return document.fonts.check('16px "IBM Plex Sans"');
    });
    expect(plexLoaded).toBe(true);
    expect(fonts.filter((font) => /^200 .*\.woff2$/.test(font)).length, fonts.join(', ')).toBeGreaterThan(0);
    expect(fonts.filter((font) => !font.startsWith('200 '))).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

type Focused = { id: string; tag: string; text: string; outline: string; boxShadow: string; inForm: boolean };

describe('the family form with the keyboard alone', { timeout: 60_000 }, () => {
  it('reaches every field with Tab, shows where the focus is, and records the family on Enter', async () => {
    const reference = `CSV-CLAVIER-${suffix()}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, mediator, '/households/new');
    expect(pathOf(page)).toBe('/households/new');

    // What a person types in each field as the focus reaches it.
    const typed: Record<string, () => Promise<void>> = {
      'champ-reference': () => page.keyboard.type(reference),
      'champ-communeCode': () => page.keyboard.type('47001'),
      'champ-size': () => page.keyboard.type('2'),
      'champ-contactPhone': () => page.keyboard.type('06 98 76 54 32'),
      'champ-contactEmail': () => page.keyboard.type('famille@exemple.fr'),
      'champ-attestation-child_in_college': () => page.keyboard.press('Space'),
      'champ-consent': () => page.keyboard.press('Space'),
    };
    const visited: Focused[] = [];
    for (let presses = 0; presses < 60; presses++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        type El = { id: string; tagName: string; textContent: string | null; closest: (selector: string) => unknown };
        const { document, getComputedStyle } = globalThis as unknown as {
          document: { activeElement: El | null };
          getComputedStyle: (element: El) => { outlineStyle: string; outlineWidth: string; boxShadow: string };
        };
        const element = document.activeElement;
        if (!element) return null;
        const style = getComputedStyle(element);
        return {
          id: element.id,
          tag: element.tagName.toLowerCase(),
          text: (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40),
          outline: style.outlineStyle === 'none' || style.outlineWidth === '0px' ? 'none' : `${style.outlineStyle} ${style.outlineWidth}`,
          boxShadow: style.boxShadow,
          inForm: Boolean(element.closest('form[action="/households/new"]')),
        };
      });
      if (!focused || focused.tag === 'body') break;
      visited.push(focused);
      await typed[focused.id]?.();
      if (focused.inForm && focused.tag === 'button') break;
    }
    const fields = Object.keys(typed);
    const reached = visited.filter((item) => item.inForm).map((item) => item.id || item.text);
    expect(reached, 'the fields in the order Tab reaches them, then the submit button').toEqual([...fields, 'Enregistrer la famille']);
    const invisible = visited.filter((item) => item.outline === 'none' && item.boxShadow === 'none').map((item) => `${item.tag}#${item.id} « ${item.text} »`);
    expect(invisible, 'elements whose focus cannot be seen').toEqual([]);

    await submitAndWait(page, () => page.keyboard.press('Enter'));
    expect(pathOf(page), await page.locator('main').innerText()).toBe('/households');
    expect(await page.getByRole('status').first().innerText()).toContain(`Famille ${reference} enregistrée.`);
    const families = await world.call('GET', '/api/households', { token: mediator.token });
    const family = families.body.items.find((item: { reference: string }) => item.reference === reference);
    expect(family).toMatchObject({
      communeCode: '47001',
      size: 2,
      contactPhone: '06 98 76 54 32',
      contactEmail: 'famille@exemple.fr',
      attestations: [expect.objectContaining({ criterion: 'child_in_college' })],
    });
    expect(problems).toEqual([]);
    await context.close();
  });
});

/** How wide a page is for its screen, and the elements sticking out (to say where it is too wide). */
const overflowOf = (page: Page) =>
  page.evaluate(() => {
    type Box = { right: number };
    type El = { tagName: string; id: string; className: string; getBoundingClientRect: () => Box };
    const { document } = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelectorAll: (selector: string) => El[] };
    };
    const { scrollWidth, clientWidth } = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > clientWidth + 1)
      .slice(0, 5)
      .map(
        (element) =>
          `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className ? `.${String(element.className).split(' ').join('.')}` : ''} (right edge ${Math.round(element.getBoundingClientRect().right)} px)`,
      );
    return { scrollWidth, clientWidth, wide };
  });

describe('the scan station on a phone', { timeout: 60_000 }, () => {
  it('fits a 390 px wide screen without horizontal scrolling, empty and with a device card open', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page, bench.operator, '/scan');
    expect(pathOf(page)).toBe('/scan');
    const overflow = () => overflowOf(page);
    const empty = await overflow();
    expect(empty.scrollWidth, `the empty scan station is ${empty.scrollWidth} px wide for ${empty.clientWidth}: ${empty.wide.join(', ')}`).toBeLessThanOrEqual(
      empty.clientWidth,
    );
    await openCard(page, device.code);
    await page.locator('[data-testid=wipe-form]').waitFor();
    const withCard = await overflow();
    expect(
      withCard.scrollWidth,
      `with a card open, the scan station is ${withCard.scrollWidth} px wide for ${withCard.clientWidth}: ${withCard.wide.join(', ')}`,
    ).toBeLessThanOrEqual(withCard.clientWidth);
    await context.close();
  });
});

describe('the steering page on a phone and with the keyboard', { timeout: 60_000 }, () => {
  it('fits a 390 px wide screen with its charts, and its filters and downloads are reached with Tab', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page, world.admin, '/pilotage');
    expect(pathOf(page)).toBe('/pilotage');
    expect(await page.locator('svg.chart[role="img"]').count()).toBeGreaterThanOrEqual(2);
    const box = await page.locator('svg.chart').first().boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    const fits = await overflowOf(page);
    expect(fits.scrollWidth, `the steering page is ${fits.scrollWidth} px wide for ${fits.clientWidth}: ${fits.wide.join(', ')}`).toBeLessThanOrEqual(
      fits.clientWidth,
    );

    const focusedText = () =>
      page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent ?? '');
    await page.locator('#champ-period').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(String(new Date().getFullYear() - 1));
    await submitAndWait(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).searchParams.get('period')).toBe(String(new Date().getFullYear() - 1));
    const reached: string[] = [];
    for (let presses = 0; presses < 40 && !reached.some((text) => text.includes('Rapport du comité de pilotage')); presses++) {
      await page.keyboard.press('Tab');
      reached.push((await focusedText()).trim());
    }
    expect(
      reached.some((text) => text.includes('Rapport du comité de pilotage (PDF)')),
      reached.join(' | '),
    ).toBe(true);
    await context.close();
  });
});
