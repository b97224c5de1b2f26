import { and, eq, or } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { roleLabels } from '../auth/roles.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import type { ErrorCode } from '../error-codes.ts';
import { DomainError, forbidden, notFound, ValidationError } from '../errors.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { deviceStatusLabels } from '../pages/fr.ts';
import { compareAndSet, compareAndSetEach } from '../db/compare-and-set.ts';
import { inIdList } from '../db/id-list.ts';
import { failedGuards, failedGuardsOfEach, findTransition, guardsFailed, nextStatuses, notAllowedInFrench, transitionNotAllowed } from '../status-machine.ts';
import { formatAssetCode } from './asset-code.ts';
import { appendDeviceEvent, appendDeviceEvents } from './devices.jobs.ts';
import { devices } from './devices.schema.ts';
import { findDevice, presentDevice, visibleDevices, type DeviceRow } from './devices.service.ts';
import { guards } from './guards.ts';
import { benchRoles, terminalStatuses, transitions, type DeviceStatus } from './lifecycle.ts';

/**
 * `version` is the device version the person saw (on the scan screen, in a batch): when given,
 * the change applies only to that version, so acting on a stale screen is refused too.
 */
export type TransitionInput = {
  code: string;
  version?: number;
  to: DeviceStatus;
  siteId?: string;
  note?: string;
  payload?: Record<string, unknown>;
};

/**
 * The leave an equipment request gives the person acting for it (granted by the allocation module,
 * once it checked they may act on the request): the steps the lifecycle table marks `requestStep`
 * (reserve, release, hand over), on the one device the request names, wherever it is in the
 * network. Nothing else; the person's own role is still checked, and the event names them.
 */
export type OnBehalfOfRequest = { onBehalfOfRequest: { requestId: string; deviceId: string } };

/** Where a device stands, as every refusal about it says. */
const standing = (device: DeviceRow) => ({
  device: formatAssetCode(device.assetCode),
  currentStatus: device.status,
  allowedNextStatuses: nextStatuses(transitions, device),
});

const refusal = (device: DeviceRow, code: ErrorCode, message: string) => new DomainError(409, code, message, standing(device));

/**
 * A destination site for a device. Sending a device to another organisation's site hands it over
 * to them (custody changes), so any existing site is accepted, not only the actor's own.
 */
async function destinationSite(tx: Tx, siteId: string) {
  const [site] = await tx.select().from(sites).where(eq(sites.id, siteId));
  if (!site) throw new ValidationError([{ path: 'siteId', message: 'No site has this id.' }]);
  return site;
}

/** Where the device will be after the change, and whether it changes hands on the way. */
async function placement(tx: Tx, device: DeviceRow, siteId: string | undefined, now: Date) {
  if (!siteId || siteId === device.siteId) return { siteId: device.siteId, organisationId: device.organisationId, custodySince: device.custodySince };
  const site = await destinationSite(tx, siteId);
  const changesHands = site.organisationId !== device.organisationId;
  return { siteId: site.id, organisationId: site.organisationId, custodySince: changesHands ? now : device.custodySince };
}

async function readDeviceAt(tx: Tx, actor: Actor, code: string, version: number | undefined, requestDeviceId?: string) {
  const device = await findDevice(tx, actor, code, requestDeviceId);
  if (version !== undefined && version !== device.version) {
    throw refusal(device, 'device_changed', 'This device changed since you looked at it. Scan it again to see where it stands.');
  }
  return device;
}

/**
 * Writes the new state only if nobody changed the device since it was read (compare-and-set on
 * version): of two people acting on one device at once, one is told the device changed.
 */
const changeDevice = (tx: Tx, device: DeviceRow, changes: Partial<DeviceRow>) =>
  compareAndSet(tx, devices, device, changes, () =>
    refusal(device, 'device_changed', 'Someone changed this device at the same moment. Scan it again to see where it stands.'),
  );

