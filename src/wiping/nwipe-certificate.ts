/**
 * Reads the text copied out of nwipe's PDF certificate (0.35+, FORMAT.md §4, page 1). Copying
 * from a PDF splits labels from their values and adds spaces (fixture pdf-text-1.txt), so the
 * text is cut at the known labels rather than read line by line.
 */
import { describeDrive, toDrive, type NwipeParse, type NwipeParseOptions, type NwipeVerification } from './nwipe-drive.ts';
import { lookupTable } from '../lookup.ts';

/** Labels of page 1 as printed (FORMAT.md §4, `src/create_single_disc_pdf.c`), plus the headings that end a value. */
const labels = [
  'Disk Model:',
  'Disk S/N:',
  'Make/Model:',
  'Serial:',
  'Bus:',
  'Size(Apparent):',
  'Size(Real):',
  'Start time:',
  'End time:',
  'Duration:',
  'Status:',
  'Method:',
  'PRNG algorithm:',
  'Final Pass(Zeros/Ones/None):',
  'Verify Pass(Last/All/None):',
  '*Bytes Erased:',
  'Rounds(completed/requested):',
  'HPA/DCO Size:',
  'HPA/DCO:',
  'Throughput:',
  'Errors(pass/sync/verify/retries):',
  'Errors(pass/sync/verify):',
  'Information:',
  'Name/ID:',
  'Signature:',
  'Disc Erasure by NWIPE version',
  'Technician/Operator ID',
  'Disk Information',
  'Disk Erasure Details',
  'Customer Details',
  'Organisation Performing The Disk Erasure',
  'Page ',
] as const;
type Label = (typeof labels)[number];

const labelPattern = new RegExp(labels.map((label) => label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');

/** The certificate's title, section heading or footer (FORMAT.md §4, "Header and footer"). */
export const looksLikeCertificate = (text: string) => /Disk Erasure Details|Disk Erasure Report|Disc Erasure by NWIPE/.test(text);

/** Each label's text up to the next label, as lines with the PDF's leading spaces removed. */
function readFields(text: string): Map<Label, string[]> {
  const fields = new Map<Label, string[]>();
  const found = [...text.matchAll(labelPattern)];
  found.forEach((match, index) => {
    const end = found[index + 1]?.index ?? text.length;
    const lines = text
      .slice(match.index + match[0].length, end)
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (!fields.has(match[0] as Label)) fields.set(match[0] as Label, lines);
  });
  return fields;
}

/** `2024/07/30 07:21:13`, local time like the log's (FORMAT.md §4, "Start time"). */
function localTime(value: string | undefined) {
  const m = value?.match(/^(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d)$/);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}` : undefined;
}

function verificationOf(value: string | undefined): NwipeVerification {
  // `Verify Last` in 0.37, `Last` in HEAD (FORMAT.md §4).
  if (!value) return 'unknown';
  if (/last/i.test(value)) return 'last_pass';
  if (/all/i.test(value)) return 'all_passes';
  return /none|off/i.test(value) ? 'none' : 'unknown';
}

export function parseCertificateText(text: string, options: NwipeParseOptions = {}): NwipeParse {
  const fields = readFields(text);
  const field = (label: Label) => fields.get(label)?.[0];
  const status = field('Status:')?.toUpperCase();
  if (!status) {
    return { ok: false, reason: 'This certificate text has no Status (ERASED, FAILED...), so it does not say how the wipe ended.' };
  }
  const [completedRounds, requestedRounds] = (field('Rounds(completed/requested):') ?? '').split('/').map(Number);
  const errors = (field('Errors(pass/sync/verify/retries):') ?? field('Errors(pass/sync/verify):'))?.split('/').map(Number);
  const erased = field('*Bytes Erased:')?.match(/^(\d+), \(([\d.]+%|N\/A)\)/);
  const apparentSize = field('Size(Apparent):')?.match(/^(.*?),\s*(\d+) bytes/);
  const [startedAt, endedAt] = [localTime(field('Start time:')), localTime(field('End time:'))];
  const duration = field('Duration:')?.match(/^(\d+):(\d\d):(\d\d)$/);

  const identity = { model: field('Make/Model:') ?? field('Disk Model:'), serial: field('Serial:') ?? field('Disk S/N:') };
  const failures: string[] = [];
  // Pass, sync and verify errors make nwipe print FAILED; retries that succeeded are not errors.
  if (errors?.slice(0, 3).some((count) => count !== 0)) failures.push(`Errors (pass/sync/verify): ${errors.slice(0, 3).join('/')}.`);
  if (completedRounds !== undefined && requestedRounds !== undefined && completedRounds < requestedRounds)
    failures.push(`Only ${completedRounds} of ${requestedRounds} rounds completed.`);
  if (erased && erased[2] !== '100.00%') failures.push(`Bytes erased: ${erased[1]} (${erased[2]}).`);
  const verdicts = lookupTable({
    FAILED: 'The certificate says FAILED.',
    ABORTED: 'The certificate says ABORTED: the wipe was stopped by the user.',
    INSANITY: 'The certificate says INSANITY: nwipe reached a state it considers impossible.',
  });
  if (status !== 'ERASED' && !verdicts[status]) {
    return { ok: false, reason: `The certificate of ${describeDrive(identity)} gives the status "${status}", which Boucle does not know.` };
  }
  const reasons = status === 'ERASED' ? failures : [verdicts[status]!, ...failures];

  const hiddenSectors = field('HPA/DCO:');
  const notes = (fields.get('Information:') ?? []).filter((line) => !/^Warning$/i.test(line));
  // The Information lines explain an HPA/DCO warning when there is one; otherwise say it here.
  if (notes.length === 0 && hiddenSectors && !/^(No hidden sectors|Not applicable)/.test(hiddenSectors))
    notes.push(`HPA/DCO (hidden sectors): ${hiddenSectors}.`);
  const finalPass = field('Final Pass(Zeros/Ones/None):');
  const drive = toDrive(
    {
      ...identity,
      bus: field('Bus:'),
      capacityText: apparentSize?.[1],
      // At 100.00% the bytes erased are the whole size nwipe expected.
      capacityBytes: apparentSize ? Number(apparentSize[2]) : erased?.[2] === '100.00%' ? Number(erased[1]) : undefined,
      // 0.42 appends the direction, (R) or (S), to the method (FORMAT.md §4).
      method: field('Method:')?.replace(/\s*\([RS]\)$/, ''),
      rounds: requestedRounds || undefined,
      blanking: finalPass ? /zeros|ones/i.test(finalPass) : undefined,
      verification: verificationOf(field('Verify Pass(Last/All/None):')),
      startedAt,
      endedAt,
      durationSeconds: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : undefined,
      timesFrom: 'certificate',
      result: reasons.length ? 'failed' : 'passed',
      reasons,
      notes,
    },
    options.timeZone,
  );
  const version = field('Disc Erasure by NWIPE version');
  return { ok: true, source: 'certificate', runs: [{ tool: { name: 'nwipe', version }, startedAt, endedAt, drives: [drive], notes: [] }] };
}
