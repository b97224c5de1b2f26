import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices } from '../src/devices/devices.schema.ts';
import { spareParts, workOrders } from '../src/refurbishment/refurbishment.schema.ts';
import { gradingRules, suggestGrade } from '../src/refurbishment/rules.ts';
import { wipeCertificates } from '../src/wiping/wiping.schema.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';
import { fullChecklist } from './helpers/journey.ts';
import { pdfText } from './helpers/pdf.ts';

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;

const ssd = { type: 'ssd', model: 'Samsung PM981', serialNumber: 'S4DXNX0M1', capacityGb: 256 };
const hdd = { type: 'hdd', model: 'Seagate ST500', serialNumber: 'Z6EABC99', capacityGb: 500 };
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function qualify(account: Account, kind: 'data_wiping' | 'refurbishment', expiresOn = day(365)) {
  const response = await world.call('POST', `/api/users/${account.id}/qualifications`, {
    token: world.admin.token,
    body: { kind, issuer: 'Centre de formation ADN', issuedOn: day(-200), expiresOn },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

const passedWipe = (mediumIndex: number, level = 'purge', technique = 'crypto_erase') => ({
  mediumIndex,
  level,
  technique,
  toolName: 'hdparm',
  verification: 'full',
  result: 'passed',
  startedAt: new Date(Date.now() - 60_000).toISOString(),
  endedAt: new Date().toISOString(),
});

/** The whole bench path for one person and one device: wipe both media, refurbish, grade, shelve. */
async function refurbishToStock(account: Account, siteId: string) {
  const device = await world.device(account.token, siteId, { storageMedia: [ssd, hdd] });
  const wiped = await world.call('POST', `/api/devices/${device.code}/wipes`, {
    token: account.token,
    body: { records: [passedWipe(0), passedWipe(1, 'clear', 'overwrite')] },
  });
  expect(wiped.body).toMatchObject({ wiped: true, device: { status: 'wiped' } });
  const opened = await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: account.token, body: { need: 'Collégien en 4e' } });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  expect((await world.call('GET', `/api/devices/${device.code}`, { token: account.token })).body.status).toBe('refurbishing');
  const recorded = await world.call('PATCH', `/api/work-orders/${opened.body.id}`, {
    token: account.token,
    body: {
      checklist: fullChecklist,
      partsFitted: [{ kind: 'RAM', description: 'Barrette 4 Go DDR4', reused: true, costCents: 0 }],
      operatingSystem: { name: 'Linux Mint', version: '22', licence: 'GPL' },
      specs: { cpu: 'Intel Core i5-8350U', ramGb: 8, storageGb: 256 },
      cosmetic: 'A',
      minutesSpent: 75,
    },
  });
  expect(recorded.status).toBe(200);
  // An HDD in the device caps the grade at B, as the network's rules say.
  expect(recorded.body.suggestion).toEqual({ grade: 'B', reasons: ['a hard disk (HDD) caps the grade at B'] });
  expect(recorded.body.checklistProblems).toEqual([]);
  const completed = await world.call('POST', `/api/work-orders/${opened.body.id}/complete`, { token: account.token, body: {} });
  expect(completed.status, JSON.stringify(completed.body)).toBe(200);
  expect(completed.body.device).toMatchObject({ status: 'ready', grade: 'B', specs: { ramGb: 8, storageGb: 256 } });
  return { device, workOrderId: opened.body.id as string };
}

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  bench = await world.workshop();
  await qualify(bench.operator, 'data_wiping');
  await qualify(bench.operator, 'refurbishment');
});
afterAll(() => harness.close());

describe('the workshop path', () => {
  it('takes a laptop with two media from collected to ready, with a certificate that verifies', async () => {
    const { device } = await refurbishToStock(bench.operator, bench.site.id);
    let certificate: typeof wipeCertificates.$inferSelect | undefined;
    await eventually('the certificate', async () => {
      [certificate] = await harness.database.db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, device.id));
      return Boolean(certificate?.fileId);
    });
    const page = await harness.app.request(`/verify/${certificate!.id}`);
    expect(page.status).toBe(200);
    const history = await world.call('GET', `/api/devices/${device.code}`, { token: bench.operator.token });
    expect(history.body.history.map((event: { toStatus: string }) => event.toStatus)).toEqual(['collected', 'wiped', 'refurbishing', 'ready']);
    const stock = await world.call('GET', '/api/stock?kind=laptop&grade=B&minRamGb=8&territory=47', { token: bench.operator.token });
    expect(stock.body.items.map((item: { code: string }) => item.code)).toContain(device.code);
    expect(stock.body.counts).toEqual(expect.arrayContaining([expect.objectContaining({ siteId: bench.site.id, kind: 'laptop' })]));
    const tooDemanding = await world.call('GET', '/api/stock?minRamGb=16', { token: bench.operator.token });
    expect(tooDemanding.body.items.map((item: { code: string }) => item.code)).not.toContain(device.code);
  });

  it('is the same for a mediator qualified for reuse, in their own place', async () => {
    const centre = await world.organisation('mediation');
    const place = await world.site(centre.id, { kind: 'mediation_place', name: 'Espace numérique', communeCode: '13055' });
    const mediator = await world.account(centre.id, 'mediator');
    await qualify(mediator, 'data_wiping');
    await qualify(mediator, 'refurbishment');
    await refurbishToStock(mediator, place.id);
  });
});

