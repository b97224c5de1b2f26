import { Frais, ModaliteAcces, PublicSpecifiquementAdresse, Service, Typologie } from '@gouvfr-anct/lieux-de-mediation-numerique';
import { eq } from 'drizzle-orm';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sitePlaces } from '../src/places/places.schema.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { csrfOf, openPage, signInWithForm, type Person } from './helpers/pages.ts';
import { pdfText } from './helpers/pdf.ts';
import { otherActorPlace, publishPlace, testPivot } from './helpers/places.ts';
import { createWorld, type World } from './helpers/world.ts';

/*
 * /lieux and a place's page, for anyone: the three questions, the filters (need, service,
 * commune or EPCI, "ouvert maintenant" at the instant the app's clock gives), the network's
 * places and other actors' told apart, a place without coordinates listed with no marker; and
 * the coordinator's form of a site's public place, which parses with the API's schema.
 */

let now = new Date('2026-12-22T09:00:00Z'); // a Tuesday, 10:00 in Paris
let harness: Harness;
let world: World;
let admin: Person;
const ids = {} as Record<'agen' | 'marmande' | 'villeneuve' | 'unpublished' | 'boe' | 'bordeaux', string>;
let workshopName: string;
let workshopId: string;

const workshopHours = 'Mo-Fr 09:00-12:00,14:00-17:30; PH off';

beforeAll(async () => {
  harness = await startHarness({ app: { clock: () => now } });
  world = await createWorld(harness);
  const workshop = await world.organisation('workshop', `Rebond 47 ${Date.now()}`);
  workshopName = workshop.name;
  workshopId = workshop.id;
  const centre = await world.organisation('mediation');
  ids.agen = (await world.site(workshop.id, { name: 'Atelier d’Agen', address: '12 rue des Ateliers', postalCode: '47000', communeCode: '47001' })).id;
  ids.marmande = (await world.site(workshop.id, { name: 'Point de collecte de Marmande', kind: 'collection_point', communeCode: '47157' })).id;
  ids.villeneuve = (await world.site(centre.id, { name: 'Espace numérique de Villeneuve', kind: 'mediation_place', communeCode: '47323' })).id;
  ids.unpublished = (await world.site(workshop.id, { name: 'Réserve de Boé', communeCode: '47031' })).id;
  await publishPlace(harness.database, ids.agen, {
    latitude: 44.2031,
    longitude: 0.6163,
    typologies: [Typologie.ACI, Typologie.RESSOURCERIE],
    services: [Service.MaterielInformatiqueAPrixSolidaire],
    activities: ['collects_donations', 'wipes_data', 'refurbishes', 'hands_over'],
    openingHours: workshopHours,
    phone: '05 53 00 00 47',
    emails: ['contact@rebond47.example'],
    website: 'https://rebond47.example',
    summary: 'Chantier d’insertion qui reconditionne les ordinateurs donnés.',
    publics: [PublicSpecifiquementAdresse.FamillesEnfants],
    accessModes: [ModaliteAcces.SePresenter],
    fees: [Frais.Payant],
    bookingUrl: 'https://rebond47.example/rendez-vous',
  });
  // The collection point has no coordinates: listed, not on the map.
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
  ids.bordeaux = (
    await otherActorPlace(harness.database, world.admin.organisationId, {
      name: 'Ressourcerie de Bordeaux',
      communeCode: '33063',
      commune: 'Bordeaux',
      postalCode: '33000',
      services: [Service.MaterielInformatiqueAPrixSolidaire],
    })
  ).id;
  admin = await signInWithForm(harness.app, world.admin);
});
afterAll(() => harness.close());

const documentOf = (html: string) => parseHTML(html).document;
/** The names of the places a /lieux page lists, in order. */
const listed = (html: string) => [...documentOf(html).querySelectorAll('li.place .place-name a')].map((link) => link.textContent!.trim());
const itemOf = (html: string, id: string) => documentOf(html).querySelector(`li.place[data-place-id="${id}"]`);

