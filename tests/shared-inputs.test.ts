import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { householdInput } from '../src/allocation/households.input.ts';
import { parseIntakeCsv } from '../src/donations/intake-csv.ts';
import { fieldRefusals, inBoth, parseInFrench } from '../src/field-messages.ts';
import { communeCode } from '../src/geography/commune-code.ts';
import type { Harness } from './helpers/harness.ts';
import { signInWithForm, submitForm, type Person } from './helpers/pages.ts';
import { startWorld, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let mediator: Person;
let admin: Person;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const centre = await world.organisation('mediation');
  mediator = await signInWithForm(harness.app, await world.account(centre.id, 'mediator'));
  admin = await signInWithForm(harness.app, world.admin);
});
afterAll(() => harness.close());

/** The message of each field on a refused page, by the field's name. */
const pageErrors = (html: string) =>
  Object.fromEntries([...html.matchAll(/id="champ-([\w-]+)-erreur">([^<]*)</g)].map(([, name, message]) => [name!, message!.replaceAll('&#39;', '’').trim()]));

/** The message of each field the API refuses, in the language asked for. */
async function apiErrors(path: string, token: string, body: unknown, language?: string, method: 'POST' | 'PATCH' = 'POST') {
  const response = await world.call(method, path, { token, body, headers: language ? { 'accept-language': language } : {} });
  expect(response.status, JSON.stringify(response.body)).toBe(422);
  return Object.fromEntries(response.body.errors.map((error: { path: string; message: string }) => [error.path, error.message]));
}

describe('one input schema per command, read by the API and by the page', () => {
  // A former commune merged into another: 01039 Béon is now part of Culoz-Béon.
  const wrong = { reference: 'F-SHARED', communeCode: '01039', size: 0, contactEmail: 'pas-une-adresse' };

  it('gives a family form the same French words for each bad field as the API gives a French client', async () => {
    const body = { ...wrong, attestations: [], consent: true };
    const french = await apiErrors('/api/households', mediator.token, body, 'fr-FR');
    const english = await apiErrors('/api/households', mediator.token, body);
    const page = await submitForm(harness.app, mediator, '/households/new', { ...wrong, size: '0', consent: 'on' }, { from: '/households/new' });
    expect(page.status).toBe(422);
    const onPage = pageErrors(page.html);
    for (const field of ['communeCode', 'size', 'contactEmail']) expect(onPage[field], field).toBe(french[field]);
    expect(french.communeCode).toMatch(/^01039 \(.+\) est une ancienne commune, aujourd’hui dans .+ : utilisez le code \d{5}\.$/);
    expect(english.communeCode).toMatch(/^01039 \(.+\) is a former commune, now part of .+: use \d{5}\.$/);
    expect(french.size).toBe('Au moins une personne.');
    expect(english.size).toBe('At least one person.');
  });

  it('gives the coordinator’s site form the API’s words, on the form’s own field names', async () => {
    const organisation = await world.organisation('workshop');
    const body = { organisationId: organisation.id, name: ' ', kind: 'castle', address: '1 rue de la Paix', postalCode: '470', communeCode: '4700' };
    const french = await apiErrors('/api/sites', admin.token, body, 'fr');
    const page = await submitForm(
      harness.app,
      admin,
      '/admin/sites',
      { siteOrganisationId: organisation.id, siteName: ' ', siteKind: 'castle', address: '1 rue de la Paix', postalCode: '470', communeCode: '4700' },
      { from: '/admin' },
    );
    expect(page.status).toBe(422);
    const onPage = pageErrors(page.html);
    expect(onPage).toMatchObject({ siteKind: french.kind, postalCode: french.postalCode, communeCode: french.communeCode });
    expect(onPage.siteName).toBe('À renseigner.');
    expect(french).toMatchObject({
      kind: 'Choisissez le type de lieu.',
      communeCode: 'Le code INSEE de la commune a 5 caractères, par exemple 47001 ou 2A004.',
    });
  });

  it('gives the programme form the API’s words for each bad field, every refused territory beside the territories field', async () => {
    const body = {
      name: 'Dispositif refusé',
      eligibilityCriteria: [],
      deviceKinds: ['laptop'],
      minimumSpecs: { ramGb: -2 },
      reservationDays: 400,
      territories: [
        { type: 'departement', code: '47' },
        { type: 'commune', code: '47999' },
        { type: 'epci', code: '999999999' },
      ],
      yearlyQuota: 0,
    };
    const french = await apiErrors('/api/programmes', admin.token, body, 'fr');
    const english = await apiErrors('/api/programmes', admin.token, body);
    const page = await submitForm(
      harness.app,
      admin,
      '/admin/programmes',
      {
        programmeName: body.name,
        'programmeDeviceKind-laptop': 'on',
        programmeRamGb: '-2',
        programmeReservationDays: '400',
        programmeTerritories: '47 47999 999999999',
        programmeYearlyQuota: '0',
      },
      { from: '/admin' },
    );
    expect(page.status).toBe(422);
    expect(pageErrors(page.html)).toEqual({
      programmeCriteria: french.eligibilityCriteria,
      programmeRamGb: french['minimumSpecs.ramGb'],
      programmeReservationDays: french.reservationDays,
      programmeTerritories: `${french['territories.1.code']} ${french['territories.2.code']}`,
      programmeYearlyQuota: french.yearlyQuota,
    });
    expect(french['territories.1.code']).toBe('47999 n’est pas le code INSEE d’une commune actuelle.');
    expect(english['territories.2.code']).toBe('999999999 is not the SIREN of an EPCI.');
    expect(english.reservationDays).toBe('A whole number of days, from 1 to 365.');
  });

  it('gives the public contact form the API’s words, a blank field withdrawing the contact as null does', async () => {
    const organisation = await world.organisation('workshop');
    const body = { publicPhone: 'appelez-moi', publicEmail: 'pas-une-adresse' };
    const french = await apiErrors(`/api/organisations/${organisation.id}`, admin.token, body, 'fr', 'PATCH');
    const contactOf = `organisation:${organisation.id}`;
    const refused = await submitForm(harness.app, admin, '/admin/public-contact', { contactOf, ...body }, { from: '/admin' });
    expect(refused.status).toBe(422);
    expect(pageErrors(refused.html)).toEqual({ publicPhone: french.publicPhone, publicEmail: french.publicEmail });

    const published = await submitForm(
      harness.app,
      admin,
      '/admin/public-contact',
      { contactOf, publicPhone: ' 05 53 12 34 56 ', publicEmail: '' },
      { from: '/admin' },
    );
    expect(published.status, published.html).toBe(303);
    const read = await world.call('GET', `/api/organisations/${organisation.id}`, { token: admin.token });
    expect(read.body).toMatchObject({ publicPhone: '05 53 12 34 56', publicEmail: null });
  });

  it('reads an inventory’s lines with the JSON intake’s schema', async () => {
    const parsed = parseIntakeCsv(`type;marque;modèle;remarques\nportable;Dell;${'L'.repeat(201)};ok\nportable;Dell;Latitude;${'n'.repeat(2001)}\n`);
    expect(parsed.ok).toBe(true);
    const reasons = parsed.ok ? parsed.lines.map((line) => (line.ok ? 'ok' : line.reason)) : [];
    const json = await world.call('POST', '/api/devices', {
      token: (await world.workshop()).operator.token,
      body: { kind: 'laptop', brand: 'Dell', model: 'L'.repeat(201), donationId: crypto.randomUUID() },
    });
    const modelRule = json.body.errors.find((error: { path: string }) => error.path === 'model').message;
    expect(modelRule).toBe('At most 200 characters.');
    expect(reasons).toEqual([`the model: ${modelRule}`, 'the notes: At most 2000 characters.']);
  });
});

