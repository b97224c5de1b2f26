import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import type { Role } from '../src/auth/roles.ts';
import { formatAssetCode, generateAssetCode } from '../src/devices/asset-code.ts';
import { devices } from '../src/devices/devices.schema.ts';
import { actionsFor, type DeviceStatus } from '../src/devices/lifecycle.ts';
import { labelBatchItems } from '../src/labels/labels.schema.ts';
import type { Harness } from './helpers/harness.ts';
import { openPage, signInWithForm } from './helpers/pages.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
});
afterAll(() => harness.close());

/** Orders a sheet of pre-printed labels and answers their codes as printed (B7K2-9QXM), in print order. */
async function orderLabels(token: string, count: number): Promise<string[]> {
  const batch = await world.call('POST', '/api/label-batches', { token, body: { format: 'a4-3x7', count } });
  expect(batch.status, JSON.stringify(batch.body)).toBe(202);
  const items = await harness.database.db
    .select({ code: labelBatchItems.code })
    .from(labelBatchItems)
    .where(eq(labelBatchItems.batchId, batch.body.id))
    .orderBy(asc(labelBatchItems.position));
  expect(items).toHaveLength(count);
  return items.map((item) => formatAssetCode(item.code));
}

async function donationOf(token: string, siteId: string, overrides: Record<string, unknown> = {}) {
  return world.donation(token, siteId, overrides);
}

const newDevice = (donationId: string, overrides: Record<string, unknown> = {}) => ({
  kind: 'laptop',
  brand: 'Dell',
  model: 'Latitude 5490',
  serialNumber: randomBytes(5).toString('hex').toUpperCase(),
  storageMedia: [{ type: 'ssd' }],
  donationId,
  ...overrides,
});

const scan = (token: string, code: string) => world.call('POST', '/api/scan', { token, body: { code } });

/** A code with one character changed, so that its check character no longer matches. */
const mistype = (code: string) => {
  const last = code.at(-1)!;
  return code.slice(0, -1) + (last === '0' ? '1' : '0');
};

describe('claiming pre-printed labels at intake', () => {
  it('gives the new device the exact code of the label scanned for it, once', async () => {
    const codes = await orderLabels(bench.operator.token, 5);
    const donation = await donationOf(bench.operator.token, bench.site.id);
    const label = codes[2]!;

    const before = await scan(bench.operator.token, label);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ type: 'label', code: label, claimed: false, actions: [{ action: expect.any(String) }] });

    const typed = label.toLowerCase().replace('-', ' ');
    const claimed = await world.call('POST', '/api/devices', { token: bench.operator.token, body: newDevice(donation.id, { labelCode: typed }) });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(201);
    expect(claimed.body.code).toBe(label);

    const after = await scan(bench.operator.token, label);
    expect(after.body).toMatchObject({ type: 'device', device: { id: claimed.body.id, code: label } });

    const again = await world.call('POST', '/api/devices', { token: bench.operator.token, body: newDevice(donation.id, { labelCode: label }) });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('label_already_claimed');
    expect(again.body.detail).toContain(label);
    const rows = await harness.database.db.select().from(devices).where(eq(devices.donationId, donation.id));
    expect(rows.map((row) => row.id)).toEqual([claimed.body.id]);

    // The other labels of the sheet are still free.
    for (const other of codes.filter((code) => code !== label)) expect((await scan(bench.operator.token, other)).body.type).toBe('label');
  });

  it('lets exactly one of 20 simultaneous claims of one label win', async () => {
    const [label] = await orderLabels(bench.operator.token, 1);
    const donation = await donationOf(bench.operator.token, bench.site.id);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => world.call('POST', '/api/devices', { token: bench.operator.token, body: newDevice(donation.id, { labelCode: label }) })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    for (const response of responses.filter((response) => response.status === 409)) expect(response.body.code).toBe('label_already_claimed');
    const withCode = await harness.database.db
      .select()
      .from(devices)
      .where(eq(devices.assetCode, label!.replace('-', '')));
    expect(withCode).toHaveLength(1);
    expect(await harness.database.db.$count(devices, eq(devices.donationId, donation.id))).toBe(1);
  });

  it("refuses a label of another organisation, a code never issued and a device's own code as label_unknown (422)", async () => {
    const other = await world.workshop();
    const [theirLabel] = await orderLabels(other.operator.token, 1);
    const existing = await world.device(bench.operator.token, bench.site.id);
    const neverIssued = formatAssetCode(generateAssetCode());
    const donation = await donationOf(bench.operator.token, bench.site.id);
    for (const labelCode of [theirLabel!, neverIssued, existing.code]) {
      const response = await world.call('POST', '/api/devices', { token: bench.operator.token, body: newDevice(donation.id, { labelCode }) });
      expect(response.status, labelCode).toBe(422);
      expect(response.body.code, labelCode).toBe('label_unknown');
    }
    expect(await harness.database.db.$count(devices, eq(devices.donationId, donation.id))).toBe(0);
    // Their label is still theirs to claim.
    expect((await scan(other.operator.token, theirLabel!)).body.type).toBe('label');
    expect((await scan(bench.operator.token, theirLabel!)).status).toBe(404);
  });

  // BUG (src/donations/intake.service.ts, registerDevices): both items share one asset code, the
  // insert skips the second, and `inserted.has(code)` then marks both as created with the same device.
  // Remove `.fails` once the second item is refused.
  it('refuses the second of two items of one list that carry the same label', async () => {
    const [label] = await orderLabels(bench.operator.token, 1);
    const donation = await donationOf(bench.operator.token, bench.site.id);
    const { donationId: _, ...item } = newDevice(donation.id, { labelCode: label });
    const response = await world.call('POST', `/api/donations/${donation.id}/devices`, {
      token: bench.operator.token,
      body: { devices: [item, { ...item, serialNumber: 'OTHER-SERIAL', labelCode: label!.toLowerCase() }] },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ createdCount: 1, refusedCount: 1, refused: [{ index: 1, code: 'label_already_claimed' }] });
  });
});

