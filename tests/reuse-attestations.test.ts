import { createPublicKey, verify } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retiredDeviceStocks, reuseAttestations } from '../src/reuse/reuse.schema.ts';
import { wipeCertificates } from '../src/wiping/wiping.schema.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { openPage, signInWithForm, submitForm } from './helpers/pages.ts';
import { openPdf } from './helpers/pdf.ts';
import { allocationJourney, collegiensProgramme, dateEvents, noon, qualify, trainingModule } from './helpers/journey.ts';
import { expectStatus } from './helpers/wifi.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

// A town hall's yearly reuse attestation (loi REEN, décret 2023-266): its devices of 2025, what
// became of each by 31 December, which count, signed, verified, and refused to anyone else.

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let mediator: Account;
let journey: ReturnType<typeof allocationJourney>;
let townHall: { id: string; name: string };
let townHallViewer: Account;
const devices: Record<string, { id: string; code: string }> = {};

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const transition = async (code: string, body: Record<string, unknown>) =>
  expectStatus(await world.call('POST', `/api/devices/${code}/transitions`, { token: bench.operator.token, body }));

const attestation = (account: Account, organisationId = townHall.id, year = '2025') =>
  world.call('GET', `/api/organisations/${organisationId}/reuse-attestations/${year}`, { token: account.token });

/**
 * The Mairie (SIREN 214700015) gave two lots to the bench: one under a convention dated
 * 2024-12-15, one without. Dated as they happened:
 *   reused    collected 2025-01-06, handed over to a family 2025-05-16
 *   recycled  a desktop collected 2025-02-03, recycled through ecosystem 2025-02-10
 *   parts     collected 2025-03-01, dismantled 2025-03-20
 *   wiped     a laptop with an SSD collected 2025-07-01, wiped 2025-07-02 (its certificate), still at the bench
 *   late      collected 2025-11-03, handed over 2026-01-15: still at the bench on 31 December 2025
 *   lastYear  collected 2024-12-20, dismantled 2024-12-22: not a device of 2025
 *   uncommitted  (the lot without a convention) collected 2025-04-01, handed over 2025-06-10
 */
beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  bench = await world.workshop();
  for (const kind of ['data_wiping', 'refurbishment'] as const) await qualify(world, bench.operator, kind);
  const centre = await world.organisation('mediation');
  mediator = await world.account(centre.id, 'mediator');
  journey = allocationJourney(world, { operator: bench.operator, siteId: bench.site.id }, mediator);
  const place = await world.site(centre.id, { kind: 'mediation_place', name: 'Centre social', communeCode: '47323' });
  const module = await trainingModule(world, 'Son ordinateur');
  const programme = await collegiensProgramme(world, module.id);
  townHall = expectStatus(
    await world.call('POST', '/api/organisations', {
      token: world.admin.token,
      body: { name: 'Mairie d’Agen', shortName: 'Agen', kind: 'donor', siren: '214700015', publicBody: true },
    }),
    201,
  );
  townHallViewer = await world.account(townHall.id, 'donor_viewer');
  const committed = await world.donation(bench.operator.token, bench.site.id, {
    donor: undefined,
    donorOrganisationId: townHall.id,
    reuseCommitmentReference: 'Convention 2024-REEN-07',
    reuseCommitmentDate: '2024-12-15',
  });
  const uncommitted = await world.donation(bench.operator.token, bench.site.id, { donor: undefined, donorOrganisationId: townHall.id });
  const token = bench.operator.token;

  devices.reused = (await journey.handedOver({ programmeId: programme.id, moduleId: module.id, placeId: place.id, donationId: committed.id })).device;
  await dateEvents(harness.database.db, devices.reused.id, ['2025-01-06', '2025-01-10', '2025-01-20', '2025-05-02', '2025-05-16']);
  devices.recycled = await world.device(token, bench.site.id, { donationId: committed.id, kind: 'desktop', storageMedia: [] });
  await transition(devices.recycled.code, { to: 'recycled', payload: { deeeChannel: 'ecosystem' } });
  await dateEvents(harness.database.db, devices.recycled.id, ['2025-02-03', '2025-02-10']);
  devices.parts = await world.device(token, bench.site.id, { donationId: committed.id, storageMedia: [] });
  await transition(devices.parts.code, { to: 'dismantled' });
  await dateEvents(harness.database.db, devices.parts.id, ['2025-03-01', '2025-03-20']);
  devices.wiped = await world.device(token, bench.site.id, { donationId: committed.id, storageMedia: [{ type: 'ssd', capacityGb: 256 }] });
  const now = new Date().toISOString();
  expectStatus(
    await world.call('POST', `/api/devices/${devices.wiped.code}/wipes`, {
      token,
      body: {
        records: [
          {
            mediumIndex: 0,
            level: 'purge',
            technique: 'crypto_erase',
            toolName: 'hdparm',
            toolVersion: '9.65',
            verification: 'full',
            result: 'passed',
            startedAt: now,
            endedAt: now,
          },
        ],
      },
    }),
    201,
  );
  await dateEvents(harness.database.db, devices.wiped.id, ['2025-07-01', '2025-07-02']);
  devices.late = (await journey.handedOver({ programmeId: programme.id, moduleId: module.id, placeId: place.id, donationId: committed.id })).device;
  await dateEvents(harness.database.db, devices.late.id, ['2025-11-03', '2025-11-05', '2025-11-20', '2026-01-05', '2026-01-15']);
  devices.lastYear = await world.device(token, bench.site.id, { donationId: committed.id, storageMedia: [] });
  await transition(devices.lastYear.code, { to: 'dismantled' });
  await dateEvents(harness.database.db, devices.lastYear.id, ['2024-12-20', '2024-12-22']);
  devices.uncommitted = (await journey.handedOver({ programmeId: programme.id, moduleId: module.id, placeId: place.id, donationId: uncommitted.id })).device;
  await dateEvents(harness.database.db, devices.uncommitted.id, ['2025-04-01', '2025-04-03', '2025-04-10', '2025-06-01', '2025-06-10']);
  await eventually(
    'the wipe certificate is issued',
    async () => (await harness.database.db.$count(wipeCertificates, eq(wipeCertificates.deviceId, devices.wiped!.id))) === 1,
  );
});
afterAll(async () => harness?.close());

