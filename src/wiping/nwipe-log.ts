/**
 * Reads an nwipe or ShredOS log (or the text of nwipe's PDF certificate) into wipe records the
 * operator only has to confirm. Pure: text in, data out. Every rule cites FORMAT.md
 * (tests/fixtures/nwipe/FORMAT.md), the notes on the format across nwipe versions.
 *
 * The rule that matters most: a drive is `passed` only when nwipe itself wrote ` Erased ` in its
 * Drive Status table and nothing in the log contradicts it. A log cut short before that table
 * gives `unknown`, never a pass, and a log in which no drive has a readable result is refused.
 *
 * Files: nwipe-lines.ts (line grammar), nwipe-runs.ts (what the messages say), nwipe-drive.ts
 * (the record's vocabulary), nwipe-certificate.ts (PDF text), this one (the verdict).
 */
import { looksLikeCertificate, parseCertificateText } from './nwipe-certificate.ts';
import {
  describeDrive,
  isVerifyOnlyMethod,
  secondsBefore,
  toDrive,
  type DriveFacts,
  type NwipeDrive,
  type NwipeParse,
  type NwipeParseOptions,
  type NwipeRun,
  type NwipeVerification,
} from './nwipe-drive.ts';
import type { SummaryFooter } from './nwipe-lines.ts';
import { isAnonymised, readRuns, rowsOf, type DriveState, type RowsOf, type RunState } from './nwipe-runs.ts';
import { lookupTable } from '../lookup.ts';

export type * from './nwipe-drive.ts';
export { nistVerificationOf } from './nwipe-drive.ts';

const verificationOf: Record<SummaryFooter['verify'], NwipeVerification> = { NV: 'none', VL: 'last_pass', VA: 'all_passes' };

/** Why a drive without a result row has no readable result, in the words of the run's era. */
function missingResult(run: RunState): string {
  if (run.era === '<=0.28')
    return 'nwipe before 0.29 writes no result for a drive (its Drive Status table came later), so a log without errors cannot show that the wipe finished.';
  if (run.tables.drive_status) return "nwipe's Drive Status table has no row for this drive.";
  if (run.tables.error_summary)
    return 'The log stops after the Error Summary, before the Drive Status table that gives the result; zero errors alone do not show that the wipe finished.';
  return 'The log stops before the Drive Status table that gives the result: it was cut short, or nwipe was stopped before the end.';
}

type Outcome = Pick<NwipeDrive, 'result' | 'reasons'>;

/** FORMAT.md §3c "Status values" and "How status is decided", cross-checked with §3a and §3b. */
function outcomeOf(run: RunState, drive: DriveState, method: string | undefined, rows: RowsOf): Outcome {
  const status = rows.status.get(drive.device)?.status.trim();
  if (isVerifyOnlyMethod(method)) {
    return { result: 'unknown', reasons: [`nwipe only read the drive back ('${method}'), it did not overwrite it: that is not a wipe.`] };
  }
  const failures = [...drive.failures];
  const errors = rows.errors.get(drive.device);
  if (errors && errors.passErrors + errors.verifyErrors + errors.fdatasyncErrors > 0)
    failures.push(`Error Summary: ${errors.passErrors} pass errors, ${errors.verifyErrors} verification errors, ${errors.fdatasyncErrors} fdatasync errors.`);
  const erasure = rows.erasure.get(drive.device);
  // nwipe flags "!" when the bytes erased differ from the size it expected, hidden sectors included.
  if (erasure?.flagged) failures.push(`Erasure Summary: ${erasure.bytesErased} of ${erasure.bytesTotal} bytes erased (${erasure.percentage}).`);
  if (status === 'Erased') return failures.length ? { result: 'failed', reasons: failures } : { result: 'passed', reasons: [] };
  const verdicts = lookupTable({
    '-FAILED-': 'nwipe marked the drive -FAILED- in its Drive Status table.',
    UABORTED: 'The wipe was aborted by the user (Drive Status UABORTED).',
    INSANITY: 'nwipe reached a state it considers impossible (Drive Status INSANITY).',
  });
  if (status !== undefined) {
    const verdict = verdicts[status] ?? (/FAIL/.test(status) ? `nwipe marked the drive ${status} in its Drive Status table.` : undefined);
    if (verdict) return { result: 'failed', reasons: [verdict, ...failures] };
    return { result: 'unknown', reasons: [`nwipe's Drive Status for the drive is "${status}", which Boucle does not know.`] };
  }
  // No status row: errors still prove a failure; their absence proves nothing.
  if (failures.length || drive.earlyErrors.length) return { result: 'failed', reasons: [...failures, ...drive.earlyErrors] };
  return { result: 'unknown', reasons: [missingResult(run)] };
}