describe('scanning a code', () => {
  /** Devices whose codes hold a 0 and a 1, registered at a site of `organisationId`, from pre-printed labels. */
  async function devicesWithAmbiguousCharacters(token: string, siteId: string, donationOverrides: Record<string, unknown> = {}) {
    const codes = await orderLabels(token, 60);
    const withZero = codes.find((code) => code.includes('0'))!;
    const withOne = codes.find((code) => code.includes('1') && code !== withZero)!;
    expect(withZero && withOne).toBeTruthy();
    const donation = await donationOf(token, siteId, donationOverrides);
    const register = async (labelCode: string) => {
      const response = await world.call('POST', '/api/devices', { token, body: newDevice(donation.id, { labelCode }) });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body as { id: string; code: string };
    };
    return { zero: await register(withZero), one: await register(withOne), donation };
  }

  it('reads a device code in lower case, without dash, with O for 0 and I or L for 1', async () => {
    const { zero, one } = await devicesWithAmbiguousCharacters(bench.operator.token, bench.site.id);
    const variants = [
      [zero, zero.code.toLowerCase()],
      [zero, zero.code.replace('-', '')],
      [zero, ` ${zero.code.slice(0, 4)} ${zero.code.slice(5)} `],
      [zero, zero.code.replaceAll('0', 'O')],
      [zero, zero.code.replaceAll('0', 'o').toLowerCase()],
      [one, one.code.replaceAll('1', 'I')],
      [one, one.code.replaceAll('1', 'L')],
      [one, one.code.replaceAll('1', 'l').replace('-', '')],
    ] as const;
    for (const [device, typed] of variants) {
      const response = await scan(bench.operator.token, typed);
      expect(response.status, typed).toBe(200);
      expect(response.body.type, typed).toBe('device');
      expect(response.body.device.code, typed).toBe(device.code);
    }
  });

  it('answers where the device is, its status, its last events and what each role may do now, as the lifecycle table says', async () => {
    // The coordinator's organisation has every bench role, so each can scan the same device.
    const coordinatorId = world.admin.organisationId;
    const hub = await world.site(coordinatorId, { name: 'Plateforme de la coordination' });
    const people: Record<string, Account> = {
      admin: world.admin,
      workshop_operator: await world.account(coordinatorId, 'workshop_operator'),
      mediator: await world.account(coordinatorId, 'mediator'),
    };
    const donation = await donationOf(world.admin.token, hub.id);
    const device = await world.call('POST', '/api/devices', { token: world.admin.token, body: newDevice(donation.id) });
    expect(device.status).toBe(201);

    const expectScans = async (status: DeviceStatus, events: { type: string; toStatus: string }[]) => {
      for (const [role, account] of Object.entries(people)) {
        const response = await scan(account.token, device.body.code);
        expect(response.status, role).toBe(200);
        expect(response.body, role).toMatchObject({
          type: 'device',
          device: { id: device.body.id, status },
          site: { id: hub.id, name: 'Plateforme de la coordination' },
          canMove: status === 'collected',
        });
        expect(
          response.body.lastEvents.map((event: { type: string; toStatus: string }) => ({ type: event.type, toStatus: event.toStatus })),
          role,
        ).toEqual(events);
        expect(response.body.actions, `${role} on a ${status} device`).toEqual(actionsFor(status, role as Role));
      }
    };
    await expectScans('collected', [{ type: 'created', toStatus: 'collected' }]);
    expect(actionsFor('collected', 'mediator')).not.toEqual(actionsFor('collected', 'workshop_operator'));

    const dismantled = await world.call('POST', `/api/devices/${device.body.code}/transitions`, { token: world.admin.token, body: { to: 'dismantled' } });
    expect(dismantled.status).toBe(200);
    await expectScans('dismantled', [
      { type: 'transition', toStatus: 'dismantled' },
      { type: 'created', toStatus: 'collected' },
    ]);
  });

  it("shows a donor its device with no action to take, and nothing of another organisation's devices or labels", async () => {
    const donor = await world.organisation('donor');
    const donorViewer = await world.account(donor.id, 'donor_viewer');
    const { zero } = await devicesWithAmbiguousCharacters(bench.operator.token, bench.site.id, { donor: undefined, donorOrganisationId: donor.id });
    const seen = await scan(donorViewer.token, zero.code);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ type: 'device', actions: [], canMove: false });
    expect(seen.body.actions).toEqual(actionsFor('collected', 'donor_viewer'));
    const [unclaimed] = await orderLabels(bench.operator.token, 1);
    expect((await scan(donorViewer.token, unclaimed!)).status).toBe(404);

    const other = await world.workshop();
    const refused = await scan(other.operator.token, zero.code);
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('not_found');
    expect(JSON.stringify(refused.body)).not.toMatch(/Dell|Latitude/);
  });

  it('reports a wrong check character as a misread (400), a valid code nobody has as not found (404)', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const misread = await scan(bench.operator.token, mistype(device.code));
    expect(misread.status).toBe(400);
    expect(misread.body.code).toBe('asset_code_check_failed');
    expect(misread.body.detail).toMatch(/misread or mistyped/);

    const tooShort = await scan(bench.operator.token, device.code.slice(0, 6));
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.code).toBe('asset_code_wrong_length');

    const unknown = await scan(bench.operator.token, formatAssetCode(generateAssetCode()));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
  });

  it('says of a code nobody of this organisation has, in one sentence, in English and in French (API and scan station)', async () => {
    const code = formatAssetCode(generateAssetCode());
    const english = await scan(bench.operator.token, code.toLowerCase().replace('-', ' '));
    expect(english.body.detail).toBe(`No device or label of yours has the code ${code}.`);
    const french = await world.call('POST', '/api/scan', { token: bench.operator.token, body: { code }, headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(french.status).toBe(404);
    expect(french.body.detail).toBe(`Aucun équipement ni aucune étiquette de votre structure ne porte le code ${code}.`);

    const operator = await signInWithForm(harness.app, bench.operator);
    const card = await openPage(harness.app, `/scan/card?code=${code}`, operator);
    expect(card.status).toBe(404);
    expect(card.html).toBe(
      `<p class="notice bad" data-testid="card-error">Aucun équipement ni aucune étiquette de votre structure ne porte le code ${code}.</p>`,
    );
  });
});

