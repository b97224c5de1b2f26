import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { trainingModules } from './allocation.schema.ts';
import { listTrainingSessions } from './training.service.ts';

/**
 * The training sessions to come (of one module, if asked), each with its module's title and
 * length and the place it is held, and the places left. This is the network's offer, which every
 * signed-in partner reads (as GET /api/training-sessions): a family may be booked on a session at
 * any organisation's place, so the place's name and address are part of the offer.
 */
export async function upcomingSessions(db: DbOrTx, filter: { moduleId?: string } = {}) {
  const sessions = await listTrainingSessions(db, filter);
  if (sessions.length === 0) return [];
  const [modules, places] = await Promise.all([
    db
      .select({ id: trainingModules.id, title: trainingModules.title, durationMinutes: trainingModules.durationMinutes })
      .from(trainingModules)
      .where(inArray(trainingModules.id, [...new Set(sessions.map((session) => session.moduleId))])),
    db
      .select({ id: sites.id, name: sites.name, address: sites.address })
      .from(sites)
      .where(inArray(sites.id, [...new Set(sessions.map((session) => session.siteId))])),
  ]);
  const moduleOf = new Map(modules.map((module) => [module.id, module]));
  const placeOf = new Map(places.map((place) => [place.id, place]));
  // Both exist: a session references its module and its site.
  return sessions.map((session) => ({ ...session, module: moduleOf.get(session.moduleId)!, place: placeOf.get(session.siteId)! }));
}

/** The training modules of the network, by title: what a programme may require before the handover. */
export async function trainingModuleChoices(db: DbOrTx) {
  return db
    .select({ id: trainingModules.id, title: trainingModules.title, durationMinutes: trainingModules.durationMinutes })
    .from(trainingModules)
    .orderBy(trainingModules.title);
}
