import { readFileSync } from 'node:fs';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import type { FileStore } from '../files/file-store.ts';
import { runPlaceImport, startPlaceImport } from '../places/places.import.ts';

/**
 * A neighbour network's places around Agen, in the national schema, as its coordinator would
 * import them: médiathèques, France Services, EPN, a centre social, a ressourcerie, shown on
 * `/lieux` as "other actors". Two of its lines are wrong (hours in words, a pivot too short), so
 * the import's page shows what a refused line looks like.
 */
export const demoNeighbourPlacesFile = new URL('./demo-neighbour-places.csv', import.meta.url);

export async function importDemoNeighbourPlaces(db: DbOrTx, fileStore: FileStore, admin: Actor) {
  const job = await startPlaceImport(db, fileStore, admin, { filename: 'lieux-reseau-garonne-numerique.csv', content: readFileSync(demoNeighbourPlacesFile) });
  // Run now, in the seed's transaction, so that /lieux shows them as soon as the seed commits; the
  // worker's delivery of the same job then finds it done.
  await runPlaceImport(db, fileStore, job.id);
}
