import { and, eq } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { devices } from '../devices/devices.schema.ts';
import type { WeeeChannel } from '../devices/weee-channels.ts';
import { findDevice } from '../devices/devices.service.ts';
import { benchRoles } from '../devices/lifecycle.ts';
import { transitionDevice } from '../devices/transitions.service.ts';
import { DomainError, forbidden, notFound, notFoundAsField, ValidationError } from '../errors.ts';
import { getSite } from '../organisations/sites.service.ts';
import { requireValidQualification } from '../qualifications/qualifications.service.ts';
import { spareParts, workOrders, type OperatingSystem, type PartFitted, type Specs } from './refurbishment.schema.ts';
import { checklistProblems, suggestGrade, type Checklist, type Grade } from './rules.ts';

type Device = typeof devices.$inferSelect;
export type WorkOrder = typeof workOrders.$inferSelect;

/** Work orders are the organisation's that opened them at one of its sites; the coordinator sees every one. */
const visibleWorkOrders = (actor: Actor) => (seesWholeNetwork(actor) ? undefined : eq(workOrders.organisationId, actor.organisationId));

/** Facts the grade is suggested from: what the work order recorded, and the device's storage. */
function gradingFacts(device: Device, order: Pick<WorkOrder, 'checklist' | 'specs' | 'cosmetic'>) {
  const storageType = device.storageMedia.map((medium) => medium.type).includes('hdd') ? 'hdd' : device.storageMedia[0]?.type;
  return {
    ramGb: order.specs.ramGb,
    storageGb: order.specs.storageGb,
    storageType,
    batteryHealthPercent: order.checklist.batteryHealthPercent,
    cosmetic: order.cosmetic ?? undefined,
  };
}

const presentOrder = (device: Device, order: WorkOrder) => ({
  ...order,
  suggestion: suggestGrade(gradingFacts(device, order)),
  checklistProblems: checklistProblems(device.kind, order.checklist),
});

/**
 * Opens a work order on a device, by someone qualified for refurbishment, at one of their sites:
 * the device goes to `refurbishing` in the same transaction (a device already there, after a
 * fault found on the shelf, just gets its new work order).
 */
export async function openWorkOrder(db: DbOrTx, actor: Actor, code: string, input: { siteId?: string; need?: string }) {
  if (!benchRoles.includes(actor.role)) throw forbidden('Your role cannot refurbish devices.');
  return db.transaction(async (tx) => {
    const device = await findDevice(tx, actor, code);
    await requireValidQualification(tx, actor, 'refurbishment');
    const site = await getSite(tx, actor, input.siteId ?? device.siteId).catch(notFoundAsField('siteId', 'No site of yours has this id.'));
    const [order] = await tx
      .insert(workOrders)
      .values({ deviceId: device.id, organisationId: site.organisationId, siteId: site.id, need: input.need, openedByUserId: actor.userId })
      .onConflictDoNothing()
      .returning();
    if (!order) throw new DomainError(409, 'work_order_open', 'This device already has an open work order: continue that one.');
    if (device.status !== 'refurbishing') {
      await transitionDevice(tx, actor, { code, to: 'refurbishing', version: device.version, siteId: site.id });
    }
    const [current] = await tx.select().from(devices).where(eq(devices.id, device.id));
    return presentOrder(current!, order);
  });
}

async function orderForActor(db: DbOrTx, actor: Actor, id: string) {
  const [row] = await db
    .select({ order: workOrders, device: devices })
    .from(workOrders)
    .innerJoin(devices, eq(devices.id, workOrders.deviceId))
    .where(and(eq(workOrders.id, id), visibleWorkOrders(actor)));
  if (!row) throw notFound('This work order');
  return row;
}

/** The device's open work order (a device has one at most), when the actor may see it: the checklist the bench fills in. */
export async function openWorkOrderOf(db: DbOrTx, actor: Actor, deviceId: string): Promise<WorkOrder | undefined> {
  const [order] = await db
    .select()
    .from(workOrders)
    .where(and(eq(workOrders.deviceId, deviceId), eq(workOrders.status, 'open'), visibleWorkOrders(actor)));
  return order;
}

export async function getWorkOrder(db: DbOrTx, actor: Actor, id: string) {
  const { order, device } = await orderForActor(db, actor, id);
  return presentOrder(device, order);
}

