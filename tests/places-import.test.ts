import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { asc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundJobs } from '../src/jobs/jobs.schema.ts';
import { externalPlaces, sitePlaces } from '../src/places/places.schema.ts';
import type { Harness } from './helpers/harness.ts';
import { finishedJob } from './helpers/intake.ts';
import { csrfOf, openPage, signInWithForm, type Person } from './helpers/pages.ts';
import { startWorld, type Account, type Response, type World } from './helpers/world.ts';

/*
 * Other actors' places, imported from a file in the national schema: a neighbour network's 36
 * lines around Lot-et-Garonne, Gironde and Dordogne (tests/fixtures/places/autres-acteurs.csv),
 * nine of them wrong in nine ways. Each refusal names its line, its column and its reason; the
 * valid lines are upserted by their id, so that the same file again changes nothing and a newer
 * date_maj replaces the older.
 */

let harness: Harness;
let world: World;
let operator: Account;
let admin: Person;

const fixture = readFileSync(new URL('./fixtures/places/autres-acteurs.csv', import.meta.url), 'utf8');
/** The fixture's places under ids of their own, so that each test imports places no other test touched. */
const withIds = (prefix: string, text = fixture) => text.replaceAll('voisins-', `${prefix}-`);

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  operator = (await world.workshop()).operator;
  admin = await signInWithForm(harness.app, world.admin);
});
afterAll(() => harness?.close());

async function answer(response: globalThis.Response): Promise<Response> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // kept as text
  }
  return { status: response.status, body, headers: response.headers };
}

