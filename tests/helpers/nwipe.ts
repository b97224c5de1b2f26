/** A drive as nwipe's `Found` line names it; without `serial`, nwipe could not read one and logs `S/N=` empty. */
export type LoggedDrive = { device: string; model: string; serial?: string };

/** nwipe writes the wiping machine's wall clock, `2025/03/10 09:00:10` (FORMAT.md §2, "Timestamp"). */
function wallClock(at: Date, timeZone: string): string {
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return format.format(at).replaceAll('-', '/');
}

/**
 * A complete nwipe 0.42 run that fills hard disks with zeros and erases them all (FORMAT.md §2,
 * §3), starting at `startedAt` on a machine whose clock is in `timeZone`.
 */
export function nwipeZeroFillLog(
  drives: LoggedDrive[],
  { startedAt, minutes = 100, timeZone = 'Europe/Paris' }: { startedAt: Date; minutes?: number; timeZone?: string },
): string {
  const at = (offsetSeconds: number) => `[${wallClock(new Date(startedAt.getTime() + offsetSeconds * 1000), timeZone)}]`;
  const end = minutes * 60;
  const name = (drive: LoggedDrive) => drive.device.slice('/dev/'.length).padStart(8);
  return [
    `${at(-10)}    info: nwipe 0.42`,
    ...drives.map((drive) => `${at(-9)}  notice: Found ${drive.device},  ATA    , ${drive.model}, 500 GB, S/N=${drive.serial ?? ''}`),
    ...drives.flatMap((drive) => [
      `${at(0)}  notice: Invoking method 'Fill With Zeros' on ${drive.device}`,
      `${at(0)}  notice: Starting round 1 of 1 on ${drive.device}`,
      `${at(0)}  notice: Starting pass 1/1, round 1/1, on ${drive.device}`,
      `${at(end)}  notice: 500107862016 bytes written to ${drive.device}`,
      `${at(end)}  notice: Finished pass 1/1, round 1/1, on ${drive.device}`,
    ]),
    `${at(end + 1)}    info: Nwipe successfully completed. See summary table for details.`,
    '',
    '******************************** Error Summary *********************************',
    '!   Device | Pass Errors | Verifications Errors | Fdatasync I\\O Errors',
    '-'.repeat(80),
    ...drives.map((drive) => `  ${name(drive)} |           0 |                    0 |                    0`),
    '*'.repeat(80),
    '',
    '********************************* Drive Status *********************************',
    '!   Device | Status | Thru-put | HH:MM:SS | Model/Serial Number',
    '-'.repeat(80),
    ...drives.map(
      (drive) =>
        `  ${name(drive)} | Erased |    83 MB/s | ${new Date(end * 1000).toISOString().slice(11, 19)} | ${drive.model.slice(0, 17)}/${drive.serial ?? ''}`,
    ),
    '-'.repeat(80),
    `${at(end + 1)} Total Throughput 83 MB/s, Fill With Zeros, 1R+NB+NV`,
    '*'.repeat(80),
  ].join('\n');
}
