import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { findDevice, lockDevice, presentDevice } from '../devices/devices.service.ts';
import { benchRoles } from '../devices/lifecycle.ts';
import { transitionDeviceAsRead } from '../devices/transitions.service.ts';
import { DomainError, forbidden, ValidationError } from '../errors.ts';
import { files } from '../files/files.schema.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { requireValidQualification } from '../qualifications/qualifications.service.ts';
import type { SanitizationLevel, WipeTechnique } from './policy.ts';
import { outstandingMedia } from './wipe-status.ts';
import { wipeRecords } from './wiping.schema.ts';

export type WipeInput = {
  mediumIndex: number;
  level: SanitizationLevel;
  technique: WipeTechnique;
  passes?: number;
  pattern?: string;
  toolName: string;
  toolVersion?: string;
  verification: 'none' | 'sampled' | 'full';
  result: 'passed' | 'failed';
  failureReason?: string;
  startedAt: Date;
  endedAt: Date;
};

/** The log a confirmed import refers to: a wipe log of the actor's organisation. */
export async function wipeLogFile(db: DbOrTx, actor: Actor, fileId: string) {
  const [file] = await db
    .select({ id: files.id })
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.kind, 'wipe_log'), eq(files.organisationId, actor.organisationId)));
  if (!file) throw new ValidationError([{ path: 'logFileId', message: 'No wipe log of your organisation has this id.' }]);
  return file;
}

/**
 * Records wipes of a device's media by a qualified operator. Every record is kept, failed or
 * insufficient ones included. When every medium is then sanitized, the device becomes `wiped`
 * in the same transaction, and its certificate is queued.
 */
export async function recordWipes(db: DbOrTx, actor: Actor, code: string, inputs: WipeInput[], logFileId?: string) {
  if (!benchRoles.includes(actor.role)) throw forbidden('Your role cannot record wipes.');
  return db.transaction(async (tx) => {
    const device = await lockDevice(tx, actor, code);
    await requireValidQualification(tx, actor, 'data_wiping');
    // Confirmed from a tool's log (POST .../wipes/nwipe-log), or typed by the operator.
    const source = logFileId ? { kind: 'nwipe_log', logFileId: (await wipeLogFile(tx, actor, logFileId)).id } : { kind: 'manual' };
    if (device.status !== 'collected' && device.status !== 'returned') {
      throw new DomainError(409, 'not_awaiting_wipe', `Wipes are recorded on collected or returned devices; this one is ${device.status}.`, {
        currentStatus: device.status,
      });
    }
    const fieldErrors = inputs.flatMap((input, index) => {
      if (!device.storageMedia[input.mediumIndex]) {
        return [{ path: `records.${index}.mediumIndex`, message: `This device has ${device.storageMedia.length} storage medium(s), numbered from 0.` }];
      }
      if (input.endedAt < input.startedAt) return [{ path: `records.${index}.endedAt`, message: 'The wipe ends after it starts.' }];
      return [];
    });
    if (fieldErrors.length > 0) throw new ValidationError(fieldErrors);
    const records = await tx
      .insert(wipeRecords)
      .values(
        inputs.map((input) => {
          const medium = device.storageMedia[input.mediumIndex]!;
          return {
            ...input,
            deviceId: device.id,
            mediumType: medium.type,
            mediumModel: medium.model,
            mediumSerial: medium.serialNumber,
            capacityGb: medium.capacityGb,
            operatorUserId: actor.userId,
            organisationId: actor.organisationId,
            source: source.kind,
            logFileId: source.logFileId,
          };
        }),
      )
      .returning();
    const outstanding = await outstandingMedia(tx, device);
    if (outstanding.length > 0 || device.storageMedia.length === 0) {
      return { records, wiped: false, device: presentDevice(device), outstanding };
    }
    const change = await transitionDeviceAsRead(tx, actor, device, { to: 'wiped' });
    await enqueueInOutbox(tx, 'wipe-certificates', [{ name: 'wipe-certificate.issue', payload: { eventId: change.event.id } }]);
    return { records, wiped: true, device: change.device, outstanding };
  });
}

export async function listWipeRecords(db: DbOrTx, actor: Actor, code: string) {
  const device = await findDevice(db, actor, code);
  const records = await db.select().from(wipeRecords).where(eq(wipeRecords.deviceId, device.id)).orderBy(asc(wipeRecords.createdAt));
  return { device: presentDevice(device), records, outstanding: await outstandingMedia(db, device) };
}
