import type { StorageMedium } from '../devices/devices.schema.ts';
import type { Words } from '../status-machine.ts';

/**
 * NIST SP 800-88 Rev. 1 sanitization: clear (overwrite through the normal interface), purge
 * (techniques that reach every cell: ATA/NVMe sanitize, crypto erase, block erase), destroy.
 */
export const sanitizationLevels = ['clear', 'purge', 'destroy'] as const;
export type SanitizationLevel = (typeof sanitizationLevels)[number];

export const wipeTechniques = [
  'overwrite',
  'ata_secure_erase',
  'nvme_sanitize',
  'nvme_format',
  'crypto_erase',
  'block_erase',
  'physical_destruction',
  'storage_removed',
] as const;
export type WipeTechnique = (typeof wipeTechniques)[number];

export const verificationMethods = ['none', 'sampled', 'full'] as const;
export type VerificationMethod = (typeof verificationMethods)[number];

/**
 * The network's minimum per media type, as data. Flash media (SSD, NVMe, eMMC) remap blocks
 * behind the controller, so an overwrite does not reach every cell (NIST SP 800-88 §2.5): they need
 * purge. A hard disk is cleared by one overwrite pass. Unknown media are treated as flash.
 */
export const minimumLevelByMedium: Record<StorageMedium['type'], SanitizationLevel> = {
  hdd: 'clear',
  ssd: 'purge',
  nvme: 'purge',
  emmc: 'purge',
  other: 'purge',
};

/** Taking the storage out of the device, or destroying it, leaves no data to sanitize. */
const removesTheMedium: readonly WipeTechnique[] = ['physical_destruction', 'storage_removed'];

export type WipeOutcome = { level: SanitizationLevel; technique: WipeTechnique; result: 'passed' | 'failed' };

/** Null when this record sanitizes the medium as the policy asks; otherwise what it lacks, in both languages. */
export function shortfallInWords(medium: Pick<StorageMedium, 'type'>, record: WipeOutcome): Words | null {
  if (record.result !== 'passed') return { en: 'the wipe failed', fr: 'l’effacement a échoué' };
  if (removesTheMedium.includes(record.technique)) return null;
  const needed = minimumLevelByMedium[medium.type];
  if (sanitizationLevels.indexOf(record.level) >= sanitizationLevels.indexOf(needed)) return null;
  return {
    en: `${record.level} is below the ${needed} this network requires for ${medium.type.toUpperCase()}`,
    fr: `le niveau « ${sanitizationLevelLabels[record.level]} » est en dessous du niveau « ${sanitizationLevelLabels[needed]} » que le réseau exige pour un support ${medium.type.toUpperCase()}`,
  };
}

/** Null when this record sanitizes the medium as the policy asks; otherwise what it lacks. */
export const shortfall = (medium: Pick<StorageMedium, 'type'>, record: WipeOutcome): string | null => shortfallInWords(medium, record)?.en ?? null;

/** The levels as the pages and certificates name them. */
export const sanitizationLevelLabels: Record<SanitizationLevel, string> = { clear: 'Effacement (Clear)', purge: 'Purge', destroy: 'Destruction (Destroy)' };