/**
 * The row of the lifecycle table for this step, once the person may take it: the table allows it
 * from where the device stands, an equipment request's leave covers it, and the person's role does.
 */
function allowedTransition(actor: Actor, device: DeviceRow, input: Pick<TransitionInput, 'to' | 'payload'>, permission?: OnBehalfOfRequest) {
  const transition = findTransition(transitions, device, input.to);
  if (!transition) {
    const next = nextStatuses(transitions, device);
    throw transitionNotAllowed(standing(device), {
      en: terminalStatuses.includes(device.status)
        ? `This device is ${device.status}: that is final, nothing more can happen to it.`
        : `A ${device.status} device cannot become ${input.to}. From ${device.status} it can become: ${next.join(', ')}.`,
      fr: notAllowedInFrench(deviceStatusLabels, device.status, next),
    });
  }
  if (permission && !transition.requestStep) {
    throw forbidden(`An equipment request cannot "${transition.action}": do it from the device.`);
  }
  if (permission && input.payload?.requestId !== permission.onBehalfOfRequest.requestId) {
    throw forbidden('A step taken for an equipment request records that request, and no other.');
  }
  if (!transition.roles.includes(actor.role)) {
    throw forbidden(`As a ${roleLabels[actor.role]} you cannot do this ("${transition.action}").`);
  }
  return transition;
}

/**
 * Moves a device from one status to another, as the lifecycle table allows: in one transaction,
 * read the device, check the rule, the role and every guard, compare-and-set the status, append
 * one event and its outbox job. Any refusal throws and leaves the database as it was.
 */
export async function transitionDevice(db: DbOrTx, actor: Actor, input: TransitionInput, now = new Date(), permission?: OnBehalfOfRequest) {
  return db.transaction(async (tx) => {
    const device = await readDeviceAt(tx, actor, input.code, input.version, permission?.onBehalfOfRequest.deviceId);
    return transitionDeviceAsRead(tx, actor, device, input, now, permission);
  });
}

/**
 * transitionDevice on a device the caller has just read in its own transaction (recordWipes reads
 * it to record the wipes first): the same checks and guards, and the compare-and-set on the version
 * the caller read, so a change since then is refused as "device changed".
 */
export async function transitionDeviceAsRead(
  tx: Tx,
  actor: Actor,
  device: DeviceRow,
  input: Omit<TransitionInput, 'code' | 'version'>,
  now = new Date(),
  permission?: OnBehalfOfRequest,
) {
  const transition = allowedTransition(actor, device, input, permission);
  const context = { tx, actor, device, siteId: input.siteId, note: input.note, payload: input.payload ?? {} };
  const failed = await failedGuards(guards, transition.guards, context);
  if (failed.length > 0) throw guardsFailed(standing(device), failed);
  const place = await placement(tx, device, input.siteId, now);
  if (transition.changesHands) place.custodySince = now;
  const updated = await changeDevice(tx, device, { status: input.to, ...place });
  const event = await appendDeviceEvent(tx, {
    deviceId: device.id,
    type: 'transition',
    fromStatus: device.status,
    toStatus: input.to,
    fromSiteId: device.siteId === place.siteId ? null : device.siteId,
    siteId: place.siteId,
    actorUserId: actor.userId,
    organisationId: actor.organisationId,
    note: input.note,
    payload: input.payload ?? {},
    occurredAt: now,
  });
  return { device: presentDevice(updated), event };
}

/**
 * One step of a batch: the device by id, what it becomes where it stands (a batch moves no device
 * between sites), and the request it is taken for, if any.
 */
export type DeviceStep = { deviceId: string; to: DeviceStatus; note?: string; payload?: Record<string, unknown>; permission?: OnBehalfOfRequest };