const upload = async (content: string | Uint8Array, options: { token?: string; type?: string } = {}) =>
  answer(
    await harness.app.request('/api/places/imports', {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token ?? world.admin.token}`, 'content-type': options.type ?? 'text/csv; charset=utf-8' },
      body: content,
    }),
  );

async function imported(content: string | Uint8Array) {
  const accepted = await upload(content);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  expect(accepted.body).toMatchObject({ kind: 'place_import', state: 'queued' });
  return finishedJob(world, world.admin.token, accepted.body.id);
}

const placesWith = (prefix: string) =>
  harness.database.db
    .select()
    .from(externalPlaces)
    .where(like(externalPlaces.externalId, `${prefix}-%`))
    .orderBy(asc(externalPlaces.externalId));

/** The refusals of the fixture: where each wrong line starts, and the column at fault. */
const fixtureRefusals = [
  { line: 7, row: 7, field: 'nom' },
  { line: 12, row: 12, field: 'pivot' },
  { line: 16, row: 16, field: 'typologie' },
  { line: 17, row: 17, field: 'horaires' },
  { line: 23, row: 23, field: 'presentation_resume' },
  { line: 28, row: 28, field: 'code_postal' },
  { line: 33, row: 33, field: 'date_maj' },
  { line: 34, row: 34, field: 'services' },
  // After a line whose presentation holds a line break: the editor's line 38 is the spreadsheet's row 37.
  { line: 38, row: 37, field: 'id' },
];

describe('importing a neighbour network’s file in the national schema', () => {
  it('imports the valid lines and refuses each wrong one at its line, with the column and the reason in English and French', async () => {
    const job = await imported(withIds('first'));
    expect(job).toMatchObject({ state: 'succeeded', total: 36, processed: 36, failureReason: null });
    expect(job.summary).toMatchObject({ created: 27, updated: 0, unchanged: 0, olderIgnored: 0, refused: 9, lines: 36 });
    expect(job.errors.map(({ line, row, field }: { line: number; row: number; field: string }) => ({ line, row, field }))).toEqual(fixtureRefusals);
    for (const error of job.errors) {
      expect(error.message).toMatch(/\S/);
      expect(error.french).toMatch(/\S/);
    }
    const reasons = Object.fromEntries(job.errors.map((error: { field: string; message: string; french: string }) => [error.field, error]));
    expect(reasons.nom.french).toBe('Le nom est obligatoire dans le schéma national : la cellule est vide.');
    expect(reasons.pivot.message).toBe('"812345678001" is neither a SIRET (14 digits) nor an RNA number (W and 9 characters).');
    expect(reasons.typologie.french).toBe('« MEDIATHEQUE » n’est pas une valeur de la liste nationale pour la typologie.');
    expect(reasons.horaires.message).toContain('"du lundi au vendredi 9h-12h" is not in the OpenStreetMap opening_hours syntax');
    expect(reasons.presentation_resume.message).toBe('The summary has 313 characters; the national schema takes 280 at most.');
    expect(reasons.code_postal.french).toBe('Le code postal « 4715 » n’a pas 5 chiffres.');
    expect(reasons.date_maj.message).toContain('"15/03/2026" is not a date as the schema writes it');
    expect(reasons.services.french).toContain('séparées par « | »');
    expect(reasons.id.message).toBe('The id first-001 is already on line 2: ids are unique in the national schema.');

    const places = await placesWith('first');
    expect(places).toHaveLength(27);
    const byId = new Map(places.map((place) => [place.externalId, place]));
    expect(byId.get('first-001')).toMatchObject({
      name: 'Médiathèque municipale d’Agen',
      address: 'Place Armand Fallières',
      postalCode: '47000',
      commune: 'Agen',
      communeCode: '47001',
      latitude: 44.2037,
      longitude: 0.6177,
      typologies: ['BIB'],
      services: ['Accès internet et matériel informatique', 'Maîtrise des outils numériques du quotidien'],
      openingHours: 'Tu-Sa 10:00-18:00; PH off',
      phone: '+33553000101',
      emails: ['mediatheque@agen-exemple.fr'],
      website: 'https://mediatheque.agen-exemple.fr',
      publics: ['Seniors', 'Jeunes'],
      accessModes: ['Se présenter'],
      fees: ['Gratuit'],
      source: 'Réseau numérique Garonne-Périgord',
      sourceUpdatedOn: '2026-09-14',
      importedBy: world.admin.organisationId,
    });
    // An association, by its RNA number; a place without coordinates (listed, not on the map); a booking link.
    expect(byId.get('first-025')).toMatchObject({ pivot: 'W471001234', publics: ['Seniors'] });
    expect(byId.get('first-026')).toMatchObject({ latitude: null, longitude: null, commune: 'Duras' });
    expect(byId.get('first-012')).toMatchObject({ bookingUrl: 'https://rdv.langon-exemple.fr/france-services' });
    // None of the refused lines is there, not even in part.
    for (const refused of ['028', '029', '030', '031', '032', '033', '034', '035']) expect(byId.has(`first-${refused}`), refused).toBe(false);
    expect(byId.get('first-001')!.name).not.toContain('doublon');
  });

  it('changes nothing when the same file comes again: no new place, not even a timestamp', async () => {
    await imported(withIds('again'));
    const before = await placesWith('again');
    const job = await imported(withIds('again'));
    expect(job.summary).toMatchObject({ created: 0, updated: 0, unchanged: 27, olderIgnored: 0, refused: 9 });
    expect(await placesWith('again')).toEqual(before);
  });

  it('replaces a place by a line with a newer date_maj, and ignores (and counts) an older one', async () => {
    await imported(withIds('dated'));
    const before = new Map((await placesWith('dated')).map((place) => [place.externalId, place]));
    const changed = withIds('dated')
      .replace('France Services de Nérac,Nérac,47600,47195,7 avenue Mondenard', 'France Services du Pays d’Albret,Nérac,47600,47195,9 avenue Mondenard')
      .replace(/(dated-002,.*?)2026-06-02/, '$12026-11-20')
      .replace('Espace public numérique de Tonneins', 'EPN de Tonneins (ancien nom)')
      .replace(/(dated-003,.*?)2026-03-20/, '$12025-01-01');
    const job = await imported(changed);
    expect(job.summary).toMatchObject({ created: 0, updated: 1, unchanged: 25, olderIgnored: 1, refused: 9 });
    const after = new Map((await placesWith('dated')).map((place) => [place.externalId, place]));
    expect(after.get('dated-002')).toMatchObject({ name: 'France Services du Pays d’Albret', address: '9 avenue Mondenard', sourceUpdatedOn: '2026-11-20' });
    expect(after.get('dated-002')!.importedAt.getTime()).toBeGreaterThan(before.get('dated-002')!.importedAt.getTime());
    expect(after.get('dated-003')).toEqual(before.get('dated-003'));
    expect(after.get('dated-004')).toEqual(before.get('dated-004'));
  });

  it('gives no duplicate when the same file is sent several times at once', async () => {
    const content = withIds('together');
    const answers = await Promise.all(Array.from({ length: 4 }, () => upload(content)));
    expect(answers.map((each) => each.status)).toEqual([202, 202, 202, 202]);
    const jobs = await Promise.all(answers.map((each) => finishedJob(world, world.admin.token, each.body.id)));
    expect(jobs.map((job) => job.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await placesWith('together')).toHaveLength(27);
    // Each place was created by exactly one of them; the others found it there.
    expect(jobs.reduce((sum, job) => sum + job.summary.created, 0)).toBe(27);
    for (const job of jobs) expect(job.summary.created + job.summary.unchanged).toBe(27);
  });

  it('refuses a line carrying the id of one of the network’s own places, and leaves that place as it was', async () => {
    const organisation = await world.organisation('mediation');
    const site = await world.site(organisation.id, { name: 'Espace numérique du réseau', kind: 'mediation_place', postalCode: '47000' });
    const published = await world.call('PUT', `/api/sites/${site.id}/place`, { token: world.admin.token, body: { pivot: '81234567800013' } });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const [header, firstLine] = fixture.split('\n');
    const job = await imported(`${header}\n${firstLine!.replace('voisins-001', site.id)}\n`);
    expect(job.summary).toMatchObject({ created: 0, refused: 1 });
    expect(job.errors).toEqual([
      expect.objectContaining({
        line: 2,
        field: 'id',
        message: expect.stringContaining("one of the network's own places"),
        french: expect.stringContaining('lieu du réseau'),
      }),
    ]);
    expect(await harness.database.db.$count(externalPlaces, eq(externalPlaces.externalId, site.id))).toBe(0);
    const [place] = await harness.database.db.select().from(sitePlaces).where(eq(sitePlaces.siteId, site.id));
    expect(place).toMatchObject({ pivot: '81234567800013', updatedAt: new Date(published.body.updatedAt) });
  });

  it('reads a French spreadsheet’s export: semicolons, Windows-1252, CRLF', async () => {
    const [header, ...records] = parse(withIds('tableur'), { relax_column_count: true }) as string[][];
    const cell = (value: string) => (/[";\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
    const text = [header!, records[0]!, records[1]!].map((record) => record.map(cell).join(';')).join('\r\n');
    // Windows-1252: é, è as in Latin-1, the typographic apostrophe at 0x92.
    const bytes = Uint8Array.from([...text].map((char) => (char === '’' ? 0x92 : char.charCodeAt(0))));
    expect(bytes.every((byte, index) => byte < 256 && (text[index] === '’' || byte === text.charCodeAt(index)))).toBe(true);
    const job = await imported(bytes);
    expect(job.summary).toMatchObject({ created: 2, refused: 0 });
    const places = await placesWith('tableur');
    expect(places.map((place) => [place.name, place.openingHours])).toEqual([
      ['Médiathèque municipale d’Agen', 'Tu-Sa 10:00-18:00; PH off'],
      ['France Services de Nérac', 'Mo-Fr 08:30-12:00,13:30-17:00; PH off'],
    ]);
  });
});

describe('what the import refuses outright', () => {
  const jobsCount = () => harness.database.db.$count(backgroundJobs, eq(backgroundJobs.kind, 'place_import'));

  it('refuses anyone but the coordinator (403), and an anonymous caller (401), storing nothing', async () => {
    const before = await jobsCount();
    const refused = await upload(fixture, { token: operator.token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.code).toBe('forbidden');
    const anonymous = await answer(
      await harness.app.request('/api/places/imports', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: fixture }),
    );
    expect(anonymous.status).toBe(401);
    expect(await jobsCount()).toBe(before);
  });

  it.each([
    ['a JSON body', '{"lieux":[]}', 'application/json', 415, 'unsupported_media_type'],
    ['an empty file', '', 'text/csv', 422, 'validation_failed'],
    ['a file of blank lines', '\r\n\r\n', 'text/csv', 422, 'validation_failed'],
    ['a file without the schema’s header', 'nom;adresse\nMédiathèque;Place du marché\n', 'text/csv', 422, 'validation_failed'],
  ])('answers %s with a problem, and queues nothing', async (_what, content, type, status, code) => {
    const before = await jobsCount();
    const refused = await upload(content, { type });
    expect(refused.status).toBe(status);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.code).toBe(code);
    if (status === 422) expect(refused.body.errors).toEqual([{ path: 'file', message: expect.stringMatching(/\S/) }]);
    expect(await jobsCount()).toBe(before);
  });

  it('names the missing columns of a header', async () => {
    const refused = await upload('id,nom,commune\nx,Médiathèque,Agen\n');
    expect(refused.body.errors[0].message).toContain('pivot, code_postal, adresse, date_maj');
  });

  it('offers no route that changes another actor’s place', async () => {
    const document = (await (await harness.app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const changing = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/places'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .filter((route) => !route.startsWith('GET '));
    expect(changing).toEqual(['POST /api/places/imports']);
  });
});

describe('the coordinator’s import page', () => {
  const post = async (person: Person, form: FormData) =>
    harness.app.request('/admin/lieux/import', { method: 'POST', headers: { cookie: person.cookie }, body: form });
  const formWith = (csrf: string, content?: string, filename = 'lieux-voisins.csv') => {
    const form = new FormData();
    form.append('_csrf', csrf);
    if (content !== undefined) form.append('file', new File([content], filename, { type: 'text/csv' }));
    return form;
  };

  it('uploads the file and shows the counts and each refused line, in French', async () => {
    const page = await openPage(harness.app, '/admin/lieux/import', admin);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Importer les lieux d’autres acteurs</h1>');
    expect(page.html).toContain('enctype="multipart/form-data"');
    const sent = await post(admin, formWith(csrfOf(page.html), withIds('page')));
    expect(sent.status).toBe(303);
    const location = sent.headers.get('location')!;
    expect(location).toMatch(/^\/admin\/lieux\/import\/[0-9a-f-]{36}$/);
    await finishedJob(world, world.admin.token, location.split('/').at(-1)!);
    const result = await openPage(harness.app, location, admin);
    expect(result.html).toContain('Import de lieux : lieux-voisins.csv');
    expect(result.html).toContain('<dd data-count="created">27</dd>');
    expect(result.html).toContain('<dd data-count="refused">9</dd>');
    expect(result.html).toContain('<td>7</td><td>nom</td><td>Le nom est obligatoire dans le schéma national : la cellule est vide.</td>');
    expect(result.html).toContain('<td>28</td><td>code_postal</td><td>Le code postal « 4715 » n’a pas 5 chiffres.</td>');
    // Listed among the last imports.
    expect((await openPage(harness.app, '/admin/lieux/import', admin)).html).toContain(`href="${location}"`);
  });

  it('shows the error next to the file field: no file, or a file without the schema’s header', async () => {
    const csrf = csrfOf((await openPage(harness.app, '/admin/lieux/import', admin)).html);
    const empty = await post(admin, formWith(csrf));
    expect(empty.status).toBe(422);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain('class="field invalid"');
    expect(emptyHtml).toContain('<p class="error" id="champ-file-erreur">Choisissez le fichier CSV des lieux à importer.</p>');
    const wrong = await post(admin, formWith(csrf, 'nom;adresse\nMédiathèque;Place du marché\n'));
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('La ligne d’en-tête n’a pas la ou les colonnes id, pivot, commune, code_postal, date_maj du schéma national');
  });

  it('is the coordinator’s only, and checks the form’s CSRF token', async () => {
    const person = await signInWithForm(harness.app, operator);
    expect((await openPage(harness.app, '/admin/lieux/import', person)).status).toBe(403);
    expect((await openPage(harness.app, '/admin/lieux/import')).status).toBe(303);
    const forged = await post(admin, formWith('not-the-token', withIds('forged')));
    expect(forged.status).toBe(403);
    expect(await placesWith('forged')).toHaveLength(0);
  });
});
