import OpeningHours from 'opening_hours';
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisations, sites } from '../src/organisations/organisations.schema.ts';
import { sitePlaces } from '../src/places/places.schema.ts';
import { seedDemoData, type DemoAccount } from '../src/seed/demo.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { issueToken } from './helpers/world.ts';

/*
 * The network's places exported in La MedNum's national schema (LaMednum/standard-mediation-num
 * v1.0.2), checked here against the schema's own rules, written from its Table Schema
 * (schema.json), not from the library that builds the export: the columns and their order, the
 * required cells, the value lists with "|" between values, the patterns (pivot, postal and INSEE
 * codes, telephone), the summary's length, the date, and the hours in OpenStreetMap's syntax.
 */

// schema.json's `fields`, in order.
const schemaFields = [
  'id',
  'pivot',
  'nom',
  'commune',
  'code_postal',
  'code_insee',
  'adresse',
  'complement_adresse',
  'latitude',
  'longitude',
  'typologie',
  'telephone',
  'courriels',
  'site_web',
  'horaires',
  'presentation_resume',
  'presentation_detail',
  'source',
  'itinerance',
  'structure_parente',
  'date_maj',
  'services',
  'publics_specifiquement_adresses',
  'prise_en_charge_specifique',
  'frais_a_charge',
  'dispositif_programmes_nationaux',
  'formations_labels',
  'autres_formations_labels',
  'modalites_acces',
  'modalites_accompagnement',
  'fiche_acces_libre',
  'prise_rdv',
];
const requiredFields = ['id', 'pivot', 'nom', 'commune', 'code_postal', 'adresse', 'date_maj'];
const patterns: Record<string, RegExp> = {
  pivot: /^[a-zA-Z0-9]{9,14}$/,
  code_postal: /^\d{5}$/,
  code_insee: /^([013-9]\d|2[AB1-9])\d{3}$/,
  telephone: /^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$/,
};
// The lists of the schema's patterns `(?:(?:^|\|)(value|value...))+$`: each value of a cell, between "|", is one of these.
const valueLists: Record<string, string[]> = {
  itinerance: ['Itinérant', 'Fixe'],
  services: [
    'Aide aux démarches administratives',
    'Maîtrise des outils numériques du quotidien',
    'Insertion professionnelle via le numérique',
    'Utilisation sécurisée du numérique',
    'Parentalité et éducation avec le numérique',
    'Loisirs et créations numériques',
    'Compréhension du monde numérique',
    'Accès internet et matériel informatique',
    'Acquisition de matériel informatique à prix solidaire',
  ],
  publics_specifiquement_adresses: ['Jeunes', 'Étudiants', 'Familles et/ou enfants', 'Seniors', 'Femmes'],
  prise_en_charge_specifique: [
    'Surdité',
    'Handicaps moteurs',
    'Handicaps mentaux',
    'Illettrisme',
    'Langues étrangères (anglais)',
    'Langues étrangères (autres)',
    'Déficience visuelle',
  ],
  frais_a_charge: ['Gratuit', 'Gratuit sous condition', 'Payant'],
  dispositif_programmes_nationaux: [
    'Aidants Connect',
    'Bibliothèques numérique de référence',
    'Certification PIX',
    'Conseillers numériques',
    'Emmaüs Connect',
    'France Services',
    'Grande école du numérique',
    'La Croix Rouge',
    "Point d'accès numérique CAF",
    'Promeneurs du net',
    'Relais numérique (Emmaüs Connect)',
  ],
  modalites_acces: [
    'Se présenter',
    'Téléphoner',
    'Contacter par mail',
    'Prendre un RDV en ligne',
    "Ce lieu n'accueille pas de public",
    'Envoyer un mail avec une fiche de prescription',
  ],
  modalites_accompagnement: ['En autonomie', 'Accompagnement individuel', 'Dans un atelier collectif', 'À distance'],
};

