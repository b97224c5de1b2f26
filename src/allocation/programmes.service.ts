import { and, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { notFound, ValidationError } from '../errors.ts';
import { programmes, trainingModules } from './allocation.schema.ts';
import type { ProgrammeInput } from './programmes.input.ts';
import { requireAllocationRight } from './rights.ts';

/** Set by the coordinator; its territories exist in the official geography (the input schema checks them). */
export async function createProgramme(db: DbOrTx, actor: Actor, input: ProgrammeInput) {
  requireAllocationRight(actor, 'set_up_programmes');
  if (input.trainingModuleId) {
    const [module] = await db.select({ id: trainingModules.id }).from(trainingModules).where(eq(trainingModules.id, input.trainingModuleId));
    if (!module) {
      throw new ValidationError([
        { path: 'trainingModuleId', message: 'No training module has this id.', french: 'Cette formation n’existe pas : choisissez-en une dans la liste.' },
      ]);
    }
  }
  const [programme] = await db
    .insert(programmes)
    .values({ ...input, organisationId: actor.organisationId })
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
