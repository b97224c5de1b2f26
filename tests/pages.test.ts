import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equipmentRequests, households, programmes } from '../src/allocation/allocation.schema.ts';
import { users } from '../src/auth/auth.schema.ts';
import { incidents } from '../src/connectivity/incidents.schema.ts';
import { devices } from '../src/devices/devices.schema.ts';
import { files } from '../src/files/files.schema.ts';
import { organisations, sites } from '../src/organisations/organisations.schema.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { allocationJourney, qualify } from './helpers/journey.ts';
import { csrfOf, openPage, signInWithForm, submitForm, type Person, type SubmitOptions } from './helpers/pages.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
const people = {} as Record<'admin' | 'operator' | 'mediator' | 'landlord' | 'otherLandlord' | 'installer' | 'donor', Person>;
let buildingA: { id: string; name: string };
let buildingB: { id: string; name: string };
let quickProgrammeId: string;
let trainedProgrammeId: string;
let laptopCode: string;

const signIn = (account: Account) => signInWithForm(harness.app, account);
const open = (path: string, person?: Person) => openPage(harness.app, path, person);
const submit = (person: Person, path: string, fields: Record<string, string>, options?: SubmitOptions) =>
  submitForm(harness.app, person, path, fields, options);

async function readyLaptop(siteId: string) {
  const device = await world.device(people.operator.token, siteId);
  await harness.database.db
    .update(devices)
    .set({ status: 'ready', grade: 'A', specs: { ramGb: 8, storageGb: 256 } })
    .where(eq(devices.id, device.id));
  return device.code;
}

