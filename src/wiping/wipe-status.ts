import { and, asc, eq, gte } from 'drizzle-orm';
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
  const records = await db
    .select()
    .from(wipeRecords)
    .where(and(eq(wipeRecords.deviceId, device.id), gte(wipeRecords.endedAt, device.custodySince)))
    .orderBy(asc(wipeRecords.createdAt));
  return device.storageMedia.flatMap((medium, index) => {
    const own = records.filter((record) => record.mediumIndex === index);
    if (own.some((record) => shortfall(medium, record) === null)) return [];
    const last = own.at(-1);
    const needs = `needs a passed wipe at level ${minimumLevelByMedium[medium.type]} or its removal`;
    return [
      {
        mediumIndex: index,
        medium: describeMedium(medium),
        reason: last ? `${describeMedium(medium)} ${needs}: the last record says ${shortfall(medium, last)}.` : `${describeMedium(medium)} ${needs}.`,
      },
    ];
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
