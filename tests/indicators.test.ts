import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceEvents } from '../src/devices/devices.schema.ts';
import { siteStockCounters } from '../src/stock/stock.schema.ts';
import { countDeviceEventInStock } from '../src/stock/stock.service.ts';
import { indicatorCountedEvents, indicatorRollups } from '../src/indicators/indicators.schema.ts';
import { reconcileIndicatorRollups } from '../src/indicators/rollup-reconciliation.ts';
import {
  countDeviceEventInIndicators,
  countUncountedEvents,
  liveRollups,
  rebuildIndicatorRollups,
  rollupsFromEvents,
} from '../src/indicators/rollups.service.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { allocationJourney, collegiensProgramme, dateEvents, noon, qualify, trainingModule } from './helpers/journey.ts';
import { buildingReadyToProvision, deploymentStep, expectStatus, finishedJob } from './helpers/wifi.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;

const ssd = { type: 'ssd', model: 'Samsung PM981', serialNumber: 'S4DXNX0M1', capacityGb: 256 };

let shopA: { organisationId: string; agen: { id: string }; montDeMarsan: { id: string }; operator: Account };
let shopB: { organisationId: string; marseille: { id: string }; operator: Account };
let mediator: Account;
let journey: ReturnType<typeof allocationJourney>;
let programmeId: string;
const gradesGiven: string[] = [];

const transition = async (token: string, code: string, body: Record<string, unknown>) =>
  expectStatus(await world.call('POST', `/api/devices/${code}/transitions`, { token, body }));

/** The whole way to a family, trained at the Villeneuve-sur-Lot centre. Returns the device and the request. */
async function handedOverToAFamily(programmeId: string, moduleId: string, placeId: string) {
  const { device, grade, requestId } = await journey.handedOver({ programmeId, moduleId, placeId });
  gradesGiven.push(grade);
  return { device, requestId };
}

async function dateTrainingOf(requestId: string, date: string) {
  await harness.database.db.execute(
    sql`update request_events set occurred_at = ${noon(date)} where request_id = ${requestId} and to_status = 'training_completed'`,
  );
}

const indicators = async (query: string, account: Account = world.admin) => world.call('GET', `/api/indicators?${query}`, { token: account.token });

/**
 * A small network, built through the API as people would, its events then dated over 2024 and
 * 2025 (what happened when), and only then counted by the workers:
 *
 * Agen (47001, workshop A): d1 laptop collected 2024-06-10, dismantled 2024-06-20 (the previous year).
 *   d2 desktop collected 2025-02-03, recycled through ecosystem 2025-02-10.
 *   d3 laptop collected 2025-03-01, moved to Mont-de-Marsan (40192, workshop A) 2025-03-05, recycled there through Ecologic (ecologic) 2025-04-01.
 *   d4 laptop collected 2025-01-06, refurbished 2025-01-20, reserved 2025-05-02, handed over 2025-05-16: 130 days.
 *   d5 laptop collected 2025-04-01, refurbished 2025-04-03, reserved 2025-04-04, handed over 2025-04-11: 10 days.
 *   d6 laptop with an SSD collected 2025-07-01, wiped 2025-07-02.
 * Marseille (13201, workshop B): d7 smartphone collected 2025-08-01, dismantled 2025-08-05.
 * The two families trained at Villeneuve-sur-Lot (47323) on 2025-05-10 and 2025-04-08; one
 * building of Marseille 15e (13215) went live on 2025-09-01.
 */
beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const organisationA = await world.organisation('workshop');
  shopA = {
    organisationId: organisationA.id,
    agen: await world.site(organisationA.id, { communeCode: '47001' }),
    montDeMarsan: await world.site(organisationA.id, { name: 'Réserve de Mont-de-Marsan', kind: 'storage', communeCode: '40192' }),
    operator: await world.account(organisationA.id, 'workshop_operator'),
  };
  const organisationB = await world.organisation('workshop');
  shopB = {
    organisationId: organisationB.id,
    marseille: await world.site(organisationB.id, { communeCode: '13201' }),
    operator: await world.account(organisationB.id, 'workshop_operator'),
  };
  await qualify(world, shopA.operator, 'refurbishment');
  await qualify(world, shopA.operator, 'data_wiping');
  const centre = await world.organisation('mediation');
  mediator = await world.account(centre.id, 'mediator');
  journey = allocationJourney(world, { operator: shopA.operator, siteId: shopA.agen.id }, mediator);
  const place = await world.site(centre.id, { kind: 'mediation_place', name: 'Centre social', communeCode: '47323' });
  const module = await trainingModule(world, 'Prendre en main son ordinateur');
  const programme = await collegiensProgramme(world, module.id);
  programmeId = programme.id;

  const token = shopA.operator.token;
  const d1 = await world.device(token, shopA.agen.id, { storageMedia: [] });
  await transition(token, d1.code, { to: 'dismantled' });
  await dateEvents(harness.database.db, d1.id, ['2024-06-10', '2024-06-20']);
  const d2 = await world.device(token, shopA.agen.id, { kind: 'desktop', storageMedia: [] });
  await transition(token, d2.code, { to: 'recycled', payload: { deeeChannel: 'ecosystem' } });
  await dateEvents(harness.database.db, d2.id, ['2025-02-03', '2025-02-10']);
  const d3 = await world.device(token, shopA.agen.id, { storageMedia: [] });
  expectStatus(await world.call('POST', `/api/devices/${d3.code}/moves`, { token, body: { siteId: shopA.montDeMarsan.id } }));
  await transition(token, d3.code, { to: 'recycled', payload: { deeeChannel: 'ecologic' } });
  await dateEvents(harness.database.db, d3.id, ['2025-03-01', '2025-03-05', '2025-04-01']);
  const d4 = await handedOverToAFamily(programme.id, module.id, place.id);
  // collected, refurbishing, ready, reserved, allocated
  await dateEvents(harness.database.db, d4.device.id, ['2025-01-06', '2025-01-10', '2025-01-20', '2025-05-02', '2025-05-16']);
  await dateTrainingOf(d4.requestId, '2025-05-10');
  const d5 = await handedOverToAFamily(programme.id, module.id, place.id);
  await dateEvents(harness.database.db, d5.device.id, ['2025-04-01', '2025-04-02', '2025-04-03', '2025-04-04', '2025-04-11']);
  await dateTrainingOf(d5.requestId, '2025-04-08');
  // A family that missed its session in June: the session held, the family absent.
  const absent = await journey.absentFromTraining({ programmeId: programme.id, moduleId: module.id, placeId: place.id });
  await harness.database.db.execute(
    sql`update request_events set occurred_at = ${noon('2025-06-10')} where request_id = ${absent.requestId} and from_status = 'training_scheduled'`,
  );
  const d6 = await world.device(token, shopA.agen.id, { storageMedia: [ssd] });
  expectStatus(
    await world.call('POST', `/api/devices/${d6.code}/wipes`, {
      token,
      body: {
        records: [
          {
            mediumIndex: 0,
            level: 'purge',
            technique: 'crypto_erase',
            toolName: 'hdparm',
            verification: 'full',
            result: 'passed',
            startedAt: new Date(Date.now() - 60_000).toISOString(),
            endedAt: new Date().toISOString(),
          },
        ],
      },
    }),
    201,
  );
  await dateEvents(harness.database.db, d6.id, ['2025-07-01', '2025-07-02']);
  const d7 = await world.device(shopB.operator.token, shopB.marseille.id, { kind: 'smartphone', storageMedia: [] });
  await transition(shopB.operator.token, d7.code, { to: 'dismantled' });
  await dateEvents(harness.database.db, d7.id, ['2025-08-01', '2025-08-05']);

  // Only now do the workers count the device events, as they happened.
  const workers = harness.startWorkers();
  const deviceEventCount = await harness.database.db.$count(deviceEvents);
  await eventually(
    'every device event counted by the device-events jobs',
    async () => (await harness.database.db.$count(indicatorCountedEvents, eq(indicatorCountedEvents.source, 'device'))) === deviceEventCount,
  );

  // Shared Wi-Fi: a building provisioned (by the workers) and opened, on 2025-09-01.
  const landlord = await world.landlord();
  const isp = await world.isp();
  const apartments = [{ unit: '001', floor: 0 }];
  const building = await buildingReadyToProvision(
    world,
    { manager: landlord.manager, residenceId: landlord.residence.id, ispId: isp.organisation.id, installer: isp.installer },
    apartments,
    1,
  );
  const started = expectStatus(await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: isp.installer.token }), 202);
  expect((await finishedJob(world, isp.installer.token, started.job.id)).state).toBe('succeeded');
  expectStatus(await deploymentStep(world, landlord.manager.token, building.id, 'live'));
  // An incident reported in October and resolved in November.
  const incident = expectStatus(
    await world.call('POST', '/api/incidents', {
      token: landlord.manager.token,
      body: { buildingId: building.id, category: 'slow', description: 'Débit faible le soir' },
    }),
    201,
  );
  for (const to of ['in_progress', 'resolved']) {
    expectStatus(await world.call('POST', `/api/incidents/${incident.id}/status`, { token: isp.installer.token, body: { to, note: 'Canal changé' } }));
  }
  await workers.close();
  await harness.database.db.execute(sql`
    update deployment_events set occurred_at = ${noon('2025-09-01')}
    where to_status = 'live' and deployment_id = (select id from deployments where building_id = ${building.id})`);
  await harness.database.db.execute(sql`
    update incident_events set occurred_at = case when from_status is null then ${noon('2025-10-02')}::timestamptz else ${noon('2025-11-03')}::timestamptz end
    where incident_id = ${incident.id}`);
  // What the minute task does: the training, Wi-Fi and incident events, which have no job of their own
  // (two families trained, one absent, a building live, an incident opened and resolved).
  expect(await countUncountedEvents(harness.database.db)).toEqual({ device: 0, activity: 6 });
}, 120_000);
afterAll(() => harness?.close());

