import { Service } from '@gouvfr-anct/lieux-de-mediation-numerique';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestPlaces, nearestPlacesToSite, proximityOf, rankByNearness } from '../src/places/nearest.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { otherActorPlace, publishPlace } from './helpers/places.ts';
import { createWorld, type World } from './helpers/world.ts';

/*
 * "The nearest place" by commune: same commune, then same EPCI, then same département, then
 * anywhere; inside a tier, the nearer by distance where both sides have coordinates, the
 * network's before other actors', then by name. Agen (47001) and Boé (47031) share the
 * Agglomération d'Agen; Marmande (47157) is elsewhere in Lot-et-Garonne; Bordeaux (33063) in Gironde.
 */

const place = (name: string, communeCode: string | null, extra: { latitude?: number; longitude?: number; network?: boolean } = {}) => ({
  name,
  communeCode,
  latitude: extra.latitude ?? null,
  longitude: extra.longitude ?? null,
  network: extra.network ?? true,
});

const agen = { communeCode: '47001', latitude: 44.2031, longitude: 0.6163 };

describe('the tier of a place from an origin', () => {
  it.each([
    ['47001', 'commune'],
    ['47031', 'epci'],
    ['47157', 'departement'],
    ['33063', 'elsewhere'],
    [null, 'elsewhere'],
  ] as const)('a place in %s is in the tier %s from Agen', (communeCode, proximity) => {
    expect(proximityOf(agen, { communeCode })).toBe(proximity);
  });

  it('counts two arrondissements of Marseille as one commune, and the commune with its arrondissements', () => {
    expect(proximityOf({ communeCode: '13203' }, { communeCode: '13204' })).toBe('commune');
    expect(proximityOf({ communeCode: '13055' }, { communeCode: '13203' })).toBe('commune');
  });
});

describe('ranking places by nearness', () => {
  it('puts the same commune before a nearer place of the EPCI, the EPCI before the département, the département before elsewhere', () => {
    const ranked = rankByNearness(agen, [
      place('Bordeaux', '33063', { latitude: 44.84, longitude: -0.58 }),
      place('Marmande', '47157', { latitude: 44.5, longitude: 0.16 }),
      // Boé is nearer to the origin than this far corner of Agen, yet Agen comes first: it is the same commune.
      place('Boé', '47031', { latitude: 44.2035, longitude: 0.617 }),
      place('Agen, au bout de la ville', '47001', { latitude: 44.18, longitude: 0.58 }),
      place('Sans commune connue', null, { latitude: 44.2032, longitude: 0.6164 }),
    ]);
    expect(ranked.map((entry) => [entry.name, entry.proximity])).toEqual([
      ['Agen, au bout de la ville', 'commune'],
      ['Boé', 'epci'],
      ['Marmande', 'departement'],
      ['Sans commune connue', 'elsewhere'],
      ['Bordeaux', 'elsewhere'],
    ]);
  });

  it('orders by distance inside a tier, the places without coordinates after, then the network’s first, then by name', () => {
    const ranked = rankByNearness(agen, [
      place('Zèbre, sans coordonnées', '47001'),
      place('Abeille, autre acteur sans coordonnées', '47001', { network: false }),
      place('Alouette, sans coordonnées', '47001'),
      place('Loin', '47001', { latitude: 44.22, longitude: 0.65 }),
      place('Près', '47001', { latitude: 44.204, longitude: 0.617 }),
    ]);
    expect(ranked.map((entry) => entry.name)).toEqual([
      'Près',
      'Loin',
      'Alouette, sans coordonnées',
      'Zèbre, sans coordonnées',
      'Abeille, autre acteur sans coordonnées',
    ]);
    expect(ranked[0]!.distanceKm).toBeLessThan(0.2);
    expect(ranked[2]!.distanceKm).toBeUndefined();
  });

  it('orders by name alone when the origin has no coordinates, whatever the order it was given', () => {
    const places = [place('Bleu', '47001', { latitude: 44.2, longitude: 0.6 }), place('Avant', '47001', { latitude: 44.3, longitude: 0.7 })];
    expect(rankByNearness({ communeCode: '47001' }, places).map((entry) => entry.name)).toEqual(['Avant', 'Bleu']);
    expect(rankByNearness({ communeCode: '47001' }, [...places].reverse()).map((entry) => entry.name)).toEqual(['Avant', 'Bleu']);
  });
});

