import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handovers } from '../src/allocation/allocation.schema.ts';
import { fundAllocations, fundContributions } from '../src/fund/fund.schema.ts';
import { countUncountedEvents } from '../src/indicators/rollups.service.ts';
import type { Harness } from './helpers/harness.ts';
import { allocationJourney, collegiensProgramme, qualify, trainingModule } from './helpers/journey.ts';
import { openPage, signInWithForm, submitForm, type Person } from './helpers/pages.ts';
import { pdfText } from './helpers/pdf.ts';
import { expectStatus } from './helpers/wifi.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let journey: ReturnType<typeof allocationJourney>;
let mediator: Account;
let caf: { id: string; viewer: Account };
let msa: { id: string };
let collegiens: { id: string };
let seniors: { id: string };
let moduleId: string;
let placeId: string;
/** The year of today's handovers, in Paris. */
const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Paris', year: 'numeric' }).format(new Date()));

const contribute = (token: string, body: Record<string, unknown>) => world.call('POST', '/api/fund/contributions', { token, body });
const report = (token: string, query = '') => world.call('GET', `/api/fund/report?year=${year}${query}`, { token });
const fieldsOf = (body: { errors: { path: string }[] }) => body.errors.map((error) => error.path);

const programme = (name: string, deviceKinds: string[]) =>
  collegiensProgramme(world, moduleId, {
    name,
    deviceKinds,
    territories: [
      { type: 'departement', code: '47' },
      { type: 'departement', code: '40' },
    ],
  });

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const { organisation, site, operator } = await world.workshop();
  expect(organisation.kind).toBe('workshop');
  await qualify(world, operator, 'refurbishment');
  const centre = await world.organisation('mediation');
  mediator = await world.account(centre.id, 'mediator');
  placeId = (await world.site(centre.id, { kind: 'mediation_place', name: 'Centre social', communeCode: '47323' })).id;
  journey = allocationJourney(world, { operator, siteId: site.id }, mediator);
  moduleId = (await trainingModule(world, 'Prendre en main son ordinateur')).id;
  collegiens = await programme('Collégiens connectés', ['laptop', 'tablet']);
  seniors = await programme('Seniors en tablette', ['tablet']);
  const cafOrganisation = await world.organisation('funder', 'CAF de Lot-et-Garonne');
  caf = { id: cafOrganisation.id, viewer: await world.account(cafOrganisation.id, 'funder_viewer') };
  msa = await world.organisation('funder', 'MSA Dordogne Lot-et-Garonne');

  expectStatus(
    await contribute(world.admin.token, {
      funderOrganisationId: caf.id,
      year,
      amountCents: 6_000_000,
      conventionReference: `CAF-${year}-01`,
      signedOn: `${year}-02-14`,
    }),
    201,
  );
  expectStatus(
    await contribute(world.admin.token, {
      funderOrganisationId: msa.id,
      year,
      amountCents: 4_000_000,
      conventionReference: `MSA-${year}`,
      signedOn: `${year}-03-01`,
    }),
    201,
  );
  expectStatus(
    await world.call('PUT', `/api/fund/allocations/${year}`, {
      token: world.admin.token,
      body: {
        shares: [
          { programmeId: collegiens.id, sharePercent: 75 },
          { programmeId: seniors.id, sharePercent: 20 },
        ],
      },
    }),
  );
  const family = { programmeId: collegiens.id, moduleId, placeId };
  await journey.handedOver({ ...family, solidarityPriceCents: 5_000 });
  await journey.handedOver(family);
  await journey.handedOver({ ...family, kind: 'tablet', communeCode: '40192', solidarityPriceCents: 10_000 });
});
afterAll(() => harness.close());

