import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness } from './helpers/harness.ts';
import { openPage, signInWithForm, submitForm } from './helpers/pages.ts';
import { labelFormats } from '../src/labels/formats.ts';
import { cropMm, decodeQr, labelCellMm, openPdf, renderPage, textLines } from './helpers/pdf.ts';
import { buildingReadyToProvision, deploymentStep, download, expectStatus, finishedJob, letterQr, uciIfaces } from './helpers/wifi.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let landlord: Awaited<ReturnType<World['landlord']>>;
let isp: Awaited<ReturnType<World['isp']>>;

// Every character the Wi-Fi QR format escapes, in the residence name that SSIDs start with.
const awkwardShortName = 'Pins;A,B:C\\D"E';
const fourByFive = [0, 1, 2, 3].flatMap((floor) => [1, 2, 3, 4, 5].map((door) => ({ unit: `${floor}0${door}`, floor })));

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  landlord = await world.landlord({ shortName: awkwardShortName });
  isp = await world.isp();
});
afterAll(async () => harness?.close());

const ok = expectStatus;
const step = (token: string, buildingId: string, to: string, note?: string) => deploymentStep(world, token, buildingId, to, note);
const waitForJob = (token: string, jobId: string) => finishedJob(world, token, jobId);
const fetchFile = (token: string, path: string) => download(world, token, path);
const readyToProvision = (installer: Account, apartments: { unit: string; floor: number }[], floors: number) =>
  buildingReadyToProvision(world, { manager: landlord.manager, residenceId: landlord.residence.id, ispId: isp.organisation.id, installer }, apartments, floors);

async function countOf(query: SQL) {
  const [row] = await harness.database.db.execute<{ count: number }>(query);
  return row!.count;
}