describe('the nearest published place for a need', () => {
  let harness: Harness;
  let world: World;
  let sites: Record<'agen' | 'marmande' | 'villeneuve' | 'boeUnpublished', { id: string }>;

  beforeAll(async () => {
    harness = await startHarness();
    world = await createWorld(harness);
    const workshop = await world.organisation('workshop');
    const centre = await world.organisation('mediation');
    sites = {
      agen: await world.site(workshop.id, { name: 'Atelier d’Agen', communeCode: '47001' }),
      marmande: await world.site(workshop.id, { name: 'Point de collecte de Marmande', kind: 'collection_point', communeCode: '47157' }),
      villeneuve: await world.site(centre.id, { name: 'Centre social de Villeneuve', kind: 'mediation_place', communeCode: '47323' }),
      boeUnpublished: await world.site(workshop.id, { name: 'Dépôt de Boé', communeCode: '47031' }),
    };
    await publishPlace(harness.database, sites.agen.id, { ...agen, activities: ['collects_donations', 'hands_over'] });
    await publishPlace(harness.database, sites.marmande.id, { activities: ['collects_donations'] });
    await publishPlace(harness.database, sites.villeneuve.id, { latitude: 44.4081, longitude: 0.7047, activities: ['trains_families'] });
    await otherActorPlace(harness.database, world.admin.organisationId, {
      name: 'Médiathèque de Boé',
      communeCode: '47031',
      commune: 'Boé',
      postalCode: '47550',
      services: [Service.MaitriseDesOutilsNumeriquesDuQuotidien],
    });
    await otherActorPlace(harness.database, world.admin.organisationId, {
      name: 'Ressourcerie de Bordeaux',
      communeCode: '33063',
      commune: 'Bordeaux',
      postalCode: '33000',
      services: [Service.MaterielInformatiqueAPrixSolidaire],
    });
  });
  afterAll(() => harness.close());

  it('points a device of Agen to Agen to give and get, and to the other actor of the agglomeration before the network’s place of the département to learn', async () => {
    const nearest = await nearestPlacesToSite(harness.database.db, sites.agen.id, ['give', 'get', 'learn']);
    expect(nearest.give).toMatchObject({ name: 'Atelier d’Agen', proximity: 'commune' });
    expect(nearest.get).toMatchObject({ name: 'Atelier d’Agen', proximity: 'commune' });
    expect(nearest.learn).toMatchObject({ name: 'Médiathèque de Boé', proximity: 'epci', network: false });
  });

  it('reads the site’s coordinates when it is published, its commune alone otherwise (an unpublished site of Boé)', async () => {
    const fromBoe = await nearestPlacesToSite(harness.database.db, sites.boeUnpublished.id, ['give', 'learn']);
    expect(fromBoe.give).toMatchObject({ name: 'Atelier d’Agen', proximity: 'epci', distanceKm: undefined });
    expect(fromBoe.learn).toMatchObject({ name: 'Médiathèque de Boé', proximity: 'commune' });
    const fromAgen = await nearestPlacesToSite(harness.database.db, sites.agen.id, ['give']);
    expect(fromAgen.give!.distanceKm).toBe(0);
  });

  it('looks past the département when it has no place for the need, and finds nothing when no place offers it', async () => {
    // From Bordeaux, nothing in Gironde collects: the nearest of the whole country, in Lot-et-Garonne.
    const fromBordeaux = await nearestPlaces(harness.database.db, { communeCode: '33063' }, ['give', 'get']);
    expect(fromBordeaux.give).toMatchObject({ proximity: 'elsewhere' });
    expect(['Atelier d’Agen', 'Point de collecte de Marmande']).toContain(fromBordeaux.give!.name);
    expect(fromBordeaux.get).toMatchObject({ name: 'Ressourcerie de Bordeaux', proximity: 'commune' });
    expect(await nearestPlacesToSite(harness.database.db, null, ['give'])).toEqual({});
  });
});