describe('the funders’ fund', () => {
  it('says what the fund paid for: each programme’s money, families equipped and trained by département, the cost per equipped family', async () => {
    const whole = expectStatus(await report(world.admin.token));
    expect(whole).toMatchObject({ year, funderId: null, fundCents: 10_000_000, unallocatedCents: 500_000, funderCents: 10_000_000, funderSharePercent: 100 });
    expect(whole.contributions.map((contribution: { funderName: string }) => contribution.funderName)).toEqual([
      'CAF de Lot-et-Garonne',
      'MSA Dordogne Lot-et-Garonne',
    ]);
    const [first, second] = whole.programmes;
    expect(first).toMatchObject({
      programmeName: 'Collégiens connectés',
      sharePercent: 75,
      fundedCents: 7_500_000,
      familiesEquipped: 3,
      familiesTrained: 3,
      devicesByKind: { laptop: 2, tablet: 1 },
      solidarityPricesCents: 15_000,
      costPerEquippedFamilyCents: 2_500_000,
      byDepartement: [
        { code: '40', name: 'Landes', familiesEquipped: 1, familiesTrained: 1 },
        { code: '47', name: 'Lot-et-Garonne', familiesEquipped: 2, familiesTrained: 2 },
      ],
    });
    expect(second).toMatchObject({ programmeName: 'Seniors en tablette', fundedCents: 2_000_000, familiesEquipped: 0, costPerEquippedFamilyCents: null });
    expect(whole.solidarityPriceCaps.capsCents).toMatchObject({ laptop: 18_000, desktop: 15_000, tablet: 10_000, smartphone: 10_000, screen: 3_000 });
  });

  it('gives a funder its own part, its own conventions, and never another funder’s report or a family', async () => {
    const own = expectStatus(await report(caf.viewer.token));
    expect(own).toMatchObject({ funderId: caf.id, fundCents: 10_000_000, funderCents: 6_000_000, funderSharePercent: 60 });
    expect(own.contributions).toEqual([expect.objectContaining({ funderOrganisationId: caf.id, amountCents: 6_000_000 })]);
    expect(own.programmes[0].funderPart).toEqual({ paidCents: 4_500_000, familiesEquipped: 1.8, familiesTrained: 1.8 });
    expect(JSON.stringify(own)).not.toMatch(/F-[a-z0-9]{6}|Durand/);
    expect((await report(caf.viewer.token, `&funderId=${msa.id}`)).status).toBe(403);
    const asCoordinator = expectStatus(await report(world.admin.token, `&funderId=${msa.id}`));
    expect(asCoordinator.programmes[0].funderPart.paidCents).toBe(3_000_000);

    const families = await world.call('GET', '/api/households', { token: caf.viewer.token });
    expect([200, 403]).toContain(families.status);
    expect(families.body.items ?? []).toEqual([]);
    const requests = await world.call('GET', '/api/requests', { token: caf.viewer.token });
    expect([200, 403]).toContain(requests.status);
    expect(requests.body.items ?? []).toEqual([]);
    expect((await report(mediator.token)).status).toBe(403);
  });

  it('shows a funder the indicators of the programmes the fund financed, never one organisation’s', async () => {
    await countUncountedEvents(harness.database.db, { deviceEventsOlderThanMinutes: 0 });
    const indicators = (account: Account, query = '') => world.call('GET', `/api/indicators?period=${year}${query}`, { token: account.token });
    const financed = expectStatus(await indicators(caf.viewer));
    expect(financed.organisationId).toBeNull();
    expect([financed.figures.devicesHandedOver.total, financed.figures.familiesTrained, financed.figures.devicesCollected]).toEqual([3, 3, 0]);
    expect((await indicators(caf.viewer, `&organisationId=${mediator.organisationId}`)).status).toBe(403);
    const newcomer = await world.account((await world.organisation('funder')).id, 'funder_viewer');
    expect(expectStatus(await indicators(newcomer)).figures.devicesHandedOver.total).toBe(0);
  });

  it('puts the fund in the steering committee’s report: every programme for the coordinator, its own part for a funder', async () => {
    const reportPdf = async (account: Account) => {
      const response = await world.app.request(`/api/indicators/report.pdf?period=${year}`, { headers: { authorization: `Bearer ${account.token}` } });
      expect(response.status).toBe(200);
      return pdfText(new Uint8Array(await response.arrayBuffer())).replace(/\s+/g, ' ');
    };
    const whole = await reportPdf(world.admin);
    expect(whole).toContain(`Fonds départemental d’inclusion numérique ${year}`);
    expect(whole).toMatch(/Collégiens connectés 75 % 75\s000,00\s€ 3 3 25\s000,00\s€/);
    const own = await reportPdf(caf.viewer);
    expect(own).toContain('Votre part : 60 % du fonds.');
    expect(own).toMatch(/Collégiens connectés 75 % 45\s000,00\s€ 1,8 1,8 25\s000,00\s€/);
    expect(own).not.toContain('MSA Dordogne');
  });

  it('refuses a contribution from anyone but the coordinator, to a non-funder, or with a bad amount, and records nothing', async () => {
    const before = await harness.database.db.select().from(fundContributions);
    const body = { funderOrganisationId: caf.id, year, amountCents: 100_000, conventionReference: 'CAF-REFUSED', signedOn: `${year}-05-01` };
    expect((await contribute(caf.viewer.token, body)).status).toBe(403);
    const notFunder = await contribute(world.admin.token, { ...body, funderOrganisationId: mediator.organisationId });
    expect(notFunder.status).toBe(422);
    expect(fieldsOf(notFunder.body)).toEqual(['funderOrganisationId']);
    const badAmount = await contribute(world.admin.token, { ...body, amountCents: -5, signedOn: '31/05/2026' });
    expect(badAmount.status).toBe(422);
    expect(fieldsOf(badAmount.body).sort()).toEqual(['amountCents', 'signedOn']);
    expect(await harness.database.db.select().from(fundContributions)).toEqual(before);
  });

  it('records a convention once when it is sent twice at the same moment', async () => {
    const body = { funderOrganisationId: msa.id, year, amountCents: 250_000, conventionReference: `MSA-${year}-AVENANT`, signedOn: `${year}-09-01` };
    const answers = await Promise.all([contribute(world.admin.token, body), contribute(world.admin.token, body)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 422]);
    const rows = await harness.database.db.select().from(fundContributions).where(eq(fundContributions.conventionReference, body.conventionReference));
    expect(rows).toHaveLength(1);
    await harness.database.db.delete(fundContributions).where(eq(fundContributions.conventionReference, body.conventionReference));
  });

  it('refuses shares above 100 % or of an unknown programme, and keeps one decision whole when two are recorded at once', async () => {
    const put = (shares: unknown[]) => world.call('PUT', `/api/fund/allocations/${year + 1}`, { token: world.admin.token, body: { shares } });
    const tooMuch = await put([
      { programmeId: collegiens.id, sharePercent: 80 },
      { programmeId: seniors.id, sharePercent: 30 },
    ]);
    expect(tooMuch.status).toBe(422);
    expect(fieldsOf(tooMuch.body)).toEqual(['shares']);
    const unknown = await put([{ programmeId: '00000000-0000-4000-8000-000000000000', sharePercent: 10 }]);
    expect(unknown.status).toBe(422);
    expect(fieldsOf(unknown.body)).toEqual(['shares.0.programmeId']);
    expect(
      await harness.database.db
        .select()
        .from(fundAllocations)
        .where(eq(fundAllocations.year, year + 1)),
    ).toEqual([]);

    const one = [{ programmeId: collegiens.id, sharePercent: 60 }];
    const other = [
      { programmeId: collegiens.id, sharePercent: 50 },
      { programmeId: seniors.id, sharePercent: 50 },
    ];
    const answers = await Promise.all([put(one), put(other), put(one), put(other)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const kept = await harness.database.db
      .select({ programmeId: fundAllocations.programmeId, sharePercent: fundAllocations.sharePercent })
      .from(fundAllocations)
      .where(eq(fundAllocations.year, year + 1));
    const sorted = (shares: { programmeId: string; sharePercent: number }[]) => [...shares].sort((a, b) => a.programmeId.localeCompare(b.programmeId));
    expect([sorted(one), sorted(other)]).toContainEqual(sorted(kept));
  });
});

describe('the solidarity price at handover', () => {
  it('refuses a price above the legal cap of the device’s kind, and hands nothing over', async () => {
    const ready = await journey.readyForHandover({ programmeId: collegiens.id, moduleId, placeId });
    const handover = (solidarityPriceCents: number) =>
      world.call('POST', `/api/requests/${ready.requestId}/handover`, {
        token: mediator.token,
        body: { deviceCode: ready.device.code, receivedBy: 'M. Martin', termsAccepted: true, solidarityPriceCents },
        headers: { 'accept-language': 'fr' },
      });
    const refused = await handover(18_001);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'solidarityPriceCents', message: expect.stringMatching(/^Au plus 180,00\u00a0€ pour ce type d’équipement/) }]);
    expect(await harness.database.db.select().from(handovers).where(eq(handovers.requestId, ready.requestId))).toEqual([]);
    const request = expectStatus(await world.call('GET', `/api/requests/${ready.requestId}`, { token: mediator.token }));
    expect(request.status).toBe('training_completed');
    expect((await handover(-1)).status).toBe(422);

    expectStatus(await handover(18_000), 201);
    const [row] = await harness.database.db.select().from(handovers).where(eq(handovers.requestId, ready.requestId));
    expect(row!.solidarityPriceCents).toBe(18_000);
  });
});