describe('the indicators of a year', () => {
  it('count what happened in the year, from the events, beside the previous year', async () => {
    const response = await indicators('period=2025');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const { figures, previous } = response.body;
    expect(response.body.period).toEqual({ label: '2025', from: '2025-01-01', to: '2025-12-31', months: 12 });
    expect(response.body.previousPeriod).toEqual({ label: '2024', from: '2024-01-01', to: '2024-12-31', months: 12 });
    expect(figures.devicesCollected).toBe(6); // d2 to d7
    expect(figures.devicesWiped).toEqual({ total: 1, byLevel: { purge: 1 } }); // d6
    const byGrade: Record<string, number> = {};
    for (const grade of gradesGiven) byGrade[grade] = (byGrade[grade] ?? 0) + 1;
    expect(figures.devicesRefurbished).toEqual({ total: 2, byGrade });
    expect(figures.devicesReserved).toBe(2);
    expect(figures.devicesHandedOver).toEqual({ total: 2, byKind: { laptop: 2 } });
    expect(figures.devicesDismantled).toBe(1); // d7 (d1 was in 2024)
    expect(figures.devicesRecycled).toEqual({ total: 2, byChannel: { ecosystem: 1, ecologic: 1 } });
    expect(figures.reuseRate).toBe(0.4); // 2 handed over of the 5 that left: 2 + 1 dismantled + 2 recycled
    expect(figures.daysFromCollectionToHandover).toEqual({ median: 10, p90: 130 });
    expect(figures.familiesTrained).toBe(2);
    // Three sessions: d4's, d5's, and the one the June family missed; two of the three families came.
    expect(figures.trainingSessionsHeld).toBe(3);
    expect(figures.attendanceRate).toBe(0.667);
    expect(figures.wifiBuildingsLive).toBe(1);
    expect([figures.incidentsOpened, figures.incidentsResolved]).toEqual([1, 1]);
    expect(figures.avoidedEmissions).toEqual({ kgCo2e: 340, byKind: [{ deviceKind: 'laptop', devices: 2, kgCo2ePerDevice: 170, kgCo2e: 340 }] });
    expect(previous).toMatchObject({ devicesCollected: 1, devicesDismantled: 1, devicesHandedOver: { total: 0 }, reuseRate: 0, familiesTrained: 0 });
    expect(response.body.impact.factors.find((factor: { deviceKind: string }) => factor.deviceKind === 'desktop')).toMatchObject({ kgCo2e: 259, year: 2025 });
  });

  it('count a device that moved where each of its events happened, for each kind of territory', async () => {
    const expected = [
      // Collected in Agen: d2 to d6; recycled: d2 in Agen, d3 in Mont-de-Marsan; trained in Villeneuve-sur-Lot.
      { territory: '47001', name: 'Agen', collected: 5, recycled: { ecosystem: 1 }, handedOver: 2, trained: 0, wifi: 0 },
      { territory: '200096956', name: "CA Agglomération d'Agen", collected: 5, recycled: { ecosystem: 1 }, handedOver: 2, trained: 0, wifi: 0 },
      { territory: '47', name: 'Lot-et-Garonne', collected: 5, recycled: { ecosystem: 1 }, handedOver: 2, trained: 2, wifi: 0 },
      { territory: '40', name: 'Landes', collected: 0, recycled: { ecologic: 1 }, handedOver: 0, trained: 0, wifi: 0 },
      { territory: 'region:75', name: 'Nouvelle-Aquitaine', collected: 5, recycled: { ecosystem: 1, ecologic: 1 }, handedOver: 2, trained: 2, wifi: 0 },
      // Marseille's arrondissements lie in Marseille and the Bouches-du-Rhône.
      { territory: '13', name: 'Bouches-du-Rhône', collected: 1, recycled: {}, handedOver: 0, trained: 0, wifi: 1 },
      { territory: 'region:93', name: "Provence-Alpes-Côte d'Azur", collected: 1, recycled: {}, handedOver: 0, trained: 0, wifi: 1 },
    ];
    for (const entry of expected) {
      const response = await indicators(`period=2025&territory=${encodeURIComponent(entry.territory)}`);
      expect(response.status, entry.territory).toBe(200);
      expect(response.body.territory.name, entry.territory).toBe(entry.name);
      const { figures } = response.body;
      expect(
        {
          collected: figures.devicesCollected,
          recycled: figures.devicesRecycled.byChannel,
          handedOver: figures.devicesHandedOver.total,
          trained: figures.familiesTrained,
          wifi: figures.wifiBuildingsLive,
        },
        entry.territory,
      ).toEqual({ collected: entry.collected, recycled: entry.recycled, handedOver: entry.handedOver, trained: entry.trained, wifi: entry.wifi });
    }
  });

  it('take quarters, months and runs of months, each beside the one before', async () => {
    const q2 = (await indicators('period=2025-Q2')).body;
    expect([q2.period.from, q2.period.to, q2.previousPeriod.label]).toEqual(['2025-04-01', '2025-06-30', '2025-Q1']);
    expect([q2.figures.devicesCollected, q2.figures.devicesHandedOver.total, q2.figures.devicesRecycled.total]).toEqual([1, 2, 1]);
    expect([q2.previous.devicesCollected, q2.previous.devicesRecycled.total, q2.previous.devicesRefurbished.total]).toEqual([3, 1, 1]);
    const may = (await indicators('period=2025-05')).body;
    expect([may.figures.devicesHandedOver.total, may.figures.familiesTrained, may.previousPeriod.label]).toEqual([1, 1, '2025-04']);
    const run = (await indicators('from=2025-01-01&to=2025-04-30')).body;
    expect(run.period).toMatchObject({ months: 4, label: '2025-01-01/2025-04-30' });
    expect(run.previousPeriod).toMatchObject({ from: '2024-09-01', to: '2024-12-31' });
    expect(run.figures.devicesCollected).toBe(4); // d2, d3, d4, d5
  });

  it('keep, for one programme, what served its families: devices reserved and handed over, families trained', async () => {
    const { figures, programmeId: asked } = (await indicators(`period=2025&programmeId=${programmeId}`)).body;
    expect(asked).toBe(programmeId);
    expect([figures.devicesReserved, figures.devicesHandedOver.total, figures.familiesTrained, figures.trainingSessionsHeld]).toEqual([2, 2, 2, 3]);
    expect([figures.devicesCollected, figures.devicesRecycled.total, figures.wifiBuildingsLive]).toEqual([0, 0, 0]);
    const other = (await indicators('period=2025&programmeId=00000000-0000-4000-8000-000000000000')).body.figures;
    expect([other.devicesHandedOver.total, other.familiesTrained]).toEqual([0, 0]);
  });

  it('narrow the device figures to a kind, and keep the training and Wi-Fi figures', async () => {
    const { figures } = (await indicators('period=2025&kind=smartphone')).body;
    expect([figures.devicesCollected, figures.devicesDismantled, figures.devicesHandedOver.total, figures.familiesTrained, figures.wifiBuildingsLive]).toEqual([
      1, 1, 0, 2, 1,
    ]);
  });

  it('show each organisation its own figures only; the coordinator may ask for any', async () => {
    const own = await indicators('period=2025', shopB.operator);
    expect(own.body.organisationId).toBe(shopB.organisationId);
    expect([own.body.figures.devicesCollected, own.body.figures.devicesDismantled, own.body.figures.wifiBuildingsLive]).toEqual([1, 1, 0]);
    const other = await indicators(`period=2025&organisationId=${shopA.organisationId}`, shopB.operator);
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const asked = await indicators(`period=2025&organisationId=${shopA.organisationId}`);
    expect([asked.body.figures.devicesCollected, asked.body.figures.devicesHandedOver.total]).toEqual([5, 2]);
    expect((await world.call('GET', '/api/indicators?period=2025')).status).toBe(401);
  });

  it('refuse a period or territory that is not one, naming the field', async () => {
    const cases = [
      { query: 'period=2025-13', paths: ['query.period'] },
      { query: 'period=25', paths: ['query.period'] },
      { query: '', paths: ['query.period'] },
      { query: 'period=2025&from=2025-01-01&to=2025-01-31', paths: ['query.period'] },
      { query: 'from=2025-01-15&to=2025-02-27', paths: ['query.from', 'query.to'] },
      { query: 'from=2025-03-01&to=2025-01-31', paths: ['query.to'] },
      { query: 'from=2025-02-30&to=2025-03-31', paths: ['query.from'] },
      { query: 'period=2025&territory=99', paths: ['query.territory'] },
      { query: 'period=2025&territory=region:47', paths: ['query.territory'] },
      { query: 'period=2025&territory=123456789', paths: ['query.territory'] },
      { query: 'period=2025&territory=Agen', paths: ['query.territory'] },
      { query: 'period=2025&kind=fridge', paths: ['query.kind'] },
    ];
    for (const entry of cases) {
      const response = await indicators(entry.query);
      expect(response.status, entry.query).toBe(422);
      expect(response.headers.get('content-type'), entry.query).toMatch(/^application\/problem\+json/);
      expect(
        response.body.errors.map((error: { path: string }) => error.path),
        entry.query,
      ).toEqual(entry.paths);
    }
  });

  it('export the same figures as a CSV, each line beside the previous period', async () => {
    const response = await world.app.request('/api/indicators.csv?period=2025&territory=47', { headers: { authorization: `Bearer ${world.admin.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Indicateur;Détail;Territoire;Période;Valeur;Période précédente;Valeur précédente');
    expect(lines).toContain('Appareils collectés;;Lot-et-Garonne (47);2025;5;2024;1');
    expect(lines).toContain('Appareils recyclés;filière ecosystem;Lot-et-Garonne (47);2025;1;2024;0');
    expect(lines).toContain('Taux de réemploi (%);;Lot-et-Garonne (47);2025;66,7;2024;0');
    expect(lines).toContain('Émissions de fabrication évitées (kg CO2e);;Lot-et-Garonne (47);2025;340;2024;0');
  });
});

describe('the rollups', () => {
  it('equal the rollups rebuilt from the events alone', async () => {
    const { db } = harness.database;
    const live = await liveRollups(db);
    expect(live.length).toBeGreaterThan(10);
    expect(await rollupsFromEvents(db)).toEqual(live);
    expect(await rebuildIndicatorRollups(db)).toBe(live.length);
    expect(await liveRollups(db)).toEqual(live);
    // Every device event, and the six training, Wi-Fi and incident events that count for something.
    expect(await db.$count(indicatorCountedEvents)).toBe((await db.$count(deviceEvents)) + 6);
  });

  it('count an event once however many times its job runs, even at the same moment', async () => {
    const { db } = harness.database;
    const shop = await world.workshop();
    const device = await world.device(shop.operator.token, shop.site.id);
    const [event] = await db.select({ id: deviceEvents.id }).from(deviceEvents).where(eq(deviceEvents.deviceId, device.id));
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => countDeviceEventInIndicators(db, event!.id)));
    expect(outcomes.sort()).toEqual(['already_counted', 'already_counted', 'already_counted', 'counted']);
    expect(await countDeviceEventInIndicators(db, 999_999_999)).toBe('unknown_event');
    expect(await rollupsFromEvents(db)).toEqual(await liveRollups(db));
    // The same job counts the event in the stock, with its own ledger.
    const inStock = await Promise.all(Array.from({ length: 4 }, () => countDeviceEventInStock(db, event!.id)));
    expect(inStock.sort()).toEqual(['already_counted', 'already_counted', 'already_counted', 'counted']);
    expect(await countDeviceEventInStock(db, 999_999_999)).toBe('unknown_event');
    const counters = await db.select().from(siteStockCounters).where(eq(siteStockCounters.siteId, shop.site.id));
    expect(counters).toEqual([expect.objectContaining({ kind: 'laptop', status: 'collected', count: 1 })]);
  });

  it('are checked against the events: a drift is repaired and logged, an event whose job was lost is counted', async () => {
    const { db } = harness.database;
    const shop = await world.workshop();
    const lost = await world.device(shop.operator.token, shop.site.id, { kind: 'tablet' });
    await db.execute(sql`update device_events set occurred_at = now() - interval '1 hour' where device_id = ${lost.id}`);
    await db.execute(sql`update indicator_rollups set count = count + 5 where indicator = 'handed_over' and month = '2025-05-01'`);
    const messages: string[] = [];
    const logger = harness.logger.child({});
    logger.warn = ((_: unknown, message: string) => void messages.push(message)) as typeof logger.warn;
    logger.error = ((_: unknown, message: string) => void messages.push(message)) as typeof logger.error;

    const outcome = await reconcileIndicatorRollups(db, logger);
    expect(outcome.lostEventsCounted).toBe(1);
    expect(outcome.drifts).toEqual([
      {
        month: '2025-05-01',
        communeCode: '47001',
        organisationId: shopA.organisationId,
        deviceKind: 'laptop',
        programmeId,
        indicator: 'handed_over',
        detail: '',
        counted: 6,
        fromEvents: 1,
      },
    ]);
    expect(messages).toEqual(['indicators: counted device events whose job was lost', 'indicator rollups drifted from the events; repaired']);
    expect(await rollupsFromEvents(db)).toEqual(await liveRollups(db));
    expect((await reconcileIndicatorRollups(db, logger)).drifts).toEqual([]);
    const [tablets] = await db
      .select({ count: sql<number>`sum(${indicatorRollups.count})::int` })
      .from(indicatorRollups)
      .where(sql`${indicatorRollups.deviceKind} = 'tablet' and ${indicatorRollups.indicator} = 'collected'`);
    expect(tablets!.count).toBe(1);
  });
});