function toRun(run: RunState, timeZone: string | undefined): NwipeRun {
  const rows = rowsOf(run);
  const footer = run.footer;
  const wiped = [...run.drives.values()].filter((d) => d.wiped || rows.status.has(d.device) || rows.errors.has(d.device));
  const drives = wiped.map((drive): NwipeDrive => {
    const row = rows.status.get(drive.device);
    const rowSerial = row && !isAnonymised(row.serial) ? row.serial : '';
    const method = drive.method ?? footer?.method;
    const fromProgress = drive.startedAt !== undefined || drive.lastProgressAt !== undefined;
    const outcome = outcomeOf(run, drive, method, rows);
    const earlyErrors = drive.earlyErrors.filter((line) => !outcome.reasons.includes(line));
    const notes = [...drive.notes, ...earlyErrors.map((line) => `Before the wipe: ${line}`)];
    if (drive.device.startsWith('…')) notes.push(`nwipe printed only the last 6 characters of the device name ("${drive.device.slice(1)}").`);
    // The row is nwipe's verdict on the drive it wiped: a Found line with another serial is about
    // another drive (fixture success-2.log pastes such lines after its table), so nothing of it is kept.
    const found = rowSerial && drive.serial && rowSerial !== drive.serial ? undefined : drive;
    if (!found) notes.push(`The Drive Status table names serial ${rowSerial}, the start of the log ${drive.serial} for ${drive.device}: the table's is kept.`);
    const facts: DriveFacts = {
      device: drive.device,
      // The table cuts the model to 17 characters: the Found line has it whole (FORMAT.md §3c).
      model: found?.model ?? (row?.model || undefined),
      serial: found?.serial ?? (rowSerial || undefined),
      bus: found?.bus,
      capacityBytes: found?.capacityBytes ?? rows.erasure.get(drive.device)?.bytesTotal,
      capacityText: found?.capacityText,
      method,
      rounds: drive.rounds ?? footer?.rounds,
      passesPerRound: drive.passesPerRound,
      blanking: footer ? footer.blanking : drive.blankingSeen || undefined,
      verification: footer ? verificationOf[footer.verify] : 'unknown',
      startedAt: fromProgress ? drive.startedAt : row && footer && secondsBefore(footer.at, row.durationSeconds),
      endedAt: fromProgress ? drive.lastProgressAt : row && footer?.at,
      durationSeconds: row?.durationSeconds,
      timesFrom: fromProgress ? 'progress_lines' : row && footer ? 'summary_table' : undefined,
      ...outcome,
      notes,
    };
    return toDrive(facts, timeZone);
  });
  return {
    tool: run.tool ?? { name: 'nwipe' },
    era: run.era,
    // A run whose start was not pasted still began when its first drive did.
    startedAt: [run.firstAt, ...drives.map((drive) => drive.startedAt)].filter((at) => at !== undefined).sort()[0],
    endedAt: footer?.at ?? run.lastAt,
    closingMessage: run.closingMessage,
    drives,
    notes: run.notes,
  };
}

const listOf = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/**
 * A log that holds only how nwipe exited (its wipe threads cancelled, its verdict on drives that
 * ended in errors), as people paste the end of a console: it shows no wipe to record, but it does
 * say that the wipe of the drives named failed or did not finish.
 */
