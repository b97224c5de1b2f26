import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { impactMethod } from '../src/indicators/impact.ts';
import { countUncountedEvents } from '../src/indicators/rollups.service.ts';
import type { Harness } from './helpers/harness.ts';
import { openPage, signInWithForm, type Person } from './helpers/pages.ts';
import { expectStatus } from './helpers/wifi.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';
import { pdfText } from './helpers/pdf.ts';
import { fullChecklist } from './helpers/journey.ts';

let harness: Harness;
let world: World;
let operator: Account;
let mediator: Account;
let otherMediator: Account;
const people: Record<'admin' | 'operator', Person> = {} as never;
const sessions: { workshop: string; individual: string; empty: string } = {} as never;
const year = String(new Date().getFullYear());
const month = new Date().toLocaleDateString('fr-CA', { timeZone: 'Europe/Paris' }).slice(0, 7);
const dayFromNow = (days: number) => new Date(Date.now() + days * 86_400_000);
const parisDay = (date: Date) => date.toLocaleDateString('fr-CA', { timeZone: 'Europe/Paris' });

const get = (path: string, account: Account = world.admin) => world.call('GET', path, { token: account.token });
const download = (path: string, account: Account = world.admin) => world.app.request(path, { headers: { authorization: `Bearer ${account.token}` } });

/** A chart's table on the page: each row's header and cells, as shown. */
function chartTable(html: string, id: string) {
  const table = html.match(new RegExp(`<table class="chart-figures" data-chart="${id}">([\\s\\S]*?)</table>`))?.[1];
  if (!table) return undefined;
  const body = table.match(/<tbody>([\s\S]*)<\/tbody>/)![1]!;
  return [...body.matchAll(/<tr><th scope="row">([^<]*)<\/th>((?:<td>[^<]*<\/td>)*)<\/tr>/g)].map((row) => ({
    label: row[1]!,
    cells: [...row[2]!.matchAll(/<td>([^<]*)<\/td>/g)].map((cell) => cell[1]!),
  }));
}

/**
 * A small network: a workshop in Agen (47001) refurbishes three laptops; a mediation centre in
 * Villeneuve-sur-Lot (47323) trains three families (two at a workshop session, one alone) and
 * hands two laptops over; a workshop in Marseille (13201) collects a smartphone and dismantles it.
 * The events are counted as the workers would.
 */
beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const shop = await world.organisation('workshop');
  const agen = await world.site(shop.id, { communeCode: '47001' });
  operator = await world.account(shop.id, 'workshop_operator');
  expectStatus(
    await world.call('POST', `/api/users/${operator.id}/qualifications`, {
      token: world.admin.token,
      body: { kind: 'refurbishment', issuer: 'Centre de formation', issuedOn: '2025-01-02', expiresOn: '2099-01-01' },
    }),
    201,
  );
  const centre = await world.organisation('mediation');
  mediator = await world.account(centre.id, 'mediator');
  const place = await world.site(centre.id, { kind: 'mediation_place', name: 'Centre social du Lot', communeCode: '47323', postalCode: '47300' });
  const otherCentre = await world.organisation('mediation');
  otherMediator = await world.account(otherCentre.id, 'mediator');
  const module = expectStatus(
    await world.call('POST', '/api/training-modules', {
      token: world.admin.token,
      body: { title: 'Prendre en main son ordinateur et l’ENT du collège', durationMinutes: 120, topics: ['Se connecter', 'Envoyer un courriel'] },
    }),
    201,
  );
  const programme = expectStatus(
    await world.call('POST', '/api/programmes', {
      token: world.admin.token,
      body: {
        name: 'Collégiens',
        eligibilityCriteria: ['child_in_college'],
        deviceKinds: ['laptop', 'tablet'],
        trainingModuleId: module.id,
        reservationDays: 21,
        territories: [{ type: 'departement', code: '47' }],
      },
    }),
    201,
  );
  const session = async (capacity: number, startsAt: Date) =>
    expectStatus(
      await world.call('POST', '/api/training-sessions', {
        token: mediator.token,
        body: { moduleId: module.id, siteId: place.id, startsAt: startsAt.toISOString(), capacity, trainerName: 'Inès' },
      }),
      201,
    ).id as string;
  sessions.workshop = await session(8, dayFromNow(1));
  sessions.individual = await session(1, dayFromNow(2));
  sessions.empty = await session(4, dayFromNow(3));

  /** A device refurbished in Agen, reserved for a family of `communeCode`, the family trained at `sessionId`; handed over when asked. */
  const family = async (communeCode: string, sessionId: string, kind: 'laptop' | 'tablet', handOver: boolean) => {
    const device = await world.device(operator.token, agen.id, { kind, storageMedia: [] });
    const order = expectStatus(await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: operator.token, body: {} }), 201);
    expectStatus(
      await world.call('PATCH', `/api/work-orders/${order.id}`, {
        token: operator.token,
        body: { checklist: fullChecklist, specs: { cpu: 'Intel Core i5', ramGb: 8, storageGb: 256 }, cosmetic: 'A', minutesSpent: 45 },
      }),
    );
    expectStatus(await world.call('POST', `/api/work-orders/${order.id}/complete`, { token: operator.token, body: {} }));
    const household = expectStatus(
      await world.call('POST', '/api/households', {
        token: mediator.token,
        body: { reference: `F-${Math.random().toString(36).slice(2, 8)}`, communeCode, size: 3, attestations: ['child_in_college'], consent: true },
      }),
      201,
    );
    const request = expectStatus(
      await world.call('POST', '/api/requests', { token: mediator.token, body: { householdId: household.id, programmeId: programme.id, need: { kind } } }),
      201,
    );
    expectStatus(await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } }), 201);
    expectStatus(await world.call('POST', `/api/requests/${request.id}/enrolment`, { token: mediator.token, body: { sessionId } }), 201);
    expectStatus(
      await world.call('POST', `/api/training-sessions/${sessionId}/attendance`, { token: mediator.token, body: { requestId: request.id, present: true } }),
    );
    if (handOver) {
      expectStatus(
        await world.call('POST', `/api/requests/${request.id}/handover`, {
          token: mediator.token,
          body: { deviceCode: device.code, receivedBy: 'Mme Durand', termsAccepted: true },
        }),
        201,
      );
    }
  };
  await family('47001', sessions.workshop, 'laptop', true);
  await family('47323', sessions.workshop, 'laptop', true);
  await family('47323', sessions.individual, 'tablet', false);

  const marseille = await world.organisation('workshop');
  const bench = await world.site(marseille.id, { communeCode: '13201' });
  const marseilleOperator = await world.account(marseille.id, 'workshop_operator');
  const phone = await world.device(marseilleOperator.token, bench.id, { kind: 'smartphone', storageMedia: [] });
  expectStatus(await world.call('POST', `/api/devices/${phone.code}/transitions`, { token: marseilleOperator.token, body: { to: 'dismantled' } }));

  // What the device-events jobs and the minute task do, done here at once.
  await countUncountedEvents(harness.database.db, { deviceEventsOlderThanMinutes: 0 });
  people.admin = await signInWithForm(harness.app, world.admin);
  people.operator = await signInWithForm(harness.app, operator);
}, 120_000);
afterAll(() => harness?.close());