export type WorkOrderChanges = {
  checklist?: Checklist;
  partsFitted?: PartFitted[];
  operatingSystem?: OperatingSystem;
  specs?: Specs;
  cosmetic?: Grade;
  minutesSpent?: number;
};

/** Saves what the bench recorded so far; answers the grade the rules suggest from it. */
export async function updateWorkOrder(db: DbOrTx, actor: Actor, id: string, changes: WorkOrderChanges) {
  return db.transaction(async (tx) => {
    const { order, device } = await orderForActor(tx, actor, id);
    if (order.status !== 'open') throw new DomainError(409, 'work_order_closed', `This work order is ${order.status}.`);
    await requireValidQualification(tx, actor, 'refurbishment');
    const [updated] = await tx
      .update(workOrders)
      .set({
        ...changes,
        checklist: changes.checklist ? { ...order.checklist, ...changes.checklist } : undefined,
        specs: changes.specs ? { ...order.specs, ...changes.specs } : undefined,
      })
      .where(eq(workOrders.id, id))
      .returning();
    return presentOrder(device, updated!);
  });
}

/**
 * Completes a work order and puts the device in stock at a site: checklist passed, grade confirmed
 * or overridden with a reason, specs recorded, and the wipe holding since the last custody change.
 */
export async function completeWorkOrder(db: DbOrTx, actor: Actor, id: string, input: { grade?: Grade; gradeOverrideReason?: string; siteId?: string }) {
  return db.transaction(async (tx) => {
    const { order, device } = await orderForActor(tx, actor, id);
    if (order.status !== 'open') throw new DomainError(409, 'work_order_closed', `This work order is ${order.status}.`);
    await requireValidQualification(tx, actor, 'refurbishment');
    const suggestion = suggestGrade(gradingFacts(device, order));
    const grade = input.grade ?? suggestion.grade;
    if (grade !== suggestion.grade && !input.gradeOverrideReason) {
      throw new ValidationError([
        {
          path: 'gradeOverrideReason',
          message: `The rules suggest ${suggestion.grade} (${suggestion.reasons.join(', ') || 'nothing lowers it'}); say why you give ${grade}.`,
        },
      ]);
    }
    await tx
      .update(workOrders)
      .set({
        status: 'completed',
        grade,
        suggestedGrade: suggestion.grade,
        gradeOverrideReason: input.gradeOverrideReason,
        completedByUserId: actor.userId,
        closedAt: new Date(),
      })
      .where(eq(workOrders.id, id));
    await tx.update(devices).set({ grade, specs: order.specs }).where(eq(devices.id, device.id));
    // The grade travels in the event: the indicators count refurbished devices by grade from it.
    const change = await transitionDevice(tx, actor, {
      code: device.assetCode,
      to: 'ready',
      version: device.version,
      siteId: input.siteId ?? order.siteId,
      payload: { grade, workOrderId: id },
    });
    return { workOrder: presentOrder(device, { ...order, status: 'completed', grade }), device: change.device };
  });
}

/**
 * A device beyond repair: the work order closes, and the device is dismantled (its harvested
 * parts go to the spare-parts stock of the site) or recycled through a WEEE channel.
 */
export async function abandonWorkOrder(
  db: DbOrTx,
  actor: Actor,
  id: string,
  input:
    | { outcome: 'dismantled'; parts: { kind: string; description: string }[] }
    | { outcome: 'recycled'; deeeChannel: WeeeChannel; deeeChannelName?: string; note?: string },
) {
  return db.transaction(async (tx) => {
    const { order, device } = await orderForActor(tx, actor, id);
    if (order.status !== 'open') throw new DomainError(409, 'work_order_closed', `This work order is ${order.status}.`);
    await tx.update(workOrders).set({ status: 'abandoned', completedByUserId: actor.userId, closedAt: new Date() }).where(eq(workOrders.id, id));
    if (input.outcome === 'dismantled' && input.parts.length > 0) {
      await tx
        .insert(spareParts)
        .values(input.parts.map((part) => ({ ...part, organisationId: order.organisationId, siteId: order.siteId, fromDeviceId: device.id })));
    }
    const change = await transitionDevice(tx, actor, {
      code: device.assetCode,
      to: input.outcome,
      version: device.version,
      payload: input.outcome === 'recycled' ? { deeeChannel: input.deeeChannel, deeeChannelName: input.deeeChannelName } : { parts: input.parts },
      note: input.outcome === 'recycled' ? input.note : undefined,
    });
    return { device: change.device };
  });
}
