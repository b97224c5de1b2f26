import { asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { issueAssetCodes } from '../donations/intake.service.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { buildingFor } from './access.ts';
import { accessPointModel } from './access-point-models.ts';
import { deployments, networkDevices, wifiNetworks, type NetworkDeviceKind } from './deployments.schema.ts';
import { apartments } from './places.schema.ts';

export type NetworkDeviceInput = {
  kind: NetworkDeviceKind;
  model: string;
  serialNumber?: string;
  macAddress?: string;
  floor?: number;
  ssidsPerRadio?: number;
  radios?: number;
};

/** A MAC address as printed on a label or typed (aa-bb-cc..., aabb.ccdd.eeff, aabbccddeeff), in one form. */
export function normaliseMac(input: string): string | undefined {
  const hex = input.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 12 || !/^[0-9a-fA-F:.\- ]+$/.test(input)) return undefined;
  return hex.toUpperCase().match(/.{2}/g)!.join(':');
}

/**
 * Records equipment installed in a building: the fibre box at its foot, or an access point on a
 * landing. Each gets an asset code for its QR label, so an installer opens it by scanning. An
 * access point's SSID capacity comes from its model's datasheet unless stated.
 */
export async function registerNetworkDevice(db: DbOrTx, actor: Actor, buildingId: string, input: NetworkDeviceInput) {
  const macAddress = input.macAddress === undefined ? undefined : normaliseMac(input.macAddress);
  const problems = [
    input.macAddress !== undefined && !macAddress
      ? { path: 'macAddress', message: 'A MAC address has 12 hexadecimal digits, like 3C:84:6A:12:34:56.' }
      : undefined,
    input.kind === 'access_point' && input.floor === undefined
      ? { path: 'floor', message: 'Say which landing the access point is on (0 for the ground floor).' }
      : undefined,
    input.kind === 'building_box' && input.floor !== undefined
      ? { path: 'floor', message: 'The building box is at the foot of the building, not on a landing.' }
      : undefined,
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new ValidationError(problems);
  return db.transaction(async (tx) => {
    const { building, deployment } = await buildingFor(tx, actor, buildingId, 'field_work');
    if (input.floor !== undefined && input.floor >= building.floors) {
      throw new ValidationError([{ path: 'floor', message: `${building.name} has floors 0 (ground floor) to ${building.floors - 1}.` }]);
    }
    // Locked: two installers recording the box at the same moment must not both succeed.
    const [current] = await tx.select({ boxId: deployments.boxId }).from(deployments).where(eq(deployments.id, deployment!.id)).for('update');
    if (input.kind === 'building_box' && current!.boxId) {
      throw new DomainError(409, 'box_already_installed', 'This building already has its fibre box recorded.');
    }
    if (macAddress) {
      // Named by its code only in this building: elsewhere the code would open a card naming its building and landing.
      const [clash] = await tx
        .select({ code: networkDevices.assetCode, buildingId: networkDevices.buildingId })
        .from(networkDevices)
        .where(eq(networkDevices.macAddress, macAddress));
      if (clash) {
        const where = clash.buildingId === buildingId ? `in this building (${formatAssetCode(clash.code)})` : 'in another building of the network';
        throw new DomainError(409, 'mac_address_known', `An equipment with the MAC address ${macAddress} is already recorded ${where}.`);
      }
    }
    const catalogue = accessPointModel(input.model);
    const [code] = await issueAssetCodes(tx, building.organisationId, 1, false);
    const [device] = await tx
      .insert(networkDevices)
      .values({
        assetCode: code!,
        organisationId: building.organisationId,
        buildingId,
        kind: input.kind,
        model: input.model,
        serialNumber: input.serialNumber,
        macAddress,
        floor: input.floor,
        ssidsPerRadio: input.ssidsPerRadio ?? catalogue.ssidsPerRadio,
        radios: input.radios ?? catalogue.radios,
        installedByUserId: actor.userId,
      })
      .onConflictDoNothing()
      .returning();
    // Two people registering the same MAC at the same moment: the unique index lets one in.
    if (!device) throw new DomainError(409, 'mac_address_known', `An equipment with the MAC address ${macAddress} is already recorded.`);
    if (input.kind === 'building_box') {
      await tx
        .update(deployments)
        .set({ boxId: device.id, version: sql`${deployments.version} + 1`, updatedAt: new Date() })
        .where(eq(deployments.id, deployment!.id));
    }
    return device;
  });
}

export const presentNetworkDevice = (device: typeof networkDevices.$inferSelect) => ({ ...device, assetCode: formatAssetCode(device.assetCode) });

/** The building's equipment, each access point with the SSIDs it broadcasts (never the passphrases). */
export async function listNetworkDevices(db: DbOrTx, actor: Actor, buildingId: string) {
  await buildingFor(db, actor, buildingId, 'read');
  const devices = await db
    .select()
    .from(networkDevices)
    .where(eq(networkDevices.buildingId, buildingId))
    .orderBy(asc(networkDevices.kind), asc(networkDevices.floor), asc(networkDevices.createdAt));
  const networks = await db
    .select({ accessPointId: wifiNetworks.accessPointId, unit: apartments.unit, ssid: wifiNetworks.ssid })
    .from(wifiNetworks)
    .innerJoin(apartments, eq(apartments.id, wifiNetworks.apartmentId))
    .where(eq(wifiNetworks.buildingId, buildingId))
    .orderBy(asc(apartments.unit));
  return devices.map((device) => ({
    ...presentNetworkDevice(device),
    networks: networks.filter((network) => network.accessPointId === device.id).map(({ unit, ssid }) => ({ unit, ssid })),
  }));
}

/** The equipment behind a scanned label, if the actor may see its building. */
export async function findNetworkDevice(db: DbOrTx, actor: Actor, code: string) {
  const [device] = await db.select().from(networkDevices).where(eq(networkDevices.assetCode, code));
  if (!device) return undefined;
  const access = await buildingFor(db, actor, device.buildingId, 'read').catch(() => undefined);
  if (!access) return undefined;
  const all = await listNetworkDevices(db, actor, device.buildingId);
  return { device: all.find((candidate) => candidate.id === device.id)!, building: access.building, deployment: access.deployment! };
}