describe('the attestation of a year', () => {
  it('lists each device given in the year with its outcome on 31 December, and counts only those reused under a prior commitment', async () => {
    const { statement } = expectStatus(await attestation(townHallViewer));
    expect(statement).toMatchObject({ document: 'reuse_attestation', donor: { name: 'Mairie d’Agen', siren: '214700015' }, year: 2025, yearComplete: true });
    expect(statement.asOf).toBe('2025-12-31T23:00:00.000Z');
    const [certificate] = await harness.database.db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, devices.wiped!.id));
    const line = (name: string) => statement.devices.find((device: { code: string }) => device.code === devices[name]!.code);
    expect(statement.devices.map((device: { code: string }) => device.code).sort()).toEqual(
      ['reused', 'recycled', 'parts', 'wiped', 'late', 'uncommitted'].map((name) => devices[name]!.code).sort(),
    );
    expect(line('reused')).toMatchObject({
      outcome: 'reused_by_household',
      counted: true,
      notCountedBecause: null,
      collectedOn: '2025-01-06',
      commitment: { reference: 'Convention 2024-REEN-07', date: '2024-12-15' },
    });
    expect(line('recycled')).toMatchObject({
      kind: 'desktop',
      outcome: 'recycled',
      weeeChannel: { channel: 'ecosystem', name: null },
      counted: false,
      notCountedBecause: 'not_reused',
    });
    expect(line('parts')).toMatchObject({ outcome: 'dismantled', counted: false, notCountedBecause: 'not_reused' });
    expect(line('wiped')).toMatchObject({
      outcome: 'in_workshop',
      wipeCertificateId: certificate!.id,
      counted: false,
      notCountedBecause: 'reuse_not_proven_yet',
    });
    // Handed over on 15 January 2026: on 31 December it was still at the bench.
    expect(line('late')).toMatchObject({ outcome: 'in_workshop', counted: false, notCountedBecause: 'reuse_not_proven_yet' });
    expect(line('uncommitted')).toMatchObject({ outcome: 'reused_by_household', commitment: null, counted: false, notCountedBecause: 'no_prior_commitment' });
    expect(statement.totals).toEqual({ given: 6, counted: 1, byOutcome: { reused_by_household: 2, recycled: 1, dismantled: 1, in_workshop: 2 } });
    expect(statement.retiredStockOnJanuaryFirst).toBeNull();
    expect(statement.reuseRate).toBeNull();
  });

  it('is signed: the published key verifies the bytes, asking again gives the same attestation, and the public page says it is valid', async () => {
    const first = expectStatus(await attestation(townHallViewer));
    const again = expectStatus(await attestation(world.admin));
    expect(again.attestationId).toBe(first.attestationId);
    expect(await harness.database.db.$count(reuseAttestations, eq(reuseAttestations.organisationId, townHall.id))).toBe(1);
    const key = expectStatus(await world.call('GET', '/api/keys/reuse-attestations'));
    expect(verify(null, Buffer.from(first.signedStatement), createPublicKey(key.pem), Buffer.from(first.signature, 'base64url'))).toBe(true);
    const wipeKey = expectStatus(await world.call('GET', '/api/keys/certificates'));
    expect(wipeKey.pem).not.toBe(key.pem);
    expect(first.verifyUrl).toBe(`http://boucle.test/verify/reuse/${first.attestationId}`);
    const page = await harness.app.request(`/verify/reuse/${first.attestationId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Attestation de réemploi valide');
    expect(html).toMatch(/data-testid="counts">6 \/ 1</);
    const forAuditors = await harness.app.request(`/verify/reuse/${first.attestationId}`, { headers: { accept: 'application/json' } });
    expect(await forAuditors.json()).toMatchObject({ status: 'valid', signature: first.signature, signedStatement: first.signedStatement });
  });

  it('prints a French PDF with every device, the counts and the address that verifies it', async () => {
    const response = await harness.app.request(`/api/organisations/${townHall.id}/reuse-attestations/2025.pdf`, {
      headers: { authorization: `Bearer ${townHallViewer.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const document = openPdf(new Uint8Array(await response.arrayBuffer()));
    // Cells wrap within their column: read the words, whatever the line ends.
    const text = document.loadPage(0).toStructuredText('preserve-whitespace').asText().replace(/\s+/g, ' ');
    expect(text).toContain('Attestation de réemploi des matériels informatiques réformés — 2025');
    expect(text).toContain('SIREN 214700015');
    expect(text).toContain('Situation au 31 décembre 2025');
    expect(text).toContain('comptés comme réemployés (A) : 1');
    for (const name of ['reused', 'recycled', 'parts', 'wiped', 'late', 'uncommitted']) expect(text).toContain(devices[name]!.code);
    expect(text).toContain('Non compté : pas d’engagement préalable');
    expect(text).toContain('Recyclé : ecosystem');
    const { attestationId } = expectStatus(await attestation(townHallViewer));
    expect(text).toContain(`http://boucle.test/verify/reuse/${attestationId}`);
  });

  it('reads as not valid once the records it signed change, and the next ask signs the new statement', async () => {
    const signed = expectStatus(await attestation(townHallViewer));
    expect((await harness.app.request(`/verify/reuse/${signed.attestationId}`)).status).toBe(200);
    // The late laptop's handover corrected to 20 December 2025: its outcome on 31 December changes.
    await harness.database.db.execute(
      sql`update device_events set occurred_at = ${noon('2025-12-20')} where device_id = ${devices.late!.id} and to_status = 'allocated'`,
    );
    const page = await harness.app.request(`/verify/reuse/${signed.attestationId}`);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('Attestation de réemploi NON valide');
    const renewed = expectStatus(await attestation(townHallViewer));
    expect(renewed.attestationId).not.toBe(signed.attestationId);
    expect(renewed.statement.totals.counted).toBe(2);
    expect((await harness.app.request(`/verify/reuse/${renewed.attestationId}`)).status).toBe(200);
    await harness.database.db.execute(
      sql`update device_events set occurred_at = ${noon('2026-01-15')} where device_id = ${devices.late!.id} and to_status = 'allocated'`,
    );
  });
});

