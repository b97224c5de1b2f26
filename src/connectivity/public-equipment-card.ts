import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { networkDevices } from './deployments.schema.ts';
import { buildings } from './places.schema.ts';

/**
 * What the label of a building's Wi-Fi box or access point tells anyone who scans it, signed in or
 * not: what is printed on the landing anyway (the kind, the model, the building, its landlord, the
 * floor). Never a network, a passphrase or an apartment. `assetCode` is the stored form;
 * undefined when no equipment carries it.
 */
export async function publicEquipmentCard(db: DbOrTx, assetCode: string) {
  const [equipment] = await db
    .select({ kind: networkDevices.kind, model: networkDevices.model, floor: networkDevices.floor, building: buildings.name, landlord: organisations.name })
    .from(networkDevices)
    .innerJoin(buildings, eq(buildings.id, networkDevices.buildingId))
    .innerJoin(organisations, eq(organisations.id, networkDevices.organisationId))
    .where(eq(networkDevices.assetCode, assetCode));
  return equipment;
}