/** The key of a SIRET (Luhn; La Poste's establishments: digits adding up to a multiple of 5), or an RNA number. */
function isSiretOrRna(pivot: string) {
  if (/^W[0-9A-Z]{9}$/.test(pivot)) return true;
  if (!/^[0-9]{14}$/.test(pivot)) return false;
  const digits = [...pivot].map(Number);
  if (pivot.startsWith('356000000')) return digits.reduce((sum, digit) => sum + digit, 0) % 5 === 0;
  const sum = digits.reverse().reduce((total, digit, index) => total + (index % 2 === 1 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit), 0);
  return sum % 10 === 0;
}

const france = { lat: 46.6, lon: 2.4, address: { country_code: 'fr', state: '' } };

/** Hours the OpenStreetMap syntax reads as written: no error, and no warning of a looser writing the parser had to guess. */
function hoursProblem(hours: string): string | undefined {
  try {
    const schedule = new OpeningHours(hours, france as never);
    const warnings = schedule.getWarnings();
    return warnings.length > 0 ? warnings.join('; ') : undefined;
  } catch (error) {
    return String(error);
  }
}

type Line = Record<string, string>;

/** Every breach of the schema's rules in the lines of an export: "line id: field: why". */
function schemaBreaches(lines: Line[]): string[] {
  const breaches: string[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const breach = (field: string, why: string) => breaches.push(`${line.id}: ${field}: ${why}`);
    for (const field of requiredFields) if (!line[field]) breach(field, 'required, empty');
    if (seen.has(line.id!)) breach('id', 'not unique');
    seen.add(line.id!);
    for (const [field, pattern] of Object.entries(patterns)) if (line[field] && !pattern.test(line[field])) breach(field, `does not match ${pattern}`);
    if (line.pivot && !isSiretOrRna(line.pivot)) breach('pivot', 'neither a SIRET with its key nor an RNA number');
    for (const [field, values] of Object.entries(valueLists)) {
      if (!line[field]) continue;
      for (const value of line[field].split('|')) if (!values.includes(value)) breach(field, `"${value}" is not in the list`);
    }
    if (line.typologie)
      for (const value of line.typologie.split('|')) if (!/^[A-Z][A-Za-z_]*$/.test(value)) breach('typologie', `"${value}" is not a typology code`);
    if (line.courriels)
      for (const value of line.courriels.split('|'))
        if (!/^[^\s@|,;]+@[^\s@|,;]+\.[a-z]{2,}$/i.test(value)) breach('courriels', `"${value}" is not an e-mail address`);
    for (const field of ['site_web', 'fiche_acces_libre', 'prise_rdv'])
      if (line[field]) for (const value of line[field].split('|')) if (!/^https?:\/\/[^\s|]+$/.test(value)) breach(field, `"${value}" is not a URL`);
    if (line.presentation_resume && [...line.presentation_resume].length > 280) breach('presentation_resume', 'longer than 280');
    if (line.date_maj && (!/^\d{4}-\d{2}-\d{2}$/.test(line.date_maj) || Number.isNaN(Date.parse(`${line.date_maj}T00:00:00Z`))))
      breach('date_maj', 'not a date');
    for (const [field, limit] of [
      ['latitude', 90],
      ['longitude', 180],
    ] as const)
      if (line[field] && !(Math.abs(Number(line[field])) <= limit)) breach(field, 'not a coordinate');
    if (Boolean(line.latitude) !== Boolean(line.longitude)) breach('longitude', 'latitude and longitude go together');
    if (line.horaires) {
      const problem = hoursProblem(line.horaires);
      if (problem) breach('horaires', problem);
    }
  }
  return breaches;
}

let harness: Harness;
let accounts: DemoAccount[];

beforeAll(async () => {
  harness = await startHarness();
  accounts = (await seedDemoData(harness.database.db, harness.fileStore))!;
});
afterAll(() => harness?.close());

const adminToken = async () => {
  const admin = accounts.find((account) => account.role === 'admin')!;
  return issueToken(harness.app, admin.email, admin.password);
};

async function exportCsv() {
  const response = await harness.app.request('/api/places/export.csv');
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const [header, ...rows] = parse(text, { bom: false }) as string[][];
  return { response, text, header: header!, lines: rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index]!]))) };
}