describe('refusals', () => {
  it('refuses to open a work order for someone without a refurbishment qualification, or with an expired one', async () => {
    const wiperOnly = await world.account(bench.organisation.id, 'workshop_operator');
    const lapsed = await world.account(bench.organisation.id, 'workshop_operator');
    await qualify(lapsed, 'refurbishment', day(-1));
    for (const account of [wiperOnly, lapsed]) {
      const device = await world.device(account.token, bench.site.id, { storageMedia: [] });
      const refused = await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: account.token, body: {} });
      expect(refused.status).toBe(403);
      expect(await harness.database.db.$count(workOrders, eq(workOrders.deviceId, device.id))).toBe(0);
      const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
      expect(row!.status).toBe('collected');
    }
    const expired = await world.call('POST', `/api/devices/${(await world.device(lapsed.token, bench.site.id, { storageMedia: [] })).code}/work-orders`, {
      token: lapsed.token,
      body: {},
    });
    expect(expired.body.detail).toContain(`expired on ${day(-1)}`);
  });

  it('refuses to refurbish a device whose storage was not wiped, naming the medium', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    const refused = await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: bench.operator.token, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('S4DXNX0M1');
    expect(await harness.database.db.$count(workOrders, eq(workOrders.deviceId, device.id))).toBe(0);
  });

  it('refuses to put in stock with a failed checklist item, or a grade changed without a reason', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [] });
    const opened = await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: bench.operator.token, body: {} });
    expect(opened.status).toBe(201);
    await world.call('PATCH', `/api/work-orders/${opened.body.id}`, {
      token: bench.operator.token,
      body: { checklist: { ...fullChecklist, keyboard: 'fault' }, specs: { ramGb: 8, storageGb: 256 } },
    });
    const faulty = await world.call('POST', `/api/work-orders/${opened.body.id}/complete`, { token: bench.operator.token, body: {} });
    expect(faulty.status).toBe(409);
    expect(faulty.body.detail).toContain('keyboard: fault');
    let [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row!.status).toBe('refurbishing');

    await world.call('PATCH', `/api/work-orders/${opened.body.id}`, { token: bench.operator.token, body: { checklist: { keyboard: 'ok' } } });
    const unexplained = await world.call('POST', `/api/work-orders/${opened.body.id}/complete`, { token: bench.operator.token, body: { grade: 'C' } });
    expect(unexplained.status).toBe(422);
    expect(unexplained.body.errors[0].path).toBe('gradeOverrideReason');
    const explained = await world.call('POST', `/api/work-orders/${opened.body.id}/complete`, {
      token: bench.operator.token,
      body: { grade: 'C', gradeOverrideReason: 'Charnière fragile' },
    });
    expect(explained.status).toBe(200);
    [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row).toMatchObject({ status: 'ready', grade: 'C' });
  });

  it('does not shelve a device back from a household before it is wiped again', async () => {
    const { device } = await refurbishToStock(bench.operator, bench.site.id);
    await harness.database.db.update(devices).set({ status: 'allocated' }).where(eq(devices.id, device.id));
    const back = await world.call('POST', `/api/devices/${device.code}/transitions`, {
      token: bench.operator.token,
      body: { to: 'returned', siteId: bench.site.id },
    });
    expect(back.status).toBe(200);
    const refused = await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: bench.operator.token, body: {} });
    expect(refused.status).toBe(409);
  });
});

describe('a device beyond repair', () => {
  it('is dismantled with its parts kept as spare-parts stock', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [] });
    const opened = await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: bench.operator.token, body: {} });
    const abandoned = await world.call('POST', `/api/work-orders/${opened.body.id}/abandon`, {
      token: bench.operator.token,
      body: {
        outcome: 'dismantled',
        parts: [
          { kind: 'RAM', description: '2 × 4 Go DDR4' },
          { kind: 'alimentation', description: 'Chargeur 65 W' },
        ],
      },
    });
    expect(abandoned.status).toBe(200);
    expect(abandoned.body.device.status).toBe('dismantled');
    expect(await harness.database.db.$count(spareParts, eq(spareParts.fromDeviceId, device.id))).toBe(2);
  });

  it('is recycled through a WEEE channel of the list, "other" with its name; a channel outside it is refused and the work order stays open', async () => {
    const abandon = async (body: Record<string, unknown>) => {
      const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [] });
      const opened = await world.call('POST', `/api/devices/${device.code}/work-orders`, { token: bench.operator.token, body: {} });
      return {
        device,
        order: opened.body.id as string,
        answer: await world.call('POST', `/api/work-orders/${opened.body.id}/abandon`, { token: bench.operator.token, body: { outcome: 'recycled', ...body } }),
      };
    };
    const recycled = await abandon({ deeeChannel: 'other', deeeChannelName: 'Ressourcerie du Marmandais' });
    expect(recycled.answer.status, JSON.stringify(recycled.answer.body)).toBe(200);
    expect(recycled.answer.body.device.status).toBe('recycled');
    const unknown = await abandon({ deeeChannel: 'Ecosystem' });
    expect(unknown.answer.status).toBe(422);
    expect(unknown.answer.body.errors.map((error: { path: string }) => error.path)).toEqual(['deeeChannel']);
    const unnamed = await abandon({ deeeChannel: 'other' });
    expect(unnamed.answer.status).toBe(422);
    expect(unnamed.answer.body.errors.map((error: { path: string }) => error.path)).toEqual(['deeeChannelName']);
    for (const refused of [unknown, unnamed]) {
      expect((await world.call('GET', `/api/devices/${refused.device.code}`, { token: bench.operator.token })).body.status).toBe('refurbishing');
      expect((await world.call('GET', `/api/work-orders/${refused.order}`, { token: bench.operator.token })).body.status).toBe('open');
    }
  });
});

