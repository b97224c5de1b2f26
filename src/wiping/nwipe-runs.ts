/**
 * What an nwipe log says, drive by drive and run by run: the message rules of FORMAT.md §2
 * (tests/fixtures/nwipe/FORMAT.md) applied to the records of nwipe-lines.ts. Deciding what it
 * means for a wipe record is nwipe-log.ts's job.
 */
import type { NwipeTool } from './nwipe-drive.ts';
import {
  readLogRecords,
  type DriveStatusRow,
  type ErasureSummaryRow,
  type ErrorSummaryRow,
  type LocalDateTime,
  type LogEra,
  type LogMessage,
  type LogTable,
  type SummaryFooter,
} from './nwipe-lines.ts';

export type DriveState = {
  device: string;
  bus?: string;
  model?: string;
  serial?: string;
  capacityText?: string;
  capacityBytes?: number;
  method?: string;
  rounds?: number;
  passesPerRound?: number;
  startedAt?: LocalDateTime;
  lastProgressAt?: LocalDateTime;
  /** nwipe started wiping it (method, round or pass lines), as opposed to only finding it. */
  wiped: boolean;
  blankingSeen: boolean;
  /** Evidence that the wipe failed, quoted from the log. */
  failures: string[];
  /** Errors about the drive before its wipe started: they do not overturn nwipe's own ` Erased `. */
  earlyErrors: string[];
  /** nwipe's words on the drive as it exited with errors (`fatal errors`, `non fatal errors`, `errors`). */
  exitedWith?: string;
  /** nwipe logged cancelling (stopping) the drive's wipe thread: it does so as it exits, whatever the outcome. */
  threadCancelled: boolean;
  notes: string[];
};

export type RunState = {
  tool?: NwipeTool;
  era?: LogEra;
  firstAt?: LocalDateTime;
  lastAt?: LocalDateTime;
  closingMessage?: string;
  drives: Map<string, DriveState>;
  tables: { [K in LogTable['kind']]?: Extract<LogTable, { kind: K }> };
  footer?: SummaryFooter;
  /** The device of the last `Device geometry is as follows...` header (0.41+, FORMAT.md §2). */
  geometryDevice?: string;
  notes: string[];
};

const newRun = (): RunState => ({ drives: new Map(), tables: {}, notes: [] });

export function driveOf(run: RunState, device: string): DriveState {
  let drive = run.drives.get(device);
  if (!drive) {
    drive = { device, wiped: false, blankingSeen: false, failures: [], earlyErrors: [], threadCancelled: false, notes: [] };
    run.drives.set(device, drive);
  }
  return drive;
}

export const quote = (message: LogMessage) => `[${message.at.replace('T', ' ')}] ${message.level}: ${message.text}`;

/** `-q` replaces identifying values with X's (FORMAT.md §2, DMI lines), in the tables too. */
export const isAnonymised = (serial: string) => /^X{8,}$/.test(serial.trim());

/** Serial as logged; 0.29 writes `(no ATA pass thru)` when it has none. */
function setSerial(drive: DriveState, serial: string) {
  const value = serial.trim();
  if (isAnonymised(value)) drive.notes.push('nwipe ran with -q: the serial number was replaced by X characters.');
  else if (value && !/^\(.*\)$/.test(value)) drive.serial = value;
}

// Device as the messages write it: `/dev/sdc`, or `device '/dev/sdc'.` before 0.29 (FORMAT.md §2, "Old form").
const dev = String.raw`(?:device )?'?(/dev/[^\s']+?)'?\.?`;
const on = (pattern: string) => new RegExp(`^${pattern} ${dev}$`);

type Rule = { pattern: RegExp; apply: (m: RegExpMatchArray, run: RunState, message: LogMessage) => void };