describe('the retired stock and the rate', () => {
  it('gives the rate A / B beside the décret’s target for the year, with its source', async () => {
    expectStatus(await world.call('PUT', `/api/organisations/${townHall.id}/retired-stock/2025`, { token: townHallViewer.token, body: { devices: 4 } }));
    const { statement } = expectStatus(await attestation(townHallViewer));
    expect(statement).toMatchObject({ retiredStockOnJanuaryFirst: 4, reuseRate: 0.25, target: { share: 0.5 } });
    expect(statement.target.source).toContain('Décret n° 2023-266 du 12 avril 2023');
    const target2024 = expectStatus(await attestation(townHallViewer, townHall.id, '2024')).statement.target;
    expect(target2024.share).toBe(0.35);
    // Declared again, it replaces.
    expectStatus(await world.call('PUT', `/api/organisations/${townHall.id}/retired-stock/2025`, { token: world.admin.token, body: { devices: 3 } }));
    expect(expectStatus(await attestation(townHallViewer)).statement.reuseRate).toBe(0.3333);
  });

  it('refuses a stock that is not a whole number, or a year not begun, naming the field, and keeps what was declared', async () => {
    const negative = await world.call('PUT', `/api/organisations/${townHall.id}/retired-stock/2025`, {
      token: townHallViewer.token,
      body: { devices: -2 },
      headers: { 'accept-language': 'fr' },
    });
    expect(negative.status).toBe(422);
    expect(negative.body.errors).toEqual([{ path: 'devices', message: 'Un nombre entier d’équipements, 0 ou plus, par exemple 120.' }]);
    const future = await world.call('PUT', `/api/organisations/${townHall.id}/retired-stock/2099`, { token: townHallViewer.token, body: { devices: 2 } });
    expect(future.status).toBe(422);
    expect(future.body.errors[0].path).toBe('year');
    const [stock] = await harness.database.db.select().from(retiredDeviceStocks).where(eq(retiredDeviceStocks.organisationId, townHall.id));
    expect(stock!.devices).toBe(3);
  });
});