async function programme(body: Record<string, unknown>) {
  const response = await world.call('POST', '/api/programmes', {
    token: world.admin.token,
    body: {
      eligibilityCriteria: ['child_in_college'],
      deviceKinds: ['laptop', 'desktop'],
      reservationDays: 21,
      territories: [{ type: 'departement', code: '47' }],
      ...body,
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

const familyFields = (reference: string) => ({
  reference,
  communeCode: '47001',
  size: '3',
  contactPhone: '06 12 34 56 78',
  'attestation-child_in_college': 'on',
  consent: 'on',
});
const countHouseholds = async (organisationId: string) => harness.database.db.$count(households, eq(households.organisationId, organisationId));

/** Records a family and files its request through the pages; answers the request's id. */
async function fileRequest(reference: string, programmeId: string, kind = 'laptop') {
  const family = await submit(people.mediator, '/households/new', familyFields(reference), { from: '/households/new' });
  expect(family.status, family.html).toBe(303);
  const householdId = new URL(family.location!, 'http://x').searchParams.get('ajoutee')!;
  const request = await submit(people.mediator, '/requests/new', { householdId, programmeId, kind, minRamGb: '4' }, { from: '/requests/new' });
  expect(request.status, request.html).toBe(303);
  return request.location!.replace('/requests/', '');
}

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const bench = await world.workshop();
  const centre = await world.organisation('mediation');
  const mediator = await world.account(centre.id, 'mediator');
  const place = await world.site(centre.id, { name: 'Centre social du Pin', kind: 'mediation_place' });
  const landlord = await world.landlord();
  const otherLandlord = await world.landlord();
  const { installer } = await world.isp();
  const donor = await world.account((await world.organisation('donor')).id, 'donor_viewer');
  const accounts = {
    admin: world.admin,
    operator: bench.operator,
    mediator,
    landlord: landlord.manager,
    otherLandlord: otherLandlord.manager,
    installer,
    donor,
  };
  for (const [role, account] of Object.entries(accounts)) people[role as keyof typeof people] = await signIn(account);
  buildingA = await world.building(landlord.manager.token, landlord.residence.id, {
    name: 'Bâtiment A',
    apartments: [
      { unit: '001', floor: 0 },
      { unit: '101', floor: 1 },
    ],
  });
  buildingB = await world.building(otherLandlord.manager.token, otherLandlord.residence.id, { name: 'Bâtiment B' });
  laptopCode = await readyLaptop(bench.site.id);
  quickProgrammeId = await programme({ name: 'Équipement rapide' });
  const module = await world.call('POST', '/api/training-modules', { token: world.admin.token, body: { title: 'Pronote et l’ENT', durationMinutes: 90 } });
  trainedProgrammeId = await programme({ name: 'Équipement avec formation', trainingModuleId: module.body.id });
  const session = await world.call('POST', '/api/training-sessions', {
    token: mediator.token,
    body: {
      moduleId: module.body.id,
      siteId: place.id,
      startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      capacity: 8,
      trainerName: 'Inès Formatrice',
    },
  });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
});
afterAll(() => harness.close());

describe('who reaches which page', () => {
  const pages = () =>
    [
      { path: '/stock', heading: 'Stock prêt à attribuer', allowed: ['operator', 'mediator', 'admin'], refused: ['donor', 'landlord'] },
      { path: '/households', heading: 'Familles suivies', allowed: ['mediator', 'admin'], refused: ['landlord', 'operator'] },
      { path: '/households/new', heading: 'Enregistrer une famille', allowed: ['mediator'], refused: ['landlord', 'admin'] },
      { path: '/requests', heading: 'Demandes d’équipement', allowed: ['mediator', 'admin'], refused: ['installer', 'donor'] },
      { path: '/requests/new', heading: 'Déposer une demande d’équipement', allowed: ['mediator'], refused: ['operator'] },
      { path: '/sessions', heading: 'Sessions de formation à venir', allowed: ['mediator', 'admin'], refused: ['landlord'] },
      { path: '/rollout', heading: 'Déploiement du Wi-Fi solidaire', allowed: ['landlord', 'admin'], refused: ['mediator', 'operator'] },
      { path: '/rollout', heading: 'Vos chantiers Wi-Fi', allowed: ['installer'], refused: [] },
      { path: `/buildings/${buildingA.id}`, heading: 'Bâtiment A', allowed: ['landlord', 'admin'], refused: ['mediator'] },
      { path: '/admin', heading: 'Le réseau', allowed: ['admin'], refused: ['mediator', 'landlord', 'operator'] },
    ] as const;

  it('shows each page with its French heading to the roles it serves, in French', async () => {
    for (const page of pages()) {
      for (const role of page.allowed) {
        const response = await open(page.path, people[role]);
        expect(response.status, `${page.path} as ${role}`).toBe(200);
        expect(response.html).toMatch(new RegExp(`<h1>[^<]*${page.heading}`));
        expect(response.html).toContain('<html lang="fr">');
      }
    }
  });

  it('sends a signed-out visitor to the sign-in page, and back after', async () => {
    for (const page of pages()) {
      const response = await open(page.path);
      expect(response.status, page.path).toBe(303);
      expect(response.location).toBe(`/login?next=${encodeURIComponent(page.path)}`);
    }
  });

  it('refuses the other roles with a 403 page', async () => {
    for (const page of pages()) {
      for (const role of page.refused) {
        const response = await open(page.path, people[role]);
        expect(response.status, `${page.path} as ${role}`).toBe(403);
        expect(response.html).toContain('Accès refusé');
      }
    }
  });

  it('opens the queue dashboard to admins only', async () => {
    expect((await open('/admin/queues', people.admin)).status).toBe(200);
    for (const role of ['mediator', 'landlord', 'operator'] as const) expect((await open('/admin/queues', people[role])).status).toBe(403);
    expect((await open('/admin/queues')).status).toBe(303);
  });

  it('serves the queue dashboard in French with its fonts from here, and only the fonts it uses', async () => {
    const dashboard = await open('/admin/queues', people.admin);
    expect(dashboard.html).toMatch(/^<!DOCTYPE html>\s*<html lang="fr"/);
    expect(dashboard.html).not.toContain('googleapis');
    const stylesheets = [...dashboard.html.matchAll(/<link href="(fonts\/[^"]+\.css)" rel="stylesheet">/g)].map((match) => match[1]!);
    expect(stylesheets).toEqual([
      'fonts/ibm-plex-sans/400.css',
      'fonts/ibm-plex-sans/500.css',
      'fonts/ibm-plex-sans/600.css',
      'fonts/ibm-plex-mono/400.css',
      'fonts/ibm-plex-mono/500.css',
    ]);
    const css = await harness.app.request(`/admin/queues/${stylesheets[0]}`, { headers: { cookie: people.admin.cookie } });
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const font = (await css.text()).match(/url\(\.\/(files\/ibm-plex-sans-latin-400-normal\.woff2)\)/)![1];
    const woff2 = await harness.app.request(`/admin/queues/fonts/ibm-plex-sans/${font}`, { headers: { cookie: people.admin.cookie } });
    expect(woff2.status).toBe(200);
    expect(woff2.headers.get('content-type')).toBe('font/woff2');
    for (const path of [
      'ibm-plex-sans/100.css',
      'ibm-plex-sans/package.json',
      'ibm-plex-sans/files/../../../../package.json',
      '__proto__/400.css',
      'constructor/400.css',
      'roboto/400.css',
    ]) {
      expect((await open(`/admin/queues/fonts/${path}`, people.admin)).status, path).toBe(404);
    }
    expect((await open('/admin/queues/fonts/ibm-plex-sans/400.css', people.operator)).status).toBe(403);
  });
});

describe('the stock page', () => {
  it('lists ready devices with links to their page, filtered by kind and grade, with counts per site', async () => {
    const reserve = await world.site(people.operator.organisationId, { name: 'Réserve de Nérac' });
    await qualify(world, people.operator, 'refurbishment');
    const { device: tablet, grade } = await allocationJourney(world, { operator: people.operator, siteId: reserve.id }, people.mediator).refurbished('tablet');
    // The counts per site are the workers' rollup of the device events.
    harness.startWorkers();
    await eventually('the tablet counted in the stock of its site', async () =>
      /<th scope="row">Réserve de Nérac<\/th><td>Tablette<\/td><td>1<\/td>/.test((await open('/stock?kind=tablet', people.mediator)).html),
    );
    const tablets = await open('/stock?kind=tablet', people.mediator);
    expect(tablets.html).toContain(`<a href="/d/${tablet.code}">${tablet.code}</a>`);
    expect(tablets.html).toContain('<option value="tablet" selected="">Tablette</option>');
    expect((await open('/stock?kind=laptop', people.mediator)).html).not.toContain(tablet.code);
    expect((await open(`/stock?kind=tablet&grade=${grade === 'A' ? 'C' : 'A'}`, people.mediator)).html).not.toContain(tablet.code);
    // Nonsense in the query is ignored, not an error.
    expect((await open('/stock?kind=spaceship&siteId=nope', people.operator)).status).toBe(200);
  });
});

describe('forms', () => {
  it('refuses a form posted without its CSRF token or with a wrong one, and changes nothing', async () => {
    const before = await countHouseholds(people.mediator.organisationId);
    for (const csrf of [null, 'not-the-token', csrfOf((await open('/households/new', people.landlord)).html)]) {
      const response = await submit(people.mediator, '/households/new', familyFields(`F-CSRF-${Math.random()}`), { csrf });
      expect(response.status).toBe(403);
      expect(response.html).toContain('Ce formulaire a expiré');
    }
    expect(await countHouseholds(people.mediator.organisationId)).toBe(before);
    const organisationsBefore = await harness.database.db.$count(organisations);
    expect((await submit(people.admin, '/admin/organisations', { name: 'Forgée', shortName: 'F', kind: 'donor' }, { csrf: null })).status).toBe(403);
    expect(await harness.database.db.$count(organisations)).toBe(organisationsBefore);
  });

  it('refuses an nwipe log sent from the scan station without its CSRF token (403) or without a file (422), and keeps no log', async () => {
    const device = await world.device(people.operator.token, (await world.site(people.operator.organisationId)).id, { storageMedia: [{ type: 'hdd' }] });
    const countLogs = () => harness.database.db.$count(files, eq(files.kind, 'wipe_log'));
    const before = await countLogs();
    const send = async (fields: Record<string, string | Blob>) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      const response = await harness.app.request(`/scan/nwipe-log?code=${device.code}`, {
        method: 'POST',
        headers: { cookie: people.operator.cookie },
        body: form,
      });
      return { status: response.status, html: await response.text() };
    };
    const log = new Blob(['[2021/10/29 16:02:12]   error: Nwipe exited with fatal errors on device = /dev/sda\n'], { type: 'text/plain' });
    expect((await send({ log })).status).toBe(403);
    const csrf = csrfOf((await open('/scan', people.operator)).html);
    const empty = await send({ _csrf: csrf });
    expect(empty.status).toBe(422);
    expect(empty.html).toContain('Choisissez le fichier journal de nwipe ou de ShredOS.');
    expect(await countLogs()).toBe(before);
  });

  it('answers 422 with each bad field’s message next to it, and changes nothing', async () => {
    const before = await countHouseholds(people.mediator.organisationId);
    const response = await submit(
      people.mediator,
      '/households/new',
      { ...familyFields('F-BAD'), communeCode: '4700', consent: '' },
      { from: '/households/new' },
    );
    expect(response.status).toBe(422);
    expect(response.html).toContain('class="error-summary"');
    expect(response.html).toMatch(/id="champ-communeCode-erreur">Le code INSEE de la commune a 5 caractères/);
    expect(response.html).toMatch(/id="champ-consent-erreur">La famille doit avoir accepté/);
    expect(response.html).toContain('value="F-BAD"');
    const unknownCommune = await submit(people.mediator, '/households/new', { ...familyFields('F-BAD'), communeCode: '47999' }, { from: '/households/new' });
    expect(unknownCommune.status).toBe(422);
    expect(unknownCommune.html).toContain('47999 n’est pas le code INSEE d’une commune actuelle.');
    expect(await countHouseholds(people.mediator.organisationId)).toBe(before);

    const incidentsBefore = await harness.database.db.$count(incidents);
    const incident = await submit(
      people.landlord,
      `/buildings/${buildingA.id}/incidents`,
      { category: 'slow', description: ' ' },
      { from: `/buildings/${buildingA.id}` },
    );
    expect(incident.status).toBe(422);
    expect(incident.html).toMatch(/id="champ-description-erreur">Décrivez le problème/);
    expect(await harness.database.db.$count(incidents)).toBe(incidentsBefore);

    const organisation = await submit(people.admin, '/admin/organisations', { name: '', shortName: 'X', kind: 'nope' }, { from: '/admin' });
    expect(organisation.status).toBe(422);
    expect(organisation.html).toMatch(/id="champ-name-erreur">À renseigner/);
    expect(organisation.html).toMatch(/id="champ-kind-erreur">Choisissez le type de structure/);
  });

  it('shows a refused reference (409) in words and keeps the form', async () => {
    expect((await submit(people.mediator, '/households/new', familyFields('F-TWICE'), { from: '/households/new' })).status).toBe(303);
    const again = await submit(people.mediator, '/households/new', familyFields('F-TWICE'), { from: '/households/new' });
    expect(again.status).toBe(409);
    expect(again.html).toMatch(/class="notice bad">Votre structure suit déjà une famille avec cette référence/);
  });

  it('lets the coordinator add an organisation, then lists it', async () => {
    const response = await submit(
      people.admin,
      '/admin/organisations',
      { name: 'Emmaüs Connect Agen', shortName: 'Emmaüs Agen', kind: 'workshop' },
      { from: '/admin' },
    );
    expect(response.status).toBe(303);
    const page = await open(response.location!, people.admin);
    expect(page.html).toContain('Structure Emmaüs Connect Agen ajoutée au réseau.');
    expect(page.html).toContain('href="/admin/queues"');
  });
});

describe('the coordinator’s account and site forms', () => {
  const userFields = (organisationId: string, overrides: Record<string, string> = {}) => ({
    userOrganisationId: organisationId,
    email: `nouvelle.${Math.random().toString(36).slice(2)}@atelier.example`,
    displayName: 'Nadia Nouvelle',
    role: 'workshop_operator',
    password: 'un mot de passe assez long',
    ...overrides,
  });
  const siteFields = (organisationId: string, overrides: Record<string, string> = {}) => ({
    siteOrganisationId: organisationId,
    siteName: 'Point de collecte du Pin',
    siteKind: 'collection_point',
    address: '3 place du Marché',
    postalCode: '47000',
    communeCode: '47001',
    ...overrides,
  });
  const usersOf = (organisationId: string) => harness.database.db.select().from(users).where(eq(users.organisationId, organisationId));
  const sitesOf = (organisationId: string) => harness.database.db.select().from(sites).where(eq(sites.organisationId, organisationId));

  it('creates an account, which can then sign in, and says so on the page', async () => {
    const workshop = await world.organisation('workshop');
    const fields = userFields(workshop.id);
    const response = await submit(people.admin, '/admin/users', fields, { from: '/admin' });
    expect(response.status, response.html).toBe(303);
    expect(response.location).toMatch(/^\/admin\?compte=[0-9a-f-]{36}$/);
    expect((await open(response.location!, people.admin)).html).toContain(`Compte de Nadia Nouvelle (${fields.email}) créé.`);
    expect(await usersOf(workshop.id)).toMatchObject([{ email: fields.email, displayName: 'Nadia Nouvelle', role: 'workshop_operator' }]);
    const newcomer = await signIn({
      id: '',
      email: fields.email,
      password: fields.password,
      token: '',
      organisationId: workshop.id,
      role: 'workshop_operator',
    });
    expect((await open('/donations', newcomer)).status).toBe(200);
  });

  it('refuses a role that does not fit the organisation (422), naming the role, and creates nothing', async () => {
    const workshop = await world.organisation('workshop', 'Atelier des Pins');
    const response = await submit(people.admin, '/admin/users', userFields(workshop.id, { role: 'landlord_manager', displayName: 'Luc Bailleur' }), {
      from: '/admin',
    });
    expect(response.status).toBe(422);
    expect(response.html).toMatch(
      /id="champ-role-erreur">Le rôle « Gestionnaire bailleur » est réservé aux structures de type « Bailleur social » ; Atelier des Pins est de type « Atelier \(ACI\) »/,
    );
    expect(response.html).toContain('value="Luc Bailleur"');
    expect(response.html).not.toContain('un mot de passe assez long');
    expect(await usersOf(workshop.id)).toEqual([]);
  });

  it('answers 422 next to each bad field of a form, and creates nothing', async () => {
    const workshop = await world.organisation('workshop');
    const user = await submit(people.admin, '/admin/users', userFields(workshop.id, { email: 'pas-une-adresse', role: '', password: 'court' }), {
      from: '/admin',
    });
    expect(user.status).toBe(422);
    expect(user.html).toMatch(/id="champ-email-erreur">Une adresse e-mail/);
    expect(user.html).toMatch(/id="champ-role-erreur">Choisissez le rôle/);
    expect(user.html).toMatch(/id="champ-password-erreur">Le mot de passe a au moins 12 caractères/);
    // An address already in use is the e-mail field's problem.
    const taken = await submit(people.admin, '/admin/users', userFields(workshop.id, { email: people.operator.email }), { from: '/admin' });
    expect(taken.status).toBe(422);
    expect(taken.html).toContain(`id="champ-email-erreur">Un compte utilise déjà l’adresse ${people.operator.email}`);
    expect(await usersOf(workshop.id)).toEqual([]);

    const site = await submit(people.admin, '/admin/sites', siteFields(workshop.id, { siteKind: 'castle', communeCode: '47999', postalCode: '470' }), {
      from: '/admin',
    });
    expect(site.status).toBe(422);
    expect(site.html).toMatch(/id="champ-siteKind-erreur">Choisissez le type de lieu/);
    expect(site.html).toMatch(/id="champ-postalCode-erreur">Le code postal a 5 chiffres/);
    const commune = await submit(people.admin, '/admin/sites', siteFields(workshop.id, { communeCode: '47999' }), { from: '/admin' });
    expect(commune.status).toBe(422);
    expect(commune.html).toContain('id="champ-communeCode-erreur">47999 n’est pas le code INSEE d’une commune actuelle.');
    expect(await sitesOf(workshop.id)).toEqual([]);
  });

  it('adds a site to an organisation and lists it', async () => {
    const workshop = await world.organisation('workshop');
    const response = await submit(people.admin, '/admin/sites', siteFields(workshop.id), { from: '/admin' });
    expect(response.status, response.html).toBe(303);
    expect(response.location).toMatch(/^\/admin\?lieu=[0-9a-f-]{36}$/);
    const page = await open(response.location!, people.admin);
    expect(page.html).toContain('Lieu Point de collecte du Pin ajouté.');
    // Three forms share the page: each label still points to one field.
    const ids = [...page.html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    expect(page.html).toMatch(/<th scope="row">Point de collecte du Pin<\/th><td>Point de collecte<\/td><td>3 place du Marché \(47001\)<\/td>/);
    expect(await sitesOf(workshop.id)).toMatchObject([
      { name: 'Point de collecte du Pin', kind: 'collection_point', postalCode: '47000', communeCode: '47001' },
    ]);
  });

  it('publishes a structure’s or a place’s public contact from the network page, and withdraws it when emptied', async () => {
    const workshop = await world.organisation('workshop', `Atelier du Contact ${Math.random().toString(36).slice(2, 6)}`);
    const place = await world.site(workshop.id, { name: 'Banc de Nérac' });
    const organisationRow = async () => (await harness.database.db.select().from(organisations).where(eq(organisations.id, workshop.id)))[0]!;
    const published = await submit(
      people.admin,
      '/admin/public-contact',
      { contactOf: `organisation:${workshop.id}`, publicPhone: '05 53 12 34 56', publicEmail: '' },
      { from: '/admin' },
    );
    expect(published.status, published.html).toBe(303);
    expect(published.location).toBe(`/admin?contact=${workshop.id}`);
    const page = await open(published.location!, people.admin);
    expect(page.html).toContain(`Contact public de ${workshop.name} : 05 53 12 34 56.`);
    expect(page.html).toMatch(new RegExp(`<tr data-organisation-id="${workshop.id}">.*?<td>05 53 12 34 56</td></tr>`, 's'));
    expect(await organisationRow()).toMatchObject({ publicPhone: '05 53 12 34 56', publicEmail: null });

    const forPlace = await submit(
      people.admin,
      '/admin/public-contact',
      { contactOf: `site:${place.id}`, publicPhone: '', publicEmail: 'banc@atelier.example' },
      { from: '/admin' },
    );
    expect(forPlace.status, forPlace.html).toBe(303);
    expect((await harness.database.db.select().from(sites).where(eq(sites.id, place.id)))[0]).toMatchObject({
      publicPhone: null,
      publicEmail: 'banc@atelier.example',
    });

    const refused = await submit(
      people.admin,
      '/admin/public-contact',
      { contactOf: `organisation:${workshop.id}`, publicPhone: 'appelez-nous', publicEmail: 'pas-une-adresse' },
      { from: '/admin' },
    );
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="champ-publicPhone-erreur">Un numéro de téléphone, par exemple/);
    expect(refused.html).toMatch(/id="champ-publicEmail-erreur">Une adresse e-mail, par exemple/);
    expect(refused.html).toContain('value="appelez-nous"');
    const unknown = await submit(
      people.admin,
      '/admin/public-contact',
      { contactOf: 'organisation:00000000-0000-4000-8000-000000000000', publicPhone: '05 53 12 34 56', publicEmail: '' },
      { from: '/admin' },
    );
    expect(unknown.status).toBe(422);
    expect(unknown.html).toMatch(/id="champ-contactOf-erreur">Cette structure ou ce lieu n’existe pas/);
    expect(
      (
        await submit(
          people.operator,
          '/admin/public-contact',
          { contactOf: `organisation:${workshop.id}`, publicPhone: '06 00 00 00 00', publicEmail: '' },
          { from: '/scan' },
        )
      ).status,
    ).toBe(403);
    expect(await organisationRow()).toMatchObject({ publicPhone: '05 53 12 34 56', publicEmail: null });

    const withdrawn = await submit(
      people.admin,
      '/admin/public-contact',
      { contactOf: `organisation:${workshop.id}`, publicPhone: '', publicEmail: '' },
      { from: '/admin' },
    );
    expect(withdrawn.status).toBe(303);
    expect((await open(withdrawn.location!, people.admin)).html).toContain(`Contact public de ${workshop.name} : non publié.`);
    expect(await organisationRow()).toMatchObject({ publicPhone: null, publicEmail: null });
  });

  it('refuses the forms to anyone but the coordinator (403), or without the CSRF token, and creates nothing', async () => {
    const workshop = await world.organisation('workshop');
    for (const role of ['operator', 'mediator', 'landlord'] as const) {
      const user = await submit(people[role], '/admin/users', userFields(workshop.id), { from: '/' });
      expect(user.status, role).toBe(403);
      expect(user.html).toContain('Cette page n’est pas accessible avec votre rôle.');
      expect((await submit(people[role], '/admin/sites', siteFields(workshop.id), { from: '/' })).status, role).toBe(403);
    }
    expect((await submit(people.admin, '/admin/users', userFields(workshop.id), { csrf: null })).status).toBe(403);
    expect((await submit(people.admin, '/admin/sites', siteFields(workshop.id), { csrf: null })).status).toBe(403);
    expect(await usersOf(workshop.id)).toEqual([]);
    expect(await sitesOf(workshop.id)).toEqual([]);
  });
});

describe('the coordinator’s programme form', () => {
  const programmeFields = (name: string, overrides: Record<string, string> = {}) => ({
    programmeName: name,
    'programmeCriterion-child_in_college': 'on',
    'programmeCriterion-no_computer_at_home': 'on',
    'programmeDeviceKind-laptop': 'on',
    'programmeDeviceKind-tablet': 'on',
    programmeRamGb: '4',
    programmeTrainingModuleId: '',
    programmeTrainingValid: 'on',
    programmeReservationDays: '21',
    programmeTerritories: '47, 2A 971;200096956 33063',
    programmeYearlyQuota: '',
    ...overrides,
  });
  const programmesNamed = (name: string) => harness.database.db.select().from(programmes).where(eq(programmes.name, name));
  const uniqueName = (label: string) => `${label} ${Math.random().toString(36).slice(2, 8)}`;

  it('creates a programme, says so, lists it and serves it through the API', async () => {
    const module = await world.call('POST', '/api/training-modules', {
      token: world.admin.token,
      body: { title: 'Premiers pas sur la tablette', durationMinutes: 60 },
    });
    expect(module.status, JSON.stringify(module.body)).toBe(201);
    const form = await open('/admin', people.admin);
    expect(form.html).toContain('action="/admin/programmes"');
    expect(form.html).toContain(`<option value="${module.body.id}">Premiers pas sur la tablette (60 min)</option>`);
    expect(form.html).toMatch(/name="programmeReservationDays"[^>]*value="21"/);

    const name = uniqueName('Tablettes pour les seniors');
    const fields = programmeFields(name, { programmeTrainingModuleId: module.body.id, programmeTrainingValid: '', programmeYearlyQuota: '150' });
    const response = await submit(people.admin, '/admin/programmes', fields, { from: '/admin' });
    expect(response.status, response.html).toBe(303);
    expect(response.location).toMatch(/^\/admin\?dispositif=[0-9a-f-]{36}$/);
    const id = new URL(response.location!, 'http://x').searchParams.get('dispositif')!;
    const page = await open(response.location!, people.admin);
    expect(page.html).toContain(`Dispositif ${name} créé.`);
    expect(page.html).toContain(
      `<tr data-programme-id="${id}"><th scope="row">${name}</th><td>Un enfant au collège, Pas d’ordinateur au foyer</td><td>Ordinateur portable, Tablette</td><td>47, 2A, 971, 200096956, 33063</td><td>21 jours</td><td>150</td></tr>`,
    );
    const ids = [...page.html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);

    const listed = await world.call('GET', '/api/programmes', { token: world.admin.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((programme: { id: string }) => programme.id === id)).toMatchObject({
      name,
      eligibilityCriteria: ['child_in_college', 'no_computer_at_home'],
      deviceKinds: ['laptop', 'tablet'],
      minimumSpecs: { ramGb: 4 },
      trainingModuleId: module.body.id,
      trainingValidForLaterRequests: false,
      reservationDays: 21,
      territories: [
        { type: 'departement', code: '47' },
        { type: 'departement', code: '2A' },
        { type: 'departement', code: '971' },
        { type: 'epci', code: '200096956' },
        { type: 'commune', code: '33063' },
      ],
      yearlyQuota: 150,
    });
    const read = await world.call('GET', `/api/programmes/${id}`, { token: people.mediator.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name, trainingModuleId: module.body.id, yearlyQuota: 150 });
  });

  it('answers 422 next to each bad field, keeps what was typed, and creates nothing', async () => {
    const name = uniqueName('Dispositif refusé');
    const noCriterion = await submit(
      people.admin,
      '/admin/programmes',
      programmeFields(name, { 'programmeCriterion-child_in_college': '', 'programmeCriterion-no_computer_at_home': '' }),
      { from: '/admin' },
    );
    expect(noCriterion.status).toBe(422);
    expect(noCriterion.html).toContain('id="champ-programmeCriteria-erreur">Cochez au moins un critère à attester.');
    expect(noCriterion.html).toContain(`value="${name}"`);
    // Only the refused form gets its values back: the organisation form's name stays empty.
    expect(noCriterion.html).toContain('<input id="champ-name" name="name" type="text" required=""/>');

    const noKind = await submit(
      people.admin,
      '/admin/programmes',
      programmeFields(name, { 'programmeDeviceKind-laptop': '', 'programmeDeviceKind-tablet': '' }),
      { from: '/admin' },
    );
    expect(noKind.status).toBe(422);
    expect(noKind.html).toContain('id="champ-programmeDeviceKinds-erreur">Cochez au moins un type d’équipement.');

    for (const days of ['0', 'trois', '2.5', '', '400']) {
      const badDays = await submit(people.admin, '/admin/programmes', programmeFields(name, { programmeReservationDays: days }), { from: '/admin' });
      expect(badDays.status, days).toBe(422);
      expect(badDays.html).toContain('id="champ-programmeReservationDays-erreur">Un nombre entier de jours, de 1 à 365.');
    }

    const unknown = await submit(people.admin, '/admin/programmes', programmeFields(name, { programmeTerritories: '47 47999 999999999' }), { from: '/admin' });
    expect(unknown.status).toBe(422);
    expect(unknown.html).toContain(
      'id="champ-programmeTerritories-erreur">47999 n’est pas le code INSEE d’une commune actuelle. 999999999 n’est le SIREN d’aucun EPCI.',
    );
    expect(unknown.html).toContain('value="47 47999 999999999"');
    const unreadable = await submit(people.admin, '/admin/programmes', programmeFields(name, { programmeTerritories: 'Agen' }), { from: '/admin' });
    expect(unreadable.status).toBe(422);
    expect(unreadable.html).toMatch(/id="champ-programmeTerritories-erreur">AGEN : ni un département/);

    expect(await programmesNamed(name)).toEqual([]);
  });

  it('refuses the form to a mediator (403), and creates nothing', async () => {
    const name = uniqueName('Dispositif d’un médiateur');
    const response = await submit(people.mediator, '/admin/programmes', programmeFields(name), { from: '/' });
    expect(response.status).toBe(403);
    expect(response.html).toContain('Cette page n’est pas accessible avec votre rôle.');
    expect(await programmesNamed(name)).toEqual([]);
  });
});

describe('a mediator’s request, from the family to the reserved device', () => {
  it('files a request, reserves a device from its page, and shows the device reserved', async () => {
    const id = await fileRequest('F-LAPTOP', quickProgrammeId);
    const eligible = await open(`/requests/${id}`, people.mediator);
    expect(eligible.html).toContain('Éligible');
    expect(eligible.html).toContain(`action="/requests/${id}/reserve"`);
    const reserved = await submit(people.mediator, `/requests/${id}/reserve`, {}, { from: `/requests/${id}` });
    expect(reserved.status, reserved.html).toBe(303);
    const page = await open(`/requests/${id}`, people.mediator);
    expect(page.html).toContain('Réservé');
    expect(page.html).toContain(`<a href="/d/${laptopCode}">${laptopCode}</a>`);
    const [request] = await harness.database.db.select().from(equipmentRequests).where(eq(equipmentRequests.id, id));
    expect(request!.reservedDeviceId).not.toBeNull();
    const [device] = await harness.database.db.select().from(devices).where(eq(devices.id, request!.reservedDeviceId!));
    expect(device!.status).toBe('reserved');
    // The stock no longer offers it.
    expect((await open('/stock', people.mediator)).html).not.toContain(laptopCode);

    // Scanned at the handover, the device's card opens the handover form of this family's request;
    // the form is sent as the scan station sends it (JSON, the session cookie and its CSRF token).
    const card = await open(`/scan/card?code=${laptopCode}`, people.mediator);
    expect(card.html).toContain('data-testid="handover-form"');
    expect(card.html).toContain(`data-api-path="/api/requests/${id}/handover"`);
    expect(card.html).toContain('F-LAPTOP');
    const handover = await harness.app.request(`/api/requests/${id}/handover`, {
      method: 'POST',
      headers: { cookie: people.mediator.cookie, 'x-csrf-token': csrfOf((await open('/scan', people.mediator)).html), 'content-type': 'application/json' },
      body: JSON.stringify({ deviceCode: laptopCode, receivedBy: 'Mme Martin', termsAccepted: true }),
    });
    expect(handover.status, await handover.clone().text()).toBe(201);
    expect((await open(`/scan/card?code=${laptopCode}`, people.mediator)).html).toContain('data-status="allocated"');
  });

  it('books the family on a training session from the request page', async () => {
    const code = await readyLaptop((await world.site(people.operator.organisationId)).id);
    const id = await fileRequest('F-TRAINED', trainedProgrammeId);
    expect((await submit(people.mediator, `/requests/${id}/reserve`, {}, { from: `/requests/${id}` })).status).toBe(303);
    const page = await open(`/requests/${id}`, people.mediator);
    expect(page.html).toContain('Réservé : formation à réserver');
    expect(page.html).toContain(code);
    expect(page.html).toContain('Inès Formatrice');
    const missing = await submit(people.mediator, `/requests/${id}/enrol`, {}, { from: `/requests/${id}` });
    expect(missing.status).toBe(422);
    const sessionId = page.html.match(/name="sessionId" value="([^"]+)"/)![1]!;
    const booked = await submit(people.mediator, `/requests/${id}/enrol`, { sessionId }, { from: `/requests/${id}` });
    expect(booked.status).toBe(303);
    expect((await open(`/requests/${id}`, people.mediator)).html).toContain('Réservé : formation programmée');
  });

  it('says so (409) when no device in stock meets the need, and reserves nothing', async () => {
    const id = await fileRequest('F-DESKTOP', quickProgrammeId, 'desktop');
    const response = await submit(people.mediator, `/requests/${id}/reserve`, {}, { from: `/requests/${id}` });
    expect(response.status).toBe(409);
    expect(response.html).toContain('Aucun équipement prêt en stock ne correspond à ce besoin');
    const [request] = await harness.database.db.select().from(equipmentRequests).where(eq(equipmentRequests.id, id));
    expect(request!.status).toBe('eligible');
  });

  it('keeps another organisation’s request out of sight (404)', async () => {
    const id = await fileRequest('F-PRIVATE', quickProgrammeId, 'desktop');
    const stranger = await signIn(await world.account((await world.organisation('mediation')).id, 'mediator'));
    expect((await open(`/requests/${id}`, stranger)).status).toBe(404);
    expect((await open('/requests/not-an-id', stranger)).status).toBe(404);
  });
});

describe('the shared Wi-Fi rollout', () => {
  it('shows a landlord manager its own buildings and not another landlord’s', async () => {
    const page = await open('/rollout', people.landlord);
    expect(page.html).toContain(`data-building-id="${buildingA.id}"`);
    expect(page.html).not.toContain(`data-building-id="${buildingB.id}"`);
    expect(page.html).toMatch(/<progress[^>]+aria-label="Avancement du déploiement/);
    expect(page.html).toContain('/rollout.csv');
    const other = await open('/rollout', people.otherLandlord);
    expect(other.html).toContain(`data-building-id="${buildingB.id}"`);
    expect(other.html).not.toContain(`data-building-id="${buildingA.id}"`);
  });

  it('answers 404 for another landlord’s building, its incidents form included', async () => {
    expect((await open(`/buildings/${buildingB.id}`, people.landlord)).status).toBe(404);
    expect((await open('/buildings/not-an-id', people.landlord)).status).toBe(404);
    expect((await open(`/buildings/${buildingA.id}`, people.installer)).status).toBe(404);
    const before = await harness.database.db.$count(incidents);
    const response = await submit(people.landlord, `/buildings/${buildingB.id}/incidents`, { category: 'slow', description: 'Lent' }, { from: '/rollout' });
    expect(response.status).toBe(404);
    expect(await harness.database.db.$count(incidents)).toBe(before);
  });

  it('lets the coordinator pick a landlord', async () => {
    const page = await open(`/rollout?landlordId=${people.landlord.organisationId}`, people.admin);
    expect(page.html).toContain(`data-building-id="${buildingA.id}"`);
    expect(page.html).not.toContain(`data-building-id="${buildingB.id}"`);
  });

  it('opens an incident from the building page and shows it overdue once past its due date', async () => {
    const response = await submit(
      people.landlord,
      `/buildings/${buildingA.id}/incidents`,
      { category: 'no_signal', apartmentId: '', networkDeviceId: '', description: 'Plus de signal au rez-de-chaussée' },
      { from: `/buildings/${buildingA.id}` },
    );
    expect(response.status, response.html).toBe(303);
    const [incident] = await harness.database.db.select().from(incidents).where(eq(incidents.buildingId, buildingA.id));
    expect(incident!.category).toBe('no_signal');
    await harness.database.db.update(incidents).set({ dueOn: '2020-01-06' }).where(eq(incidents.id, incident!.id));
    const page = await open(`/buildings/${buildingA.id}`, people.landlord);
    expect(page.html).toContain('Plus de signal au rez-de-chaussée');
    expect(page.html).toContain('en retard');
    expect((await open('/rollout', people.landlord)).html).toMatch(/<strong>1<\/strong>/);
  });
});
