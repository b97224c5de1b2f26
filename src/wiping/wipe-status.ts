import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import type { devices, StorageMedium } from '../devices/devices.schema.ts';
import { minimumLevelByMedium, shortfall } from './policy.ts';
import { wipeRecords } from './wiping.schema.ts';

type Device = typeof devices.$inferSelect;

export const describeMedium = (medium: StorageMedium) =>
  [medium.type.toUpperCase(), medium.model, medium.serialNumber && `(${medium.serialNumber})`].filter(Boolean).join(' ');

/**
 * What each storage medium still needs before the device counts as wiped: a passed record at the
 * policy's level, made since the device last changed hands (a device back from a household is
 * wiped again). Empty when every medium is done.
 */
export async function outstandingMedia(db: DbOrTx, device: Device) {
  const records = await db.select().from(wipeRecords).where(eq(wipeRecords.deviceId, device.id)).orderBy(asc(wipeRecords.createdAt));
  return device.storageMedia.flatMap((medium, index) => {
    const own = records.filter((record) => record.mediumIndex === index);
    const current = own.filter((record) => record.endedAt >= device.custodySince);
    if (current.some((record) => shortfall(medium, record) === null)) return [];
    const last = current.at(-1);
    const needs = `${describeMedium(medium)} needs a passed wipe at level ${minimumLevelByMedium[medium.type]} or its removal`;
    const reason = last
      ? `${needs}: the last record says ${shortfall(medium, last)}.`
      : own.length > 0
        ? `${needs}: its wipes date from before the device last changed hands (${device.custodySince.toISOString().slice(0, 10)}) and no longer count.`
        : `${needs}.`;
    return [{ mediumIndex: index, medium: describeMedium(medium), neededLevel: minimumLevelByMedium[medium.type], reason }];
  });
}

/** The `wipe_records_passed` guard, in words for the bench. */
export async function wipeGuard(db: DbOrTx, device: Device): Promise<string | null> {
  if (device.benchChecks.includes('storage_unknown')) {
    return `Nobody has recorded yet what storage this ${device.kind} has: record its disks first.`;
  }
  if (device.storageMedia.length === 0) return `This ${device.kind} has no storage to wipe: start refurbishing it directly.`;
  const outstanding = await outstandingMedia(db, device);
  return outstanding.length === 0 ? null : outstanding.map((medium) => medium.reason).join(' ');
}