function endOfRunRefusal(ending: DriveState[]): string {
  const cancelled = ending.filter((drive) => drive.threadCancelled).map((drive) => describeDrive(drive));
  const byWords = new Map<string, string[]>();
  for (const drive of ending) if (drive.exitedWith) byWords.set(drive.exitedWith, [...(byWords.get(drive.exitedWith) ?? []), describeDrive(drive)]);
  const exited = [...byWords].map(([words, names]) => `with ${words} on ${listOf(names)}`);
  const what = [cancelled.length ? `cancelled the wipe threads of ${listOf(cancelled)}` : '', exited.length ? `exited ${listOf(exited)}` : ''].filter(Boolean);
  const failed = ending.filter((drive) => drive.exitedWith).map((drive) => describeDrive(drive));
  const verdict = failed.length
    ? `The wipe of ${listOf(failed)} failed or did not finish, and the log holds no line of the wipe itself: nothing can be recorded from it. Wipe ${failed.length > 1 ? 'these drives' : 'the drive'} again.`
    : 'No line shows the wipe itself nor how it ended: import the complete log, or wipe again.';
  return `This log shows only the end of an nwipe run: nwipe ${listOf(what)}. ${verdict}`;
}

/** Groups the drives that share a reason, so a refusal reads as one sentence per cause. */
function refusal(runs: NwipeRun[], states: RunState[]): string {
  const drives = runs.flatMap((run) => run.drives);
  if (drives.length === 0) {
    const known = states.flatMap((run) => [...run.drives.values()]);
    const ending = known.filter((drive) => drive.exitedWith || drive.threadCancelled);
    if (ending.length > 0) return endOfRunRefusal(ending);
    const found = known.map((drive) => describeDrive(drive));
    const seen = found.length ? `, in which it found ${listOf(found)}` : '';
    return `This log shows no wipe: it stops after nwipe's start-up lines${seen}. Import the log of the wipe itself.`;
  }
  const byReason = new Map<string, string[]>();
  for (const drive of drives) {
    const reason = drive.reasons.join(' ');
    byReason.set(reason, [...(byReason.get(reason) ?? []), describeDrive(drive)]);
  }
  const causes = [...byReason].map(([reason, names]) => `No result can be read for ${listOf(names)}. ${reason}`);
  return `${causes.join(' ')} Import the complete log, or wipe again.`;
}

/**
 * Reads a log as nwipe or ShredOS writes it, or the text copied from nwipe's PDF certificate.
 * `ok: false` when nothing in it has a readable result: not an nwipe log, no wipe started, or every
 * wiped drive's result missing. With `ok: true`, drives whose result is `unknown` must still be
 * wiped again or confirmed from another source: their log says nothing about how the wipe ended.
 */
export function parseNwipeLog(text: string, options: NwipeParseOptions = {}): NwipeParse {
  if (options.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: options.timeZone });
    } catch {
      return { ok: false, reason: `"${options.timeZone}" is not a time zone (expected a name such as Europe/Paris).` };
    }
  }
  if (text.trim() === '') return { ok: false, reason: 'The file is empty.' };
  const states = readRuns(text).filter((run) => run.firstAt !== undefined || Object.keys(run.tables).length > 0);
  if (states.length === 0) {
    if (looksLikeCertificate(text)) return parseCertificateText(text, options);
    return {
      ok: false,
      reason: 'This is not an nwipe or ShredOS log: no line has the form "[2024/08/13 14:23:36] notice: …" that nwipe writes, and no summary table.',
    };
  }
  const runs = states.map((run) => toRun(run, options.timeZone));
  if (!runs.some((run) => run.drives.some((drive) => drive.result !== 'unknown'))) return { ok: false, reason: refusal(runs, states) };
  return { ok: true, source: 'log', runs: runs.filter((run) => run.drives.length > 0) };
}
