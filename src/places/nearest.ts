import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { type Territory, territoriesOf } from '../geography/communes.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { listPlaces, type Place } from './places.read.ts';
import { sitePlaces } from './places.schema.ts';
import type { PlaceNeed } from './places.types.ts';

/**
 * "The nearest place" to someone, by commune, as a person reads a map of France: a place in the
 * same commune first, then in the same intercommunality (EPCI), then in the same département,
 * then anywhere. Within one of these tiers, the nearer as the crow flies when both sides have
 * coordinates (those without come after), then the network's own places before other actors',
 * then by name, so that the answer never depends on the order of the rows.
 */
export const proximities = ['commune', 'epci', 'departement', 'elsewhere'] as const;
export type Proximity = (typeof proximities)[number];

/** Where someone is: a commune (INSEE code), and coordinates when they are known. */
export type Origin = { communeCode: string; latitude?: number | null; longitude?: number | null };

type Locatable = Pick<Place, 'communeCode' | 'latitude' | 'longitude' | 'network' | 'name'>;

const codesOfType = (territories: Territory[], type: Territory['type']) => territories.filter((territory) => territory.type === type).map(({ code }) => code);

/** The tier a place falls in from an origin; a place whose commune is unknown is "elsewhere". */
export function proximityOf(origin: Origin, place: Pick<Place, 'communeCode'>): Proximity {
  const from = territoriesOf(origin.communeCode);
  const to = place.communeCode ? territoriesOf(place.communeCode) : [];
  // An arrondissement belongs to its commune too (territoriesOf lists both): 13203 and 13204 are both in Marseille.
  const shared = (type: Territory['type']) => codesOfType(from, type).some((code) => codesOfType(to, type).includes(code));
  return proximities.find((proximity) => proximity === 'elsewhere' || shared(proximity))!;
}

const earthRadiusKm = 6371;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle distance in kilometres (haversine), or undefined when a side has no coordinates. */
export function distanceKm(origin: Pick<Origin, 'latitude' | 'longitude'>, place: Pick<Place, 'latitude' | 'longitude'>): number | undefined {
  if (origin.latitude == null || origin.longitude == null || place.latitude == null || place.longitude == null) return undefined;
  const dLat = radians(place.latitude - origin.latitude);
  const dLon = radians(place.longitude - origin.longitude);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(radians(origin.latitude)) * Math.cos(radians(place.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(a)));
}

export type Ranked<T> = T & { proximity: Proximity; distanceKm: number | undefined };

/** The places from the nearest to the farthest, by the rule above. */
export function rankByNearness<T extends Locatable>(origin: Origin, places: readonly T[]): Ranked<T>[] {
  return places
    .map((place) => ({ ...place, proximity: proximityOf(origin, place), distanceKm: distanceKm(origin, place) }))
    .sort(
      (a, b) =>
        proximities.indexOf(a.proximity) - proximities.indexOf(b.proximity) ||
        (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY) ||
        Number(b.network) - Number(a.network) ||
        a.name.localeCompare(b.name, 'fr'),
    );
}

export type NearestPlaces = Partial<Record<PlaceNeed, Ranked<Place>>>;

/**
 * For each need, the nearest published place that offers it (none when no place does). The
 * département's places are read first: only when it has none is the whole country read.
 */
export async function nearestPlaces(db: DbOrTx, origin: Origin, needs: readonly PlaceNeed[]): Promise<NearestPlaces> {
  const departement = territoriesOf(origin.communeCode).find((territory) => territory.type === 'departement');
  const nearest: NearestPlaces = {};
  for (const need of needs) {
    let candidates = departement ? await listPlaces(db, { need, territory: departement }) : [];
    if (candidates.length === 0) candidates = await listPlaces(db, { need });
    const [first] = rankByNearness(origin, candidates);
    if (first) nearest[need] = first;
  }
  return nearest;
}

/** A site of the network as an origin: its commune, and its coordinates when it is published as a place with them. */
export async function originOfSite(db: DbOrTx, siteId: string): Promise<Origin | undefined> {
  const [row] = await db
    .select({ communeCode: sites.communeCode, latitude: sitePlaces.latitude, longitude: sitePlaces.longitude })
    .from(sites)
    .leftJoin(sitePlaces, eq(sitePlaces.siteId, sites.id))
    .where(eq(sites.id, siteId));
  return row;
}

/** The nearest places to a site, for each need; none when the site is unknown. */
export async function nearestPlacesToSite(db: DbOrTx, siteId: string | null, needs: readonly PlaceNeed[]): Promise<NearestPlaces> {
  const origin = siteId ? await originOfSite(db, siteId) : undefined;
  return origin ? nearestPlaces(db, origin, needs) : {};
}
