import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import type { devices, StorageMedium } from '../devices/devices.schema.ts';
import { longDate, sanitizationLevelLabels, thisDeviceInFrench } from '../pages/fr.ts';
import type { Words } from '../status-machine.ts';
import { minimumLevelByMedium, shortfallInWords } from './policy.ts';
import { wipeRecords } from './wiping.schema.ts';

type Device = typeof devices.$inferSelect;

export const describeMedium = (medium: StorageMedium) =>
  [medium.type.toUpperCase(), medium.model, medium.serialNumber && `(${medium.serialNumber})`].filter(Boolean).join(' ');

/** What each medium still needs, with the reason in both languages. */
async function mediaToWipe(db: DbOrTx, device: Device) {
  const records = await db.select().from(wipeRecords).where(eq(wipeRecords.deviceId, device.id)).orderBy(asc(wipeRecords.createdAt));
  return device.storageMedia.flatMap((medium, index) => {
    const own = records.filter((record) => record.mediumIndex === index);
    const current = own.filter((record) => record.endedAt >= device.custodySince);
    if (current.some((record) => shortfallInWords(medium, record) === null)) return [];
    const last = current.at(-1);
    const level = minimumLevelByMedium[medium.type];
    const needs = {
      en: `${describeMedium(medium)} needs a passed wipe at level ${level} or its removal`,
      fr: `Le support ${describeMedium(medium)} doit avoir un effacement réussi au niveau « ${sanitizationLevelLabels[level]} », ou être retiré`,
    };
    const lastSays = last && shortfallInWords(medium, last);
    const reason: Words = lastSays
      ? { en: `${needs.en}: the last record says ${lastSays.en}.`, fr: `${needs.fr} : le dernier enregistrement indique que ${lastSays.fr}.` }
      : own.length > 0
        ? {
            en: `${needs.en}: its wipes date from before the device last changed hands (${device.custodySince.toISOString().slice(0, 10)}) and no longer count.`,
            fr: `${needs.fr} : ses effacements datent d’avant que l’équipement change de mains (le ${longDate(device.custodySince)}) et ne comptent plus.`,
          }
        : { en: `${needs.en}.`, fr: `${needs.fr}.` };
    return [{ mediumIndex: index, medium: describeMedium(medium), neededLevel: level, reason }];
  });
}

/**
 * What each storage medium still needs before the device counts as wiped: a passed record at the
 * policy's level, made since the device last changed hands (a device back from a household is
 * wiped again). Empty when every medium is done.
 */
export async function outstandingMedia(db: DbOrTx, device: Device) {
  return (await mediaToWipe(db, device)).map((medium) => ({ ...medium, reason: medium.reason.en }));
}

/** The `wipe_records_passed` guard, in words for the bench. */
export async function wipeGuard(db: DbOrTx, device: Device): Promise<Words | null> {
  if (device.benchChecks.includes('storage_unknown')) {
    return {
      en: `Nobody has recorded yet what storage this ${device.kind} has: record its disks first.`,
      fr: `Personne n’a encore noté quels supports de stockage a ${thisDeviceInFrench(device.kind)} : notez ses disques d’abord.`,
    };
  }
  if (device.storageMedia.length === 0) {
    return {
      en: `This ${device.kind} has no storage to wipe: start refurbishing it directly.`,
      fr: `Il n’y a aucun support de stockage à effacer sur ${thisDeviceInFrench(device.kind)} : passez directement au reconditionnement.`,
    };
  }
  const outstanding = await mediaToWipe(db, device);
  if (outstanding.length === 0) return null;
  return { en: outstanding.map((medium) => medium.reason.en).join(' '), fr: outstanding.map((medium) => medium.reason.fr).join(' ') };
}
