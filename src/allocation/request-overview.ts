import { desc, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { visibleDeviceById } from '../devices/devices.service.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { enrolments, handovers, trainingModules, trainingSessions } from './allocation.schema.ts';
import { getHousehold } from './households.service.ts';
import { getProgramme } from './programmes.service.ts';
import { getRequest } from './requests.service.ts';
import { upcomingSessions } from './training-offer.ts';

/**
 * Everything one request's page shows, each part read with the actor's rights: the request and its
 * history (visibleRequests, 404 otherwise), its household (visibleHouseholds), its programme (the
 * network's offer), the device it names through the devices' own rule (visibleDevices: the device
 * belongs to the workshop that holds it; a mediator sees it while it is held for one of its
 * families), the training the programme requires with the family's latest booking on it, the
 * handover, and, while a device is reserved, the sessions of that training to book.
 */
export async function requestOverview(db: DbOrTx, actor: Actor, id: string) {
  const request = await getRequest(db, actor, id);
  const [household, programme] = await Promise.all([getHousehold(db, actor, request.householdId), getProgramme(db, request.programmeId)]);
  const moduleId = programme.trainingModuleId;
  const [device, [enrolment], [handover], [module], sessions] = await Promise.all([
    request.reservedDeviceId ? visibleDeviceById(db, actor, request.reservedDeviceId) : undefined,
    db
      .select({ status: enrolments.status, startsAt: trainingSessions.startsAt, site: sites.name, address: sites.address })
      .from(enrolments)
      .innerJoin(trainingSessions, eq(trainingSessions.id, enrolments.sessionId))
      .innerJoin(sites, eq(sites.id, trainingSessions.siteId))
      .where(eq(enrolments.requestId, request.id))
      .orderBy(desc(enrolments.createdAt))
      .limit(1),
    db.select({ handedOverAt: handovers.handedOverAt, receivedByName: handovers.receivedByName }).from(handovers).where(eq(handovers.requestId, request.id)),
    moduleId ? db.select({ id: trainingModules.id, title: trainingModules.title }).from(trainingModules).where(eq(trainingModules.id, moduleId)) : [],
    request.status === 'reserved' && moduleId ? upcomingSessions(db, { moduleId }) : [],
  ]);
  return { request, household, programme, device, enrolment, handover, module, sessions };
}