describe('a building of 4 floors x 5 apartments, from plan to live', () => {
  let building: { id: string };
  const revealed = new Map<string, { ssid: string; passphrase: string }>();

  beforeAll(async () => {
    building = await world.building(landlord.manager.token, landlord.residence.id, { floors: 4, apartments: fourByFive });
  });

  it('is planned with its 20 apartments and refuses steps out of order, saying what is missing', async () => {
    const deployment = ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token: landlord.manager.token }));
    expect(deployment).toMatchObject({ status: 'planned', ispOrganisationId: null, costRecovery: null, monthlyCostCents: null });
    const refused = await step(landlord.manager.token, building.id, 'surveyed');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/no installer is assigned/i);
    expect((await step(landlord.manager.token, building.id, 'live')).status).toBe(409);
  });

  it('records the landlord’s choices: installer, security, filtering, cost and how it is recovered', async () => {
    const updated = ok(
      await world.call('PATCH', `/api/buildings/${building.id}/deployment`, {
        token: landlord.manager.token,
        body: {
          ispOrganisationId: isp.organisation.id,
          securityMode: 'wpa2_wpa3_transition',
          filtering: 'malware',
          monthlyCostCents: 250,
          costStartsOn: '2027-01-01',
          costRecovery: 'collective_agreement',
          ssidPattern: '{residence}-{unit}',
          supportContact: 'Hotline connexion solidaire : 04 91 00 00 00',
        },
      }),
    );
    expect(updated).toMatchObject({ ispOrganisationId: isp.organisation.id, monthlyCostCents: 250, costRecovery: 'collective_agreement' });
  });

  it('goes through survey, box and access points by the installer, each guard holding', async () => {
    const installer = isp.installer;
    ok(await step(installer.token, building.id, 'surveyed'));
    const noBox = await step(installer.token, building.id, 'box_installed');
    expect(noBox.status).toBe(409);
    expect(noBox.body.detail).toMatch(/fibre box/);
    ok(
      await world.call('POST', `/api/buildings/${building.id}/network-devices`, {
        token: installer.token,
        body: { kind: 'building_box', model: 'Nokia G-010G-Q', serialNumber: 'ALCLB1234567' },
      }),
      201,
    );
    ok(await step(installer.token, building.id, 'box_installed'));
    for (const floor of [0, 1, 2]) {
      ok(
        await world.call('POST', `/api/buildings/${building.id}/network-devices`, {
          token: installer.token,
          body: { kind: 'access_point', model: 'TP-Link EAP245', floor, macAddress: `3c-84-6a-00-00-0${floor}` },
        }),
        201,
      );
    }
    const missingLanding = await step(installer.token, building.id, 'access_points_installed');
    expect(missingLanding.status).toBe(409);
    expect(missingLanding.body.detail).toMatch(/landing 3/);
    ok(
      await world.call('POST', `/api/buildings/${building.id}/network-devices`, {
        token: installer.token,
        body: { kind: 'access_point', model: 'TP-Link EAP245', floor: 3, macAddress: '3C:84:6A:00:00:03' },
      }),
      201,
    );
    ok(await step(installer.token, building.id, 'access_points_installed'));
    const history = ok(await world.call('GET', `/api/buildings/${building.id}/deployment`, { token: landlord.manager.token }));
    expect(history.events.map((event: { toStatus: string }) => event.toStatus)).toEqual(['surveyed', 'box_installed', 'access_points_installed']);
    expect(history.events.every((event: { actorUserId: string }) => event.actorUserId === installer.id)).toBe(true);
  });

  it('provisions 20 unique SSIDs, 5 on each landing’s access point, as a job', async () => {
    const started = ok(await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: isp.installer.token }), 202);
    expect(started.warnings).toEqual([]);
    const job = await waitForJob(isp.installer.token, started.job.id);
    expect(job).toMatchObject({ state: 'succeeded', processed: 20, total: 20, summary: { provisioned: 20, letters: 20, accessPoints: 4 } });
    expect(ok(await world.call('GET', `/api/buildings/${building.id}`, { token: landlord.manager.token })).deploymentStatus).toBe('provisioned');
    const equipment = ok(await world.call('GET', `/api/buildings/${building.id}/network-devices`, { token: isp.installer.token })).items;
    const accessPoints = equipment.filter((item: { kind: string }) => item.kind === 'access_point');
    expect(accessPoints).toHaveLength(4);
    for (const point of accessPoints) {
      expect(point.networks.map((network: { unit: string }) => network.unit).sort()).toEqual(
        fourByFive.filter((apartment) => apartment.floor === point.floor).map((apartment) => apartment.unit),
      );
    }
    const ssids = accessPoints.flatMap((point: { networks: { ssid: string }[] }) => point.networks.map((network) => network.ssid));
    expect(new Set(ssids).size).toBe(20);
    expect(ssids).toContain(`${awkwardShortName}-101`);
    expect(ssids.every((ssid: string) => Buffer.byteLength(ssid) <= 32)).toBe(true);
    const apartments = ok(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token: landlord.manager.token })).items;
    expect(apartments.map((apartment: { status: string }) => apartment.status)).toEqual(Array(20).fill('provisioned'));
  });

  it('prints QR labels for the box and the access points, which open them when scanned', async () => {
    const ordered = ok(
      await world.call('POST', '/api/label-batches', { token: isp.installer.token, body: { format: 'a4-3x7', buildingId: building.id } }),
      202,
    );
    expect(ordered).toMatchObject({ source: 'equipment', labelCount: 5 });
    const job = await waitForJob(isp.installer.token, ordered.jobId);
    expect(job.state).toBe('succeeded');
    const sheet = openPdf(await fetchFile(isp.installer.token, job.files[0].downloadUrl)).loadPage(0);
    const rendered = renderPage(sheet, 12);
    const codes = [0, 1, 2, 3, 4].map((index) => decodeQr(cropMm(rendered, labelCellMm(labelFormats().get('a4-3x7')!, index)))!.url.split('/d/')[1]);
    const equipment = ok(await world.call('GET', `/api/buildings/${building.id}/network-devices`, { token: isp.installer.token })).items;
    expect(codes.sort()).toEqual(equipment.map((item: { assetCode: string }) => item.assetCode.replace('-', '')).sort());
    const scanned = ok(await world.call('POST', '/api/scan', { token: isp.installer.token, body: { code: codes[0] } }));
    expect(scanned).toMatchObject({ type: 'network_device', building: { id: building.id } });
    // A phone camera without an account: what the equipment is and whose, never a network.
    for (const code of codes) {
      const page = await world.app.request(`/d/${code}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/Borne Wi-Fi|Box fibre/);
      expect(html).toContain(landlord.organisation.name);
      expect(html).not.toContain(awkwardShortName.slice(0, 4));
    }
    // A mediator prints nothing for a building that is not theirs.
    const mediator = await world.account((await world.organisation('mediation')).id, 'mediator');
    const refused = await world.call('POST', '/api/label-batches', { token: mediator.token, body: { format: 'a4-3x7', buildingId: building.id } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('buildingId');
  });

  it('prints the same labels from the building’s page, followed on the job page', async () => {
    const installer = await signInWithForm(harness.app, isp.installer);
    const ordered = await submitForm(harness.app, installer, `/buildings/${building.id}/labels`, { format: 'a4-3x7' }, { from: `/buildings/${building.id}` });
    expect(ordered.status, ordered.html).toBe(303);
    expect(ordered.location).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    await eventually('the sheet', async () => (await openPage(harness.app, ordered.location!, installer)).html.includes('data-state="succeeded"'));
    // Another landlord's manager does not even learn the building exists.
    const stranger = await signInWithForm(harness.app, (await world.landlord()).manager);
    expect((await submitForm(harness.app, stranger, `/buildings/${building.id}/labels`, { format: 'a4-3x7' }, { from: '/rollout' })).status).toBe(404);
  });

  it('writes 20 letters whose QR code joins the apartment’s network with its passphrase', async () => {
    const apartments = ok(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token: landlord.manager.token })).items;
    for (const apartment of apartments) {
      const network = ok(await world.call('POST', `/api/apartments/${apartment.id}/passphrase/reveal`, { token: landlord.manager.token }));
      expect(network.passphrase).toMatch(/^[A-Za-z2-9]{12}$/);
      expect(network.passphrase).not.toMatch(/[01ilIoO]/);
      revealed.set(apartment.unit, network);
      const qr = letterQr(await fetchFile(isp.installer.token, `/api/apartments/${apartment.id}/letter`));
      expect(qr).toEqual({ type: 'WPA', ssid: network.ssid, passphrase: network.passphrase });
    }
    expect(new Set([...revealed.values()].map((network) => network.passphrase)).size).toBe(20);
    // Each apartment: shown once on screen, its letter downloaded once.
    expect(await countOf(sql`select count(*)::int as count from passphrase_reveals where building_id = ${building.id}`)).toBe(40);
  });

  it('exports each access point as OpenWrt UCI: its 5 SSIDs on each of its 2 radios, and the CSV for other controllers', async () => {
    const equipment = ok(await world.call('GET', `/api/buildings/${building.id}/network-devices`, { token: isp.installer.token })).items;
    for (const point of equipment.filter((item: { kind: string }) => item.kind === 'access_point')) {
      const text = new TextDecoder().decode(await fetchFile(isp.installer.token, `/api/buildings/${building.id}/access-points/${point.id}/config`));
      const ifaces = uciIfaces(text);
      expect(ifaces).toHaveLength(10);
      expect(new Set(ifaces.map((iface) => iface.ssid)).size).toBe(5);
      for (const radio of ['radio0', 'radio1']) expect(ifaces.filter((iface) => iface.device === radio)).toHaveLength(5);
      for (const iface of ifaces) {
        const unit = point.networks.find((network: { ssid: string }) => network.ssid === iface.ssid)!.unit;
        expect(iface).toMatchObject({ mode: 'ap', encryption: 'sae-mixed', key: revealed.get(unit)!.passphrase });
      }
    }
    const csv = new TextDecoder().decode(await fetchFile(landlord.manager.token, `/api/buildings/${building.id}/access-points.csv`));
    expect(csv.trim().split('\n')).toHaveLength(21);
  });

  it('opens the service once every apartment has its network, and shows it on the landlord’s rollout', async () => {
    ok(await step(landlord.manager.token, building.id, 'live'));
    const rollout = ok(await world.call('GET', `/api/landlords/${landlord.organisation.id}/rollout`, { token: landlord.manager.token }));
    expect(rollout.buildings.find((item: { buildingId: string }) => item.buildingId === building.id)).toMatchObject({
      status: 'live',
      apartments: 20,
      provisioned: 20,
      optedIn: 0,
      monthlyChargesTotalCents: 5_000,
      costRecovery: 'collective_agreement',
    });
  });

  it('keeps passphrases unreadable in the database: no table holds one in clear', async () => {
    const tables = await harness.database.db.execute<{ name: string }>(sql`select tablename as name from pg_tables where schemaname = 'public'`);
    const dump: string[] = [];
    for (const { name } of tables) {
      const rows = await harness.database.db.execute<{ row: string }>(sql`select t::text as row from ${sql.identifier(name)} t`);
      dump.push(...rows.map((row) => row.row));
    }
    const everything = dump.join('\n');
    for (const { passphrase } of revealed.values()) expect(everything).not.toContain(passphrase);
  });

  it('on a move-out, replaces the passphrase and the letter; the old passphrase is found nowhere, in the database or the files', async () => {
    const apartments = ok(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token: landlord.manager.token })).items;
    const apartment = apartments.find((candidate: { unit: string }) => candidate.unit === '204');
    ok(await world.call('PUT', `/api/apartments/${apartment.id}/opt-in`, { token: landlord.manager.token, body: { optIn: 'in' } }));
    const old = revealed.get('204')!;
    const moved = ok(await world.call('POST', `/api/apartments/${apartment.id}/move-out`, { token: landlord.manager.token }));
    expect(moved).toMatchObject({ passphraseVersion: 2, apartment: { status: 'provisioned', optIn: 'unknown' } });
    await waitForJob(landlord.manager.token, moved.job.id);
    const fresh = ok(await world.call('POST', `/api/apartments/${apartment.id}/passphrase/reveal`, { token: landlord.manager.token }));
    expect(fresh).toMatchObject({ ssid: old.ssid, passphraseVersion: 2 });
    expect(fresh.passphrase).not.toBe(old.passphrase);
    expect(letterQr(await fetchFile(landlord.manager.token, `/api/apartments/${apartment.id}/letter`))).toEqual({
      type: 'WPA',
      ssid: old.ssid,
      passphrase: fresh.passphrase,
    });

    const tables = await harness.database.db.execute<{ name: string }>(sql`select tablename as name from pg_tables where schemaname = 'public'`);
    for (const { name } of tables) {
      expect(await countOf(sql`select count(*)::int as count from ${sql.identifier(name)} t where t::text like ${`%${old.passphrase}%`}`), name).toBe(0);
    }
    const files = (await readdir(harness.filesFolder, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(join(file.parentPath, file.name));
      expect(bytes.includes(Buffer.from(old.passphrase)), file.name).toBe(false);
      // Letters are compressed PDFs: look at what they draw too.
      if (file.name.endsWith('.pdf')) {
        const page = openPdf(bytes).loadPage(0);
        expect(
          textLines(page).some((line) => line.text.includes(old.passphrase)),
          file.name,
        ).toBe(false);
      }
    }
    const config = new TextDecoder().decode(await fetchFile(isp.installer.token, `/api/buildings/${building.id}/access-points.csv`));
    expect(config).toContain(fresh.passphrase);
    revealed.set('204', fresh);
  });
});

describe('landing capacity', () => {
  it('refuses to provision a landing of 9 apartments on one 8-SSID access point, naming the landing, and creates nothing', async () => {
    const nine = Array.from({ length: 9 }, (_, index) => ({ unit: `1${String(index + 1).padStart(2, '0')}`, floor: 1 }));
    const building = await readyToProvision(isp.installer, [{ unit: '001', floor: 0 }, ...nine], 2);
    const refused = await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: isp.installer.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'landing_over_capacity' });
    expect(refused.body.detail).toMatch(/Landing 1 has 9 apartments but its access points broadcast at most 8 SSIDs: add an access point/);
    expect(refused.body.detail).not.toMatch(/Landing 0/);
    expect(await countOf(sql`select count(*)::int as count from wifi_networks where building_id = ${building.id}`)).toBe(0);
    expect(await countOf(sql`select count(*)::int as count from background_jobs where summary->>'buildingId' = ${building.id}`)).toBe(0);

    // A second access point on that landing: 9 apartments over two, and provisioning goes through.
    ok(
      await world.call('POST', `/api/buildings/${building.id}/network-devices`, {
        token: isp.installer.token,
        body: { kind: 'access_point', model: 'TP-Link EAP245', floor: 1 },
      }),
      201,
    );
    const started = ok(await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: isp.installer.token }), 202);
    expect((await waitForJob(isp.installer.token, started.job.id)).state).toBe('succeeded');
    const equipment = ok(await world.call('GET', `/api/buildings/${building.id}/network-devices`, { token: isp.installer.token })).items;
    const loads = equipment
      .filter((item: { floor: number | null }) => item.floor === 1)
      .map((item: { networks: unknown[] }) => item.networks.length)
      .sort();
    expect(loads).toEqual([4, 5]);
  });

  it('warns above 5 SSIDs per radio that beacons eat airtime, and still provisions', async () => {
    const six = Array.from({ length: 6 }, (_, index) => ({ unit: `A${index + 1}`, floor: 0 }));
    const building = await readyToProvision(isp.installer, six, 1);
    const started = ok(await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: isp.installer.token }), 202);
    expect(started.warnings).toHaveLength(1);
    expect(started.warnings[0].message).toMatch(/6 SSIDs per radio.*beacons.*low basic rates/);
    expect((await waitForJob(isp.installer.token, started.job.id)).state).toBe('succeeded');
  });
});