describe('the grading rules', () => {
  it('suggest A when no rule applies, and the lowest cap of those that do', () => {
    expect(suggestGrade({ ramGb: 16, storageGb: 512, storageType: 'ssd', batteryHealthPercent: 95, cosmetic: 'A' })).toEqual({ grade: 'A', reasons: [] });
    for (const rule of gradingRules) {
      const facts = [
        { storageType: 'hdd' as const },
        { ramGb: 2 },
        { ramGb: 6 },
        { storageGb: 64 },
        { storageGb: 200 },
        { batteryHealthPercent: 50 },
        { batteryHealthPercent: 70 },
        { cosmetic: 'B' as const },
        { cosmetic: 'C' as const },
      ].find((candidate) => rule.applies(candidate))!;
      expect(facts, rule.reason).toBeDefined();
      expect(['B', 'C']).toContain(suggestGrade(facts).grade);
    }
    expect(suggestGrade({ ramGb: 2, storageType: 'hdd' }).grade).toBe('C');
  });
});

describe("the donor's traceability report", () => {
  it('lists every device with its wipe, certificate and outcome, counts them, and is readable by the donor only', async () => {
    const donorOrganisation = await world.organisation('donor', 'Mairie de Nérac');
    const donorViewer = await world.account(donorOrganisation.id, 'donor_viewer');
    const donation = await world.donation(bench.operator.token, bench.site.id, {
      donor: undefined,
      donorOrganisationId: donorOrganisation.id,
      campaign: 'Parc 2026',
      expectedCount: 3,
    });
    const { device: reused } = await refurbishToStock(bench.operator, bench.site.id);
    await harness.database.db.update(devices).set({ donationId: donation.id }).where(eq(devices.id, reused.id));
    const register = (overrides: Record<string, unknown>) =>
      world.call('POST', '/api/devices', {
        token: bench.operator.token,
        body: { donationId: donation.id, kind: 'laptop', brand: 'HP', model: 'ProBook 640', storageMedia: [], ...overrides },
      });
    const broken = (await register({ serialNumber: 'CND1234' })).body;
    await world.call('POST', `/api/devices/${broken.code}/transitions`, {
      token: bench.operator.token,
      body: { to: 'recycled', note: 'Carte mère grillée', payload: { deeeChannel: 'ecosystem' } },
    });
    const waiting = (await register({ serialNumber: 'CND5678', storageMedia: [ssd] })).body;
    let certificateId = '';
    await eventually('the certificate of the refurbished device', async () => {
      const [certificate] = await harness.database.db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, reused.id));
      certificateId = certificate?.id ?? '';
      return Boolean(certificate);
    });

    const csv = await world.call('GET', `/api/donations/${donation.id}/report.csv`, { token: donorViewer.token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('code;type;marque;modèle;numéro de série;effacement des données;certificat;devenir');
    expect(lines).toHaveLength(4);
    expect(lines.find((line) => line.startsWith(reused.code))).toContain(certificateId);
    expect(lines.find((line) => line.startsWith(reused.code))).toContain('En stock, prêt au réemploi');
    expect(lines.find((line) => line.startsWith(broken.code))).toContain('Recyclé (filière DEEE)');
    expect(lines.find((line) => line.startsWith(waiting.code))).toContain('À effacer');
    // What the bench wrote and who did it stay with the workshop.
    expect(csv.body).not.toContain('Carte mère');
    expect(csv.body).not.toContain('de test');

    const pdf = await harness.app.request(`/api/donations/${donation.id}/report.pdf`, { headers: { authorization: `Bearer ${donorViewer.token}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(new Uint8Array(await pdf.arrayBuffer()));
    expect(text).toContain('Mairie de Nérac');
    expect(text).toContain('Équipements annoncés : 3 — reçus : 3');
    expect(text).toContain('Recyclé (filière DEEE) : 1');
    expect(text).toContain(waiting.code);

    const otherDonor = await world.account((await world.organisation('donor')).id, 'donor_viewer');
    expect((await world.call('GET', `/api/donations/${donation.id}/report.csv`, { token: otherDonor.token })).status).toBe(404);
  });
});
