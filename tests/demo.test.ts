import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceEvents } from '../src/devices/devices.schema.ts';
import { roles } from '../src/auth/roles.ts';
import { backgroundJobs } from '../src/jobs/jobs.schema.ts';
import { listPlaces } from '../src/places/places.read.ts';
import { seedDemoData, type DemoAccount } from '../src/seed/demo.ts';
import { eventually, startHarness, type Harness } from './helpers/harness.ts';
import { openPage, signInWithForm } from './helpers/pages.ts';
import { issueToken } from './helpers/world.ts';

// The demo data a fresh install shows: it must run, and show what the issues asked to be seen.

let harness: Harness;
let accounts: DemoAccount[];

beforeAll(async () => {
  harness = await startHarness();
  harness.startWorkers();
  accounts = (await seedDemoData(harness.database.db, harness.fileStore))!;
});
afterAll(() => harness.close());

const account = async (role: DemoAccount['role']) => {
  const { email, password } = accounts.find((candidate) => candidate.role === role)!;
  const token = await issueToken(harness.app, email, password);
  return { email, password, token, id: '', organisationId: '', role };
};

describe('the demo data', () => {
  it('seeds once, with an account per role', async () => {
    expect(accounts.map((each) => each.role).sort()).toEqual([...roles].sort());
    expect(await seedDemoData(harness.database.db, harness.fileStore)).toBeNull();
  });

  it('shows an inventory sent twice, the second time adding nothing', async () => {
    await eventually('both imports', async () => {
      const states = await harness.database.db.select({ state: backgroundJobs.state }).from(backgroundJobs).where(eq(backgroundJobs.kind, 'intake_import'));
      return states.length === 2 && states.every((job) => job.state === 'succeeded');
    });
    const jobs = await harness.database.db.select().from(backgroundJobs).where(eq(backgroundJobs.kind, 'intake_import'));
    const first = jobs.find((job) => !job.summary.alreadyImportedBy)!;
    expect(first.summary).toMatchObject({ created: 3 });
    expect(jobs.find((job) => job !== first)!.summary).toMatchObject({ created: 0, alreadyImportedBy: { jobId: first.id } });
  });

  it('shows a full training session and one with places left', async () => {
    const page = await openPage(harness.app, '/sessions', await signInWithForm(harness.app, await account('mediator')));
    expect(page.html).toContain('<td>Complète</td>');
    expect(page.html).toContain('<td>8 sur 8</td>');
  });

  it('shows the workshop’s contact on its devices’ public cards, and a device recycled through a channel of the list', async () => {
    const [recycled] = await harness.database.db.select({ payload: deviceEvents.payload }).from(deviceEvents).where(eq(deviceEvents.toStatus, 'recycled'));
    expect(recycled!.payload).toEqual({ deeeChannel: 'municipal_collection_point', deeeChannelName: 'Déchetterie de Marmande' });
    const operator = await account('workshop_operator');
    const devices = await harness.app.request('/api/devices?status=collected', { headers: { authorization: `Bearer ${operator.token}` } });
    const { items } = (await devices.json()) as { items: { code: string }[] };
    const card = await openPage(harness.app, `/d/${items[0]!.code}`);
    expect(card.html).toContain('<a href="tel:0553000047">05 53 00 00 47</a>');
    expect(card.html).toContain('mailto:contact@rebond47.example');
  });

  it('shows other actors’ places near Agen, imported from a neighbour network’s file, its two wrong lines refused', async () => {
    const { db } = harness.database;
    const [job] = await db.select().from(backgroundJobs).where(eq(backgroundJobs.kind, 'place_import'));
    expect(job).toMatchObject({ state: 'succeeded', total: 12, processed: 12 });
    expect(job!.summary).toMatchObject({ created: 10, updated: 0, unchanged: 0, olderIgnored: 0, refused: 2 });
    expect(job!.errors.map((error) => [error.line, error.field])).toEqual([
      [12, 'horaires'],
      [13, 'pivot'],
    ]);
    const others = (await listPlaces(db)).filter((place) => !place.network);
    expect(others).toHaveLength(10);
    expect(others.map((place) => place.commune)).toEqual(expect.arrayContaining(['Agen', 'Boé', 'Bon-Encontre', 'Le Passage', 'Foulayronnes']));
    expect(others.find((place) => place.services.includes('Acquisition de matériel informatique à prix solidaire'))).toMatchObject({
      name: 'Recyclerie de l’Agenais',
      epci: { code: '200096956', name: expect.stringContaining('Agen') },
    });
  });

  it('shows on /lieux, to anyone, where to give, get and learn near Agen, the collection point listed without a marker', async () => {
    const placesFor = async (need: string) => {
      const page = await openPage(harness.app, `/lieux?besoin=${need}`);
      expect(page.status).toBe(200);
      return [...page.html.matchAll(/<p class="place-name"><a href="\/lieux\/[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
    };
    expect(await placesFor('donner')).toEqual(expect.arrayContaining(['Atelier d’Agen', 'Point de collecte de Marmande']));
    expect(await placesFor('obtenir')).toEqual(expect.arrayContaining(['Atelier d’Agen', 'Espace numérique du centre social']));
    expect(await placesFor('se-former')).toEqual(expect.arrayContaining(['Espace numérique du centre social']));
    const all = await openPage(harness.app, '/lieux');
    expect(all.html).toMatch(/<li class="place" data-place-id="[^"]+"><p class="place-name"><a href="[^"]+">Point de collecte de Marmande/);
    expect(all.html.match(/data-place-marker=""/g)?.length).toBeGreaterThanOrEqual(2);
  });
});

describe('the town hall’s reuse attestation in the demo data', () => {
  it('shows its devices in varied outcomes, those of the lot without a convention not counted, and the rate', async () => {
    const donor = await account('donor_viewer');
    const headers = { authorization: `Bearer ${donor.token}` };
    const [me] = ((await (await harness.app.request('/api/organisations', { headers })).json()) as { items: { id: string }[] }).items;
    const year = Number(new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric' }).format(new Date()));
    // A year of monthly lots before today: spread over this year and the last.
    type Line = { outcome: string; counted: boolean; notCountedBecause: string | null };
    const statements: { donor: unknown; retiredStockOnJanuaryFirst: number | null; devices: Line[] }[] = [];
    for (const asked of [year - 1, year]) {
      const answer = await harness.app.request(`/api/organisations/${me!.id}/reuse-attestations/${asked}`, { headers });
      expect(answer.status).toBe(200);
      statements.push(((await answer.json()) as { statement: (typeof statements)[number] }).statement);
    }
    expect(statements[1]!.donor).toEqual({ name: 'Mairie d’Agen', siren: '214700015' });
    expect(statements.map((statement) => statement.retiredStockOnJanuaryFirst)).toEqual([60, 60]);
    const lines = statements.flatMap((statement) => statement.devices);
    expect(lines.some((line) => line.counted)).toBe(true);
    expect(lines.some((line) => line.notCountedBecause === 'no_prior_commitment')).toBe(true);
    expect(new Set(lines.map((line) => line.outcome))).toEqual(new Set(['reused_by_household', 'recycled', 'dismantled', 'in_workshop']));
    const page = await openPage(harness.app, '/reemploi', await signInWithForm(harness.app, donor));
    expect(page.html).toContain(`Mairie d’Agen — ${year}`);
  });
});
