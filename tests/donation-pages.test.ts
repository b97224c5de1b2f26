import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { donations } from '../src/donations/donations.schema.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { csrfOf, openPage, signInWithForm, submitForm, type Person } from './helpers/pages.ts';
import { startWorld, type World } from './helpers/world.ts';

// The bench's pages for a donation: expected against received, an inventory import and a label
// sheet, each followed on a job page.

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let operator: Person;

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  bench = await world.workshop();
  operator = await signInWithForm(harness.app, bench.operator);
});
afterAll(async () => harness?.close());

async function postInventory(person: Person, donationId: string, csv: string, csrf: string | null) {
  const form = new FormData();
  if (csrf !== null) form.append('_csrf', csrf);
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'inventaire.csv');
  return harness.app.request(`/donations/${donationId}/import`, { method: 'POST', headers: { cookie: person.cookie }, body: form });
}

describe('a donation’s page', () => {
  it('shows what was announced against what was received, and the devices', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id, { expectedCount: 3 });
    await world.device(bench.operator.token, bench.site.id, { donationId: donation.id });
    const page = await openPage(harness.app, `/donations/${donation.id}`, operator);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/data-testid="expected">3</);
    expect(page.html).toMatch(/data-testid="received">1</);
    expect(page.html).toContain('Il manque 2 équipement(s)');
  });

  it('imports an inventory through a job whose page shows its progress and its refused lines', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const csrf = csrfOf((await openPage(harness.app, `/donations/${donation.id}`, operator)).html);
    const csv = 'Type;Marque;Modèle;N° de série;Stockage\nportable;Lenovo;T480;PF-PAGE-1;ssd\nportable;;T480;PF-PAGE-2;ssd\n';
    const answer = await postInventory(operator, donation.id, csv, csrf);
    expect(answer.status).toBe(303);
    const jobPage = answer.headers.get('location')!;
    expect(jobPage).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    await eventually('the import to finish', async () => (await openPage(harness.app, jobPage, operator)).html.includes('data-state="succeeded"'));
    const page = await openPage(harness.app, jobPage, operator);
    expect(page.html).toMatch(/<progress[^>]*max="2"[^>]*value="2"/);
    expect(page.html).toContain('Lignes refusées');
    expect((await openPage(harness.app, `/donations/${donation.id}`, operator)).html).toMatch(/data-testid="received">1</);
  });

  it('says on the job’s page that an inventory sent again was already imported, with a link to that import, and adds nothing', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const csrf = csrfOf((await openPage(harness.app, `/donations/${donation.id}`, operator)).html);
    const csv = 'Type;Marque;Modèle;N° de série;Stockage\nportable;Lenovo;T480;;ssd\n';
    const first = (await postInventory(operator, donation.id, csv, csrf)).headers.get('location')!;
    await eventually('the import to finish', async () => (await openPage(harness.app, first, operator)).html.includes('data-state="succeeded"'));
    const second = (await postInventory(operator, donation.id, csv, csrf)).headers.get('location')!;
    const page = await openPage(harness.app, second, operator);
    expect(page.html).toContain('data-state="succeeded"');
    expect(page.html).toMatch(
      /data-testid="already-imported">Cet inventaire a déjà été importé dans ce don le [^<]*\(« inventaire\.csv »\) : rien n’a été\s+ajouté\./,
    );
    expect(page.html).toContain(`<a href="${first}">Voir cet import</a>`);
    expect((await openPage(harness.app, `/donations/${donation.id}`, operator)).html).toMatch(/data-testid="received">1</);
  });

  it('refuses an import without the form’s token (403) or without a file (422), and imports nothing', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    expect((await postInventory(operator, donation.id, 'Type;Marque;Modèle\nportable;Dell;E7\n', null)).status).toBe(403);
    const csrf = csrfOf((await openPage(harness.app, `/donations/${donation.id}`, operator)).html);
    const form = new FormData();
    form.append('_csrf', csrf);
    const empty = await harness.app.request(`/donations/${donation.id}/import`, { method: 'POST', headers: { cookie: operator.cookie }, body: form });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Choisissez le fichier CSV');
    expect((await openPage(harness.app, `/donations/${donation.id}`, operator)).html).toMatch(/data-testid="received">0</);
  });

  it('prepares the donation’s labels and offers the sheet once rendered', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    await world.device(bench.operator.token, bench.site.id, { donationId: donation.id });
    const answer = await submitForm(harness.app, operator, `/donations/${donation.id}/labels`, { format: 'a4-3x7' }, { from: `/donations/${donation.id}` });
    expect(answer.status).toBe(303);
    await eventually('the sheet', async () => (await openPage(harness.app, answer.location!, operator)).html.includes('data-state="succeeded"'));
    expect((await openPage(harness.app, answer.location!, operator)).html).toMatch(/href="\/api\/files\/[0-9a-f-]{36}"[^>]*>\s*Télécharger/);
  });

  it('is not shown to another workshop (404) nor to a landlord (403)', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const other = await signInWithForm(harness.app, (await world.workshop()).operator);
    expect((await openPage(harness.app, `/donations/${donation.id}`, other)).status).toBe(404);
    const landlord = await signInWithForm(harness.app, (await world.landlord()).manager);
    expect((await openPage(harness.app, `/donations/${donation.id}`, landlord)).status).toBe(403);
  });
});