/** Message rules, first match wins; FORMAT.md §2 "Key messages" lists them with their versions. */
const rules: Rule[] = [
  { pattern: /^nwipe (\d+\.\d+(?:\.\d+)?)\s*$/, apply: (m, run) => (run.tool = { name: 'nwipe', version: m[1] }) },
  // ShredOS replaces the banner with its own version, which ends in nwipe's (FORMAT.md §1).
  {
    pattern: /^ShredOS (v\S+)/,
    apply: (m, run) => (run.tool = { name: 'ShredOS', version: m[1], nwipeVersion: m[1]!.match(/_(\d+\.\d+(?:\.\d+)?)(?:-\S*)?$/)?.[1] }),
  },
  // `Found %s, %s, %s, %s, S/N=%s`: device, bus, model, size text, serial; 0.28 glued bus and model.
  {
    pattern: /^Found (\/dev\/[^\s,]+),(.*)$/,
    apply: ([, device, rest], run) => {
      const drive = driveOf(run, device!);
      const parts = rest!.split(',').map((part) => part.trim());
      if (parts.at(-1)?.startsWith('S/N=')) setSerial(drive, parts.pop()!.slice(4));
      if (/^\d[\d.]*\s*[KMGTP]?i?B$/i.test(parts.at(-1) ?? '')) drive.capacityText = parts.pop();
      if (parts.length > 1) drive.bus = parts.shift();
      drive.model = parts.join(', ') || undefined;
    },
  },
  { pattern: /^(\/dev\/\S+) has serial number (.*)$/, apply: ([, device, serial], run) => setSerial(driveOf(run, device!), serial!) },
  {
    pattern: /^Device '(\/dev\/[^']+)' is size (\d+)\.$/,
    apply: ([, device, size], run) => {
      const drive = driveOf(run, device!);
      if (Number.isSafeInteger(Number(size))) drive.capacityBytes = Number(size);
      else drive.notes.push(`nwipe reported an impossible size of ${size} bytes for this drive.`);
    },
  },
  // `sect/blk/dev` (0.29-0.34) is not read: its size was misprinted, even negative (fixture
  // failure-5.log), until nwipe PRs #259 and #388 fixed the format specifiers.
  { pattern: /^(\/dev\/\S+): Device geometry is as follows/, apply: ([, device], run) => (run.geometryDevice = device) },
  {
    pattern: /^\s*Total device bytes\s*= (\d+)$/,
    apply: ([, bytes], run) => {
      if (run.geometryDevice) driveOf(run, run.geometryDevice).capacityBytes = Number(bytes);
    },
  },
  {
    pattern: on(`Invoking method '(.+)' on`),
    apply: ([, method, device], run, message) => {
      const drive = startWipe(run, device!, message);
      drive.method = method;
    },
  },
  {
    pattern: on(`Starting round (\\d+) of (\\d+) on`),
    apply: ([, , rounds, device], run, message) => (startWipe(run, device!, message).rounds = Number(rounds)),
  },
  // `Starting pass 1/3, round 1/1, on` (0.29+) or `Starting pass 1 of 3, round 1 of 1, on device '…'.`
  {
    pattern: on(`Starting pass \\d+(?:/| of )(\\d+), round \\d+(?:/| of )(\\d+), on`),
    apply: ([, passes, rounds, device], run, message) => {
      const drive = startWipe(run, device!, message);
      drive.passesPerRound = Number(passes);
      drive.rounds = Number(rounds);
    },
  },
  {
    pattern: on(`(\\d+ bytes written to|Finished .*on|Verif(?:ying|ied) pass .*on|Blanking device)`),
    apply: ([, what, device], run, message) => {
      const drive = progress(run, device!, message);
      if (what === 'Blanking device') drive.blankingSeen = true;
    },
  },
  { pattern: /^Verifying that (\/dev\/\S+) is zeroed/, apply: ([, device], run, m) => void progress(run, device!, m) },
  {
    pattern: /^\[SUCCESS\] (?:Blanked device|Verified that) (\/dev\/[^\s']+?)(?: is Zeroed)?\.?$/,
    apply: ([, device], run, m) => void progress(run, device!, m),
  },
  // `[FAILURE] %s may not be blanked`, `[FAILURE] %s has not been Zeroed .`
  { pattern: /^\[FAILURE\] (\/dev\/[^\s']+)/, apply: ([, device], run, m) => fail(progress(run, device!, m), m) },
  // Per-drive error counts, and the --verbose status line (fixture partial-5.log).
  {
    pattern: /^(\d+) (?:wipe|verification|sync) errors on '(\/dev\/[^']+)'/,
    apply: ([, count, device], run, m) => (Number(count) > 0 ? fail(driveOf(run, device!), m) : undefined),
  },
  {
    pattern: /^Status: (\/dev\/[^\s,]+), result=(-?\d+), pass_errors=(\d+), verify_errors=(\d+), fsync_errors=(\d+)/,
    apply: ([, device, ...counts], run, m) => (counts.some((count) => Number(count) !== 0) ? fail(driveOf(run, device!), m) : undefined),
  },
  // A failed fdatasync: counted as a Fdatasync I\O error in the Error Summary since PR #339 (FORMAT.md §3a).
  { pattern: /^Buffer flush failure on '(\/dev\/[^']+)'/, apply: ([, device], run, m) => fail(driveOf(run, device!), m) },
  // As it exits, nwipe cancels every wipe thread, then names each drive whose wipe returned an
  // error: `Nwipe exited with fatal errors on device = %s` (error level, result < 0) or `with non
  // fatal errors` (result > 0) until late 2021, `Nwipe exited with errors on device = %s, see log
  // for specific error` since (FORMAT.md §2). That verdict comes after the wipe: it fails the
  // drive whatever the log kept of its wipe, never as an error "before the wipe".
  {
    pattern: /^(?:Requesting wipe thread cancellation for|Wipe thread for device) (\/dev\/[^\s,]+)/,
    apply: ([, device], run) => {
      driveOf(run, device!).threadCancelled = true;
    },
  },
  {
    pattern: /^Nwipe exited with ((?:non )?fatal errors|errors) on device = (\/dev\/[^\s,]+)/,
    apply: ([, words, device], run, message) => {
      const drive = driveOf(run, device!);
      drive.exitedWith = words;
      fail(drive, message);
    },
  },
  // End of run (FORMAT.md §2, since 12063ad; before it only `Nwipe successfully exited.`).
  { pattern: /^Nwipe (?:successfully|exited with errors|was aborted)/, apply: (_, run, message) => (run.closingMessage = message.text) },
];

function progress(run: RunState, device: string, message: LogMessage): DriveState {
  const drive = driveOf(run, device);
  drive.wiped = true;
  drive.lastProgressAt = message.at;
  return drive;
}

function startWipe(run: RunState, device: string, message: LogMessage): DriveState {
  const drive = progress(run, device, message);
  drive.startedAt ??= message.at;
  return drive;
}

/** A failure line also dates the drive's last activity: for a failed wipe that is as far as the log goes. */
function fail(drive: DriveState, message: LogMessage) {
  drive.failures.push(quote(message));
  if (drive.wiped) drive.lastProgressAt = message.at;
}

/**
 * error, fatal and sanity lines (FORMAT.md §2 "Errors") name the drive they are about. During its
 * wipe they mean the wipe failed, even where an older nwipe still printed ` Erased ` (verify errors
 * count as FAILED only since PR #317, FORMAT.md §3c). Lines that name no drive stay on the run.
 */
function readError(run: RunState, message: LogMessage) {
  const devices = [...new Set(message.text.match(/\/dev\/[\w/.-]*\w/g) ?? [])];
  if (devices.length === 0) run.notes.push(quote(message));
  for (const device of devices) {
    const drive = driveOf(run, device);
    if (drive.wiped) fail(drive, message);
    else drive.earlyErrors.push(quote(message));
  }
}

const startsNwipe = (text: string) => /^(nwipe \d|ShredOS v|Opened entropy source)/.test(text);
/** Start-up and wipe lines come before the summary of their run, never after it. */
const startsWipe = (text: string) => /^(Found \/dev\/|Invoking method|Starting round 1 of)/.test(text);

/** Splits the appended runs of one log file (FORMAT.md §1: opened with "a", never truncated). */
export function readRuns(text: string): RunState[] {
  const runs = [newRun()];
  let run = runs[0]!;
  const hasSummary = () => Object.keys(run.tables).length > 0;
  for (const record of readLogRecords(text)) {
    if (record.kind === 'message') {
      const restarted = startsNwipe(record.text) && ([...run.drives.values()].some((d) => d.wiped) || hasSummary());
      if (restarted || (startsWipe(record.text) && hasSummary())) {
        run = newRun();
        runs.push(run);
      }
      run.era ??= record.era;
      // min and max: pasted logs are not always in order (fixture success-2.log starts with its table).
      if (!run.firstAt || record.at < run.firstAt) run.firstAt = record.at;
      if (!run.lastAt || record.at > run.lastAt) run.lastAt = record.at;
      const rule = rules.find(({ pattern }) => pattern.test(record.text));
      if (rule) rule.apply(record.text.match(rule.pattern)!, run, record);
      else if (['error', 'fatal', 'sanity'].includes(record.level)) readError(run, record);
    } else if (record.kind === 'footer') {
      run.footer = record;
    } else {
      if (run.tables[record.kind]) {
        run = newRun();
        runs.push(run);
      }
      Object.assign(run.tables, { [record.kind]: record });
    }
  }
  return runs;
}

/** 7-character names that lost their first letter to the 6-character column: `nvme1n1` → `vme1n1`. */
const cutNames: [RegExp, string][] = [
  [/^vme\dn\d$/, 'n'],
  [/^mcblk\d$/, 'm'],
];

/** Table rows name the device without `/dev/`, cut to its last 6 characters before v0.34 (FORMAT.md §3c). */
function deviceOfRow(run: RunState, name: string, wideColumn: boolean): string {
  const cut = !wideColumn && name.length >= 6;
  if (!cut || run.drives.has(`/dev/${name}`)) return `/dev/${name}`;
  const candidates = [...run.drives.keys()].filter((device) => device.endsWith(name));
  if (candidates.length === 1) return candidates[0]!;
  const restored = cutNames.find(([pattern]) => pattern.test(name));
  return restored ? `/dev/${restored[1]}${name}` : `…${name}`;
}

function rowsByDevice<Row extends { name: string }>(run: RunState, table: { wideDeviceColumn: boolean; rows: Row[] } | undefined) {
  return new Map((table?.rows ?? []).map((row) => [deviceOfRow(run, row.name, table!.wideDeviceColumn), row]));
}

export type RowsOf = {
  status: Map<string, DriveStatusRow>;
  errors: Map<string, ErrorSummaryRow>;
  erasure: Map<string, ErasureSummaryRow>;
};

/** The summary rows of a run keyed by device; devices only the tables name become drives too. */
export function rowsOf(run: RunState): RowsOf {
  const rows: RowsOf = {
    status: rowsByDevice(run, run.tables.drive_status),
    errors: rowsByDevice(run, run.tables.error_summary),
    erasure: rowsByDevice(run, run.tables.erasure_summary),
  };
  for (const table of Object.values(rows)) for (const device of table.keys()) driveOf(run, device);
  return rows;
}
