import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/client.ts';
import { sitePlaceInput } from '../../src/places/places.input.ts';
import { externalPlaces, sitePlaces } from '../../src/places/places.schema.ts';

/*
 * Places for the tests of /lieux and of the nearest-place rule: a site of the network published
 * with the API's input schema, and another actor's place as an import leaves it (written here
 * directly: the import has its own tests).
 */

// A SIRET whose check digit holds (Luhn), as ANCT's model requires.
export const testPivot = '81234567800013';

export async function publishPlace(database: Database, siteId: string, place: Record<string, unknown> = {}) {
  await database.db.insert(sitePlaces).values({ siteId, ...sitePlaceInput.parse({ pivot: testPivot, ...place }) });
}

export async function otherActorPlace(
  database: Database,
  importedBy: string,
  place: { name: string; communeCode: string | null; commune: string; postalCode: string } & Partial<typeof externalPlaces.$inferInsert>,
) {
  const [row] = await database.db
    .insert(externalPlaces)
    .values({
      externalId: `test-${randomBytes(5).toString('hex')}`,
      address: '1 place de la Mairie',
      pivot: '79845612300016',
      source: 'Cartographie nationale des lieux d’inclusion numérique',
      sourceUpdatedOn: '2026-11-02',
      importedBy,
      ...place,
    })
    .returning();
  return row!;
}