/**
 * transitionDevice for many devices in the caller's transaction (the matching round reserves a
 * thousand at a time), step for step the same: read the devices, check for each the rule, the
 * leave, the role and every guard, compare-and-set them all, append their events and outbox jobs.
 * Each stage is a statement or two for the whole batch, not per device. Any refusal throws, and
 * the caller's transaction takes back the whole batch. The caller locks the devices if it must.
 * Returns the devices as moved (rows, for the caller to present) and their events' ids.
 */
export async function transitionDevices(tx: Tx, actor: Actor, steps: readonly DeviceStep[], now = new Date()) {
  if (steps.length === 0) return [];
  // A request's leave reaches the device it names wherever it is (as readDeviceAt); other steps, the devices the actor sees.
  const forRequest = (step: DeviceStep) => step.permission?.onBehalfOfRequest.deviceId === step.deviceId;
  const reached = steps.filter(forRequest).map((step) => step.deviceId);
  const others = steps.filter((step) => !forRequest(step)).map((step) => step.deviceId);
  const found = await tx
    .select()
    .from(devices)
    .where(
      or(
        reached.length > 0 ? inIdList(devices.id, reached) : undefined,
        others.length > 0 ? and(inIdList(devices.id, others), visibleDevices(actor)) : undefined,
      ),
    );
  const byId = new Map(found.map((device) => [device.id, device]));
  const checked = steps.map((step) => {
    const device = byId.get(step.deviceId);
    if (!device) throw notFound('This device');
    const transition = allowedTransition(actor, device, step, step.permission);
    return { step, device, transition, context: { tx, actor, device, note: step.note, payload: step.payload ?? {} } };
  });
  const failed = await failedGuardsOfEach(
    guards,
    checked.map(({ transition, context }) => ({ names: transition.guards, context })),
  );
  const refused = failed.findIndex((failures) => failures.length > 0);
  if (refused >= 0) throw guardsFailed(standing(checked[refused]!.device), failed[refused]!);
  const updated = await compareAndSetEach(
    tx,
    devices,
    checked.map(({ step, device, transition }) => ({
      row: device,
      set: { status: step.to, custodySince: transition.changesHands ? now : device.custodySince },
    })),
    (row) => refusal(byId.get(row.id)!, 'device_changed', 'Someone changed this device at the same moment. Scan it again to see where it stands.'),
  );
  const eventIds = await appendDeviceEvents(
    tx,
    checked.map(({ step, device }) => ({
      deviceId: device.id,
      type: 'transition',
      fromStatus: device.status,
      toStatus: step.to,
      fromSiteId: null,
      siteId: device.siteId,
      actorUserId: actor.userId,
      organisationId: actor.organisationId,
      note: step.note,
      payload: step.payload ?? {},
      occurredAt: now,
    })),
  );
  return updated.map((device, index) => ({ device, eventId: eventIds[index]! }));
}

/** A change of place without a change of status: an event of its own, with custody following the site. */
export async function moveDevice(db: DbOrTx, actor: Actor, input: { code: string; version?: number; siteId: string; note?: string }, now = new Date()) {
  return db.transaction(async (tx) => {
    const device = await readDeviceAt(tx, actor, input.code, input.version);
    if (!benchRoles.includes(actor.role)) {
      throw forbidden(`As a ${roleLabels[actor.role]} you cannot move devices.`);
    }
    if (terminalStatuses.includes(device.status)) {
      throw refusal(device, 'device_terminal', `This device is ${device.status}: it no longer moves between sites.`);
    }
    if (input.siteId === device.siteId) {
      throw refusal(device, 'already_there', 'The device is already at this site.');
    }
    const place = await placement(tx, device, input.siteId, now);
    const updated = await changeDevice(tx, device, place);
    const event = await appendDeviceEvent(tx, {
      deviceId: device.id,
      type: 'move',
      fromStatus: device.status,
      toStatus: device.status,
      fromSiteId: device.siteId,
      siteId: place.siteId,
      actorUserId: actor.userId,
      organisationId: actor.organisationId,
      note: input.note,
      occurredAt: now,
    });
    return { device: presentDevice(updated), event };
  });
}