/** The demo's sites published as places, by name, with their ids and the day they were last published. */
async function demoPlaces() {
  const rows = await harness.database.db
    .select({ id: sites.id, name: sites.name, updatedAt: sitePlaces.updatedAt })
    .from(sitePlaces)
    .innerJoin(sites, eq(sites.id, sitePlaces.siteId));
  return new Map(rows.map((row) => [row.name, row]));
}

describe('the national export of the demo places', () => {
  it('is public, UTF-8 CSV with the schema’s columns in the schema’s order, and every line valid against the schema', async () => {
    const { response, text, header, lines } = await exportCsv();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(text.startsWith('\uFEFF')).toBe(false);
    expect(header).toEqual(schemaFields);
    const published = await demoPlaces();
    expect(lines.map((line) => line.nom).sort()).toEqual([...published.keys()].sort());
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(schemaBreaches(lines)).toEqual([]);
  });

  it('says each demo place as it is: id the site’s, date_maj its last publication, the network as source, "|" between values', async () => {
    const { lines } = await exportCsv();
    const published = await demoPlaces();
    const [coordinator] = await harness.database.db.select().from(organisations).where(eq(organisations.kind, 'coordinator'));
    const bench = published.get('Atelier d’Agen')!;
    expect(lines.find((line) => line.id === bench.id)).toEqual({
      ...Object.fromEntries(schemaFields.map((field) => [field, ''])),
      id: bench.id,
      pivot: '81234567800013',
      nom: 'Atelier d’Agen',
      commune: 'Agen',
      code_postal: '47000',
      code_insee: '47001',
      adresse: '12 rue des Ateliers',
      latitude: '44.2031',
      longitude: '0.6163',
      typologie: 'ACI|RESSOURCERIE',
      telephone: '+33553000047',
      courriels: 'contact@rebond47.example',
      site_web: 'https://rebond47.example',
      horaires: 'Mo-Fr 09:00-12:00,14:00-17:30; PH off',
      presentation_resume: 'Chantier d’insertion qui collecte, efface et reconditionne les ordinateurs donnés, puis les remet à prix solidaire.',
      source: coordinator!.name,
      date_maj: bench.updatedAt.toISOString().slice(0, 10),
      services: 'Acquisition de matériel informatique à prix solidaire|Accès internet et matériel informatique',
      publics_specifiquement_adresses: 'Familles et/ou enfants|Jeunes',
      frais_a_charge: 'Payant',
      modalites_acces: 'Se présenter|Téléphoner',
    });
    // The collection point has no coordinates yet: exported without them.
    const dropOff = lines.find((line) => line.id === published.get('Point de collecte de Marmande')!.id)!;
    expect([dropOff.latitude, dropOff.longitude, dropOff.code_postal]).toEqual(['', '', '47200']);
    const centre = lines.find((line) => line.id === published.get('Espace numérique du centre social')!.id)!;
    expect(centre.prise_rdv).toBe('https://cs-villeneuve.example/rendez-vous');
    expect(centre.horaires).toBe('Mo-Fr 09:00-12:00,13:30-18:00; We 09:00-12:00; PH off');
  });

  it('leaves other actors’ places out: they are theirs to publish', async () => {
    const { lines } = await exportCsv();
    expect(lines.some((line) => line.id!.startsWith('garonne-numerique-'))).toBe(false);
    expect(lines.every((line) => line.source !== 'Réseau Garonne Numérique (démonstration)')).toBe(true);
  });

  it('gives the same places as JSON, with the schema, the licence etalab-2.0 and the source', async () => {
    const response = await harness.app.request('/api/places/export.json');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { schema: object; licence: { id: string }; source: string; count: number; leftOut: unknown[]; lieux: Line[] };
    expect(body.schema).toEqual({ name: 'standard-mediation-num', version: '1.0.2', url: 'https://schema.data.gouv.fr/LaMednum/standard-mediation-num/' });
    expect(body.licence.id).toBe('etalab-2.0');
    const { lines } = await exportCsv();
    expect(body.count).toBe(body.lieux.length);
    expect(body.lieux.map((place) => place.id)).toEqual(lines.map((line) => line.id));
    const asText = body.lieux.map((place) => Object.fromEntries(Object.entries(place).map(([key, value]) => [key, String(value)])));
    expect(schemaBreaches(asText)).toEqual([]);
    for (const place of body.lieux) expect(Object.keys(place).every((key) => schemaFields.includes(key))).toBe(true);
  });

  it('leaves out, and reports, a place ANCT’s model refuses: a header counts it, the JSON says why', async () => {
    const token = await adminToken();
    const organisationId = (await harness.database.db.select().from(organisations).where(eq(organisations.kind, 'mediation')))[0]!.id;
    const created = await harness.app.request('/api/sites', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        organisationId,
        name: 'Relais numérique des Tilleuls',
        kind: 'mediation_place',
        address: 'Résidence « Les Tilleuls » #3',
        communeCode: '47001',
      }),
    });
    expect(created.status).toBe(201);
    const site = (await created.json()) as { id: string };
    const published = await harness.app.request(`/api/sites/${site.id}/place`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pivot: '79845612300016', services: ['Accès internet et matériel informatique'] }),
    });
    expect(published.status).toBe(200);
    const csv = await exportCsv();
    expect(csv.response.headers.get('x-places-left-out')).toBe('1');
    expect(csv.lines.some((line) => line.id === site.id)).toBe(false);
    expect(schemaBreaches(csv.lines)).toEqual([]);
    const json = await harness.app.request('/api/places/export.json');
    expect(json.headers.get('x-places-left-out')).toBe('1');
    const body = (await json.json()) as { leftOut: { id: string; name: string; field: string; reason: string }[] };
    expect(body.leftOut).toEqual([{ id: site.id, name: 'Relais numérique des Tilleuls', field: 'adresse', reason: expect.stringContaining('Les Tilleuls') }]);
  });
});

