/**
 * What an nwipe log or certificate says about one wiped drive, in the vocabulary of Boucle's wipe
 * records (NIST SP 800-88 Rev. 1: sanitization level, technique, verification) and of
 * `storageTypes` in devices.schema.ts. Shared by nwipe-log.ts and nwipe-certificate.ts.
 */
import type { StorageMedium } from '../devices/devices.schema.ts';
import type { LocalDateTime, LogEra } from './nwipe-lines.ts';
import type { SanitizationLevel, verificationMethods, WipeTechnique } from './policy.ts';
import { lookupTable } from '../lookup.ts';

export type { LocalDateTime, LogEra };

/** nwipe's own verify setting: `--verify=off|last|all`, `NV`/`VL`/`VA` in the summary footer (FORMAT.md §3c). */
export type NwipeVerification = 'none' | 'last_pass' | 'all_passes' | 'unknown';

export type NwipeDrive = {
  /** `/dev/sda`. Absent for a certificate, whose first page does not name it (FORMAT.md §4). */
  device?: string;
  model?: string;
  serial?: string;
  /** As nwipe names it: `ATA`, `ATA-SSD`, `USB`, `NVME`... (FORMAT.md §2, `Found` line). */
  bus?: string;
  capacityBytes?: number;
  /** nwipe's rounded size text, `250 GB`, when the exact byte count is not logged. */
  capacityText?: string;
  /** `unknown` unless the log names the medium: nwipe says `ATA` for SSDs too (fixture shredos-failure-1.log). */
  mediaType: StorageMedium['type'] | 'unknown';
  /** As nwipe labels it: `DoD Short`, `PRNG Stream`, `Fill With Zeros` (older: `Zero Fill`)... */
  method?: string;
  /** nwipe only overwrites; it never issues ATA secure erase, NVMe sanitize or a crypto erase. */
  technique: Extract<WipeTechnique, 'overwrite'>;
  pattern?: 'random' | 'zeros' | 'ones' | 'method_defined';
  rounds?: number;
  passesPerRound?: number;
  /** rounds × passes per round, not counting the blanking pass nor verification reads. */
  passes?: number;
  /** A final pass of zeros after the method ("blanking"). */
  blanking?: boolean;
  verification: NwipeVerification;
  nistVerification?: Exclude<(typeof verificationMethods)[number], 'sampled'>;
  /**
   * Overwriting through the drive's interface is NIST SP 800-88 "clear" whatever the medium: on
   * SSD, NVMe and eMMC it cannot reach spare and remapped cells, so it never counts as "purge".
   */
  sanitizationLevel: Extract<SanitizationLevel, 'clear'>;
  /** Wall-clock times of the wiping machine, no time zone (FORMAT.md §2). */
  startedAt?: LocalDateTime;
  endedAt?: LocalDateTime;
  /** Only when a time zone was given: the same instants in UTC, `2020-06-17T17:31:37Z`. */
  startedAtUtc?: string;
  endedAtUtc?: string;
  durationSeconds?: number;
  /**
   * `progress_lines`: the drive's own first and last wipe lines. `summary_table`: the end is when
   * the summary was printed, after the last drive finished, and the start is that minus the
   * drive's duration, so both are approximate for a drive that finished before the others.
   */
  timesFrom?: 'progress_lines' | 'summary_table' | 'certificate';
  /** `unknown` is never a pass: the log does not show how the wipe ended. */
  result: 'passed' | 'failed' | 'unknown';
  /** For `failed`: what shows it, quoting the log. For `unknown`: why the result cannot be read. */
  reasons: string[];
  /** What the operator should see before confirming (anonymised serial, errors before the wipe...). */
  notes: string[];
};

export type NwipeTool = { name: 'nwipe' | 'ShredOS'; version?: string; nwipeVersion?: string };

/** One start of nwipe: a log file is appended to, never truncated, so it may hold several (FORMAT.md §1). */
export type NwipeRun = {
  tool: NwipeTool;
  /** From the line prefix (FORMAT.md §2); absent for a certificate. */
  era?: LogEra;
  startedAt?: LocalDateTime;
  endedAt?: LocalDateTime;
  /** nwipe's last word on the run, e.g. `Nwipe successfully completed. See summary table for details.` */
  closingMessage?: string;
  drives: NwipeDrive[];
  /** Error lines that name no drive, and similar context. */
  notes: string[];
};

