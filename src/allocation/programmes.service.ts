import { and, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import type { DeviceKind } from '../devices/devices.schema.ts';
import { notFound, ValidationError } from '../errors.ts';
import { lookUpTerritory, type Territory } from '../geography/communes.ts';
import { programmes, trainingModules, type MinimumSpecs } from './allocation.schema.ts';
import { requireAllocationRight } from './rights.ts';

export type NewProgramme = {
  name: string;
  eligibilityCriteria: string[];
  deviceKinds: DeviceKind[];
  minimumSpecs: MinimumSpecs;
  trainingModuleId?: string;
  trainingValidForLaterRequests: boolean;
  reservationDays: number;
  territories: Territory[];
  yearlyQuota?: number;
};

/** Set by the coordinator; every territory must exist in the official geography. */
export async function createProgramme(db: DbOrTx, actor: Actor, input: NewProgramme) {
  requireAllocationRight(actor, 'set_up_programmes');
  const errors = input.territories.flatMap((territory, index) => {
    const lookup = lookUpTerritory(territory);
    return lookup.ok ? [] : [{ path: `territories.${index}.code`, message: lookup.message }];
  });
  if (input.trainingModuleId) {
    const [module] = await db.select({ id: trainingModules.id }).from(trainingModules).where(eq(trainingModules.id, input.trainingModuleId));
    if (!module) errors.push({ path: 'trainingModuleId', message: 'No training module has this id.' });
  }
  if (errors.length > 0) throw new ValidationError(errors);
  const [programme] = await db
    .insert(programmes)
    .values({
      ...input,
      organisationId: actor.organisationId,
      territories: input.territories.map((territory) => ({ ...territory, code: territory.code.toUpperCase() })),
    })
    .returning();
  return programme!;
}

/** Programmes are the network's offer: every signed-in partner may read them. */
export async function listProgrammes(db: DbOrTx) {
  return db.select().from(programmes).orderBy(programmes.name);
}

export async function getProgramme(db: DbOrTx, id: string) {
  const [programme] = await db
    .select()
    .from(programmes)
    .where(and(eq(programmes.id, id)));
  if (!programme) throw notFound('This programme');
  return programme;
}
