import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import type { Db } from '../db/client.ts';
import { findDevice } from '../devices/devices.service.ts';
import { ValidationError } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { recordFile, storeUpload } from '../files/files.service.ts';
import { parseNwipeLog, type NwipeDrive, type NwipeTool } from './nwipe-log.ts';
import type { WipeInput } from './wiping.service.ts';

const sameSerial = (a: string | undefined, b: string | undefined) =>
  Boolean(a && b) && a!.replace(/\s+/g, '').toUpperCase() === b!.replace(/\s+/g, '').toUpperCase();

/** A drive of the log as a wipe record, ready for the operator to confirm once it is placed on a medium. */
function proposedRecord(drive: NwipeDrive, tool: NwipeTool): Omit<WipeInput, 'mediumIndex'> | null {
  if (drive.result === 'unknown' || !drive.startedAtUtc || !drive.endedAtUtc) return null;
  return {
    level: drive.sanitizationLevel,
    technique: drive.technique,
    passes: drive.passes,
    pattern: [drive.method, drive.pattern].filter(Boolean).join(', ') || undefined,
    toolName: tool.name,
    toolVersion: tool.name === 'ShredOS' ? [tool.version, tool.nwipeVersion && `nwipe ${tool.nwipeVersion}`].filter(Boolean).join(', ') : tool.version,
    verification: drive.nistVerification ?? 'none',
    result: drive.result,
    failureReason: drive.reasons.length > 0 ? drive.reasons.join(' ').slice(0, 1000) : undefined,
    startedAt: new Date(drive.startedAtUtc),
    endedAt: new Date(drive.endedAtUtc),
  };
}

/** A drive the log gives no serial number for: its record waits for the operator to say which medium it is. */
export type DriveToMatch = { drive: string; reason: string; record: Omit<WipeInput, 'mediumIndex'>; mediumIndexes: number[]; notes: string[] };

/**
 * Reads an nwipe or ShredOS log for a device and proposes its wipe records: each drive of the
 * log is matched to the device's medium by serial number (or, for a device with one medium and a
 * log with one drive, to that medium, with a note). A drive the log gives no serial number for is
 * listed with its record and the media it may be: the operator says which, by sending the record
 * with that mediumIndex. Nothing is recorded: the operator checks the proposal and sends it to
 * POST /api/devices/{code}/wipes with the log's file id. A drive whose outcome the log does not
 * show is listed as unreadable, never proposed.
 */
export async function readNwipeLogForDevice(db: Db, fileStore: FileStore, actor: Actor, input: { code: string; log: string; timeZone: string }) {
  const device = await findDevice(db, actor, input.code);
  const parsed = parseNwipeLog(input.log, { timeZone: input.timeZone });
  if (!parsed.ok) throw new ValidationError([{ path: 'log', message: parsed.reason }]);
  const drives = parsed.runs.flatMap((run) => run.drives.map((drive) => ({ drive, tool: run.tool })));
  const proposals: { drive: string; record: WipeInput; notes: string[] }[] = [];
  const unmatched: ({ drive: string; serial?: string; reason: string } | DriveToMatch)[] = [];
  const unreadable: { drive: string; reasons: string[] }[] = [];
  const toMatch: Omit<DriveToMatch, 'mediumIndexes'>[] = [];
  for (const { drive, tool } of drives) {
    const name = [drive.device, drive.model, drive.serial].filter(Boolean).join(' ') || 'the drive';
    let mediumIndex = device.storageMedia.findIndex((medium) => sameSerial(medium.serialNumber, drive.serial));
    const notes = [...drive.notes];
    if (mediumIndex < 0 && device.storageMedia.length === 1 && drives.length === 1) {
      mediumIndex = 0;
      notes.push(`The log's serial (${drive.serial ?? 'none'}) is not the one on record for this medium: check the disk before confirming.`);
    }
    if (mediumIndex < 0 && drive.serial) {
      unmatched.push({ drive: name, serial: drive.serial, reason: 'No storage medium of this device has this serial number.' });
      continue;
    }
    const record = proposedRecord(drive, tool);
    if (!record) unreadable.push({ drive: name, reasons: drive.reasons });
    else if (mediumIndex >= 0) proposals.push({ drive: name, record: { mediumIndex, ...record }, notes });
    else {
      const outcome = record.result === 'passed' ? 'which nwipe reports erased' : 'whose wipe nwipe reports failed';
      const reason = `The log gives no serial number for ${name}, ${outcome}: say which storage medium of this device it is by sending its record with that mediumIndex.`;
      toMatch.push({ drive: name, reason, record, notes });
    }
  }
  // The media a drive without serial may be: those no other drive of the log was matched to.
  const placed = new Set(proposals.map((proposal) => proposal.record.mediumIndex));
  const free = device.storageMedia.flatMap((_, index) => (placed.has(index) ? [] : [index]));
  unmatched.push(...toMatch.map((entry) => ({ ...entry, mediumIndexes: free })));
  const file = await storeUpload(fileStore, `wipe-logs/${randomUUID()}.log`, input.log, (stored) =>
    recordFile(db, stored, {
      organisationId: device.organisationId,
      kind: 'wipe_log',
      filename: `nwipe-${device.assetCode}.log`,
      contentType: 'text/plain; charset=utf-8',
      createdByUserId: actor.userId,
    }),
  );
  return { logFileId: file.id, proposals, unmatched, unreadable };
}