describe('the « Nouveau don » form', () => {
  const countDonations = () => harness.database.db.$count(donations, eq(donations.organisationId, bench.organisation.id));
  const newDonation = (fields: Record<string, string>, csrf?: string | null) =>
    submitForm(
      harness.app,
      operator,
      '/donations',
      {
        collectionSiteId: bench.site.id,
        donorOrganisationId: '',
        donorName: 'Mme Durand',
        donorContact: '06 11 22 33 44',
        campaign: '',
        expectedCount: '',
        ...fields,
      },
      { from: '/donations', csrf },
    );

  it('offers the bench’s sites and the network’s donor organisations', async () => {
    const donor = await world.organisation('donor', 'Mairie de Nérac');
    const page = await openPage(harness.app, '/donations', operator);
    expect(page.html).toContain('<h2>Nouveau don</h2>');
    expect(page.html).toContain(`<option value="${bench.site.id}">${bench.site.name}</option>`);
    expect(page.html).toContain(`<option value="${donor.id}">Mairie de Nérac</option>`);
  });

  it('records a donation from a person and opens its page, with the announced count', async () => {
    const answer = await newDonation({ campaign: 'Collecte de printemps', expectedCount: '7' });
    expect(answer.status, answer.html).toBe(303);
    expect(answer.location).toMatch(/^\/donations\/[0-9a-f-]{36}$/);
    const page = await openPage(harness.app, answer.location!, operator);
    expect(page.html).toContain('Don de Mme Durand — Collecte de printemps');
    expect(page.html).toMatch(/data-testid="expected">7</);
    const [donation] = await harness.database.db
      .select()
      .from(donations)
      .where(eq(donations.id, answer.location!.replace('/donations/', '')));
    expect(donation).toMatchObject({
      organisationId: bench.organisation.id,
      collectionSiteId: bench.site.id,
      donorName: 'Mme Durand',
      donorContact: '06 11 22 33 44',
      expectedCount: 7,
      donorOrganisationId: null,
    });
    expect((await openPage(harness.app, '/donations', operator)).html).toContain(`<a href="${answer.location}">Mme Durand</a>`);
  });

  it('records a donation from a donor organisation', async () => {
    const donor = await world.organisation('donor', 'Entreprise Solidaire');
    const answer = await newDonation({ donorOrganisationId: donor.id, donorName: '', donorContact: '' });
    expect(answer.status, answer.html).toBe(303);
    expect((await openPage(harness.app, answer.location!, operator)).html).toContain('Don de Entreprise Solidaire');
  });

  it('answers 422 with the message next to the field, keeps what was typed, and records nothing', async () => {
    const before = await countDonations();
    const noSite = await newDonation({ collectionSiteId: '', campaign: 'Sans lieu' });
    expect(noSite.status).toBe(422);
    expect(noSite.html).toContain('class="error-summary"');
    expect(noSite.html).toMatch(/id="champ-collectionSiteId-erreur">Choisissez le lieu où le don est reçu/);
    expect(noSite.html).toContain('value="Sans lieu"');
    for (const expectedCount of ['douze', '2.5', '-3']) {
      const badCount = await newDonation({ expectedCount });
      expect(badCount.status, expectedCount).toBe(422);
      expect(badCount.html).toMatch(/id="champ-expectedCount-erreur">[^<]*(nombre|entier|négatif)/);
    }
    const noDonor = await newDonation({ donorName: '' });
    expect(noDonor.status).toBe(422);
    expect(noDonor.html).toMatch(/id="champ-donorOrganisationId-erreur">Indiquez qui donne/);
    // Another workshop's site is refused by the domain, shown next to the field in French.
    const elsewhere = await world.workshop();
    const foreignSite = await newDonation({ collectionSiteId: elsewhere.site.id });
    expect(foreignSite.status).toBe(422);
    expect(foreignSite.html).toMatch(/id="champ-collectionSiteId-erreur">Ce lieu n’est pas un de ceux de votre structure/);
    expect(await countDonations()).toBe(before);
  });

  it('refuses the form without its CSRF token (403) and records nothing', async () => {
    const before = await countDonations();
    const answer = await newDonation({ expectedCount: '4' }, null);
    expect(answer.status).toBe(403);
    expect(answer.html).toContain('Ce formulaire a expiré');
    expect(await countDonations()).toBe(before);
  });
});
