import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { lookUpCommune, lookUpTerritory, territoriesOf } from '../geography/communes.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { externalPlaces, sitePlaces } from './places.schema.ts';
import type { PlaceActivity } from './places.types.ts';

/**
 * A place as the public reads it, the network's and other actors' alike: what `/lieux`, a place's
 * page, the export and the nearest-place hints read. `network` says whether Boucle's network runs
 * it (then `activities` says what it does there); other actors' places are imported, never edited.
 */
export type Place = {
  id: string;
  network: boolean;
  name: string;
  organisationName: string | null;
  address: string;
  postalCode: string | null;
  commune: string;
  communeCode: string | null;
  epci: { code: string; name: string } | null;
  pivot: string;
  latitude: number | null;
  longitude: number | null;
  typologies: string[];
  services: string[];
  activities: PlaceActivity[];
  openingHours: string | null;
  phone: string | null;
  emails: string[];
  website: string | null;
  summary: string | null;
  publics: string[];
  accessModes: string[];
  fees: string[];
  bookingUrl: string | null;
  // The schema's `date_maj`.
  updatedOn: string;
  source: string | null;
};

function epciOf(communeCode: string | null): Place['epci'] {
  const epci = communeCode ? territoriesOf(communeCode).find((territory) => territory.type === 'epci') : undefined;
  const lookup = epci ? lookUpTerritory(epci) : undefined;
  return epci && lookup?.ok ? { code: epci.code, name: lookup.name } : null;
}

async function networkPlaces(db: DbOrTx, siteId?: string): Promise<Place[]> {
  const rows = await db
    .select({ place: sitePlaces, site: sites, organisationName: organisations.name })
    .from(sitePlaces)
    .innerJoin(sites, eq(sites.id, sitePlaces.siteId))
    .innerJoin(organisations, eq(organisations.id, sites.organisationId))
    .where(siteId ? eq(sitePlaces.siteId, siteId) : undefined);
  return rows.map(({ place, site, organisationName }) => {
    const commune = lookUpCommune(site.communeCode);
    const { siteId: id, activities, updatedAt, createdAt: _, ...published } = place;
    return {
      ...published,
      id,
      network: true,
      name: site.name,
      organisationName,
      address: site.address,
      postalCode: site.postalCode,
      commune: commune.ok ? commune.commune.name : site.communeCode,
      communeCode: site.communeCode,
      epci: epciOf(site.communeCode),
      activities: activities as PlaceActivity[],
      updatedOn: updatedAt.toISOString().slice(0, 10),
      source: null,
    };
  });
}

async function otherActorsPlaces(db: DbOrTx, id?: string): Promise<Place[]> {
  const rows = await db
    .select()
    .from(externalPlaces)
    .where(id ? eq(externalPlaces.id, id) : undefined);
  return rows.map(({ externalId: _, sourceUpdatedOn, importedBy: _by, importedAt: _at, createdAt: _created, ...place }) => ({
    ...place,
    network: false,
    organisationName: null,
    epci: epciOf(place.communeCode),
    activities: [],
    updatedOn: sourceUpdatedOn,
  }));
}

/** Every published place, the network's first, by commune then name. */
export async function listPlaces(db: DbOrTx): Promise<Place[]> {
  const places = [...(await networkPlaces(db)), ...(await otherActorsPlaces(db))];
  return places.sort((a, b) => Number(b.network) - Number(a.network) || a.commune.localeCompare(b.commune, 'fr') || a.name.localeCompare(b.name, 'fr'));
}

/** One place by its id (a site's id for the network's places), or undefined. */
export async function findPlace(db: DbOrTx, id: string): Promise<Place | undefined> {
  return (await networkPlaces(db, id))[0] ?? (await otherActorsPlaces(db, id))[0];
}

/** The network's own places (its sites published as places), without other actors': what the national export publishes. */
export const listNetworkPlaces = (db: DbOrTx): Promise<Place[]> => networkPlaces(db);