describe('/lieux, for anyone', () => {
  it('answers without signing in, in French, with the three questions and every published place, by intercommunality and commune', async () => {
    const page = await openPage(harness.app, '/lieux');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="fr">');
    for (const question of ['Où donner un ordinateur ?', 'Où obtenir un ordinateur à prix solidaire ?', 'Où se former ?'])
      expect(page.html).toContain(question);
    expect(listed(page.html).sort()).toEqual(
      ['Atelier d’Agen', 'Espace numérique de Villeneuve', 'Médiathèque de Boé', 'Point de collecte de Marmande', 'Ressourcerie de Bordeaux'].sort(),
    );
    expect(page.html).not.toContain('Réserve de Boé');
    const headings = [...documentOf(page.html).querySelectorAll('.place-group h3')].map((heading) => heading.textContent);
    expect(headings).toEqual(expect.arrayContaining(["CA Agglomération d'Agen", 'Bordeaux Métropole', 'CA du Grand Villeneuvois']));
    // The agglomeration of Agen holds Agen's workshop and Boé's mediathèque, each under its commune.
    const agglomeration = [...documentOf(page.html).querySelectorAll('.place-group')].find((group) =>
      group.querySelector('h3')!.textContent!.includes('Agen'),
    )!;
    expect([...agglomeration.querySelectorAll('h4')].map((heading) => heading.textContent)).toEqual(['Agen', 'Boé']);
  });

  it('tells the network’s places from other actors’', async () => {
    const page = await openPage(harness.app, '/lieux');
    expect(itemOf(page.html, ids.agen)!.querySelector('.badge')!.textContent).toBe('Lieu du réseau');
    expect(itemOf(page.html, ids.boe)!.querySelector('.badge')!.textContent).toBe('Autre acteur');
    expect(itemOf(page.html, ids.boe)!.getAttribute('data-network')).toBe('false');
    expect(itemOf(page.html, ids.agen)!.getAttribute('data-network')).toBe('true');
  });

  it('lists a place without coordinates with no marker data, and gives the others theirs', async () => {
    const page = await openPage(harness.app, '/lieux');
    const marmande = itemOf(page.html, ids.marmande)!;
    expect(marmande.hasAttribute('data-place-marker')).toBe(false);
    expect(marmande.hasAttribute('data-lat')).toBe(false);
    expect(marmande.textContent).toContain('Pas encore placé sur la carte');
    const agen = itemOf(page.html, ids.agen)!;
    expect(agen.getAttribute('data-lat')).toBe('44.2031');
    expect(agen.getAttribute('data-lon')).toBe('0.6163');
    expect(agen.getAttribute('data-href')).toBe(`/lieux/${ids.agen}`);
    // The map itself is drawn by the script; without it, the list is the page.
    expect(documentOf(page.html).querySelector('[data-places-map]')!.hasAttribute('hidden')).toBe(true);
  });

  it.each([
    ['besoin=donner', ['Atelier d’Agen', 'Point de collecte de Marmande']],
    ['besoin=obtenir', ['Atelier d’Agen', 'Ressourcerie de Bordeaux']],
    ['besoin=se-former', ['Espace numérique de Villeneuve', 'Médiathèque de Boé']],
    [`service=${encodeURIComponent(Service.MaitriseDesOutilsNumeriquesDuQuotidien)}`, ['Espace numérique de Villeneuve', 'Médiathèque de Boé']],
    ['territoire=200096956', ['Atelier d’Agen', 'Médiathèque de Boé']],
    ['territoire=47157', ['Point de collecte de Marmande']],
    ['territoire=47', ['Atelier d’Agen', 'Espace numérique de Villeneuve', 'Médiathèque de Boé', 'Point de collecte de Marmande']],
    ['besoin=se-former&territoire=200096956', ['Médiathèque de Boé']],
  ])('keeps the places that match %s', async (query, names) => {
    const page = await openPage(harness.app, `/lieux?${query}`);
    expect(page.status).toBe(200);
    expect(listed(page.html).sort()).toEqual([...names].sort());
  });

  it('offers the communes and intercommunalities that have places as filters', async () => {
    const options = [...documentOf((await openPage(harness.app, '/lieux')).html).querySelectorAll('select[name="territoire"] option')].map((option) =>
      option.getAttribute('value'),
    );
    expect(options).toEqual(expect.arrayContaining(['', '200096956', '47001', '47031', '47157', '47323', '33063']));
  });

  it('reads "ouvert maintenant" at the app’s instant, in Paris', async () => {
    const openAt = async (instant: string) => {
      now = new Date(instant);
      return listed((await openPage(harness.app, '/lieux?ouvert=maintenant')).html).sort();
    };
    // Tuesday 10:00: the workshop, the mediation place and the mediathèque; the collection point opens on Saturdays.
    expect(await openAt('2026-12-22T09:00:00Z')).toEqual(['Atelier d’Agen', 'Espace numérique de Villeneuve', 'Médiathèque de Boé']);
    // Tuesday 12:30: the network's places are at lunch, the mediathèque is not.
    expect(await openAt('2026-12-22T11:30:00Z')).toEqual(['Médiathèque de Boé']);
    // Saturday 10:00: the collection point and the mediathèque.
    expect(await openAt('2026-12-26T09:00:00Z')).toEqual(['Médiathèque de Boé', 'Point de collecte de Marmande']);
    // Christmas Day, a Friday: the network's places are closed (PH off); Boé's hours say nothing of public holidays, so it opens.
    expect(await openAt('2026-12-25T09:00:00Z')).toEqual(['Médiathèque de Boé']);
    // Midnight in Paris: nothing is open; Bordeaux's place has no hours, so it is never "open now".
    expect(await openAt('2026-12-22T23:00:00Z')).toEqual([]);
    now = new Date('2026-12-22T09:00:00Z');
  });

  it('shows each place as open or closed now in the list', async () => {
    now = new Date('2026-12-22T11:30:00Z');
    const page = await openPage(harness.app, '/lieux');
    expect(itemOf(page.html, ids.agen)!.querySelector('p.closed')!.textContent).toBe('Fermé maintenant');
    expect(itemOf(page.html, ids.boe)!.querySelector('p.open')!.textContent).toBe('Ouvert maintenant');
    expect(itemOf(page.html, ids.bordeaux)!.textContent).toContain('Horaires non renseignés');
    now = new Date('2026-12-22T09:00:00Z');
  });

  it.each([
    ['besoin=voler', 'besoin', 'Choisissez : donner, obtenir ou se former.'],
    ['service=Cours%20de%20cuisine', 'service', 'Choisissez un service de la liste.'],
    ['territoire=99999', 'territoire', 'Choisissez une commune ou une intercommunalité'],
    ['territoire=%3Cscript%3E', 'territoire', 'Choisissez une commune ou une intercommunalité'],
    ['ouvert=peut-%C3%AAtre', 'ouvert', 'Oui ou non'],
  ])('answers the bad filter %s with a 400 page saying it next to its field', async (query, field, message) => {
    const page = await openPage(harness.app, `/lieux?${query}`);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Ce n’est pas encore bon');
    expect(page.html).toContain(`href="#champ-${field}"`);
    expect(page.html).toContain(message);
    expect(page.html).not.toContain('&lt;script&gt;&lt;'); // echoed as text only, never as markup
    // The other filters still apply, and the places are still listed.
    expect(listed(page.html).length).toBeGreaterThan(0);
  });

  it('keeps a good filter when another one is bad', async () => {
    const page = await openPage(harness.app, '/lieux?besoin=donner&territoire=00000');
    expect(page.status).toBe(400);
    expect(listed(page.html).sort()).toEqual(['Atelier d’Agen', 'Point de collecte de Marmande']);
  });

  it('sets a content security policy that lets the map’s tiles in from the tile server alone, and serves Leaflet from here', async () => {
    const response = await harness.app.request('/lieux');
    const policy = response.headers.get('content-security-policy')!;
    const imgSrc = policy.split(';').find((directive) => directive.trim().startsWith('img-src'))!;
    expect(imgSrc).toContain('https://a.tile.openstreetmap.fr');
    expect(imgSrc).toContain('https://c.tile.openstreetmap.fr');
    expect(policy).toMatch(/script-src 'self'(;|$)/);
    expect(policy).toMatch(/connect-src 'self'(;|$)/);
    const html = await response.text();
    expect(html).toContain('<script src="/assets/leaflet/leaflet.js" defer');
    expect(html).toContain('href="/assets/leaflet/leaflet.css"');
    expect(html).toContain('data-tiles-url="https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png"');
    for (const [path, type] of [
      ['/assets/leaflet/leaflet.js', 'text/javascript'],
      ['/assets/leaflet/leaflet.css', 'text/css'],
      ['/assets/leaflet/images/marker-icon.png', 'image/png'],
      ['/assets/leaflet/images/marker-shadow.png', 'image/png'],
      ['/assets/maps.js', 'text/javascript'],
    ]) {
      const asset = await harness.app.request(path!);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type')).toContain(type);
    }
    expect((await harness.app.request('/assets/leaflet/package.json')).status).toBe(404);
    expect((await harness.app.request('/assets/leaflet/images/..%2F..%2Fpackage.json')).status).toBe(404);
  });

  it('is linked from every page’s header or footer, signed in or not', async () => {
    for (const page of [await openPage(harness.app, '/login'), await openPage(harness.app, '/admin', admin)]) {
      expect(page.html).toMatch(/<footer class="site">[\s\S]*href="\/lieux"/);
    }
    expect((await openPage(harness.app, '/login')).html).toMatch(/<header class="site">[\s\S]*href="\/lieux"[\s\S]*<\/header>/);
  });
});