describe('the page a label opens (GET /d/{code})', () => {
  let device: { id: string; code: string };
  let holder: Awaited<ReturnType<World['workshop']>>;
  const serial = `SN${randomBytes(4).toString('hex').toUpperCase()}`;
  const donorName = `Famille Quenardel ${randomBytes(2).toString('hex')}`;

  beforeAll(async () => {
    holder = await world.workshop();
    const donation = await donationOf(holder.operator.token, holder.site.id, { donor: { name: donorName, contact: 'quenardel@example.org' } });
    const response = await world.call('POST', '/api/devices', {
      token: holder.operator.token,
      body: newDevice(donation.id, { brand: 'Lenovo', model: 'ThinkPad X270', serialNumber: serial, notes: 'Rayure capot' }),
    });
    expect(response.status).toBe(201);
    device = response.body;
    const shelf = await world.site(holder.organisation.id, { name: 'Étagère du fond', kind: 'storage' });
    const moved = await world.call('POST', `/api/devices/${device.code}/moves`, {
      token: holder.operator.token,
      body: { siteId: shelf.id, note: 'Rangé par Kévin' },
    });
    expect(moved.status).toBe(200);
  });

  async function login(account: Account): Promise<string> {
    const response = await world.call('POST', '/api/auth/login', { body: { email: account.email, password: account.password } });
    expect(response.status).toBe(204);
    return response.headers.get('set-cookie')!.match(/^boucle_session=([^;]+)/)![1]!;
  }

  async function page(code: string, cookie?: string) {
    const response = await world.app.request(`/d/${code}`, { headers: cookie ? { cookie: `boucle_session=${cookie}` } : {} });
    return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
  }

  it('shows anyone a public card: what it is and who tracks it, nothing personal and no history', async () => {
    const card = await page(device.code);
    expect(card.status).toBe(200);
    expect(card.type).toMatch(/^text\/html/);
    expect(card.html).toContain('Ordinateur portable');
    expect(card.html).toContain('Lenovo');
    expect(card.html).toContain('ThinkPad X270');
    expect(card.html).toContain(holder.organisation.name);
    expect(card.html).toContain(device.code);
    for (const secret of [serial, donorName, 'quenardel', 'Rayure capot', 'Rangé par Kévin', 'Historique', 'Collecté', 'Étagère du fond']) {
      expect(card.html, secret).not.toContain(secret);
    }
    // The same card for a code typed loosely.
    expect((await page(device.code.toLowerCase().replace('-', ''))).html).toContain('ThinkPad X270');
  });

  it('shows the contact the holder chose to publish, none by default: its site’s before its own, withdrawn with null', async () => {
    const shop = await world.workshop();
    const found = await world.device(shop.operator.token, shop.site.id);
    const contactOn = async () => (await page(found.code)).html.match(/<ul data-testid="public-contact">.*?<\/ul>/s)?.[0] ?? null;
    const before = await page(found.code);
    expect(before.html).toContain('Contactez la structure qui le suit.');
    expect(await contactOn()).toBeNull();

    const organisation = await world.call('PATCH', `/api/organisations/${shop.organisation.id}`, {
      token: world.admin.token,
      body: { publicPhone: '05 53 12 34 56', publicEmail: 'contact@atelier.example' },
    });
    expect(organisation.status, JSON.stringify(organisation.body)).toBe(200);
    expect(organisation.body).toMatchObject({ publicPhone: '05 53 12 34 56', publicEmail: 'contact@atelier.example' });
    expect((await page(found.code)).html).toContain(`Contactez ${shop.organisation.name} :`);
    expect(await contactOn()).toContain('<a href="tel:0553123456">05 53 12 34 56</a>');
    expect(await contactOn()).toContain('<a href="mailto:contact@atelier.example">contact@atelier.example</a>');

    // The device's site publishes its own: it comes first, whole.
    const site = await world.call('PATCH', `/api/sites/${shop.site.id}`, { token: world.admin.token, body: { publicEmail: 'banc@atelier.example' } });
    expect(site.status, JSON.stringify(site.body)).toBe(200);
    expect(await contactOn()).toContain('mailto:banc@atelier.example');
    expect(await contactOn()).not.toContain('05 53 12 34 56');
    expect((await world.call('PATCH', `/api/sites/${shop.site.id}`, { token: world.admin.token, body: { publicEmail: null } })).status).toBe(200);
    expect(await contactOn()).toContain('mailto:contact@atelier.example');
    expect(
      (await world.call('PATCH', `/api/organisations/${shop.organisation.id}`, { token: world.admin.token, body: { publicPhone: null, publicEmail: null } }))
        .status,
    ).toBe(200);
    expect(await contactOn()).toBeNull();
  });

  it('lets only the coordinator publish a contact, in a valid form, and changes nothing otherwise', async () => {
    const shop = await world.workshop();
    const attempts = [
      { token: shop.operator.token, body: { publicPhone: '05 53 12 34 56' }, status: 403 },
      { token: world.admin.token, body: { publicPhone: 'appelez-nous' }, status: 422, path: 'publicPhone' },
      { token: world.admin.token, body: { publicEmail: 'pas une adresse' }, status: 422, path: 'publicEmail' },
      { token: world.admin.token, body: {}, status: 422 },
    ];
    for (const attempt of attempts) {
      const response = await world.call('PATCH', `/api/organisations/${shop.organisation.id}`, { token: attempt.token, body: attempt.body });
      expect(response.status, JSON.stringify(attempt.body)).toBe(attempt.status);
      if (attempt.path) expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual([attempt.path]);
    }
    expect((await world.call('PATCH', `/api/sites/${shop.site.id}`, { token: shop.operator.token, body: { publicPhone: '05 53 12 34 56' } })).status).toBe(403);
    const unchanged = await world.call('GET', `/api/organisations/${shop.organisation.id}`, { token: world.admin.token });
    expect(unchanged.body).toMatchObject({ publicPhone: null, publicEmail: null });
    expect((await world.call('GET', `/api/sites/${shop.site.id}`, { token: world.admin.token })).body).toMatchObject({ publicPhone: null, publicEmail: null });
  });

  it('shows the holding organisation, signed in, the device page with its serial number and history', async () => {
    const cookie = await login(holder.operator);
    const full = await page(device.code, cookie);
    expect(full.status).toBe(200);
    expect(full.html).toContain(serial);
    expect(full.html).toContain('Historique');
    expect(full.html).toContain('Collecté');
    expect(full.html).toContain('Déplacé');
    expect(full.html).toContain('Étagère du fond');

    // Someone of another organisation, signed in, gets the public card only.
    const stranger = await world.workshop();
    const card = await page(device.code, await login(stranger.operator));
    expect(card.status).toBe(200);
    expect(card.html).toContain('ThinkPad X270');
    expect(card.html).not.toContain(serial);
    expect(card.html).not.toContain('Historique');
  });

  it('answers a misread code with a 400 page and an unknown one with a 404 page', async () => {
    const misread = await page(mistype(device.code));
    expect(misread.status).toBe(400);
    expect(misread.type).toMatch(/^text\/html/);
    expect(misread.html).toContain('Code mal lu');
    const unknown = await page(formatAssetCode(generateAssetCode()));
    expect(unknown.status).toBe(404);
    expect(unknown.type).toMatch(/^text\/html/);
    expect(unknown.html).toContain('Équipement inconnu');
  });

  // BUG (src/pages/device-page.tsx, history list): the page prints every event's note to whoever
  // findDevice lets through, donor viewers included, while GET /api/devices/{code} blanks notes for
  // them. Remove `.fails` once the page hides notes from donors as the API does.
  it("does not show a donor the notes written on its devices' events", async () => {
    const donor = await world.organisation('donor');
    const viewer = await world.account(donor.id, 'donor_viewer');
    const donation = await donationOf(bench.operator.token, bench.site.id, { donor: undefined, donorOrganisationId: donor.id });
    const given = await world.call('POST', '/api/devices', { token: bench.operator.token, body: newDevice(donation.id) });
    const shelf = await world.site(bench.organisation.id, { name: 'Réserve', kind: 'storage' });
    await world.call('POST', `/api/devices/${given.body.code}/moves`, {
      token: bench.operator.token,
      body: { siteId: shelf.id, note: 'Mis de côté pour la famille Benali' },
    });
    const api = await world.call('GET', `/api/devices/${given.body.code}`, { token: viewer.token });
    expect(JSON.stringify(api.body)).not.toContain('Benali');
    const shown = await page(given.body.code, await login(viewer));
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('Historique');
    expect(shown.html).not.toContain('Benali');
  });
});
