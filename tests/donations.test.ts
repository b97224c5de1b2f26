import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { devices } from '../src/devices/devices.schema.ts';
import { donations } from '../src/donations/donations.schema.ts';
import { backgroundJobs } from '../src/jobs/jobs.schema.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { crlf, frenchHeader, uploadInventory } from './helpers/intake.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let donor: { id: string; name: string };
let donorViewer: Account;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
  donor = await world.organisation('donor', `Mairie de Test ${randomBytes(2).toString('hex')}`);
  donorViewer = await world.account(donor.id, 'donor_viewer');
});
afterAll(() => harness.close());

const laptop = (donationId: string, overrides: Record<string, unknown> = {}) => ({
  kind: 'laptop',
  brand: 'Lenovo',
  model: 'ThinkPad T470',
  serialNumber: randomBytes(5).toString('hex'),
  storageMedia: [{ type: 'ssd' }],
  donationId,
  ...overrides,
});

async function register(token: string, body: Record<string, unknown>) {
  const response = await world.call('POST', '/api/devices', { token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; code: string; version: number };
}

describe('recording a donation', () => {
  it('records a donation from a donor organisation, or from an individual with a contact', async () => {
    const fromCompany = await world.call('POST', '/api/donations', {
      token: bench.operator.token,
      body: { collectionSiteId: bench.site.id, donorOrganisationId: donor.id, campaign: 'Renouvellement 2026', expectedCount: 40 },
    });
    expect(fromCompany.status, JSON.stringify(fromCompany.body)).toBe(201);
    expect(fromCompany.body).toMatchObject({
      organisationId: bench.organisation.id,
      collectionSiteId: bench.site.id,
      collectionSiteName: bench.site.name,
      donorOrganisationId: donor.id,
      donorName: donor.name,
      donorContact: null,
      campaign: 'Renouvellement 2026',
      expectedCount: 40,
      receivedCount: 0,
      countsByStatus: {},
    });

    const fromPerson = await world.call('POST', '/api/donations', {
      token: bench.operator.token,
      body: { collectionSiteId: bench.site.id, donor: { name: 'Mme Martin', contact: 'martin@example.org' } },
    });
    expect(fromPerson.status).toBe(201);
    expect(fromPerson.body).toMatchObject({ donorOrganisationId: null, donorName: 'Mme Martin', donorContact: 'martin@example.org', expectedCount: null });
  });

  it('refuses a donation with both a donor organisation and an individual, or with neither, and records nothing', async () => {
    const before = await harness.database.db.$count(donations);
    const both = await world.call('POST', '/api/donations', {
      token: bench.operator.token,
      body: { collectionSiteId: bench.site.id, donorOrganisationId: donor.id, donor: { name: 'M. Durand' } },
    });
    const neither = await world.call('POST', '/api/donations', { token: bench.operator.token, body: { collectionSiteId: bench.site.id } });
    for (const response of [both, neither]) {
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([{ path: 'donor', message: expect.stringMatching(/either/) }]);
    }
    const notADonor = await world.call('POST', '/api/donations', {
      token: bench.operator.token,
      body: { collectionSiteId: bench.site.id, donorOrganisationId: bench.organisation.id },
    });
    expect(notADonor.status).toBe(422);
    expect(notADonor.body.errors).toEqual([{ path: 'donorOrganisationId', message: expect.any(String) }]);
    const otherSite = await world.workshop();
    const theirSite = await world.call('POST', '/api/donations', {
      token: bench.operator.token,
      body: { collectionSiteId: otherSite.site.id, donor: { name: 'M. Durand' } },
    });
    expect(theirSite.status).toBe(422);
    expect(theirSite.body.errors).toEqual([{ path: 'collectionSiteId', message: expect.any(String) }]);
    expect(await harness.database.db.$count(donations)).toBe(before);
  });
});

describe('what a donation shows', () => {
  it('shows expected against received and the devices by status, in the list too', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id, { expectedCount: 5 });
    const devicesIn = [];
    for (let index = 0; index < 3; index++) devicesIn.push(await register(bench.operator.token, laptop(donation.id)));
    const dismantled = await world.call('POST', `/api/devices/${devicesIn[0]!.code}/transitions`, {
      token: bench.operator.token,
      body: { to: 'dismantled' },
    });
    expect(dismantled.status, JSON.stringify(dismantled.body)).toBe(200);

    const response = await world.call('GET', `/api/donations/${donation.id}`, { token: bench.operator.token });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ expectedCount: 5, receivedCount: 3, countsByStatus: { collected: 2, dismantled: 1 } });
    // The list reads the stock counters, which the workers keep from the device events.
    harness.startWorkers();
    const listed = async () =>
      (await world.call('GET', '/api/donations', { token: bench.operator.token })).body.items.find((item: { id: string }) => item.id === donation.id);
    await eventually('the list counts the lot', async () => (await listed()).receivedCount === 3 && (await listed()).countsByStatus.dismantled === 1);
    expect(await listed()).toMatchObject({ receivedCount: 3, countsByStatus: { collected: 2, dismantled: 1 } });
  });

  it('is not visible to another workshop, whose list does not show it either', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const other = await world.workshop();
    expect((await world.call('GET', `/api/donations/${donation.id}`, { token: other.operator.token })).status).toBe(404);
    const list = await world.call('GET', '/api/donations', { token: other.operator.token });
    expect(list.body.items.map((item: { id: string }) => item.id)).not.toContain(donation.id);
    expect((await world.call('GET', `/api/donations/${donation.id}`, { token: world.admin.token })).status).toBe(200);
  });
});