describe('the fund’s page', () => {
  let admin: Person;
  let funder: Person;
  beforeAll(async () => {
    admin = await signInWithForm(harness.app, world.admin);
    funder = await signInWithForm(harness.app, caf.viewer);
  });
  const rowOf = (html: string, name: string) => html.match(new RegExp(`<tr><th scope="row">${name}</th>(.*?)</tr>`))?.[1];

  it('shows the coordinator every convention and what each programme paid for, with the forms', async () => {
    const page = await openPage(harness.app, `/pilotage/fonds?annee=${year}`, admin);
    expect(page.status).toBe(200);
    expect(page.html).toContain('MSA Dordogne Lot-et-Garonne');
    // The handovers so far: the three of the set-up and the one at the capped price.
    expect(rowOf(page.html, 'Collégiens connectés')).toContain('<td>75 %</td><td>75\u00a0000,00\u00a0€</td><td>4</td><td>4</td>');
    expect(page.html).toContain('action="/pilotage/fonds/conventions"');
    expect(page.html).toContain(`action="/pilotage/fonds/parts?annee=${year}"`);
  });

  it('lands a funder on its own part, without the forms or another funder’s convention', async () => {
    const home = await openPage(harness.app, '/', funder);
    expect(home.location).toBe('/pilotage');
    const page = await openPage(harness.app, `/pilotage/fonds?annee=${year}&financeur=${msa.id}`, funder);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Votre contribution : 60\u00a0000,00\u00a0€, soit 60 % du fonds.');
    expect(page.html).not.toContain('MSA Dordogne');
    expect(page.html).not.toContain('action="/pilotage/fonds/conventions"');
    expect((await openPage(harness.app, '/households', funder)).status).toBe(403);
    expect((await submitForm(harness.app, funder, '/pilotage/fonds/conventions', { amount: '10' }, { from: '/pilotage/fonds' })).status).toBe(403);
  });

  it('records a convention typed in euros, and answers each bad field in French', async () => {
    const refused = await submitForm(
      harness.app,
      admin,
      '/pilotage/fonds/conventions',
      { funderOrganisationId: caf.id, contributionYear: String(year), amount: 'beaucoup', conventionReference: '', signedOn: '' },
      { from: '/pilotage/fonds' },
    );
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('id="champ-amount-erreur">Un montant en euros, par exemple 15 000.');
    expect(refused.html).toContain('id="champ-conventionReference-erreur">À renseigner.');
    const reference = `CAF-${year}-PAGE`;
    const recorded = await submitForm(
      harness.app,
      admin,
      '/pilotage/fonds/conventions',
      { funderOrganisationId: caf.id, contributionYear: String(year), amount: '1 500,50', conventionReference: reference, signedOn: `${year}-10-01` },
      { from: '/pilotage/fonds' },
    );
    expect(recorded.status, recorded.html).toBe(303);
    const [row] = await harness.database.db.select().from(fundContributions).where(eq(fundContributions.conventionReference, reference));
    expect(row).toMatchObject({ funderOrganisationId: caf.id, amountCents: 150_050 });
    const again = await submitForm(
      harness.app,
      admin,
      '/pilotage/fonds/conventions',
      { funderOrganisationId: caf.id, contributionYear: String(year), amount: '10', conventionReference: reference, signedOn: `${year}-10-01` },
      { from: '/pilotage/fonds' },
    );
    expect(again.status).toBe(422);
    expect(again.html).toContain(`id="champ-conventionReference-erreur">La convention ${reference} de ce financeur pour ${year} est déjà enregistrée.`);
    await harness.database.db.delete(fundContributions).where(eq(fundContributions.conventionReference, reference));
  });

  it('refuses shares above 100 % on the page, and keeps the decision as it was', async () => {
    const refused = await submitForm(
      harness.app,
      admin,
      `/pilotage/fonds/parts?annee=${year}`,
      { [`share-${collegiens.id}`]: '90', [`share-${seniors.id}`]: '20' },
      { from: '/pilotage/fonds' },
    );
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('Les parts font 110 % : au plus 100 % du fonds.');
    const shares = await harness.database.db.select().from(fundAllocations).where(eq(fundAllocations.year, year));
    expect(shares.map((share) => share.sharePercent).sort()).toEqual([20, 75]);
  });
});