describe('who may read it', () => {
  it('answers 404 to another donor and to a workshop, and 409 for a donor that is not a public body', async () => {
    const otherDonor = await world.organisation('donor');
    const otherViewer = await world.account(otherDonor.id, 'donor_viewer');
    expect((await attestation(otherViewer)).status).toBe(404);
    expect((await attestation(bench.operator)).status).toBe(404);
    const put = await world.call('PUT', `/api/organisations/${townHall.id}/retired-stock/2025`, { token: otherViewer.token, body: { devices: 99 } });
    expect(put.status).toBe(404);
    const [stock] = await harness.database.db.select().from(retiredDeviceStocks).where(eq(retiredDeviceStocks.organisationId, townHall.id));
    expect(stock!.devices).toBe(3);
    const company = await attestation(otherViewer, otherDonor.id);
    expect(company.status).toBe(409);
    expect(company.body.code).toBe('not_a_public_donor');
  });
});

describe('what is recorded for it', () => {
  it('refuses a SIREN that fails its check, and a public body without one, naming the field in both languages', async () => {
    const badCheck = await world.call('POST', '/api/organisations', {
      token: world.admin.token,
      body: { name: 'Mairie mal saisie', shortName: 'Mairie', kind: 'donor', siren: '214700016', publicBody: true },
    });
    expect(badCheck.status).toBe(422);
    expect(badCheck.headers.get('content-type')).toContain('application/problem+json');
    expect(badCheck.body.errors).toEqual([{ path: 'siren', message: expect.stringContaining('9 digits and passes its check') }]);
    const french = await world.call('POST', '/api/organisations', {
      token: world.admin.token,
      body: { name: 'Mairie sans SIREN', shortName: 'Mairie', kind: 'donor', publicBody: true },
      headers: { 'accept-language': 'fr' },
    });
    expect(french.status).toBe(422);
    expect(french.body.errors).toEqual([{ path: 'siren', message: 'Une personne publique est identifiée par son numéro SIREN : indiquez-le.' }]);
  });

  it('refuses a reuse commitment dated after the collection, or without its date, naming the field', async () => {
    const later = await world.call('POST', '/api/donations', {
      token: bench.operator.token,
      body: { collectionSiteId: bench.site.id, donorOrganisationId: townHall.id, reuseCommitmentReference: 'Convention 12', reuseCommitmentDate: day(3) },
    });
    expect(later.status).toBe(422);
    expect(later.body.errors).toEqual([{ path: 'reuseCommitmentDate', message: expect.stringContaining('no later than the collection') }]);
    const undated = await world.call('POST', '/api/donations', {
      token: bench.operator.token,
      body: { collectionSiteId: bench.site.id, donorOrganisationId: townHall.id, reuseCommitmentReference: 'Convention 12' },
    });
    expect(undated.status).toBe(422);
    expect(undated.body.errors.map((error: { path: string }) => error.path)).toEqual(['reuseCommitmentDate']);
  });
});

