import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equipmentRequests, handovers, households as householdsTable } from '../src/allocation/allocation.schema.ts';
import { matchEligibleRequests } from '../src/allocation/matching.ts';
import { eraseExpiredContacts, expireReservations } from '../src/allocation/scheduled.ts';
import { notifications } from '../src/notifications/notifications.schema.ts';
import { markNotificationFailed, planReminders, sendNotification } from '../src/notifications/reminders.ts';
import { deviceEvents, devices } from '../src/devices/devices.schema.ts';
import { organisations } from '../src/organisations/organisations.schema.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { openPage, signInWithForm } from './helpers/pages.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let landes: { id: string };
let mediator: Account;
let programmeId: string;

const criteria = ['child_in_college', 'income_below_threshold'];

/** A device put in stock directly (the workshop path is tested elsewhere), with its grade and specs. */
async function readyDevice(siteId: string, grade: 'A' | 'B' | 'C', ramGb = 8) {
  const device = await world.device(bench.operator.token, siteId, { storageMedia: [] });
  await harness.database.db
    .update(devices)
    .set({ status: 'ready', grade, specs: { ramGb, storageGb: 256 } })
    .where(eq(devices.id, device.id));
  return device;
}

async function household(account: Account, overrides: Record<string, unknown> = {}) {
  const response = await world.call('POST', '/api/households', {
    token: account.token,
    body: {
      reference: `F-${Math.random().toString(36).slice(2, 8)}`,
      communeCode: '47001',
      size: 4,
      contactPhone: '06 12 34 56 78',
      attestations: criteria,
      consent: true,
      ...overrides,
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string };
}

async function eligibleRequest(account: Account = mediator, overrides: Record<string, unknown> = {}) {
  const family = await household(account);
  const response = await world.call('POST', '/api/requests', {
    token: account.token,
    body: { householdId: family.id, programmeId, need: { kind: 'laptop', minRamGb: 4 }, ...overrides },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; status: string; statusReason: string | null };
}

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
  landes = await world.site(bench.organisation.id, { name: 'Réserve de Mont-de-Marsan', kind: 'storage', communeCode: '40192' });
  const centre = await world.organisation('mediation');
  mediator = await world.account(centre.id, 'mediator');
  const programme = await world.call('POST', '/api/programmes', {
    token: world.admin.token,
    body: {
      name: 'Ordinateurs pour les familles de collégiens',
      eligibilityCriteria: criteria,
      deviceKinds: ['laptop', 'desktop'],
      minimumSpecs: { ramGb: 4 },
      reservationDays: 21,
      territories: [
        { type: 'departement', code: '47' },
        { type: 'epci', code: '200054807' },
      ],
      yearlyQuota: 1000,
    },
  });
  expect(programme.status, JSON.stringify(programme.body)).toBe(201);
  programmeId = programme.body.id;
});
afterAll(() => harness.close());

describe('programmes', () => {
  it('refuses territories that do not exist in the official geography, naming each', async () => {
    const response = await world.call('POST', '/api/programmes', {
      token: world.admin.token,
      body: {
        name: 'X',
        eligibilityCriteria: ['a_b'],
        deviceKinds: ['laptop'],
        reservationDays: 10,
        territories: [
          { type: 'commune', code: '99999' },
          { type: 'epci', code: '123456789' },
          { type: 'departement', code: '00' },
        ],
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(['territories.0.code', 'territories.1.code', 'territories.2.code']);
  });

  it('are set by the coordinator only', async () => {
    const response = await world.call('POST', '/api/programmes', {
      token: mediator.token,
      body: { name: 'X', eligibilityCriteria: ['a_b'], deviceKinds: ['laptop'], reservationDays: 10, territories: [{ type: 'departement', code: '47' }] },
    });
    expect(response.status).toBe(403);
  });
});

describe('requests and eligibility', () => {
  it('finds a family of the territory with every criterion attested eligible', async () => {
    const request = await eligibleRequest();
    expect(request.status).toBe('eligible');
  });

  it('finds a family lacking an attestation, outside the territory, or asking for a kind not granted ineligible, saying why', async () => {
    const partial = await household(mediator, { attestations: ['child_in_college'] });
    const outside = await household(mediator, { communeCode: '40192' });
    const marseille = await household(mediator, { communeCode: '13203' });
    const cases = [
      { householdId: partial.id, kind: 'laptop', reason: /income_below_threshold/ },
      { householdId: outside.id, kind: 'laptop', reason: /outside the programme's territory/ },
      { householdId: marseille.id, kind: 'tablet', reason: /not tablet/ },
    ];
    for (const entry of cases) {
      const response = await world.call('POST', '/api/requests', {
        token: mediator.token,
        body: { householdId: entry.householdId, programmeId, need: { kind: entry.kind } },
      });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('ineligible');
      expect(response.body.statusReason).toMatch(entry.reason);
    }
    // A Marseille arrondissement lies in the Métropole's EPCI, which the programme serves.
    const ok = await world.call('POST', '/api/requests', { token: mediator.token, body: { householdId: marseille.id, programmeId, need: { kind: 'laptop' } } });
    expect(ok.body.status).toBe('eligible');
  });

  it("keeps families and requests within the mediator's organisation: others get 404, landlords and donors see none", async () => {
    const request = await eligibleRequest();
    const otherCentre = await world.organisation('mediation');
    const stranger = await world.account(otherCentre.id, 'mediator');
    expect((await world.call('GET', `/api/requests/${request.id}`, { token: stranger.token })).status).toBe(404);
    expect((await world.call('POST', `/api/requests/${request.id}/reservation`, { token: stranger.token, body: {} })).status).toBe(404);
    const landlord = await world.account((await world.organisation('landlord')).id, 'landlord_manager');
    const donor = await world.account((await world.organisation('donor')).id, 'donor_viewer');
    for (const outsider of [landlord, donor]) {
      expect((await world.call('GET', '/api/households', { token: outsider.token })).body.items).toEqual([]);
      expect((await world.call('GET', '/api/requests', { token: outsider.token })).body.items).toEqual([]);
      expect(
        (
          await world.call('POST', '/api/households', {
            token: outsider.token,
            body: { reference: 'X', communeCode: '47001', size: 2, attestations: [], consent: true },
          })
        ).status,
      ).toBe(403);
    }
  });
});

describe('reserving a device', () => {
  it('prefers a device of the same territory, then the best grade, and releases it back to stock', async () => {
    const far = await readyDevice(landes.id, 'A');
    const nearB = await readyDevice(bench.site.id, 'B');
    const nearC = await readyDevice(bench.site.id, 'C');
    const request = await eligibleRequest();
    const reserved = await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: {} });
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(201);
    expect(reserved.body.device.code).toBe(nearB.code);
    // This programme requires no training: the request is ready for the handover at once.
    expect(reserved.body.request).toMatchObject({ status: 'training_completed', reservedDeviceId: nearB.id });

    // The device cannot be handed back to stock behind the request's back.
    const sneaky = await world.call('POST', `/api/devices/${nearB.code}/transitions`, { token: bench.operator.token, body: { to: 'ready' } });
    expect(sneaky.status).toBe(409);

    const released = await world.call('POST', `/api/requests/${request.id}/release`, { token: mediator.token, body: { reason: 'La famille a déménagé' } });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'eligible', statusReason: 'La famille a déménagé', reservedDeviceId: null });
    const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, nearB.id));
    expect(row!.status).toBe('ready');
    await harness.database.db
      .update(devices)
      .set({ status: 'dismantled' })
      .where(inArray(devices.id, [far.id, nearB.id, nearC.id]));
  });

  it('reserves a given device by its code, chosen from the network stock, and refuses a device reserved outside a request', async () => {
    const device = await readyDevice(bench.site.id, 'A');
    const stock = await world.call('GET', '/api/stock?kind=laptop&grade=A', { token: mediator.token });
    expect(stock.body.items.map((item: { code: string }) => item.code)).toContain(device.code);
    const direct = await world.call('POST', `/api/devices/${device.code}/transitions`, { token: world.admin.token, body: { to: 'reserved' } });
    expect(direct.status).toBe(409);
    const request = await eligibleRequest();
    const reserved = await world.call('POST', `/api/requests/${request.id}/reservation`, {
      token: mediator.token,
      body: { deviceCode: device.code.toLowerCase() },
    });
    expect(reserved.status).toBe(201);
    const again = await eligibleRequest();
    const taken = await world.call('POST', `/api/requests/${again.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } });
    expect(taken.status).toBe(409);
  });

  it('gives 5 devices to exactly 5 of 30 requests reserving at once, never one device twice', async () => {
    const stock = await Promise.all(Array.from({ length: 5 }, () => readyDevice(bench.site.id, 'A', 16)));
    const requests = [];
    for (let index = 0; index < 30; index++) requests.push(await eligibleRequest(mediator, { need: { kind: 'laptop', minRamGb: 16 } }));
    const responses = await Promise.all(
      requests.map((request) => world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: {} })),
    );
    const won = responses.filter((response) => response.status === 201);
    expect(won).toHaveLength(5);
    expect(responses.filter((response) => response.status !== 201).every((response) => response.status === 409)).toBe(true);
    const devicesWon = won.map((response) => response.body.device.code);
    expect(new Set(devicesWon).size).toBe(5);
    expect(devicesWon.sort()).toEqual(stock.map((device) => device.code).sort());
    const holding = await harness.database.db
      .select()
      .from(equipmentRequests)
      .where(
        inArray(
          equipmentRequests.reservedDeviceId,
          stock.map((device) => device.id),
        ),
      );
    expect(holding).toHaveLength(5);
  });
});

describe('training and handover', () => {
  let trainedProgrammeId: string;
  let moduleId: string;
  let place: { id: string };

  async function session(capacity: number) {
    const response = await world.call('POST', '/api/training-sessions', {
      token: mediator.token,
      body: { moduleId, siteId: place.id, startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), capacity, trainerName: 'Inès, conseillère numérique' },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; placesLeft: number };
  }

  async function reservedRequest() {
    const device = await readyDevice(bench.site.id, 'A', 32);
    const request = await eligibleRequest(mediator, { programmeId: trainedProgrammeId, need: { kind: 'laptop', minRamGb: 32 } });
    const reserved = await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } });
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(201);
    expect(reserved.body.request.status).toBe('reserved');
    return { request, device };
  }

  beforeAll(async () => {
    harness.startWorkers();
    const module = await world.call('POST', '/api/training-modules', {
      token: world.admin.token,
      body: { title: 'Pronote et l’ENT du collège', durationMinutes: 120, topics: ['Se connecter', 'Les devoirs'] },
    });
    moduleId = module.body.id;
    const programme = await world.call('POST', '/api/programmes', {
      token: world.admin.token,
      body: {
        name: 'Collégiens formés',
        eligibilityCriteria: criteria,
        deviceKinds: ['laptop'],
        trainingModuleId: moduleId,
        reservationDays: 21,
        territories: [{ type: 'departement', code: '47' }],
      },
    });
    expect(programme.status, JSON.stringify(programme.body)).toBe(201);
    trainedProgrammeId = programme.body.id;
    place = await world.site(mediator.organisationId, { kind: 'mediation_place', name: 'Centre social', communeCode: '47323' });
  });

  it('goes from request to handover: reserved, booked, attended, handed over, with a receipt', async () => {
    const { request, device } = await reservedRequest();
    const booked = await session(12);
    const enrolled = await world.call('POST', `/api/requests/${request.id}/enrolment`, { token: mediator.token, body: { sessionId: booked.id } });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    expect(enrolled.body.request.status).toBe('training_scheduled');
    const present = await world.call('POST', `/api/training-sessions/${booked.id}/attendance`, {
      token: mediator.token,
      body: { requestId: request.id, present: true },
    });
    expect(present.body.status).toBe('training_completed');
    const handed = await world.call('POST', `/api/requests/${request.id}/handover`, {
      token: mediator.token,
      body: { deviceCode: device.code, receivedBy: 'Mme Durand', termsAccepted: true },
    });
    expect(handed.status, JSON.stringify(handed.body)).toBe(201);
    expect(handed.body.device.status).toBe('allocated');
    expect(handed.body.request.status).toBe('handed_over');
    await eventually('the receipt', async () => {
      const [row] = await harness.database.db.select().from(handovers).where(eq(handovers.requestId, request.id));
      return Boolean(row?.receiptFileId);
    });
    const history = await world.call('GET', `/api/requests/${request.id}`, { token: mediator.token });
    expect(history.body.history.map((event: { toStatus: string }) => event.toStatus)).toEqual([
      'submitted',
      'eligible',
      'reserved',
      'training_scheduled',
      'training_completed',
      'handed_over',
    ]);
  });

  it("acts on a workshop's device for the request only: the events name the mediator and the mediation structure, and the device route refuses the request's steps", async () => {
    const { request, device } = await reservedRequest();
    // Outside a request, the mediator does not even see the workshop's ready device, nor may it take the request's steps.
    const outsider = await readyDevice(bench.site.id, 'A', 32);
    for (const to of ['reserved', 'allocated'] as const) {
      const direct = await world.call('POST', `/api/devices/${outsider.code}/transitions`, {
        token: mediator.token,
        body: { to, payload: { requestId: request.id } },
      });
      expect(direct.status, JSON.stringify(direct.body)).toBe(404);
    }
    // The device the request holds is visible to the mediator, but the device route does not reserve or hand it over.
    const handedDirectly = await world.call('POST', `/api/devices/${device.code}/transitions`, {
      token: mediator.token,
      body: { to: 'allocated', payload: { requestId: request.id } },
    });
    expect(handedDirectly.status, JSON.stringify(handedDirectly.body)).toBe(409);
    const [outsiderNow] = await harness.database.db.select({ status: devices.status }).from(devices).where(eq(devices.id, outsider.id));
    expect(outsiderNow?.status).toBe('ready');

    const booked = await session(4);
    await world.call('POST', `/api/requests/${request.id}/enrolment`, { token: mediator.token, body: { sessionId: booked.id } });
    await world.call('POST', `/api/training-sessions/${booked.id}/attendance`, { token: mediator.token, body: { requestId: request.id, present: true } });
    const handed = await world.call('POST', `/api/requests/${request.id}/handover`, {
      token: mediator.token,
      body: { deviceCode: device.code, receivedBy: 'Mme Durand', termsAccepted: true },
    });
    expect(handed.status, JSON.stringify(handed.body)).toBe(201);
    const events = await harness.database.db.select().from(deviceEvents).where(eq(deviceEvents.deviceId, device.id));
    const requestSteps = events.filter((event) => event.toStatus === 'reserved' || event.toStatus === 'allocated');
    expect(requestSteps.map((event) => event.toStatus)).toEqual(['reserved', 'allocated']);
    for (const event of requestSteps) {
      expect(event.actorUserId).toBe(mediator.id);
      expect(event.organisationId).toBe(mediator.organisationId);
      expect(event.actorUserId).not.toBe(world.admin.id);
    }
  });

  it('shows a donor the journey of a device it gave, never the structure that reserved and received it', async () => {
    const donorOrganisation = await world.organisation('donor', 'Mairie de Nérac');
    const donor = await world.account(donorOrganisation.id, 'donor_viewer');
    const donation = await world.donation(bench.operator.token, bench.site.id, { donorOrganisationId: donorOrganisation.id, donor: undefined });
    const given = await world.call('POST', '/api/devices', {
      token: bench.operator.token,
      body: { kind: 'laptop', brand: 'HP', model: 'EliteBook 840', serialNumber: `DONOR-${Date.now()}`, storageMedia: [], donationId: donation.id },
    });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    await harness.database.db
      .update(devices)
      .set({ status: 'ready', grade: 'A', specs: { ramGb: 32, storageGb: 256 } })
      .where(eq(devices.id, given.body.id));
    const request = await eligibleRequest(mediator, { programmeId: trainedProgrammeId, need: { kind: 'laptop', minRamGb: 32 } });
    expect((await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: { deviceCode: given.body.code } })).status).toBe(
      201,
    );
    const booked = await session(4);
    await world.call('POST', `/api/requests/${request.id}/enrolment`, { token: mediator.token, body: { sessionId: booked.id } });
    await world.call('POST', `/api/training-sessions/${booked.id}/attendance`, { token: mediator.token, body: { requestId: request.id, present: true } });
    const handed = await world.call('POST', `/api/requests/${request.id}/handover`, {
      token: mediator.token,
      body: { deviceCode: given.body.code, receivedBy: 'Mme Durand', termsAccepted: true },
    });
    expect(handed.status, JSON.stringify(handed.body)).toBe(201);

    // What the workshop sees: the mediation structure acted on the reservation and the handover.
    const seenByBench = await world.call('GET', `/api/devices/${given.body.code}`, { token: bench.operator.token });
    expect(seenByBench.body.history.map((event: { organisationId: string }) => event.organisationId)).toContain(mediator.organisationId);

    const seenByDonor = await world.call('GET', `/api/devices/${given.body.code}`, { token: donor.token });
    expect(seenByDonor.status).toBe(200);
    expect(seenByDonor.body.history.map((event: { toStatus: string }) => event.toStatus)).toEqual(['collected', 'reserved', 'allocated']);
    expect(JSON.stringify(seenByDonor.body)).not.toContain(mediator.organisationId);
    expect(
      seenByDonor.body.history.every(
        (event: { organisationId: string | null; actorUserId: string | null }) => event.organisationId === null && event.actorUserId === null,
      ),
    ).toBe(true);
    const listed = await world.call('GET', `/api/devices?donationId=${donation.id}`, { token: donor.token });
    expect(listed.body.items.map((item: { code: string }) => item.code)).toEqual([given.body.code]);
    expect(JSON.stringify(listed.body)).not.toContain(mediator.organisationId);

    const [centre] = await harness.database.db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, mediator.organisationId));
    const passport = await openPage(harness.app, `/d/${given.body.code}`, await signInWithForm(harness.app, donor));
    expect(passport.status).toBe(200);
    expect(passport.html).toContain('Remis à une famille');
    expect(passport.html).not.toContain(centre!.name);
    expect(passport.html).not.toContain('mediator de test');
  });

  it('refuses a handover before the training, or of another device, and changes nothing', async () => {
    const { request, device } = await reservedRequest();
    const early = await world.call('POST', `/api/requests/${request.id}/handover`, {
      token: mediator.token,
      body: { deviceCode: device.code, receivedBy: 'M. Martin', termsAccepted: true },
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('training_not_completed');
    const booked = await session(5);
    await world.call('POST', `/api/requests/${request.id}/enrolment`, { token: mediator.token, body: { sessionId: booked.id } });
    await world.call('POST', `/api/training-sessions/${booked.id}/attendance`, { token: mediator.token, body: { requestId: request.id, present: true } });
    const other = await readyDevice(bench.site.id, 'B');
    const wrong = await world.call('POST', `/api/requests/${request.id}/handover`, {
      token: mediator.token,
      body: { deviceCode: other.code, receivedBy: 'M. Martin', termsAccepted: true },
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe('not_the_reserved_device');
    const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row!.status).toBe('reserved');
    expect((await world.call('GET', `/api/requests/${request.id}`, { token: mediator.token })).body.status).toBe('training_completed');
    expect(await harness.database.db.$count(handovers, eq(handovers.requestId, request.id))).toBe(0);
  });

  it('refuses a booking on a full session', async () => {
    const small = await session(1);
    const first = await reservedRequest();
    const second = await reservedRequest();
    expect((await world.call('POST', `/api/requests/${first.request.id}/enrolment`, { token: mediator.token, body: { sessionId: small.id } })).status).toBe(
      201,
    );
    const full = await world.call('POST', `/api/requests/${second.request.id}/enrolment`, { token: mediator.token, body: { sessionId: small.id } });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('session_full');
    expect((await world.call('GET', `/api/requests/${second.request.id}`, { token: mediator.token })).body.status).toBe('reserved');
  });

  it('counts the families booked in the places left: a full session shows none, in the API and on /sessions', async () => {
    const small = await session(1);
    const larger = await session(3);
    const first = await reservedRequest();
    const second = await reservedRequest();
    expect((await world.call('POST', `/api/requests/${first.request.id}/enrolment`, { token: mediator.token, body: { sessionId: small.id } })).status).toBe(
      201,
    );
    expect((await world.call('POST', `/api/requests/${second.request.id}/enrolment`, { token: mediator.token, body: { sessionId: larger.id } })).status).toBe(
      201,
    );
    const listed = await world.call('GET', `/api/training-sessions?moduleId=${moduleId}`, { token: mediator.token });
    const placesLeft = (id: string) => listed.body.items.find((item: { id: string }) => item.id === id)?.placesLeft;
    expect(placesLeft(small.id)).toBe(0);
    expect(placesLeft(larger.id)).toBe(2);

    const page = await openPage(harness.app, '/sessions', await signInWithForm(harness.app, mediator));
    const row = (id: string) => page.html.match(new RegExp(`<tr data-session-id="${id}">.*?</tr>`, 's'))?.[0] ?? '';
    expect(row(small.id)).toContain('<td>Complète</td>');
    expect(row(larger.id)).toContain('<td>2 sur 3</td>');
  });
});

describe('scheduled tasks', () => {
  it('expires a reservation past its days: the device back in stock, the request eligible with the reason', async () => {
    const device = await readyDevice(bench.site.id, 'A', 48);
    const request = await eligibleRequest(mediator, { need: { kind: 'laptop', minRamGb: 48 } });
    await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } });
    await harness.database.db
      .update(equipmentRequests)
      .set({ reservedUntil: new Date(Date.now() - 60_000) })
      .where(eq(equipmentRequests.id, request.id));
    expect(await expireReservations(harness.database.db)).toBeGreaterThanOrEqual(1);
    const after = await world.call('GET', `/api/requests/${request.id}`, { token: mediator.token });
    expect(after.body).toMatchObject({ status: 'eligible', reservedDeviceId: null });
    expect(after.body.statusReason).toMatch(/expired/);
    expect(after.body.history.at(-1).actorUserId).not.toBeNull();
    const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row!.status).toBe('ready');
    await harness.database.db.update(devices).set({ status: 'dismantled' }).where(eq(devices.id, device.id));
  });

  it('matches eligible requests oldest first to ready devices that meet their need', async () => {
    const first = await eligibleRequest(mediator, { need: { kind: 'desktop', minRamGb: 64 } });
    const second = await eligibleRequest(mediator, { need: { kind: 'desktop', minRamGb: 64 } });
    const device = await world.device(bench.operator.token, bench.site.id, { kind: 'desktop', storageMedia: [] });
    await harness.database.db
      .update(devices)
      .set({ status: 'ready', grade: 'A', specs: { ramGb: 64, storageGb: 512 } })
      .where(eq(devices.id, device.id));
    await matchEligibleRequests(harness.database.db);
    const [a, b] = await Promise.all([first, second].map((request) => world.call('GET', `/api/requests/${request.id}`, { token: mediator.token })));
    expect(a!.body.reservedDeviceId).toBe(device.id);
    expect(b!.body.status).toBe('eligible');
  });

  it("erases a family's contact months after its last request ended, and keeps the family counted", async () => {
    const family = await household(mediator, { contactEmail: 'famille@example.org' });
    const active = await household(mediator);
    for (const [id, status] of [
      [family.id, 'cancelled'],
      [active.id, 'eligible'],
    ] as const) {
      const response = await world.call('POST', '/api/requests', { token: mediator.token, body: { householdId: id, programmeId, need: { kind: 'laptop' } } });
      await harness.database.db
        .update(equipmentRequests)
        .set({ status, updatedAt: new Date(Date.now() - 800 * 86_400_000) })
        .where(eq(equipmentRequests.id, response.body.id));
    }
    const before = await harness.database.db.$count(householdsTable);
    expect(await eraseExpiredContacts(harness.database.db, 24)).toBeGreaterThanOrEqual(1);
    const [erased] = await harness.database.db.select().from(householdsTable).where(eq(householdsTable.id, family.id));
    expect(erased).toMatchObject({ contactPhone: null, contactEmail: null, communeCode: '47001', size: 4 });
    expect(erased!.contactErasedAt).not.toBeNull();
    const [kept] = await harness.database.db.select().from(householdsTable).where(eq(householdsTable.id, active.id));
    expect(kept!.contactPhone).toBe('06 12 34 56 78');
    expect(await harness.database.db.$count(householdsTable)).toBe(before);
  });
});

describe('reminders', () => {
  it('reminds a booked family two days before its session by e-mail and SMS, once, and the mediator before a reservation runs out', async () => {
    const moduleResponse = await world.call('POST', '/api/training-modules', {
      token: world.admin.token,
      body: { title: 'ENT du collège', durationMinutes: 90 },
    });
    const programme = await world.call('POST', '/api/programmes', {
      token: world.admin.token,
      body: {
        name: 'Rappels',
        eligibilityCriteria: criteria,
        deviceKinds: ['laptop'],
        trainingModuleId: moduleResponse.body.id,
        reservationDays: 2,
        territories: [{ type: 'departement', code: '47' }],
      },
    });
    const place = await world.site(mediator.organisationId, { kind: 'mediation_place', name: 'Médiathèque', communeCode: '47323' });
    const session = await world.call('POST', '/api/training-sessions', {
      token: mediator.token,
      body: {
        moduleId: moduleResponse.body.id,
        siteId: place.id,
        startsAt: new Date(Date.now() + 30 * 3600_000).toISOString(),
        capacity: 10,
        trainerName: 'Inès',
      },
    });
    const device = await readyDevice(bench.site.id, 'A', 96);
    const family = await household(mediator, { contactEmail: 'famille.rappel@example.org' });
    const request = await world.call('POST', '/api/requests', {
      token: mediator.token,
      body: { householdId: family.id, programmeId: programme.body.id, need: { kind: 'laptop' } },
    });
    await world.call('POST', `/api/requests/${request.body.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } });
    const booked = await world.call('POST', `/api/requests/${request.body.id}/enrolment`, { token: mediator.token, body: { sessionId: session.body.id } });
    expect(booked.status).toBe(201);

    harness.startWorkers();
    expect(await planReminders(harness.database.db)).toBe(3);
    expect(await planReminders(harness.database.db)).toBe(0);
    // Sent means handed to the transport and then recorded as sent: wait for the record.
    await eventually('three reminders recorded as sent', async () => {
      const rows = await harness.database.db.select().from(notifications).where(eq(notifications.requestId, request.body.id));
      return rows.length === 3 && rows.every((row) => row.status === 'sent');
    });
    const sent = harness.messages.filter((message) => [mediator.email, 'famille.rappel@example.org', '06 12 34 56 78'].includes(message.to));
    expect(sent.map((message) => `${message.channel}:${message.to}`).sort()).toEqual(
      [`email:${mediator.email}`, 'email:famille.rappel@example.org', 'sms:06 12 34 56 78'].sort(),
    );
    const recorded = await harness.database.db.select().from(notifications).where(eq(notifications.requestId, request.body.id));
    expect(recorded.map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('keeps a failed send pending with its error for a retry, shows it failed after the last, and never uses an erased contact', async () => {
    const [any] = await harness.database.db.select().from(notifications).limit(1);
    await harness.database.db.update(notifications).set({ status: 'pending' }).where(eq(notifications.id, any!.id));
    const failing = { email: async () => Promise.reject(new Error('SMTP down')), sms: async () => Promise.reject(new Error('SMS down')) };
    await expect(sendNotification(harness.database.db, failing, any!.id)).rejects.toThrow(/down/);
    let [row] = await harness.database.db.select().from(notifications).where(eq(notifications.id, any!.id));
    expect(row).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/down/) });
    await markNotificationFailed(harness.database.db, any!.id);
    [row] = await harness.database.db.select().from(notifications).where(eq(notifications.id, any!.id));
    expect(row!.status).toBe('failed');

    const [familyReminder] = await harness.database.db.select().from(notifications).where(eq(notifications.channel, 'sms')).limit(1);
    const [request] = await harness.database.db.select().from(equipmentRequests).where(eq(equipmentRequests.id, familyReminder!.requestId));
    await harness.database.db.update(householdsTable).set({ contactPhone: null }).where(eq(householdsTable.id, request!.householdId));
    await harness.database.db.update(notifications).set({ status: 'pending' }).where(eq(notifications.id, familyReminder!.id));
    expect(await sendNotification(harness.database.db, failing, familyReminder!.id)).toBe('no_contact');
  });
});

describe('ending a request', () => {
  it('cancels a request and gives the device it held back to stock; closes one only once it is over', async () => {
    const device = await readyDevice(bench.site.id, 'B', 128);
    const request = await eligibleRequest(mediator, { need: { kind: 'laptop', minRamGb: 128 } });
    await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } });
    const early = await world.call('POST', `/api/requests/${request.id}/close`, { token: mediator.token, body: {} });
    expect(early.status).toBe(409);
    const cancelled = await world.call('POST', `/api/requests/${request.id}/cancel`, {
      token: mediator.token,
      body: { reason: 'La famille a reçu un ordinateur par ailleurs' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reservedDeviceId: null });
    const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row!.status).toBe('ready');
    expect((await world.call('POST', `/api/requests/${request.id}/cancel`, { token: mediator.token, body: { reason: 'encore' } })).status).toBe(409);
    await harness.database.db.update(devices).set({ status: 'dismantled' }).where(eq(devices.id, device.id));
  });
});