describe('the schema’s rules, as this test reads them', () => {
  // A check that passes everything would prove nothing: each rule catches its breach.
  const valid: Line = {
    id: 'a',
    pivot: '81234567800013',
    nom: 'Atelier',
    commune: 'Agen',
    code_postal: '47000',
    code_insee: '47001',
    adresse: '12 rue des Ateliers',
    date_maj: '2026-03-01',
    telephone: '+33553000047',
    services: 'Accès internet et matériel informatique|Acquisition de matériel informatique à prix solidaire',
    horaires: 'Mo-Fr 09:00-12:00; PH off',
  };
  it.each([
    ['an empty required cell', { nom: '' }, 'nom'],
    ['a SIRET whose key is wrong', { pivot: '81234567800014' }, 'pivot'],
    ['a pivot of 15 characters', { pivot: '812345678000131' }, 'pivot'],
    ['a value out of its list', { services: 'Cours de cuisine' }, 'services'],
    ['values joined with ;', { services: 'Accès internet et matériel informatique;Acquisition de matériel informatique à prix solidaire' }, 'services'],
    ['a telephone as people write it', { telephone: '05 53 00 00 47' }, 'telephone'],
    ['a postal code of 4 digits', { code_postal: '4700' }, 'code_postal'],
    ['a date in French', { date_maj: '01/03/2026' }, 'date_maj'],
    ['hours in words', { horaires: 'du lundi au vendredi' }, 'horaires'],
    ['hours the parser has to guess', { horaires: 'Lu-Ve 9h-17h' }, 'horaires'],
    ['a summary of 281 characters', { presentation_resume: 'a'.repeat(281) }, 'presentation_resume'],
  ])('catches %s', (_what, change, field) => {
    expect(schemaBreaches([valid])).toEqual([]);
    const breaches = schemaBreaches([{ ...valid, ...change }]);
    expect(breaches.length).toBeGreaterThan(0);
    for (const breach of breaches) expect(breach).toContain(`a: ${field}: `);
  });
});
