import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { holderPublicContact } from '../organisations/public-contact.ts';
import { nearestPlacesToSite } from '../places/nearest.ts';
import { devices } from './devices.schema.ts';

/**
 * What a device's label tells anyone who scans it, signed in or not: what the object is, which
 * organisation tracks it and the contact it publishes. Nothing about its donor, its family, its
 * place or its history: those are on the passport, for the organisation that holds it. It points
 * to the network's places nearest to the device's site for what its reader may need: to learn to
 * use it, to give a computer, to get one.
 * `assetCode` is the stored form (parseAssetCode's), undefined when no device carries it.
 */
export async function publicDeviceCard(db: DbOrTx, assetCode: string) {
  const [card] = await db
    .select({
      kind: devices.kind,
      brand: devices.brand,
      model: devices.model,
      holder: organisations.name,
      siteId: devices.siteId,
      organisationId: devices.organisationId,
    })
    .from(devices)
    .innerJoin(organisations, eq(organisations.id, devices.organisationId))
    .where(eq(devices.assetCode, assetCode));
  if (!card) return undefined;
  return {
    kind: card.kind,
    brand: card.brand,
    model: card.model,
    holder: card.holder,
    contact: await holderPublicContact(db, card),
    nearestPlaces: await nearestPlacesToSite(db, card.siteId, ['learn', 'give', 'get']),
  };
}