describe('field messages in two languages', () => {
  it('word zod’s own checks in French from the issue, never from its English text', () => {
    const schema = z.object({ id: z.uuid(), count: z.number().int().max(3), kind: z.enum(['a', 'b']), name: z.string().min(2) }).strict();
    const result = schema.safeParse({ id: 'x', count: 9, kind: 'c', name: 'n', extra: 1 });
    expect(result.success).toBe(false);
    const french = Object.fromEntries(fieldRefusals(result.error!).map((field) => [field.path, field.french]));
    expect(french).toEqual({
      id: 'Identifiant invalide.',
      count: 'Au plus 3.',
      kind: 'Choisissez une des valeurs proposées.',
      name: '2 caractères au moins.',
      '(body)': 'Champ inconnu : extra.',
    });
    const missing = parseInFrench(schema, {});
    expect(missing.ok || missing.errors.map((error) => error.message)).toEqual(['À renseigner.', 'À renseigner.', 'À renseigner.', 'À renseigner.']);
  });

  it('keep a rule’s own words in each language, and a message built at run time carries its French', () => {
    const rule = z.string().regex(/^\d+$/, inBoth('Digits only.', 'Des chiffres seulement.'));
    const refused = rule.safeParse('x');
    expect(fieldRefusals(refused.error!)[0]).toEqual({ path: '(body)', message: 'Digits only.', french: 'Des chiffres seulement.' });
    expect(parseInFrench(rule, 'x')).toEqual({ ok: false, errors: [{ path: '', message: 'Des chiffres seulement.' }] });
    const merged = communeCode.safeParse(' 2a004 ');
    expect(merged.success && merged.data).toBe('2A004');
    expect(householdInput.shape.communeCode).toBe(communeCode);
    // The French is found by the English: the same English cannot be given another French.
    expect(inBoth('Digits only.', 'Des chiffres seulement.')).toBe('Digits only.');
    expect(() => inBoth('Digits only.', 'Uniquement des chiffres.')).toThrow(/already reads "Des chiffres seulement\."/);
  });
});