describe('the charts of the steering page', () => {
  it('draw each chart as an SVG image with a French title, its figures in a table beside it, equal to the API’s', async () => {
    const page = await openPage(harness.app, `/pilotage?period=${year}`, people.admin);
    expect(page.status).toBe(200);
    const svgs = [...page.html.matchAll(/<svg [^>]*>/g)].map((match) => match[0]);
    expect(svgs).toHaveLength(4);
    for (const svg of svgs) {
      expect(svg).toContain('role="img"');
      expect(svg).toMatch(/aria-label="[^"]{20,}"/);
    }
    expect([...page.html.matchAll(/<svg [^>]*><title>([^<]+)<\/title>/g)].map((match) => match[1])).toEqual([
      `Appareils remis à des foyers par mois, ${year} comparé à ${Number(year) - 1}`,
      `Le parcours des appareils : collectés, effacés, reconditionnés, remis (${year} comparé à ${Number(year) - 1})`,
      `Ce que deviennent les appareils sortis du réseau (${year})`,
      `Émissions de fabrication évitées par type d’équipement, en kg CO2e (${year})`,
    ]);
    // The content security policy allows no inline style: none is left in the page.
    expect(page.html).not.toMatch(/<style|style="/);
    expect(page.html).toMatch(/<caption>Chiffres du graphique : Appareils remis à des foyers par mois/);

    const { figures } = expectStatus(await get(`/api/indicators?period=${year}`));
    const monthly = expectStatus(await get(`/api/indicators/monthly?period=${year}`));
    expect(monthly.months).toHaveLength(12);
    const byMonth = chartTable(page.html, 'remises-par-mois')!;
    expect(byMonth.map((row) => Number(row.cells[0]))).toEqual(monthly.months.map((entry: { handedOver: number }) => entry.handedOver));
    expect(byMonth.map((row) => Number(row.cells[2]))).toEqual(monthly.previousMonths.map((entry: { handedOver: number }) => entry.handedOver));
    expect(monthly.months.find((entry: { month: string }) => entry.month === month).handedOver).toBe(2);
    expect(monthly.months.reduce((sum: number, entry: { handedOver: number }) => sum + entry.handedOver, 0)).toBe(figures.devicesHandedOver.total);

    expect(chartTable(page.html, 'parcours')).toEqual([
      { label: 'Collectés', cells: [String(figures.devicesCollected), '0'] },
      { label: 'Effacés', cells: [String(figures.devicesWiped.total), '0'] },
      { label: 'Reconditionnés', cells: [String(figures.devicesRefurbished.total), '0'] },
      { label: 'Remis à des foyers', cells: [String(figures.devicesHandedOver.total), '0'] },
    ]);
    expect([figures.devicesCollected, figures.devicesRefurbished.total, figures.devicesHandedOver.total, figures.devicesDismantled]).toEqual([4, 3, 2, 1]);
    expect(chartTable(page.html, 'devenir')).toEqual([
      { label: 'Remis à des foyers', cells: ['2'] },
      { label: 'Démantelés pour pièces', cells: ['1'] },
    ]);
    expect(chartTable(page.html, 'emissions-evitees')).toEqual(
      figures.avoidedEmissions.byKind.map((entry: { devices: number; kgCo2e: number }) => ({
        label: 'Ordinateur portable',
        cells: [String(entry.devices), String(entry.kgCo2e)],
      })),
    );
    expect(figures.avoidedEmissions.kgCo2e).toBe(340);
  });

  it('link the report and, for the coordinator only, the open data', async () => {
    const admin = await openPage(harness.app, `/pilotage?period=${year}&territory=47`, people.admin);
    expect(admin.html).toContain(`href="/api/indicators/report.pdf?period=${year}&amp;territory=47"`);
    expect(admin.html).toContain(`href="/api/indicators/open-data.csv?year=${year}"`);
    const workshop = await openPage(harness.app, `/pilotage?period=${year}`, people.operator);
    expect(workshop.html).toContain(`href="/api/indicators/report.pdf?period=${year}"`);
    expect(workshop.html).not.toContain('open-data.csv');
    // A workshop's charts show its own figures: three refurbished, nothing dismantled.
    expect(chartTable(workshop.html, 'parcours')?.find((row) => row.label === 'Reconditionnés')?.cells[0]).toBe('3');
  });
});

describe('the steering committee’s report', () => {
  it('is a French PDF with the figures beside the previous period, the impact and its method, and each territory', async () => {
    const response = await download(`/api/indicators/report.pdf?period=${year}&territory=47`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const text = (await pdfText(bytes)).replace(/\s+/g, ' ');
    expect(text).toContain(`Rapport du comité de pilotage — ${year}`);
    expect(text).toContain('Territoire : Lot-et-Garonne (47)');
    expect(text).toMatch(/Appareils collectés 3 0/);
    expect(text).toMatch(/Appareils remis à des foyers 2 0/);
    expect(text).toContain('Émissions de fabrication évitées : 340 kg CO2e');
    expect(text).toContain(impactMethod.slice(0, 60));
    expect(text).toContain('43 à 97 %');
    expect(text).toContain('Appareils remis à des foyers, mois par mois');
    // Per commune inside the département: collected in Agen, trained and handed over in Villeneuve-sur-Lot.
    expect(text).toContain('Agen (47001)');
    expect(text).toContain('Villeneuve-sur-Lot (47323)');
    expect(text).not.toContain('Marseille');
  });

  it('lists the départements for the whole network, and is refused with the field named or the organisation not one’s own', async () => {
    const text = await pdfText(new Uint8Array(await (await download(`/api/indicators/report.pdf?period=${year}`)).arrayBuffer()));
    expect(text).toContain('Lot-et-Garonne (47)');
    expect(text).toContain('Bouches-du-Rhône (13)');
    const bad = await get('/api/indicators/report.pdf?period=2026-13');
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors.map((error: { path: string }) => error.path)).toEqual(['query.period']);
    expect((await get(`/api/indicators/report.pdf?period=${year}&organisationId=${world.admin.organisationId}`, operator)).status).toBe(403);
  });
});

describe('the open data', () => {
  it('gives every row valid against its Table Schema, and the columns add up to the network’s figures', async () => {
    const schemaResponse = await world.call('GET', '/api/indicators/open-data/schema.json');
    expect(schemaResponse.status).toBe(200);
    const schema = schemaResponse.body as {
      fields: { name: string; title: string; description: string; type: string; constraints: { required?: boolean; pattern?: string; minimum?: number } }[];
      primaryKey: string[];
      missingValues: string[];
    };
    expect(schema.fields.every((field) => field.title && field.description)).toBe(true);
    const response = await download(`/api/indicators/open-data.csv?year=${year}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await response.text();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const [header, ...rows] = parse(text, { relax_column_count: false }) as string[][];
    expect(header).toEqual(schema.fields.map((field) => field.name));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const keys = new Set<string>();
    for (const [index, row] of rows.entries()) {
      schema.fields.forEach((field, column) => {
        const cell = row[column]!;
        const where = `row ${index + 2}, ${field.name}: "${cell}"`;
        if (schema.missingValues.includes(cell)) {
          expect(field.constraints.required, where).not.toBe(true);
          return;
        }
        if (field.type === 'integer') {
          expect(cell, where).toMatch(/^-?\d+$/);
          if (field.constraints.minimum !== undefined) expect(Number(cell), where).toBeGreaterThanOrEqual(field.constraints.minimum);
        } else {
          expect(field.type, where).toBe('string');
        }
        // Table Schema patterns are XML Schema regular expressions: they match the whole value.
        if (field.constraints.pattern) expect(cell, where).toMatch(new RegExp(`^(?:${field.constraints.pattern})$`));
      });
      const key = schema.primaryKey.map((name) => row[header!.indexOf(name)]).join('|');
      expect(keys.has(key), key).toBe(false);
      keys.add(key);
    }
    const records = rows.map((row) => Object.fromEntries(header!.map((name, column) => [name, row[column]!])));
    expect(records.find((record) => record.code_commune === '47001' && record.mois === month)).toMatchObject({
      nom_commune: 'Agen',
      siren_epci: '200096956',
      code_departement: '47',
      appareils_collectes: '3',
      appareils_reconditionnes: '3',
    });
    const sum = (name: string) => records.reduce((total, record) => total + Number(record[name]), 0);
    const { figures } = expectStatus(await get(`/api/indicators?period=${year}`));
    expect([
      sum('appareils_collectes'),
      sum('appareils_remis'),
      sum('appareils_demanteles'),
      sum('familles_formees'),
      sum('emissions_evitees_kg_co2e'),
    ]).toEqual([
      figures.devicesCollected,
      figures.devicesHandedOver.total,
      figures.devicesDismantled,
      figures.familiesTrained,
      figures.avoidedEmissions.kgCo2e,
    ]);
  });

  it('is the coordinator’s to download, and refuses a year that is not one, naming the field', async () => {
    expect((await get(`/api/indicators/open-data.csv?year=${year}`, operator)).status).toBe(403);
    expect((await get(`/api/indicators/open-data.csv?year=${year}`, mediator)).status).toBe(403);
    expect((await world.call('GET', `/api/indicators/open-data.csv?year=${year}`)).status).toBe(401);
    for (const query of ['year=26', 'year=2026-01', '', 'year=1850']) {
      const response = await get(`/api/indicators/open-data.csv?${query}`);
      expect(response.status, query).toBe(422);
      expect(response.headers.get('content-type'), query).toMatch(/^application\/problem\+json/);
      expect(
        response.body.errors.map((error: { path: string }) => error.path),
        query,
      ).toEqual(['query.year']);
    }
  });
});

describe('the export for the Coop de la médiation numérique', () => {
  const range = () => `from=${parisDay(dayFromNow(-1))}&to=${parisDay(dayFromNow(10))}`;

  it('gives one activity per session families attended, with the Coop’s values and no family’s identity', async () => {
    const response = await download(`/api/training-sessions/coop-export.csv?${range()}`, mediator);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = parse((await response.text()).replace(/^\uFEFF/, ''), { delimiter: ';' }) as string[][];
    expect(header).toEqual([
      'id_session_boucle',
      'type',
      'date',
      'duree',
      'type_lieu',
      'lieu_nom',
      'lieu_code_insee',
      'lieu_commune',
      'lieu_code_postal',
      'materiel',
      'thematiques',
      'titre_atelier',
      'niveau',
      'nombre_participants',
      'communes_participants',
      'autonomie',
      'oriente_vers_structure',
    ]);
    const themes = 'prendre_en_main_du_materiel,navigation_sur_internet,email,parentalite';
    expect(rows).toEqual([
      [
        sessions.workshop,
        'collectif',
        parisDay(dayFromNow(1)),
        '120',
        'lieu_activite',
        'Centre social du Lot',
        '47323',
        'Villeneuve-sur-Lot',
        '47300',
        'ordinateur',
        themes,
        'Prendre en main son ordinateur et l’ENT du collège',
        '',
        '2',
        '47001:1,47323:1',
        '',
        '',
      ],
      [
        sessions.individual,
        'individuel',
        parisDay(dayFromNow(2)),
        '120',
        'lieu_activite',
        'Centre social du Lot',
        '47323',
        'Villeneuve-sur-Lot',
        '47300',
        'tablette',
        themes,
        '',
        '',
        '1',
        '47323:1',
        '',
        '',
      ],
    ]);
  });

  it('shows an organisation its own sessions only, to mediators and the coordinator, and names a wrong date', async () => {
    const other = await download(`/api/training-sessions/coop-export.csv?${range()}`, otherMediator);
    expect(other.status).toBe(200);
    expect((await other.text()).trim().split('\r\n')).toHaveLength(1);
    expect((await download(`/api/training-sessions/coop-export.csv?${range()}`)).status).toBe(200);
    expect((await get(`/api/training-sessions/coop-export.csv?${range()}`, operator)).status).toBe(403);
    const backwards = await get('/api/training-sessions/coop-export.csv?from=2026-03-01&to=2026-02-01', mediator);
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors.map((error: { path: string }) => error.path)).toEqual(['query.to']);
    const missing = await get('/api/training-sessions/coop-export.csv?from=2026-03-01', mediator);
    expect(missing.body.errors.map((error: { path: string }) => error.path)).toEqual(['query.to']);
  });
});