describe('a place’s page', () => {
  it('shows a network place’s hours in French and whether it is open now, its services, publics, access, fees, contact, booking and organisation', async () => {
    now = new Date('2026-12-24T10:00:00Z'); // Thursday 24 December, 11:00
    const page = await openPage(harness.app, `/lieux/${ids.agen}`);
    expect(page.status).toBe(200);
    const document = documentOf(page.html);
    expect(document.querySelector('h1')!.textContent).toBe('Atelier d’Agen');
    expect(document.querySelector('[data-testid="opening-now"]')!.textContent).toBe('Ouvert en ce moment, jusqu’à 12 h');
    expect([...document.querySelectorAll('[data-testid="usual-hours"] li')].map((line) => line.textContent)).toEqual([
      'Du lundi au vendredi : 9 h – 12 h et 14 h – 17 h 30',
      'Samedi et dimanche : fermé',
      'Fermé les jours fériés',
    ]);
    expect(page.html).toContain('vendredi 25 décembre');
    expect(page.html).toContain('fermé (jour férié)');
    expect(page.html).toContain(`tenu par ${workshopName}`);
    for (const text of [
      Service.MaterielInformatiqueAPrixSolidaire,
      'Remet des ordinateurs aux familles',
      PublicSpecifiquementAdresse.FamillesEnfants,
      ModaliteAcces.SePresenter,
      Frais.Payant,
      'Atelier et chantier d’insertion',
      'href="tel:0553000047"',
      'href="mailto:contact@rebond47.example"',
      'href="https://rebond47.example/rendez-vous"',
      'Prendre rendez-vous en ligne',
    ])
      expect(page.html).toContain(text);
    expect(document.querySelector('[data-place-marker]')!.getAttribute('data-lat')).toBe('44.2031');
    now = new Date('2026-12-24T18:00:00Z');
    expect(documentOf((await openPage(harness.app, `/lieux/${ids.agen}`)).html).querySelector('[data-testid="opening-now"]')!.textContent).toBe(
      'Fermé en ce moment, ouvre lundi 28 décembre à 9 h',
    );
    now = new Date('2026-12-22T09:00:00Z');
  });

  it('shows another actor’s place with its source, and a place without coordinates with no map', async () => {
    const other = await openPage(harness.app, `/lieux/${ids.bordeaux}`);
    expect(other.status).toBe(200);
    expect(other.html).toContain('Autre acteur');
    expect(other.html).toContain('source : Cartographie nationale des lieux d’inclusion numérique');
    expect(other.html).toContain('Horaires non renseignés');
    expect(other.html).not.toContain('data-places-map');
    const marmande = await openPage(harness.app, `/lieux/${ids.marmande}`);
    expect(marmande.html).toContain('pas encore placé sur la carte');
    expect(marmande.html).not.toContain('data-place-marker');
  });

  it.each(['00000000-0000-4000-8000-000000000000', 'pas-un-lieu', '%00'])('answers an unknown place %s with a French 404 page', async (id) => {
    const response = await harness.app.request(`/lieux/${id}`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Ce lieu n’existe pas ou n’est plus publié');
  });

  it('answers an unpublished site as unknown', async () => {
    expect((await openPage(harness.app, `/lieux/${ids.unpublished}`)).status).toBe(404);
  });
});

describe('the coordinator’s form of a site’s place', () => {
  /** Posts the form as a browser does: every ticked box of a list under its name. */
  async function postPlace(siteId: string, fields: [string, string][], person = admin) {
    const csrf = csrfOf((await openPage(harness.app, `/admin/sites/${siteId}`, person)).html);
    const response = await harness.app.request(`/admin/sites/${siteId}/place`, {
      method: 'POST',
      headers: { cookie: person.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['_csrf', csrf], ...fields]).toString(),
    });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }
  const rowOf = async (siteId: string) => (await harness.database.db.select().from(sitePlaces).where(eq(sitePlaces.siteId, siteId)))[0];

  it('is reached from the sites of /admin and shows what the site publishes now', async () => {
    const network = await openPage(harness.app, '/admin', admin);
    expect(network.html).toContain(`href="/admin/sites/${ids.agen}"`);
    const page = await openPage(harness.app, `/admin/sites/${ids.agen}`, admin);
    expect(page.status).toBe(200);
    const form = documentOf(page.html).querySelector(`form[action="/admin/sites/${ids.agen}/place"]`)!;
    expect(form.querySelector('input[name="published"]')!.hasAttribute('checked')).toBe(true);
    expect(form.querySelector('input[name="pivot"]')!.getAttribute('value')).toBe(testPivot);
    expect(form.querySelector('input[name="openingHours"]')!.getAttribute('value')).toBe(workshopHours);
    expect(form.querySelector(`input[name="services"][value="${Service.MaterielInformatiqueAPrixSolidaire}"]`)!.hasAttribute('checked')).toBe(true);
    expect(form.querySelector('input[name="typologies"][value="ACI"]')!.hasAttribute('checked')).toBe(true);
    // The hours' syntax is explained beside the field, and the map only helps: the coordinates are typed fields.
    expect(page.html).toContain('Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off');
    expect(form.querySelector('input[name="latitude"]')!.getAttribute('value')).toBe('44.2031');
    expect(form.querySelector('[data-coordinates-picker]')!.hasAttribute('hidden')).toBe(true);
  });

  it('refuses a bad form with each error next to its field, in French, and changes nothing', async () => {
    const before = await rowOf(ids.agen);
    const answer = await postPlace(ids.agen, [
      ['published', 'on'],
      ['pivot', '1234'],
      ['latitude', 'nord'],
      ['openingHours', 'Mo-Fr 09:00-'],
      ['emails', 'contact@rebond47.example, pas-une-adresse'],
      ['website', 'ftp://rebond47.example'],
      ['summary', 'x'.repeat(281)],
      ['services', 'Cours de cuisine'],
      ['phone', 'appelez-nous'],
    ]);
    expect(answer.status).toBe(422);
    const document = documentOf(answer.html);
    const errorOf = (name: string) => document.querySelector(`#champ-${name}-erreur`)?.textContent ?? '';
    expect(errorOf('pivot')).toContain('Le SIRET (14 chiffres, clé de contrôle valide) ou le numéro RNA');
    expect(errorOf('latitude')).toContain('Un nombre est attendu');
    expect(errorOf('openingHours')).toContain('Des horaires au format OpenStreetMap');
    expect(errorOf('emails')).toContain('Une adresse e-mail');
    expect(errorOf('website')).toContain('https://');
    expect(errorOf('summary')).toContain('280 caractères au plus');
    expect(errorOf('services')).toContain('Choisissez un service de la liste nationale.');
    expect(errorOf('phone')).toContain('Un numéro de téléphone');
    // Each error of the summary leads to its field.
    for (const link of document.querySelectorAll('.error-summary a'))
      expect(document.querySelector(link.getAttribute('href')!), link.getAttribute('href')!).not.toBeNull();
    // What was typed comes back.
    expect(document.querySelector('input[name="openingHours"]')!.getAttribute('value')).toBe('Mo-Fr 09:00-');
    expect(await rowOf(ids.agen)).toEqual(before);
  });

  it('refuses a latitude without its longitude, next to the longitude', async () => {
    const before = await rowOf(ids.agen);
    const answer = await postPlace(ids.agen, [
      ['published', 'on'],
      ['pivot', testPivot],
      ['latitude', '44,2'],
      ['longitude', ''],
    ]);
    expect(answer.status).toBe(422);
    expect(documentOf(answer.html).querySelector('#champ-longitude-erreur')!.textContent).toContain('La latitude et la longitude vont ensemble');
    expect(await rowOf(ids.agen)).toEqual(before);
  });

  it('publishes a site with typed coordinates (no script needed) and its lists, then shows it on /lieux', async () => {
    const answer = await postPlace(ids.unpublished, [
      ['published', 'on'],
      ['pivot', '812 345 678 00013'],
      ['latitude', '44,1698'],
      ['longitude', '0.6321'],
      ['activities', 'collects_donations'],
      ['activities', 'trains_families'],
      ['services', Service.MaitriseDesOutilsNumeriquesDuQuotidien],
      ['typologies', 'ACI'],
      ['typologies', 'PIMMS'],
      ['openingHours', 'We 14:00-18:00; PH off'],
      ['emails', 'boe@rebond47.example; accueil@rebond47.example'],
      ['fees', Frais.Gratuit],
    ]);
    expect(answer.status, answer.html.slice(0, 2000)).toBe(303);
    expect(answer.location).toBe(`/admin/sites/${ids.unpublished}?publie=1`);
    const row = (await rowOf(ids.unpublished))!;
    expect(row).toMatchObject({
      pivot: testPivot,
      latitude: 44.1698,
      longitude: 0.6321,
      activities: ['collects_donations', 'trains_families'],
      typologies: ['ACI', 'PIMMS'],
      emails: ['boe@rebond47.example', 'accueil@rebond47.example'],
      fees: [Frais.Gratuit],
      phone: null,
    });
    const page = await openPage(harness.app, answer.location!, admin);
    expect(page.html).toContain('Fiche publique enregistrée.');
    // A typology beyond the common ones opens the list that holds it.
    expect(documentOf(page.html).querySelector('details')!.hasAttribute('open')).toBe(true);
    expect(listed((await openPage(harness.app, '/lieux?besoin=donner')).html)).toContain('Réserve de Boé');
  });

  it('clears a field left blank, and withdraws the site when « Publier » is unticked', async () => {
    const cleared = await postPlace(ids.unpublished, [
      ['published', 'on'],
      ['pivot', testPivot],
      ['activities', 'collects_donations'],
    ]);
    expect(cleared.status).toBe(303);
    expect(await rowOf(ids.unpublished)).toMatchObject({ latitude: null, longitude: null, openingHours: null, emails: [], typologies: [] });
    const withdrawn = await postPlace(ids.unpublished, [['pivot', testPivot]]);
    expect(withdrawn.location).toBe(`/admin/sites/${ids.unpublished}?publie=0`);
    expect(await rowOf(ids.unpublished)).toBeUndefined();
    expect((await openPage(harness.app, `/lieux/${ids.unpublished}`)).status).toBe(404);
  });

  it('is the coordinator’s alone', async () => {
    const workshop = await world.workshop();
    const operator = await signInWithForm(harness.app, workshop.operator);
    expect((await openPage(harness.app, `/admin/sites/${ids.agen}`, operator)).status).toBe(403);
    expect((await openPage(harness.app, `/admin/sites/${ids.agen}`)).status).toBe(303);
    expect((await openPage(harness.app, '/admin/sites/00000000-0000-4000-8000-000000000000', admin)).status).toBe(404);
  });
});