describe('the donor’s page', () => {
  it('shows the year’s devices, the rate beside the target and the signed PDF to download', async () => {
    const donor = await signInWithForm(harness.app, townHallViewer);
    const home = await openPage(harness.app, '/', donor);
    expect(home.location).toBe('/reemploi');
    const page = await openPage(harness.app, '/reemploi?annee=2025', donor);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Mairie d’Agen — 2025');
    expect(page.html).toMatch(/data-testid="given">6</);
    expect(page.html).toMatch(/data-testid="counted">1</);
    expect(page.html).toMatch(/data-testid="stock">3</);
    expect(page.html).toMatch(/data-testid="rate">33,3\s%</);
    expect(page.html).toMatch(/data-testid="target">50\s%/);
    expect(page.html).toContain(`href="/api/organisations/${townHall.id}/reuse-attestations/2025.pdf"`);
    expect(page.html).toMatch(new RegExp(`data-code="${devices.uncommitted!.code}"[\\s\\S]*?Non compté : pas d’engagement préalable`));
    const pdf = await harness.app.request(`/api/organisations/${townHall.id}/reuse-attestations/2025.pdf`, { headers: { cookie: donor.cookie } });
    expect(pdf.status).toBe(200);
  });

  it('records the retired stock from its form, and shows a refused one next to the field in French', async () => {
    const donor = await signInWithForm(harness.app, townHallViewer);
    const from = '/reemploi?annee=2025';
    const refused = await submitForm(harness.app, donor, `/reemploi/stock?annee=2025&structure=${townHall.id}`, { devices: 'douze' }, { from });
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="champ-devices-erreur">Un nombre entier d’équipements, 0 ou plus/);
    const saved = await submitForm(harness.app, donor, `/reemploi/stock?annee=2025&structure=${townHall.id}`, { devices: '2' }, { from });
    expect(saved.status).toBe(303);
    expect((await openPage(harness.app, saved.location!, donor)).html).toMatch(/data-testid="rate">50\s%</);
    const withoutToken = await submitForm(harness.app, donor, `/reemploi/stock?annee=2025&structure=${townHall.id}`, { devices: '9' }, { csrf: null });
    expect(withoutToken.status).toBe(403);
    expect(expectStatus(await attestation(townHallViewer)).statement.retiredStockOnJanuaryFirst).toBe(2);
  });

  it('is refused to a workshop operator, and opens another public donor’s page to nobody but the coordinator', async () => {
    const operator = await signInWithForm(harness.app, bench.operator);
    expect((await openPage(harness.app, '/reemploi', operator)).status).toBe(403);
    const otherDonor = await world.organisation('donor');
    const otherViewer = await signInWithForm(harness.app, await world.account(otherDonor.id, 'donor_viewer'));
    const page = await openPage(harness.app, `/reemploi?annee=2025&structure=${townHall.id}`, otherViewer);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('Mairie d’Agen');
    expect(page.html).toContain('Aucune personne publique donatrice ne vous est accessible');
    const coordinator = await signInWithForm(harness.app, world.admin);
    expect((await openPage(harness.app, `/reemploi?annee=2025&structure=${townHall.id}`, coordinator)).html).toContain('Mairie d’Agen — 2025');
  });

  it('records a donation’s reuse commitment from the bench’s form, and refuses one dated after the collection next to its field', async () => {
    const operator = await signInWithForm(harness.app, bench.operator);
    const fields = { collectionSiteId: bench.site.id, donorOrganisationId: townHall.id, reuseCommitmentReference: 'Convention 2026-03' };
    const later = await submitForm(harness.app, operator, '/donations', { ...fields, reuseCommitmentDate: day(2) }, { from: '/donations' });
    expect(later.status).toBe(422);
    expect(later.html).toMatch(/id="champ-reuseCommitmentDate-erreur">L’engagement de réemploi doit dater au plus tard du jour de la collecte/);
    const undated = await submitForm(harness.app, operator, '/donations', fields, { from: '/donations' });
    expect(undated.html).toMatch(/id="champ-reuseCommitmentDate-erreur">Un engagement de réemploi a une référence et une date/);
    const recorded = await submitForm(harness.app, operator, '/donations', { ...fields, reuseCommitmentDate: '2026-01-05' }, { from: '/donations' });
    expect(recorded.status, recorded.html).toBe(303);
    expect((await openPage(harness.app, recorded.location!, operator)).html).toMatch(/data-testid="reuse-commitment">Convention 2026-03, du 5 janvier 2026</);
  });
});