export type NwipeParse = { ok: true; source: 'log' | 'certificate'; runs: NwipeRun[] } | { ok: false; reason: string };

export type NwipeParseOptions = {
  /** IANA zone of the wiping machine's clock, e.g. `Europe/Paris`, to also give times in UTC. */
  timeZone?: string;
};

/**
 * NIST SP 800-88 Rev. 1 §4.7 distinguishes full verification from representative sampling. nwipe
 * never samples: "verify last" reads back the whole device after the last pass and compares every
 * byte with what was written, which is a full verification of the final state; "verify all" does
 * that after every pass. So both are `full`, "off" is `none`, and `sampled` never comes from nwipe.
 */
export const nistVerificationOf: Record<NwipeVerification, NwipeDrive['nistVerification']> = {
  none: 'none',
  last_pass: 'full',
  all_passes: 'full',
  unknown: undefined,
};

/** Method labels of src/method.c (FORMAT.md §3c) and what they write; the others mix fixed and random patterns. */
const patternByMethod = lookupTable<NwipeDrive['pattern']>({
  'PRNG Stream': 'random',
  'Fill With Zeros': 'zeros',
  'Zero Fill': 'zeros',
  'Quick Erase': 'zeros',
  'Fill With Ones': 'ones',
});

/** `Verify Zeros (0x00)`, `Verify Ones  (0xFF)`, older `Verify Blank`: these read, they do not write. */
export const isVerifyOnlyMethod = (method: string | undefined) => method !== undefined && /^Verify /.test(method);

function mediaTypeOf(device?: string, bus?: string, model?: string): NwipeDrive['mediaType'] {
  if (device?.startsWith('/dev/nvme') || bus === 'NVME' || /\bnvme\b/i.test(model ?? '')) return 'nvme';
  if (device?.startsWith('/dev/mmcblk')) return 'emmc';
  if (bus === 'ATA-SSD' || /\bSSD\b|solid state/i.test(model ?? '')) return 'ssd';
  // nwipe has no HDD marker: plain `ATA` is also printed for SSDs.
  return 'unknown';
}

/** Wall-clock date in `timeZone` → UTC, through Intl (two rounds settle the offset around DST changes). */
export function localToUtc(local: LocalDateTime, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    ...{ year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' },
  });
  const offsetAt = (instant: number) => {
    const part = Object.fromEntries(format.formatToParts(instant).map(({ type, value }) => [type, Number(value)]));
    return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!) - instant;
  };
  const wall = Date.parse(`${local}Z`);
  return new Date(wall - offsetAt(wall - offsetAt(wall))).toISOString().replace('.000Z', 'Z');
}

/** Wall-clock arithmetic: off by an hour if the clock changed for daylight saving during the wipe. */
export const secondsBefore = (local: LocalDateTime, seconds: number): LocalDateTime =>
  new Date(Date.parse(`${local}Z`) - seconds * 1000).toISOString().slice(0, 19);

/** `/dev/sda (Micron 1100 SATA, S/N 18291D85DF09)`: how a person at the bench recognises the drive. */
export function describeDrive(drive: { device?: string; model?: string; serial?: string }): string {
  const identity = [drive.model, drive.serial && `S/N ${drive.serial}`].filter(Boolean).join(', ');
  const name = drive.device ?? 'the drive';
  return identity ? `${name} (${identity})` : name;
}

export type DriveFacts = Omit<
  NwipeDrive,
  'mediaType' | 'technique' | 'pattern' | 'passes' | 'nistVerification' | 'sanitizationLevel' | 'startedAtUtc' | 'endedAtUtc'
>;

/** Adds what follows from the facts: medium, NIST terms, total passes, UTC times. */
export function toDrive(facts: DriveFacts, timeZone?: string): NwipeDrive {
  const { startedAt, endedAt, rounds, passesPerRound, method } = facts;
  return {
    ...facts,
    mediaType: mediaTypeOf(facts.device, facts.bus, facts.model),
    technique: 'overwrite',
    pattern: method === undefined ? undefined : (patternByMethod[method] ?? 'method_defined'),
    passes: rounds !== undefined && passesPerRound !== undefined ? rounds * passesPerRound : undefined,
    nistVerification: nistVerificationOf[facts.verification],
    sanitizationLevel: 'clear',
    startedAtUtc: timeZone && startedAt ? localToUtc(startedAt, timeZone) : undefined,
    endedAtUtc: timeZone && endedAt ? localToUtc(endedAt, timeZone) : undefined,
  };
}
