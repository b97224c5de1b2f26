import { and, arrayContains, arrayOverlaps, eq, inArray, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { communeCodesIn, lookUpCommune, lookUpTerritory, territoriesOf } from '../geography/communes.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { isOpenAt } from './opening-hours.ts';
import type { PlaceFilter } from './places.filter.ts';
import { externalPlaces, sitePlaces } from './places.schema.ts';
import { placeNeeds, type PlaceActivity, type PlaceNeed } from './places.types.ts';

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

/** Whether a place offers what a need asks: the network's by what it does there, other actors' by the schema's services they list. */
export function offers(place: Pick<Place, 'network' | 'activities' | 'services'>, need: PlaceNeed): boolean {
  const { activities, services } = placeNeeds[need];
  return place.network
    ? place.activities.some((activity) => (activities as readonly string[]).includes(activity))
    : place.services.some((service) => (services as readonly string[]).includes(service));
}

/** The filters a table can apply itself (need, service, territory); "open now" is read from the hours after. */
function filterWhere(
  filter: PlaceFilter,
  columns: {
    activities?: typeof sitePlaces.activities;
    services: typeof sitePlaces.services | typeof externalPlaces.services;
    communeCode: typeof sites.communeCode | typeof externalPlaces.communeCode;
  },
): SQL | undefined | false {
  const conditions: (SQL | undefined)[] = [];
  if (filter.need) {
    const { activities, services } = placeNeeds[filter.need];
    if (columns.activities) conditions.push(arrayOverlaps(columns.activities, [...activities]));
    else if (services.length === 0) return false;
    else conditions.push(arrayOverlaps(columns.services, [...services]));
  }
  if (filter.service) conditions.push(arrayContains(columns.services, [filter.service]));
  if (filter.territory) {
    const codes = communeCodesIn(filter.territory);
    if (codes.length === 0) return false;
    conditions.push(inArray(columns.communeCode, codes));
  }
  return and(...conditions);
}

async function networkPlaces(db: DbOrTx, siteId?: string, filter: PlaceFilter = {}): Promise<Place[]> {
  const where = filterWhere(filter, { activities: sitePlaces.activities, services: sitePlaces.services, communeCode: sites.communeCode });
  if (where === false) return [];
  const rows = await db
    .select({ place: sitePlaces, site: sites, organisationName: organisations.name })
    .from(sitePlaces)
    .innerJoin(sites, eq(sites.id, sitePlaces.siteId))
    .innerJoin(organisations, eq(organisations.id, sites.organisationId))
    .where(and(siteId ? eq(sitePlaces.siteId, siteId) : undefined, where));
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

async function otherActorsPlaces(db: DbOrTx, id?: string, filter: PlaceFilter = {}): Promise<Place[]> {
  const where = filterWhere(filter, { services: externalPlaces.services, communeCode: externalPlaces.communeCode });
  if (where === false) return [];
  const rows = await db
    .select()
    .from(externalPlaces)
    .where(and(id ? eq(externalPlaces.id, id) : undefined, where));
  return rows.map(({ externalId: _, sourceUpdatedOn, importedBy: _by, importedAt: _at, createdAt: _created, ...place }) => ({
    ...place,
    network: false,
    organisationName: null,
    epci: epciOf(place.communeCode),
    activities: [],
    updatedOn: sourceUpdatedOn,
  }));
}

/** Every published place the filter keeps (all of them without one), the network's first, by commune then name. */
export async function listPlaces(db: DbOrTx, filter: PlaceFilter = {}): Promise<Place[]> {
  const { openAt } = filter;
  const places = [...(await networkPlaces(db, undefined, filter)), ...(await otherActorsPlaces(db, undefined, filter))].filter(
    (place) => !openAt || isOpenAt(place.openingHours, openAt),
  );
  return places.sort((a, b) => Number(b.network) - Number(a.network) || a.commune.localeCompare(b.commune, 'fr') || a.name.localeCompare(b.name, 'fr'));
}

/** One place by its id (a site's id for the network's places), or undefined; an id that is no uuid is no place's. */
export async function findPlace(db: DbOrTx, id: string): Promise<Place | undefined> {
  if (!uuidShape.test(id)) return undefined;
  return (await networkPlaces(db, id))[0] ?? (await otherActorsPlaces(db, id))[0];
}

/** The network's own places (its sites published as places), without other actors': what the national export publishes. */
export const listNetworkPlaces = (db: DbOrTx): Promise<Place[]> => networkPlaces(db);

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The communes that have a published place, each with its EPCI: what a visitor may narrow `/lieux` to. */
export async function placeTerritories(db: DbOrTx): Promise<{ communes: { code: string; name: string }[]; epcis: { code: string; name: string }[] }> {
  const [network, others] = await Promise.all([
    db.selectDistinct({ code: sites.communeCode }).from(sitePlaces).innerJoin(sites, eq(sites.id, sitePlaces.siteId)),
    db.selectDistinct({ code: externalPlaces.communeCode }).from(externalPlaces),
  ]);
  const communes = new Map<string, string>();
  const epcis = new Map<string, string>();
  for (const { code } of [...network, ...others]) {
    const commune = code ? lookUpCommune(code) : undefined;
    if (!code || !commune?.ok) continue;
    communes.set(code, commune.commune.name);
    const epci = epciOf(code);
    if (epci) epcis.set(epci.code, epci.name);
  }
  const sorted = (entries: Map<string, string>) =>
    [...entries].map(([code, name]) => ({ code, name })).sort((a, b) => a.name.localeCompare(b.name, 'fr') || a.code.localeCompare(b.code));
  return { communes: sorted(communes), epcis: sorted(epcis) };
}
