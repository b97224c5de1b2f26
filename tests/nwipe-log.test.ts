import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLogRecords } from '../src/wiping/nwipe-lines.ts';
import { nistVerificationOf, parseNwipeLog, type NwipeDrive, type NwipeParse, type NwipeRun } from '../src/wiping/nwipe-log.ts';
import { shortfall } from '../src/wiping/policy.ts';

// Real logs as users posted them, and FORMAT.md, the notes on the format these tests cite.
const fixtures = new URL('./fixtures/nwipe/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
/** A fixture without its last line, which the retrieval cut mid-line. */
const fixtureUpToLastLine = (name: string) => fixture(name).trimEnd().split('\n').slice(0, -1).join('\n');

function runsOf(result: NwipeParse): NwipeRun[] {
  if (!result.ok) throw new Error(`expected the log to be read, it was refused: ${result.reason}`);
  return result.runs;
}
const drivesOf = (result: NwipeParse): NwipeDrive[] => runsOf(result).flatMap((run) => run.drives);
function onlyDrive(result: NwipeParse): NwipeDrive {
  const drives = drivesOf(result);
  expect(drives).toHaveLength(1);
  return drives[0]!;
}
function refusalOf(result: NwipeParse): string {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.runs)}`);
  return result.reason;
}

// Summary rows exactly as nwipe's printf formats write them (FORMAT.md §3).
const errorRow = (device: string, [pass, verify, sync]: number[], flag = pass! + verify! + sync! > 0 ? '!' : ' ') =>
  `${flag} ${device.padStart(8)} |  ${String(pass).padStart(10)} |           ${String(verify).padStart(10)} |           ${String(sync).padStart(10)}`;
const erasureRow = (device: string, erased: number, total: number, percentage: string) =>
  `${erased === total ? ' ' : '!'} ${device.padStart(8)} | ${String(erased).padStart(17)} | ${String(total).padStart(16)} | ${percentage.padStart(17)}`;
const statusRow = (device: string, status: string, duration: string, model: string, serial: string) =>
  `${status === ' Erased ' ? ' ' : '!'} ${device.padStart(8)} |${status}|  208 MB/s | ${duration} | ${model.slice(0, 17)}/${serial}`;
const star = '*'.repeat(80);
const dash = '-'.repeat(80);

type SummaryDrive = { device: string; status: string; errors?: number[]; erased?: [number, number, string]; model: string; serial: string };

/** The tables nwipe prints at the end of a run; the Erasure Summary only since 0.41. */
function summaryTables(drives: SummaryDrive[], footer: string, { erasureSummary = true } = {}) {
  const erasure = [
    '',
    '******************************* Erasure Summary ********************************',
    '!   Device |      Bytes Erased |      Bytes Total | Percentage Erased',
    dash,
    ...drives.map((drive) => erasureRow(drive.device, ...(drive.erased ?? [500107862016, 500107862016, '100.00%']))),
    star,
  ];
  return [
    '',
    '******************************** Error Summary *********************************',
    '!   Device | Pass Errors | Verifications Errors | Fdatasync I\\O Errors',
    dash,
    ...drives.map((drive) => errorRow(drive.device, drive.errors ?? [0, 0, 0])),
    star,
    ...(erasureSummary ? erasure : []),
    '',
    '********************************* Drive Status *********************************',
    '!   Device | Status | Thru-put | HH:MM:SS | Model/Serial Number',
    dash,
    ...drives.map((drive) => statusRow(drive.device, drive.status, '01:50:00', drive.model, drive.serial)),
    dash,
    `[2025/03/10 10:50:11] Total Throughput 208 MB/s, ${footer}`,
    star,
    'Creating PDF report in .',
    '',
  ];
}

type ModernLog = {
  device?: string;
  found?: string;
  status?: string;
  errors?: number[];
  erased?: [number, number, string];
  extra?: string[];
  footer?: string;
};

/** A complete nwipe 0.42 run of one SATA SSD, in the ≥ 0.30 format (FORMAT.md §2, §3). */
function modernLog({
  device = '/dev/sda',
  found = ' ATA-SSD, Samsung SSD 860 EVO 500GB,  500 GB, S/N=S3Z9NB0K123456A',
  status = ' Erased ',
  errors = [0, 0, 0],
  erased,
  extra = [],
  footer = 'PRNG Stream, 1R+B+VL',
}: ModernLog = {}) {
  const log = [
    '[2025/03/10 09:00:00]    info: nwipe 0.42',
    '[2025/03/10 09:00:00]    info: Linux version 6.12.1 (builder@buildhost) (gcc (GCC) 14.2.0, GNU ld (GN',
    '                               U Binutils) 2.43) #1 SMP PREEMPT_DYNAMIC Tue Jan',
    '                                7 10:00:00 UTC 2025',
    `[2025/03/10 09:00:01]  notice: Found /dev/sda, ${found}`,
    '[2025/03/10 09:00:01]    info: /dev/sda, sector(logical)/block(physical) sizes 512/512',
    '[2025/03/10 09:00:01]    info: HPA:  max sectors   = 976773168/976773168, hpa is disabled',
    ' on /dev/sda',
    '[2025/03/10 09:00:02]    info: Automatically enumerated 1 devices.',
    '[2025/03/10 09:00:10]  notice: /dev/sda: Device geometry is as follows...',
    '[2025/03/10 09:00:10]  notice:   Logical sector size  = 512',
    '[2025/03/10 09:00:10]  notice:   Total device bytes   = 500107862016',
    "[2025/03/10 09:00:10]  notice: Invoking method 'PRNG Stream' on /dev/sda",
    '[2025/03/10 09:00:10]  notice: Starting round 1 of 1 on /dev/sda',
    '[2025/03/10 09:00:10]  notice: Starting pass 1/1, round 1/1, on /dev/sda',
    '[2025/03/10 09:40:10]  notice: 500107862016 bytes written to /dev/sda',
    '[2025/03/10 09:40:10]  notice: Finished pass 1/1, round 1/1, on /dev/sda',
    '[2025/03/10 09:40:10]  notice: Verifying pass 1 of 1, round 1 of 1, on /dev/sda',
    ...extra,
    "[2025/03/10 10:10:10]  notice: Verified pass 1 of 1, round 1 of 1, on '/dev/sda'.",
    '[2025/03/10 10:10:10]  notice: Finished final round 1 of 1 on /dev/sda',
    '[2025/03/10 10:10:10]  notice: Blanking device /dev/sda',
    '[2025/03/10 10:50:10]  notice: [SUCCESS] Blanked device /dev/sda',
    '[2025/03/10 10:50:11]    info: Nwipe successfully completed. See summary table for details.',
    ...summaryTables([{ device: device.slice('/dev/'.length), status, errors, erased, model: 'Samsung SSD 860 EVO 500GB', serial: 'S3Z9NB0K123456A' }], footer),
  ].join('\n');
  return log.replaceAll('/dev/sda', device);
}

/** Where a complete modern log is cut: just before the line that contains `marker`. */
const cutBefore = (log: string, marker: string) => log.slice(0, log.indexOf(marker));

describe('real nwipe and ShredOS logs as users posted them', () => {
  const tested = new Set<string>();
  const fixtureTest = (name: string, title: string, test: () => void) => {
    tested.add(name);
    it(`${name}: ${title}`, test);
  };

  fixtureTest('success-2.log', 'reads an NVMe zero fill as passed, identity from the Drive Status row (0.29 era)', () => {
    const result = parseNwipeLog(fixture('success-2.log'));
    // The start of a log pasted after the table found other serials: it is another run, not merged.
    const [run] = runsOf(result);
    expect(run).toMatchObject({ tool: { name: 'nwipe' }, era: '0.29', closingMessage: 'Nwipe successfully exited.' });
    const drive = onlyDrive(result);
    expect(drive).toMatchObject({
      device: '/dev/nvme1n1', // the table printed only "vme1n1" (6-character column, FORMAT.md §3c)
      model: 'Samsung SSD 970 E', // cut to 17 characters by the table
      serial: 'S4P3NF0M317460J',
      mediaType: 'nvme',
      method: 'Zero Fill',
      technique: 'overwrite',
      pattern: 'zeros',
      rounds: 1,
      blanking: true,
      verification: 'last_pass',
      nistVerification: 'full',
      sanitizationLevel: 'clear',
      durationSeconds: 26 * 60 + 2,
      // The drive's own lines were not pasted: times come from the summary (end) minus the duration.
      startedAt: '2020-06-17T19:05:35',
      endedAt: '2020-06-17T19:31:37',
      timesFrom: 'summary_table',
      result: 'passed',
      reasons: [],
      notes: [],
    });
    // The Found lines named S465NB0K580541L and S465NB0K580543E: neither is the wiped drive.
    expect(drive.bus).toBeUndefined();
    expect(drive.capacityText).toBeUndefined();
    // The footer gives rounds, not passes per round.
    expect(drive.passes).toBeUndefined();
  });

  fixtureTest('success-3.log', 'reads a loop device from the first 3-column Error Summary, footer cut off', () => {
    const result = parseNwipeLog(fixture('success-3.log'));
    expect(runsOf(result)[0]!.era).toBe('>=0.30');
    const drive = onlyDrive(result);
    expect(drive).toMatchObject({
      device: '/dev/loop44',
      model: 'Loopback device',
      passesPerRound: 1,
      rounds: 1,
      passes: 1,
      startedAt: '2021-06-04T21:41:12',
      endedAt: '2021-06-04T21:41:13',
      timesFrom: 'progress_lines',
      durationSeconds: 1,
      result: 'passed',
    });
    // The footer that names the method and the verify mode is cut: nothing is guessed.
    expect(drive.serial).toBeUndefined();
    expect(drive.method).toBeUndefined();
    expect(drive.verification).toBe('unknown');
    expect(drive.nistVerification).toBeUndefined();
  });

  fixtureTest('failure-1.log', 'fails a drive whose writes gave up, quoting the lines (0.41+ retries)', () => {
    const result = parseNwipeLog(fixture('failure-1.log'));
    const drive = onlyDrive(result);
    expect(drive).toMatchObject({
      device: '/dev/sdc',
      method: 'PRNG Stream',
      pattern: 'random',
      passes: 1,
      startedAt: '2026-08-14T20:54:36',
      endedAt: '2026-08-14T20:56:55',
      result: 'failed',
      reasons: [
        "[2026-08-14 20:56:55] error: nwipe_write_with_retry: giving up write() on '/dev/sdc' after 3 attempts.",
        "[2026-08-14 20:56:55] error: Write error on '/dev/sdc' at offset 40475033600, starting reverse wipe.",
      ],
    });
    // Retries that were still going are warnings, not the failure; the perror line names no drive.
    expect(drive.reasons.join('\n')).not.toContain('attempt 1/3');
    expect(runsOf(result)[0]!.notes).toEqual(['[2026-08-14 20:56:55] error: nwipe_random_forward_pass: write: No space left on device']);
    // "Total device bytes" is logged under a geometry header this excerpt does not have.
    expect(drive.capacityBytes).toBeUndefined();
  });

  fixtureTest('failure-2.log', 'fails a drive on a buffer flush failure, in Markdown quotes (≤ 0.28 "nwipe:" prefix)', () => {
    const result = parseNwipeLog(fixture('failure-2.log'));
    expect(runsOf(result)[0]!.era).toBe('<=0.28');
    expect(onlyDrive(result)).toMatchObject({
      device: '/dev/sdc',
      passesPerRound: 3,
      rounds: 1,
      passes: 3,
      startedAt: '2019-11-07T01:35:06',
      endedAt: '2019-11-07T02:36:51',
      result: 'failed',
      reasons: ["[2019-11-07 02:36:51] warning: Buffer flush failure on '/dev/sdc'."],
    });
    expect(onlyDrive(result).method).toBeUndefined();
  });

  fixtureTest('failure-3.log', 'fails a 0.21 DoD wipe after "Last-odd-block detected", without trusting its bogus size', () => {
    const drive = onlyDrive(parseNwipeLog(fixture('failure-3.log')));
    expect(drive).toMatchObject({
      device: '/dev/sdc',
      method: 'DoD 5220.22-M',
      pattern: 'method_defined',
      passesPerRound: 7,
      passes: 7,
      startedAt: '2016-11-03T15:16:31',
      endedAt: '2016-11-03T15:16:49',
      result: 'failed',
      reasons: ["[2016-11-03 15:16:31] error: Last-odd-block detected on '/dev/sdc'."],
      notes: ['nwipe reported an impossible size of 554482002087141376 bytes for this drive.'],
    });
    expect(drive.capacityBytes).toBeUndefined();
  });

  fixtureTest('failure-5.log', 'refuses the opening lines of a failed run: the failure itself is not in them', () => {
    const reason = refusalOf(parseNwipeLog(fixture('failure-5.log')));
    expect(reason).toBe(
      'No result can be read for /dev/sdf. The log stops before the Drive Status table that gives the result: it was cut short, or nwipe was stopped before the end. Import the complete log, or wipe again.',
    );
  });

  fixtureTest('partial-1.log', 'refuses a ShredOS log that froze during start-up, naming the SSD it found', () => {
    expect(refusalOf(parseNwipeLog(fixture('partial-1.log')))).toBe(
      "This log shows no wipe: it stops after nwipe's start-up lines, in which it found /dev/sda (Micron 1100 SATA, S/N 18291D85DF09). Import the log of the wipe itself.",
    );
  });

  fixtureTest('partial-2.log', 'skips the console output before the log and refuses it: no wipe in it', () => {
    expect(refusalOf(parseNwipeLog(fixture('partial-2.log')))).toContain('it found /dev/sda (Kingston DataTraveler 3.0).');
  });

  fixtureTest('partial-3.log', 'refuses a wipe cut during blanking, though every byte was written', () => {
    const reason = refusalOf(parseNwipeLog(fixture('partial-3.log')));
    expect(reason).toContain('No result can be read for /dev/sdb.');
    expect(reason).toContain('cut short');
  });

  fixtureTest('partial-4.log', 'refuses a clean 2016 log: nwipe before 0.29 wrote no result at all', () => {
    expect(refusalOf(parseNwipeLog(fixture('partial-4.log')))).toBe(
      'No result can be read for /dev/sdb. nwipe before 0.29 writes no result for a drive (its Drive Status table came later), so a log without errors cannot show that the wipe finished. Import the complete log, or wipe again.',
    );
  });

  fixtureTest('partial-5.log', 'refuses four drives with zero errors but no Drive Status, in one sentence', () => {
    expect(refusalOf(parseNwipeLog(fixture('partial-5.log')))).toBe(
      'No result can be read for /dev/sda, /dev/sdb, /dev/sdc and /dev/sdd. The log stops after the Error Summary, before the Drive Status table that gives the result; zero errors alone do not show that the wipe finished. Import the complete log, or wipe again.',
    );
  });

  fixtureTest('partial-6.log', 'refuses round 1 of 3 verified without errors (0.29.006)', () => {
    expect(refusalOf(parseNwipeLog(fixture('partial-6.log')))).toContain('No result can be read for /dev/sda.');
  });

  fixtureTest('partial-7.log', 'refuses the start of a two-drive DoD Short run', () => {
    expect(refusalOf(parseNwipeLog(fixture('partial-7.log')))).toContain('No result can be read for /dev/sdc and /dev/sdd.');
  });

  fixtureTest('shredos-failure-1.log', 'refuses ShredOS start-up lines; the redacted model is shown as posted', () => {
    expect(refusalOf(parseNwipeLog(fixture('shredos-failure-1.log')))).toBe(
      "This log shows no wipe: it stops after nwipe's start-up lines, in which it found /dev/sda (<SSD name>). Import the log of the wipe itself.",
    );
  });

  fixtureTest('shredos-failure-2.log', 'refuses ShredOS start-up lines of a 1 TB HDD', () => {
    expect(refusalOf(parseNwipeLog(fixture('shredos-failure-2.log')))).toContain('it found /dev/sda (TOSHIBA MQ01ABD1, S/N 35H2SCTWS).');
  });

  fixtureTest('pdf-text-1.txt', 'reads the text of an nwipe 0.37 certificate as an erased USB stick', () => {
    const result = parseNwipeLog(fixture('pdf-text-1.txt'));
    expect(result).toMatchObject({ ok: true, source: 'certificate' });
    const drive = onlyDrive(result);
    expect(drive).toMatchObject({
      method: 'HMG IS5 Enhanced',
      rounds: 1,
      blanking: true,
      verification: 'last_pass',
      nistVerification: 'full',
      capacityBytes: 7736072192,
      startedAt: '2024-07-30T07:21:13',
      endedAt: '2024-07-30T08:41:33',
      durationSeconds: 4820,
      timesFrom: 'certificate',
      result: 'passed',
      sanitizationLevel: 'clear',
      notes: ['HPA/DCO data unavailable, can not determine hidden sector status.'],
    });
    // Page 1's "Disk Erasure Details" does not name the device; the excerpt has no Disk Information.
    expect(drive.device).toBeUndefined();
    expect(drive.serial).toBeUndefined();
  });

  it('covers every fixture in the folder', () => {
    const files = readdirSync(fixtures).filter((name) => name !== 'FORMAT.md');
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((name) => !tested.has(name))).toEqual([]);
  });
});

describe('real logs completed with what nwipe prints at the end', () => {
  it('reads the ShredOS banner and a TOSHIBA HDD that nwipe only calls ATA', () => {
    const log = [
      fixtureUpToLastLine('shredos-failure-2.log'),
      "[2025/07/29 17:32:00]  notice: Invoking method 'DoD Short' on /dev/sda",
      '[2025/07/29 17:32:00]  notice: Starting pass 1/3, round 1/1, on /dev/sda',
      '[2025/07/29 21:02:00]  notice: Finished final round 1 of 1 on /dev/sda',
      ...summaryTables([{ device: 'sda', status: ' Erased ', model: 'TOSHIBA MQ01ABD1', serial: '35H2SCTWS' }], 'DoD Short, 1R+NB+NV', {
        erasureSummary: false,
      }),
    ].join('\n');
    const [run] = runsOf(parseNwipeLog(log));
    expect(run!.tool).toEqual({ name: 'ShredOS', version: 'v2024.11_27_x86-64_0.38', nwipeVersion: '0.38' });
    expect(run!.drives[0]).toMatchObject({
      device: '/dev/sda',
      model: 'TOSHIBA MQ01ABD1',
      serial: '35H2SCTWS',
      bus: 'ATA',
      capacityText: '1000 GB',
      // nwipe prints "ATA" for SSDs too (shredos-failure-1.log): the medium is left to the operator.
      mediaType: 'unknown',
      method: 'DoD Short',
      passes: 3,
      blanking: false,
      verification: 'none',
      nistVerification: 'none',
      startedAt: '2025-07-29T17:32:00',
      endedAt: '2025-07-29T21:02:00',
      result: 'passed',
    });
  });

  it('reads ShredOS 0.37 builds with a suffix after the nwipe version', () => {
    const log = [
      fixtureUpToLastLine('shredos-failure-1.log'),
      "[2024/11/24 04:52:00]  notice: Invoking method 'PRNG Stream' on /dev/sda",
      ...summaryTables([{ device: 'sda', status: '-FAILED-', errors: [1, 0, 0], model: 'SSD', serial: 'X1' }], 'PRNG Stream, 1R+NB+VL', {
        erasureSummary: false,
      }),
    ].join('\n');
    const [run] = runsOf(parseNwipeLog(log));
    expect(run!.tool).toEqual({ name: 'ShredOS', version: 'v2024.02.2_26.0_x86-64_0.37-nomodeset', nwipeVersion: '0.37' });
    expect(run!.drives[0]!.result).toBe('failed');
  });

  it('finishes the -q two-drive run: serials hidden by nwipe are not recorded, and the operator is told', () => {
    const log = [
      fixtureUpToLastLine('partial-7.log'),
      '[2021/11/15 20:10:00]  notice: Finished final round 1 of 1 on /dev/sdc',
      '[2021/11/15 21:40:00]  notice: Finished final round 1 of 1 on /dev/sdd',
      ...summaryTables(
        [
          { device: 'sdc', status: ' Erased ', model: 'WDC WD10EZEX-08W', serial: 'XXXXXXXXXXXXXXX' },
          { device: 'sdd', status: ' Erased ', model: 'ST2000DM008-2FR1', serial: 'XXXXXXXXXXXXXXX' },
        ],
        'DoD Short, 1R+B+VL',
        { erasureSummary: false },
      ),
    ].join('\n');
    const drives = drivesOf(parseNwipeLog(log));
    expect(drives.map((drive) => [drive.device, drive.method, drive.passes, drive.result, drive.serial])).toEqual([
      ['/dev/sdc', 'DoD Short', 3, 'passed', undefined],
      ['/dev/sdd', 'DoD Short', 3, 'passed', undefined],
    ]);
    expect(drives[0]!.notes).toContain('nwipe ran with -q: the serial number was replaced by X characters.');
    // The table's 17-character model is used when no Found line gives the whole one.
    expect(drives[1]!.model).toBe('ST2000DM008-2FR1');
    // `sect/blk/dev` sizes were misprinted in that era (failure-5.log shows a negative one): not used.
    expect(drives[0]!.capacityBytes).toBeUndefined();
  });
});

describe("each era's line format (FORMAT.md §2)", () => {
  const eraLine = {
    '<=0.28': (time: string, level: string, text: string) => `[2019/11/07 ${time}] nwipe: ${level}: ${text}`,
    '0.29': (time: string, level: string, text: string) => `[2019/11/07 ${time}] ${level}: ${text}`,
    '>=0.30': (time: string, level: string, text: string) => `[2019/11/07 ${time}] ${level.padStart(7)}: ${text}`,
  } as const;

  it('≤ 0.28: "nwipe: notice:" and "on device \'/dev/sdb\'." are read; a clean log is refused, an error fails the drive', () => {
    const line = eraLine['<=0.28'];
    const clean = [
      line('10:00:00', 'info', "Device '/dev/sdb' is size 600127266816."),
      line('10:00:00', 'notice', "Invoking method 'DoD Short' on device '/dev/sdb'."),
      line('10:00:00', 'notice', "Starting round 1 of 2 on device '/dev/sdb'."),
      line('10:00:00', 'notice', "Starting pass 1 of 3, round 1 of 2, on device '/dev/sdb'."),
      line('11:00:00', 'notice', "600127266816 bytes written to device '/dev/sdb'."),
    ];
    expect(refusalOf(parseNwipeLog(clean.join('\n')))).toContain('nwipe before 0.29 writes no result');
    const failing = [...clean, line('11:00:01', 'fatal', "Verification mismatch on '/dev/sdb' at offset 4096")];
    const [run] = runsOf(parseNwipeLog(failing.join('\n')));
    expect(run!.era).toBe('<=0.28');
    expect(run!.drives[0]).toMatchObject({
      device: '/dev/sdb',
      capacityBytes: 600127266816,
      method: 'DoD Short',
      rounds: 2,
      passesPerRound: 3,
      passes: 6,
      startedAt: '2019-11-07T10:00:00',
      endedAt: '2019-11-07T11:00:01',
      result: 'failed',
      reasons: ["[2019-11-07 11:00:01] fatal: Verification mismatch on '/dev/sdb' at offset 4096"],
    });
  });

  it('0.29: unpadded labels, the untitled Drive Status table with its 6-character device column', () => {
    const line = eraLine['0.29'];
    const log = [
      line('10:00:00', 'notice', 'Found /dev/nvme0n1, NVME, WDC PC SN730 SDBQNTY-512G, 512 GB, S/N=19512D800123'),
      line('10:00:00', 'notice', "Invoking method 'PRNG Stream' on /dev/nvme0n1"),
      line('10:00:00', 'notice', 'Starting pass 1/1, round 1/1, on /dev/nvme0n1'),
      line('10:20:00', 'notice', 'Finished final round 1 of 1 on /dev/nvme0n1'),
      '',
      star,
      '! Device | Status | Thru-put | HH:MM:SS | Model/Serial Number',
      dash,
      '  vme0n1 | Erased | 426 MB/s | 00:20:00 | WDC PC SN730 SDBQ/19512D800123',
      dash,
      '[2019/11/07 10:20:01] Total Throughput 426 MB/s, PRNG Stream, 1R+NB+NV',
      star,
      '',
      line('10:20:01', 'info', 'Nwipe successfully exited.'),
    ].join('\n');
    const [run] = runsOf(parseNwipeLog(log));
    expect(run!.era).toBe('0.29');
    expect(run!.drives).toHaveLength(1);
    expect(run!.drives[0]).toMatchObject({
      device: '/dev/nvme0n1',
      model: 'WDC PC SN730 SDBQNTY-512G',
      serial: '19512D800123',
      mediaType: 'nvme',
      verification: 'none',
      nistVerification: 'none',
      blanking: false,
      result: 'passed',
    });
  });

  it('0.29: a device name cut to 6 characters and found nowhere else is shown as cut, not completed', () => {
    // nvme10n1 lost two letters; a 7-letter nvme0n1 or mmcblk0 lost only its first and is restored.
    const log = [
      star,
      '! Device | Status | Thru-put | HH:MM:SS | Model/Serial Number',
      dash,
      '  me10n1 | Erased | 426 MB/s | 00:20:00 | WDC PC SN730 SDBQ/19512D800123',
      '  mcblk0 | Erased | 426 MB/s | 00:20:00 | DA4064/0x1234abcd',
      dash,
      '[2019/11/07 10:20:01] Total Throughput 426 MB/s, PRNG Stream, 1R+NB+NV',
      star,
    ].join('\n');
    const [cut, restored] = drivesOf(parseNwipeLog(log));
    expect(cut!.device).toBe('…me10n1');
    expect(cut!.notes).toContain('nwipe printed only the last 6 characters of the device name ("me10n1").');
    expect(cut).toMatchObject({ model: 'WDC PC SN730 SDBQ', serial: '19512D800123', timesFrom: 'summary_table', result: 'passed' });
    expect(restored).toMatchObject({ device: '/dev/mmcblk0', mediaType: 'emmc', result: 'passed' });
  });

  it('≥ 0.30: right-justified labels, the three titled tables, continuation lines and the geometry block', () => {
    const [run] = runsOf(parseNwipeLog(modernLog()));
    expect(run).toMatchObject({
      tool: { name: 'nwipe', version: '0.42' },
      era: '>=0.30',
      startedAt: '2025-03-10T09:00:00',
      endedAt: '2025-03-10T10:50:11',
      closingMessage: 'Nwipe successfully completed. See summary table for details.',
      notes: [],
    });
    expect(run!.drives).toHaveLength(1);
    expect(run!.drives[0]).toEqual({
      device: '/dev/sda',
      model: 'Samsung SSD 860 EVO 500GB',
      serial: 'S3Z9NB0K123456A',
      bus: 'ATA-SSD',
      capacityBytes: 500107862016,
      capacityText: '500 GB',
      mediaType: 'ssd',
      method: 'PRNG Stream',
      technique: 'overwrite',
      pattern: 'random',
      rounds: 1,
      passesPerRound: 1,
      passes: 1,
      blanking: true,
      verification: 'last_pass',
      nistVerification: 'full',
      sanitizationLevel: 'clear',
      startedAt: '2025-03-10T09:00:10',
      endedAt: '2025-03-10T10:50:10',
      startedAtUtc: undefined,
      endedAtUtc: undefined,
      durationSeconds: 6600,
      timesFrom: 'progress_lines',
      result: 'passed',
      reasons: [],
      notes: [],
    });
  });

  it('joins continuation lines to their message: the OS info wrap without a separator, other newlines kept', () => {
    const messages = readLogRecords(fixture('shredos-failure-1.log')).filter((record) => record.kind === 'message');
    const linux = messages.find((message) => message.text.startsWith('Linux version'))!;
    expect(linux.text + linux.continuation).toBe(
      'Linux version 6.6.22 (nick@nick-optiplex9010) (x86_64-buildroot-linux-gnu-gcc.br_real (Buildroot -g9c929fc958-dirty) 12.3.0, GNU ld (GNU Binutils) 2.40) #8 SMP PREEMPT_DYNAMIC Tue Jun 11 20:55:07 BST 2024',
    );
    const hpa = messages.find((message) => message.text.startsWith('HPA:'))!;
    expect(hpa.continuation).toBe('\n on /dev/sda');
    // The 31-space indent plus the space the wrap fell on (partial-1.log): the space is content.
    const partial = readLogRecords(fixture('partial-1.log')).filter((record) => record.kind === 'message');
    const wrapped = partial.find((message) => message.text.startsWith('Linux version'))!;
    expect(wrapped.text + wrapped.continuation).toContain('(nick@nick-np5xnp6xnp7xpnp) (x86_64-buildroot');
    // "   info:  " is a message of one space, and the cut last line is no message at all.
    const toshiba = readLogRecords(fixture('shredos-failure-2.log')).filter((record) => record.kind === 'message');
    expect(toshiba.some((message) => message.level === 'info' && message.text === ' ')).toBe(true);
  });
});

describe("how a drive's result is decided (FORMAT.md §3)", () => {
  it('fails a drive nwipe marked -FAILED-, with the table and the error lines as reasons', () => {
    const drive = onlyDrive(
      parseNwipeLog(
        modernLog({
          status: '-FAILED-',
          errors: [1, 0, 0],
          extra: ["[2025/03/10 09:50:00]   error: Write error on '/dev/sda' at offset 1048576, starting reverse wipe."],
        }),
      ),
    );
    expect(drive.result).toBe('failed');
    expect(drive.reasons).toEqual([
      'nwipe marked the drive -FAILED- in its Drive Status table.',
      "[2025-03-10 09:50:00] error: Write error on '/dev/sda' at offset 1048576, starting reverse wipe.",
      'Error Summary: 1 pass errors, 0 verification errors, 0 fdatasync errors.',
    ]);
  });

  it('fails an " Erased " drive whose verification found a mismatch (counted as FAILED only since PR #317)', () => {
    const drive = onlyDrive(
      parseNwipeLog(
        modernLog({
          extra: [
            "[2025/03/10 10:00:00]   fatal: Verification mismatch on '/dev/sda' at offset 2048",
            "[2025/03/10 10:10:00]  notice: 1 verification errors on '/dev/sda'.",
          ],
        }),
      ),
    );
    expect(drive.result).toBe('failed');
    expect(drive.reasons).toEqual([
      "[2025-03-10 10:00:00] fatal: Verification mismatch on '/dev/sda' at offset 2048",
      "[2025-03-10 10:10:00] notice: 1 verification errors on '/dev/sda'.",
    ]);
  });

  it('fails an " Erased " drive whose Error Summary counts errors', () => {
    const drive = onlyDrive(parseNwipeLog(modernLog({ errors: [0, 0, 3] })));
    expect(drive).toMatchObject({ result: 'failed', reasons: ['Error Summary: 0 pass errors, 0 verification errors, 3 fdatasync errors.'] });
  });

  it('fails an " Erased " drive that nwipe flags for bytes not erased (Erasure Summary "!")', () => {
    const drive = onlyDrive(parseNwipeLog(modernLog({ erased: [500107862016, 500107862528, '99.99%'] })));
    expect(drive).toMatchObject({ result: 'failed', reasons: ['Erasure Summary: 500107862016 of 500107862528 bytes erased (99.99%).'] });
  });

  it.each([
    ['UABORTED', 'The wipe was aborted by the user (Drive Status UABORTED).'],
    ['INSANITY', 'nwipe reached a state it considers impossible (Drive Status INSANITY).'],
    ['--FAIL--', 'nwipe marked the drive --FAIL-- in its Drive Status table.'],
  ])('fails a drive whose status is %s', (status, reason) => {
    expect(onlyDrive(parseNwipeLog(modernLog({ status })))).toMatchObject({ result: 'failed', reasons: [reason] });
  });

  it('refuses a status it does not know rather than guess', () => {
    expect(refusalOf(parseNwipeLog(modernLog({ status: 'WHATEVER' })))).toContain(
      'nwipe\'s Drive Status for the drive is "WHATEVER", which Boucle does not know.',
    );
  });

  it('keeps an error logged before the wipe as a note when nwipe still erased the drive', () => {
    const log = modernLog().replace(
      '[2025/03/10 09:00:02]    info: Automatically enumerated 1 devices.',
      '[2025/03/10 09:00:02]   error: hdparm: unable to read DCO on /dev/sda\n[2025/03/10 09:00:02]    info: Automatically enumerated 1 devices.',
    );
    expect(onlyDrive(parseNwipeLog(log))).toMatchObject({
      result: 'passed',
      notes: ['Before the wipe: [2025-03-10 09:00:02] error: hdparm: unable to read DCO on /dev/sda'],
    });
  });

  it('does not count a verify-only method as a wipe', () => {
    const log = modernLog({ footer: 'Verify Zeros (0x00), 1R+NB+NV' }).replace("Invoking method 'PRNG Stream'", "Invoking method 'Verify Zeros (0x00)'");
    expect(refusalOf(parseNwipeLog(log))).toContain("nwipe only read the drive back ('Verify Zeros (0x00)'), it did not overwrite it: that is not a wipe.");
  });

  it('reports each drive of a run: one erased, one failed', () => {
    const log = [
      "[2025/03/10 09:00:10]  notice: Invoking method 'Fill With Zeros' on /dev/sda",
      "[2025/03/10 09:00:10]  notice: Invoking method 'Fill With Zeros' on /dev/sdb",
      ...summaryTables(
        [
          { device: 'sda', status: ' Erased ', model: 'ST500DM002-1BD14', serial: 'Z3TABC01' },
          { device: 'sdb', status: '-FAILED-', errors: [12, 0, 0], model: 'ST500DM002-1BD14', serial: 'Z3TABC02' },
        ],
        'Fill With Zeros, 1R+NB+VL',
      ),
    ].join('\n');
    const drives = drivesOf(parseNwipeLog(log));
    expect(drives.map((drive) => [drive.device, drive.serial, drive.pattern, drive.result])).toEqual([
      ['/dev/sda', 'Z3TABC01', 'zeros', 'passed'],
      ['/dev/sdb', 'Z3TABC02', 'zeros', 'failed'],
    ]);
  });
});

describe('logs cut short or not logs at all', () => {
  it.each([
    ['before the summary tables', '\n******************************** Error Summary'],
    ['after the Error Summary', '\n******************************* Erasure Summary'],
    ['inside the Drive Status table, before its rows', '-'.repeat(80) + '\n       sda | Erased'],
    ['in the middle of the drive row', '01:50:00 | Samsung'],
  ])('refuses a log cut %s, with a clear message', (_, marker) => {
    const cut = cutBefore(modernLog(), marker);
    expect(cut.length).toBeLessThan(modernLog().length);
    const reason = refusalOf(parseNwipeLog(cut));
    expect(reason).toMatch(/^No result can be read for \/dev\/sda \(Samsung SSD 860 EVO 500GB, S\/N S3Z9NB0K123456A\)\. /);
    expect(reason).toMatch(/Import the complete log, or wipe again\.$/);
  });

  it("accepts a log cut after the drive's row: the verdict is there, the footer's settings are not", () => {
    const drive = onlyDrive(parseNwipeLog(cutBefore(modernLog(), '[2025/03/10 10:50:11] Total Throughput')));
    expect(drive).toMatchObject({ result: 'passed', method: 'PRNG Stream', verification: 'unknown' });
    expect(drive.blanking).toBe(true); // "Blanking device /dev/sda" was logged
  });

  it("never reads a pass from a log cut at any line before nwipe's verdict row", () => {
    const lines = modernLog().split('\n');
    const verdict = lines.findIndex((line) => line.includes('| Erased |'));
    for (let kept = 0; kept < lines.length; kept++) {
      const result = parseNwipeLog(lines.slice(0, kept).join('\n'));
      const passed = result.ok && result.runs.some((run) => run.drives.some((drive) => drive.result === 'passed'));
      expect(passed, `cut after ${kept} lines`).toBe(kept > verdict);
      if (kept <= verdict) expect(result.ok, `cut after ${kept} lines`).toBe(false);
    }
  });

  it('answers any text with a result or a reason, never an exception', () => {
    const logLine = fc.constantFrom(...modernLog().split('\n'), ...fixture('failure-1.log').split('\n'), '[2025/03/10 1', '> ', '!', '|');
    fc.assert(
      fc.property(fc.array(fc.oneof(logLine, fc.string())), (lines) => {
        const result = parseNwipeLog(lines.join('\n'));
        expect(result.ok ? result.runs.length > 0 : result.reason.length > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an empty file and text that is not an nwipe log', () => {
    expect(refusalOf(parseNwipeLog('  \n'))).toBe('The file is empty.');
    expect(refusalOf(parseNwipeLog('Model,Serial\nLatitude 5490,ABC123\n'))).toMatch(/^This is not an nwipe or ShredOS log/);
  });
});

describe('how nwipe exits (FORMAT.md §2, end of run)', () => {
  /** What nwipe logs as it exits: every wipe thread cancelled, then its verdict on each drive whose wipe ended in errors. */
  const endOfRun = (cancelled: string[], exited: [string, string][]) =>
    [
      '[2021/10/29 16:02:11]    info: Exit in progress',
      ...cancelled.flatMap((device) => [
        `[2021/10/29 16:02:11]    info: Requesting wipe thread cancellation for ${device}`,
        '[2021/10/29 16:02:11]    info: Please wait..',
      ]),
      '[2021/10/29 16:02:11]    info: Cancelling the GUI thread.',
      '[2021/10/29 16:02:12]    info: GUI compute_stats thread has been cancelled',
      ...cancelled.map((device) => `[2021/10/29 16:02:12]    info: Wipe thread for device ${device} has been cancelled`),
      ...exited.flatMap(([words, device]) => [`[2021/10/29 16:02:12]   error: Nwipe exited with ${words} on device = ${device}`, '']),
    ].join('\n');

  it('refuses the end of a run whose threads were cancelled and that exited with fatal errors, saying so of each drive', () => {
    const reason = refusalOf(
      parseNwipeLog(
        endOfRun(
          ['/dev/sda', '/dev/sdb'],
          [
            ['fatal errors', '/dev/sda'],
            ['fatal errors', '/dev/sdb'],
          ],
        ),
      ),
    );
    expect(reason).toBe(
      'This log shows only the end of an nwipe run: nwipe cancelled the wipe threads of /dev/sda and /dev/sdb and exited with fatal errors on /dev/sda and /dev/sdb. The wipe of /dev/sda and /dev/sdb failed or did not finish, and the log holds no line of the wipe itself: nothing can be recorded from it. Wipe these drives again.',
    );
  });

  it('names the drives as the start of the log found them, and each kind of error nwipe gave', () => {
    const log = [
      '[2021/10/29 15:58:40]    info: nwipe 0.32',
      '[2021/10/29 15:58:41]  notice: Found /dev/sda,  ATA    , WDC WD5000AAKX-0, 500 GB, S/N=WCC2EM112233',
      '[2021/10/29 15:58:41]  notice: Found /dev/sdb,  USB    , SanDisk Cruzer, 16 GB, S/N=',
      endOfRun(
        ['/dev/sda', '/dev/sdb'],
        [
          ['fatal errors', '/dev/sda'],
          ['non fatal errors', '/dev/sdb'],
        ],
      ),
    ].join('\n');
    expect(refusalOf(parseNwipeLog(log))).toBe(
      'This log shows only the end of an nwipe run: nwipe cancelled the wipe threads of /dev/sda (WDC WD5000AAKX-0, S/N WCC2EM112233) and /dev/sdb (SanDisk Cruzer) and exited with fatal errors on /dev/sda (WDC WD5000AAKX-0, S/N WCC2EM112233) and with non fatal errors on /dev/sdb (SanDisk Cruzer). The wipe of /dev/sda (WDC WD5000AAKX-0, S/N WCC2EM112233) and /dev/sdb (SanDisk Cruzer) failed or did not finish, and the log holds no line of the wipe itself: nothing can be recorded from it. Wipe these drives again.',
    );
  });

  it('says of cancelled threads alone that no line shows the wipe nor how it ended', () => {
    expect(refusalOf(parseNwipeLog(endOfRun(['/dev/sdc'], [])))).toBe(
      'This log shows only the end of an nwipe run: nwipe cancelled the wipe threads of /dev/sdc. No line shows the wipe itself nor how it ended: import the complete log, or wipe again.',
    );
  });

  it("fails a drive nwipe reported Erased when it also names it as exited with errors, quoting nwipe's words", () => {
    // A drive found only by its rows: the exit verdict is not an error "before the wipe" that Erased would outweigh.
    const log = [
      endOfRun(['/dev/sda'], [['errors', '/dev/sda, see log for specific error']]),
      ...summaryTables([{ device: 'sda', status: ' Erased ', model: 'Samsung SSD 860 EVO 500GB', serial: 'S3Z9NB0K123456A' }], 'PRNG Stream, 1R+B+VL'),
    ].join('\n');
    const drive = onlyDrive(parseNwipeLog(log));
    expect(drive.result).toBe('failed');
    expect(drive.reasons).toEqual(['[2021-10-29 16:02:12] error: Nwipe exited with errors on device = /dev/sda, see log for specific error']);
  });

  it('fails a drive whose wipe the log shows when nwipe exits with fatal errors on it', () => {
    const log = `${cutBefore(modernLog(), '[2025/03/10 10:10:10]  notice: Verified')}${endOfRun(['/dev/sda'], [['fatal errors', '/dev/sda']])}`;
    const drive = onlyDrive(parseNwipeLog(log));
    expect(drive).toMatchObject({ result: 'failed', reasons: ['[2021-10-29 16:02:12] error: Nwipe exited with fatal errors on device = /dev/sda'] });
  });
});

describe('several runs appended to one log file (FORMAT.md §1)', () => {
  it('reports each run: a finished one, then one cut short whose drive stays unknown', () => {
    const first = modernLog();
    const second = cutBefore(modernLog().replaceAll('2025/03/10', '2025/03/11'), '\n******************************** Error Summary');
    const runs = runsOf(parseNwipeLog(`${first}\n${second}`));
    expect(runs.map((run) => [run.startedAt, run.drives.map((drive) => drive.result)])).toEqual([
      ['2025-03-10T09:00:00', ['passed']],
      ['2025-03-11T09:00:00', ['unknown']],
    ]);
    expect(runs[1]!.drives[0]!.reasons).toEqual([
      'The log stops before the Drive Status table that gives the result: it was cut short, or nwipe was stopped before the end.',
    ]);
  });

  it('splits runs without a banner at the next wipe after a summary', () => {
    const withoutBanner = modernLog().replace('[2025/03/10 09:00:00]    info: nwipe 0.42\n', '');
    const runs = runsOf(parseNwipeLog(`${withoutBanner}\n${withoutBanner.replace('| Erased |', '|-FAILED-|')}`));
    expect(runs.map((run) => run.drives.map((drive) => drive.result))).toEqual([['passed'], ['failed']]);
  });
});

describe('the PDF certificate text (FORMAT.md §4)', () => {
  const certificate = (fields: Record<string, string>) =>
    ['Disk Erasure Report', ...Object.entries(fields).map(([label, value]) => `${label} ${value}`), 'Disc Erasure by NWIPE version 0.42'].join('\n');
  const erased = {
    'Make/Model:': 'WDC WD5000AAKX-00ERMA0',
    'Serial:': 'WD-WCC2EAA12345',
    'Bus:': 'ATA',
    'Size(Apparent):': '500 GB, 500107862016 bytes',
    'Start time:': '2026/01/05 09:00:00',
    'End time:': '2026/01/05 10:30:00',
    'Status:': 'ERASED',
    'Method:': 'PRNG Stream (S)',
    'Final Pass(Zeros/Ones/None):': 'None',
    'Verify Pass(Last/All/None):': 'All',
    '*Bytes Erased:': '500107862016, (100.00%)',
    'Rounds(completed/requested):': '2/2',
    'HPA/DCO:': 'No hidden sectors',
    'Errors(pass/sync/verify/retries):': '0/0/0/2',
  };

  it('reads a 0.42 certificate: identity, direction suffix dropped, retries are not errors', () => {
    const result = parseNwipeLog(certificate(erased), { timeZone: 'Europe/Paris' });
    expect(runsOf(result)[0]!.tool).toEqual({ name: 'nwipe', version: '0.42' });
    expect(onlyDrive(result)).toMatchObject({
      model: 'WDC WD5000AAKX-00ERMA0',
      serial: 'WD-WCC2EAA12345',
      bus: 'ATA',
      capacityText: '500 GB',
      capacityBytes: 500107862016,
      method: 'PRNG Stream',
      rounds: 2,
      blanking: false,
      verification: 'all_passes',
      nistVerification: 'full',
      startedAtUtc: '2026-01-05T08:00:00Z',
      endedAtUtc: '2026-01-05T09:30:00Z',
      result: 'passed',
      notes: [],
    });
  });

  it.each([
    [{ 'Status:': 'FAILED', 'Errors(pass/sync/verify/retries):': '0/0/4/0' }, ['The certificate says FAILED.', 'Errors (pass/sync/verify): 0/0/4.']],
    [
      { 'Status:': 'ABORTED', 'Rounds(completed/requested):': '1/2' },
      ['The certificate says ABORTED: the wipe was stopped by the user.', 'Only 1 of 2 rounds completed.'],
    ],
    [{ '*Bytes Erased:': '499000000000, (99.78%)' }, ['Bytes erased: 499000000000 (99.78%).']],
  ])('fails a certificate that shows a failure: %o', (changes, reasons) => {
    expect(onlyDrive(parseNwipeLog(certificate({ ...erased, ...changes })))).toMatchObject({ result: 'failed', reasons });
  });

  it('refuses certificate text without a status', () => {
    const { 'Status:': _, ...withoutStatus } = erased;
    expect(refusalOf(parseNwipeLog(certificate(withoutStatus)))).toBe(
      'This certificate text has no Status (ERASED, FAILED...), so it does not say how the wipe ended.',
    );
  });
});

describe('NIST SP 800-88 vocabulary', () => {
  it.each([
    ['NV', 'none', 'none'],
    ['VL', 'last_pass', 'full'],
    ['VA', 'all_passes', 'full'],
  ] as const)('maps the footer verify code %s to %s, NIST %s (nwipe never samples)', (code, verification, nist) => {
    const drive = onlyDrive(parseNwipeLog(modernLog({ footer: `PRNG Stream, 1R+B+${code}` })));
    expect(drive).toMatchObject({ verification, nistVerification: nist });
    expect(nistVerificationOf[verification]).toBe(nist);
  });

  it('records an nwipe overwrite of an SSD as clear, which does not satisfy the default policy', () => {
    const drive = onlyDrive(parseNwipeLog(modernLog()));
    expect(drive).toMatchObject({ mediaType: 'ssd', technique: 'overwrite', sanitizationLevel: 'clear', result: 'passed' });
    const record = { level: drive.sanitizationLevel, technique: drive.technique, result: 'passed' as const };
    expect(shortfall({ type: 'ssd' }, record)).toBe('clear is below the purge this network requires for SSD');
    // The NVMe of success-2.log likewise; an overwrite is enough only for a disk the operator knows is an HDD.
    const nvme = onlyDrive(parseNwipeLog(fixture('success-2.log')));
    expect(shortfall({ type: 'nvme' }, { level: nvme.sanitizationLevel, technique: nvme.technique, result: 'passed' })).not.toBeNull();
    expect(shortfall({ type: 'hdd' }, record)).toBeNull();
  });

  it.each([
    ['/dev/sda', ' ATA-SSD, Micron 1100 SATA', 'ssd'],
    ['/dev/nvme0n1', 'NVME, Samsung SSD 970 EVO', 'nvme'],
    ['/dev/mmcblk0', 'MMC, DA4064', 'emmc'],
    ['/dev/sda', ' ATA    , KINGSTON SA400S37240G SSD', 'ssd'],
    ['/dev/sda', ' ATA    , TOSHIBA MQ01ABD1', 'unknown'],
    ['/dev/sdb', ' USB    , Kingston DataTraveler 3.0', 'unknown'],
  ])('names the medium of %s (%s) as %s, and the level stays clear', (device, found, mediaType) => {
    const drive = onlyDrive(parseNwipeLog(modernLog({ device, found: `${found}, 32 GB, S/N=S3Z9NB0K123456A` })));
    expect(drive).toMatchObject({ device, mediaType, sanitizationLevel: 'clear', result: 'passed' });
  });

  it('gives UTC times only for a time zone it knows, across daylight saving', () => {
    const summer = onlyDrive(parseNwipeLog(fixture('success-2.log'), { timeZone: 'Europe/Paris' }));
    expect([summer.startedAtUtc, summer.endedAtUtc]).toEqual(['2020-06-17T17:05:35Z', '2020-06-17T17:31:37Z']);
    const winter = onlyDrive(parseNwipeLog(modernLog().replaceAll('2025/03/10', '2025/01/10'), { timeZone: 'Europe/Paris' }));
    expect(winter.startedAtUtc).toBe('2025-01-10T08:00:10Z');
    expect(refusalOf(parseNwipeLog(modernLog(), { timeZone: 'Mars/Olympus' }))).toBe(
      '"Mars/Olympus" is not a time zone (expected a name such as Europe/Paris).',
    );
  });
});

describe('words of a log that a plain JavaScript object also answers to', () => {
  it('refuses a Drive Status named like a member of Object as a status Boucle does not know', () => {
    // The status column is 8 characters wide.
    for (const status of ['toString', 'valueOf']) {
      expect(refusalOf(parseNwipeLog(modernLog({ status: status.padEnd(8) }), { timeZone: 'Europe/Paris' }))).toContain(
        `Drive Status for the drive is "${status}", which Boucle does not know`,
      );
    }
  });

  it('reads a method named like a member of Object as a method of its own', () => {
    for (const method of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const log = modernLog({ footer: `${method}, 1R+B+VL` }).replace("Invoking method 'PRNG Stream'", `Invoking method '${method}'`);
      const drive = onlyDrive(parseNwipeLog(log, { timeZone: 'Europe/Paris' }));
      expect(drive.pattern, method).toBe('method_defined');
      expect(JSON.stringify(drive), method).not.toMatch(/native code|\[object Object\]/);
    }
  });
});