describe('a donor following what it gave', () => {
  it("sees its donations and its devices' journey, without who did what or for whom", async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id, { donor: undefined, donorOrganisationId: donor.id, expectedCount: 2 });
    const first = await register(bench.operator.token, laptop(donation.id, { notes: 'Étiquette inventaire mairie 0042' }));
    const second = await register(bench.operator.token, laptop(donation.id, { kind: 'desktop' }));
    const shelf = await world.site(bench.organisation.id, { name: 'Étagère C', kind: 'storage' });
    const moved = await world.call('POST', `/api/devices/${first.code}/moves`, {
      token: bench.operator.token,
      body: { siteId: shelf.id, note: 'Pour la famille Benali, quartier des Tilleuls' },
    });
    expect(moved.status).toBe(200);
    const recycled = await world.call('POST', `/api/devices/${second.code}/transitions`, {
      token: bench.operator.token,
      body: { to: 'recycled', payload: { deeeChannel: 'ecosystem' }, note: 'Carte mère grillée' },
    });
    expect(recycled.status, JSON.stringify(recycled.body)).toBe(200);

    const list = await world.call('GET', '/api/donations', { token: donorViewer.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toContain(donation.id);
    for (const item of list.body.items) expect(item.donorOrganisationId).toBe(donor.id);
    const shown = await world.call('GET', `/api/donations/${donation.id}`, { token: donorViewer.token });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ donorName: donor.name, expectedCount: 2, receivedCount: 2, countsByStatus: { collected: 1, recycled: 1 } });

    const theirDevices = await world.call('GET', `/api/devices?donationId=${donation.id}`, { token: donorViewer.token });
    expect(theirDevices.status).toBe(200);
    expect(theirDevices.body.items.map((item: { code: string }) => item.code).sort()).toEqual([first.code, second.code].sort());

    for (const code of [first.code, second.code]) {
      const device = await world.call('GET', `/api/devices/${code}`, { token: donorViewer.token });
      expect(device.status).toBe(200);
      expect(device.body.history.length).toBeGreaterThanOrEqual(2);
      for (const event of device.body.history) expect(event).toMatchObject({ actorUserId: null, note: null, payload: {} });
      // What the workshop sees of the same device still has the details.
      const forBench = await world.call('GET', `/api/devices/${code}`, { token: bench.operator.token });
      expect(forBench.body.history.some((event: { actorUserId: string | null }) => event.actorUserId === bench.operator.id)).toBe(true);
    }
    expect(JSON.stringify(await world.call('GET', `/api/devices/${first.code}`, { token: donorViewer.token }))).not.toMatch(/Benali/);
  });

  it("sees nothing of another donor's donations, nor of an individual's", async () => {
    const otherDonor = await world.organisation('donor');
    const theirs = await world.donation(bench.operator.token, bench.site.id, { donor: undefined, donorOrganisationId: otherDonor.id });
    const device = await register(bench.operator.token, laptop(theirs.id));
    const individual = await world.donation(bench.operator.token, bench.site.id, { donor: { name: 'M. Petit', contact: '06 12 34 56 78' } });
    const individualDevice = await register(bench.operator.token, laptop(individual.id));

    for (const [donationId, code] of [
      [theirs.id, device.code],
      [individual.id, individualDevice.code],
    ] as const) {
      const donation = await world.call('GET', `/api/donations/${donationId}`, { token: donorViewer.token });
      expect(donation.status).toBe(404);
      const listed = await world.call('GET', `/api/devices?donationId=${donationId}`, { token: donorViewer.token });
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([]);
      expect((await world.call('GET', `/api/devices/${code}`, { token: donorViewer.token })).status).toBe(404);
    }
    const list = await world.call('GET', '/api/donations', { token: donorViewer.token });
    const ids = list.body.items.map((item: { id: string }) => item.id);
    expect(ids).not.toContain(theirs.id);
    expect(ids).not.toContain(individual.id);
    const allDevices = await world.call('GET', '/api/devices?limit=200', { token: donorViewer.token });
    const codes = allDevices.body.items.map((item: { code: string }) => item.code);
    expect(codes).not.toContain(device.code);
    expect(codes).not.toContain(individualDevice.code);
  });

  it('cannot record donations or register devices (403), and nothing changes', async () => {
    const donation = await world.donation(bench.operator.token, bench.site.id, { donor: undefined, donorOrganisationId: donor.id });
    const countsBefore = {
      devices: await harness.database.db.$count(devices),
      donations: await harness.database.db.$count(donations),
      jobs: await harness.database.db.$count(backgroundJobs),
    };
    const attempts = [
      await world.call('POST', '/api/devices', { token: donorViewer.token, body: laptop(donation.id) }),
      await world.call('POST', `/api/donations/${donation.id}/devices`, {
        token: donorViewer.token,
        body: { devices: [{ kind: 'laptop', brand: 'Dell', model: 'Latitude', storageMedia: [] }] },
      }),
      await uploadInventory(world.app, donorViewer.token, donation.id, crlf(frenchHeader, 'portable;Dell;Latitude;X1;ssd;')),
      await world.call('POST', '/api/donations', {
        token: donorViewer.token,
        body: { collectionSiteId: bench.site.id, donorOrganisationId: donor.id },
      }),
    ];
    for (const response of attempts) {
      expect(response.status, JSON.stringify(response.body)).toBe(403);
      expect(response.body.code).toBe('forbidden');
    }
    expect({
      devices: await harness.database.db.$count(devices),
      donations: await harness.database.db.$count(donations),
      jobs: await harness.database.db.$count(backgroundJobs),
    }).toEqual(countsBefore);
  });

  it("never sees an individual donor's contact, which the receiving workshop does see", async () => {
    const individual = await world.donation(bench.operator.token, bench.site.id, { donor: { name: 'Mme Roux', contact: 'roux@example.org' } });
    const forBench = await world.call('GET', `/api/donations/${individual.id}`, { token: bench.operator.token });
    expect(forBench.body.donorContact).toBe('roux@example.org');
    expect((await world.call('GET', `/api/donations/${individual.id}`, { token: donorViewer.token })).status).toBe(404);

    // The API records a contact only for individuals; a contact kept on a donor organisation's
    // donation (an import from another tool, a later change) must still not reach the donor.
    const donation = await world.donation(bench.operator.token, bench.site.id, { donor: undefined, donorOrganisationId: donor.id });
    await harness.database.db.update(donations).set({ donorContact: 'dsi@mairie.example' }).where(eq(donations.id, donation.id));
    expect((await world.call('GET', `/api/donations/${donation.id}`, { token: bench.operator.token })).body.donorContact).toBe('dsi@mairie.example');
    const forDonor = await world.call('GET', `/api/donations/${donation.id}`, { token: donorViewer.token });
    expect(forDonor.status).toBe(200);
    expect(forDonor.body.donorContact).toBeNull();
    const listed = await world.call('GET', '/api/donations', { token: donorViewer.token });
    expect(listed.body.items.find((item: { id: string }) => item.id === donation.id).donorContact).toBeNull();
    expect(JSON.stringify(listed.body)).not.toMatch(/@/);
  });
});