describe('pointing to the nearest place', () => {
  it('shows on a device’s public card where to learn, give and get near its site', async () => {
    const operator = await world.account(workshopId, 'workshop_operator');
    const device = await world.device(operator.token, ids.agen);
    const page = await openPage(harness.app, `/d/${device.code}`);
    expect(page.status).toBe(200);
    const nearest = documentOf(page.html).querySelector('[data-testid="nearest-places"]')!;
    expect(nearest).not.toBeNull();
    const links = Object.fromEntries(
      [...nearest.querySelectorAll('[data-need]')].map((entry) => [entry.getAttribute('data-need'), entry.querySelector('a')!.textContent]),
    );
    // From Agen: Boé's mediathèque (same agglomeration) to learn, before Villeneuve (same département).
    expect(links).toEqual({ learn: 'Médiathèque de Boé', give: 'Atelier d’Agen', get: 'Atelier d’Agen' });
    expect(nearest.innerHTML).toContain(`href="/lieux/${ids.boe}"`);
  });

  it('tells the donor in its report where to give next', async () => {
    const operator = await world.account(workshopId, 'workshop_operator');
    const donation = await world.donation(operator.token, ids.marmande);
    const response = await harness.app.request(`/api/donations/${donation.id}/report.pdf`, { headers: { authorization: `Bearer ${operator.token}` } });
    expect(response.status).toBe(200);
    const text = pdfText(new Uint8Array(await response.arrayBuffer()));
    expect(text).toContain('Pour un prochain don');
    expect(text).toContain('Point de collecte de Marmande');
    expect(text.replace(/\s+/g, ' ')).toContain('Samedi : 9 h – 12 h 30');
    expect(text).toContain('/lieux?besoin=donner');
  });
});
