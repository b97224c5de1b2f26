import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.ts';
import { buildingReadyToProvision, deploymentStep, expectStatus, type WifiCast } from './helpers/wifi.ts';
import { startWorld, type World } from './helpers/world.ts';

/*
 * A refusal must not tell one organisation what another holds: an asset code opens the public card
 * /d/{code}, which names the holder and, for network equipment, the building and landing.
 */

let harness: Harness;
let world: World;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
});
afterAll(() => harness.close());

/** The code as it prints (B7K2-9QXM) and as a scanner reads it (B7K29QXM): neither may appear. */
const expectNotNamed = (body: unknown, code: string) => {
  const text = JSON.stringify(body).toUpperCase();
  expect(text).not.toContain(code.toUpperCase());
  expect(text).not.toContain(code.replace('-', '').toUpperCase());
};

describe('a serial number already live in another organisation', () => {
  it('is refused without naming the other organisation’s device, one device or a list; its own twin is named', async () => {
    const first = await world.workshop();
    const second = await world.workshop();
    const serialNumber = `SN-${randomBytes(4).toString('hex')}`;
    const theirs = await world.device(first.operator.token, first.site.id, { brand: 'Dell', serialNumber });

    const donation = await world.donation(second.operator.token, second.site.id);
    const one = await world.call('POST', '/api/devices', {
      token: second.operator.token,
      body: { kind: 'laptop', brand: 'Dell', model: 'Latitude', serialNumber, storageMedia: [], donationId: donation.id },
    });
    expect(one.status, JSON.stringify(one.body)).toBe(409);
    expect(one.body.code).toBe('duplicate_serial');
    expect(one.body.detail).toContain('another organisation');
    expect(one.body.existingDevice).toBeUndefined();
    expectNotNamed(one.body, theirs.code);

    const list = expectStatus(
      await world.call('POST', `/api/donations/${donation.id}/devices`, {
        token: second.operator.token,
        body: { devices: [{ kind: 'laptop', brand: 'DELL', model: 'Latitude', serialNumber: serialNumber.toLowerCase(), storageMedia: [] }] },
      }),
      201,
    );
    expect(list.refused).toEqual([{ index: 0, code: 'duplicate_serial', message: expect.stringContaining('another organisation') }]);
    expectNotNamed(list, theirs.code);

    // Within the organisation the twin is its own: naming it helps the bench find the device.
    const again = await world.call('POST', '/api/devices', {
      token: first.operator.token,
      body: { kind: 'laptop', brand: 'Dell', model: 'Latitude', serialNumber, storageMedia: [], donationId: theirs.donationId },
    });
    expect(again.status).toBe(409);
    expect(again.body.existingDevice).toBe(theirs.code);
  });
});

describe('a MAC address already recorded in another building', () => {
  it('is refused without naming that equipment; in the same building it is named', async () => {
    const cast = async (): Promise<WifiCast> => {
      const landlord = await world.landlord();
      const isp = await world.isp();
      return { manager: landlord.manager, residenceId: landlord.residence.id, ispId: isp.organisation.id, installer: isp.installer };
    };
    const [ours, theirs] = [await cast(), await cast()];
    const theirBuilding = await buildingReadyToProvision(world, theirs, [{ unit: 'A1', floor: 0 }], 1);
    const macAddress = `3C:84:6A:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`;
    const registered = expectStatus(
      await world.call('POST', `/api/buildings/${theirBuilding.id}/network-devices`, {
        token: theirs.installer.token,
        body: { kind: 'access_point', model: 'TP-Link EAP245', floor: 0, macAddress },
      }),
      201,
    );

    const ourBuilding = await world.building(ours.manager.token, ours.residenceId, { floors: 2 });
    expectStatus(
      await world.call('PATCH', `/api/buildings/${ourBuilding.id}/deployment`, { token: ours.manager.token, body: { ispOrganisationId: ours.ispId } }),
    );
    expectStatus(await deploymentStep(world, ours.installer.token, ourBuilding.id, 'surveyed'));
    const clash = await world.call('POST', `/api/buildings/${ourBuilding.id}/network-devices`, {
      token: ours.installer.token,
      body: { kind: 'access_point', model: 'TP-Link EAP245', floor: 1, macAddress: macAddress.toLowerCase() },
    });
    expect(clash.status, JSON.stringify(clash.body)).toBe(409);
    expect(clash.body).toMatchObject({ code: 'mac_address_known', detail: expect.stringContaining('another building') });
    expectNotNamed(clash.body, registered.assetCode);

    const twice = await world.call('POST', `/api/buildings/${theirBuilding.id}/network-devices`, {
      token: theirs.installer.token,
      body: { kind: 'access_point', model: 'TP-Link EAP245', floor: 0, macAddress },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain(registered.assetCode);
  });
});
