import { and, desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { assetCodes, deviceEvents, devices } from '../devices/devices.schema.ts';
import { assetCodeFromInput, presentDevice, visibleDevices } from '../devices/devices.service.ts';
import { actionsFor, benchRoles, terminalStatuses } from '../devices/lifecycle.ts';
import { DomainError } from '../errors.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { ownedBy } from '../organisations/organisations.service.ts';
import { findNetworkDevice } from '../connectivity/network-devices.service.ts';

/**
 * What a scanned code is, for a scan station or a phone: a device (where it is, its status, its
 * last events, what this person may do with it now) or a pre-printed label not yet on a device
 * (then: register a device with it), or the Wi-Fi equipment of a building (a box, an access point
 * and the SSIDs it broadcasts). A misread code is refused as a misread (400), before any lookup.
 */
export async function scanCode(db: DbOrTx, actor: Actor, input: string) {
  const code = assetCodeFromInput(input);
  const [found] = await db
    .select({ device: devices, siteName: sites.name })
    .from(devices)
    .innerJoin(sites, eq(sites.id, devices.siteId))
    .where(and(eq(devices.assetCode, code), visibleDevices(actor)));
  if (found) {
    const lastEvents = await db
      .select({ type: deviceEvents.type, fromStatus: deviceEvents.fromStatus, toStatus: deviceEvents.toStatus, occurredAt: deviceEvents.occurredAt })
      .from(deviceEvents)
      .where(eq(deviceEvents.deviceId, found.device.id))
      .orderBy(desc(deviceEvents.id))
      .limit(5);
    const canMove = benchRoles.includes(actor.role) && !terminalStatuses.includes(found.device.status);
    return {
      type: 'device' as const,
      device: presentDevice(found.device),
      site: { id: found.device.siteId, name: found.siteName },
      lastEvents,
      actions: actionsFor(found.device.status, actor.role),
      canMove,
    };
  }
  const [label] = await db
    .select({ code: assetCodes.code })
    .from(assetCodes)
    .where(
      and(
        eq(assetCodes.code, code),
        eq(assetCodes.preprinted, true),
        ownedBy(actor, assetCodes.organisationId),
        sql`not exists (select 1 from ${devices} where ${devices.assetCode} = ${assetCodes.code})`,
      ),
    );
  if (label && benchRoles.includes(actor.role)) {
    return { type: 'label' as const, code: formatAssetCode(label.code), claimed: false as const, actions: [{ action: 'Register a device with this label' }] };
  }
  const equipment = await findNetworkDevice(db, actor, code);
  if (equipment) {
    return {
      type: 'network_device' as const,
      networkDevice: equipment.device,
      building: { id: equipment.building.id, name: equipment.building.name, address: equipment.building.address },
      deploymentStatus: equipment.deployment.status,
    };
  }
  // Its own sentence (not notFound's "… was not found."), and the code for the French words.
  const scannedCode = formatAssetCode(code);
  throw new DomainError(404, 'not_found', `No device or label of yours has the code ${scannedCode}.`, { scannedCode });
}
