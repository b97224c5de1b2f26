import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { formatAssetCode, generateAssetCode, parseAssetCode } from '../devices/asset-code.ts';
import { appendCreatedEvents } from '../devices/devices.jobs.ts';
import { assetCodes, devices, type BenchCheck, type DeviceKind, type StorageMedium } from '../devices/devices.schema.ts';
import { presentDevice } from '../devices/devices.service.ts';
import { terminalStatuses } from '../devices/lifecycle.ts';
import { DomainError, notFoundAsField, ValidationError } from '../errors.ts';
import { sites } from '../organisations/organisations.schema.ts';
import type { donations } from './donations.schema.ts';
import { donationForIntake } from './donations.service.ts';

export type IntakeItem = {
  kind: DeviceKind;
  brand: string;
  model: string;
  serialNumber?: string;
  storageMedia: StorageMedium[];
  /** True when nobody said what storage the device has (an empty CSV cell). */
  storageUnknown?: boolean;
  notes?: string;
  /** A pre-printed label scanned at intake: the device takes its code. */
  labelCode?: string;
};

export type IntakeOutcome =
  | { ok: true; device: { id: string; code: string } }
  | { ok: false; code: 'duplicate_serial' | 'label_already_claimed' | 'label_unknown'; message: string; existingDevice?: string };

/** Issues `count` fresh codes in the registry; a code drawn twice (1 in 34 billion) is drawn again. */
export async function issueAssetCodes(tx: Tx, organisationId: string, count: number, preprinted: boolean): Promise<string[]> {
  const issued: string[] = [];
  while (issued.length < count) {
    const wanted = [...new Set(Array.from({ length: count - issued.length }, () => generateAssetCode()))];
    const rows = await tx.execute<{ code: string }>(sql`
      insert into ${assetCodes} (code, organisation_id, preprinted)
      select jsonb_array_elements_text(${JSON.stringify(wanted)}::jsonb), ${organisationId}, ${preprinted}
      on conflict do nothing returning code`);
    issued.push(...rows.map((row) => row.code));
  }
  return issued;
}

/**
 * Registers devices received in a donation, in the caller's transaction: each gets an asset code
 * (a fresh one, or the pre-printed label scanned for it), a `collected` event and its outbox job.
 * Each item succeeds or fails on its own: a serial number already live, or a label already
 * claimed, is reported against that item and adds nothing.
 */
export async function registerDevices(
  tx: Tx,
  actor: Pick<Actor, 'userId' | 'organisationId'>,
  donation: typeof donations.$inferSelect,
  items: IntakeItem[],
  options: { siteId?: string } = {},
): Promise<IntakeOutcome[]> {
  const [site] = await tx
    .select()
    .from(sites)
    .where(and(eq(sites.id, options.siteId ?? donation.collectionSiteId), eq(sites.organisationId, donation.organisationId)));
  if (!site) throw new ValidationError([{ path: 'siteId', message: 'The donation’s organisation has no site with this id.' }]);

  const outcomes: (IntakeOutcome | undefined)[] = new Array(items.length);
  const codes = await codesFor(tx, donation.organisationId, items, outcomes);
  const rows = items.flatMap((item, index) => {
    if (outcomes[index]) return [];
    const checks: BenchCheck[] = [];
    if (!item.serialNumber) checks.push('serial_number_missing');
    if (item.storageUnknown) checks.push('storage_unknown');
    return [
      {
        index,
        values: {
          asset_code: codes[index]!,
          kind: item.kind,
          brand: item.brand,
          model: item.model,
          serial_number: item.serialNumber ?? null,
          storage_media: item.storageMedia,
          notes: item.notes ?? null,
          bench_checks: checks,
        },
      },
    ];
  });

  // One statement whatever the lot's size, the rows as one JSON parameter: building 10,000 rows
  // through the query builder cost more than Postgres's own work. A row refused by a unique index
  // (a live serial, a claimed code) is skipped, not an error, and explained below.
  const inserted = new Map<string, string>();
  if (rows.length > 0) {
    const created = await tx.execute<{ id: string; asset_code: string }>(sql`
      insert into ${devices} (asset_code, donation_id, kind, brand, model, serial_number, storage_media, notes, bench_checks, status, site_id, organisation_id)
      select r.asset_code, ${donation.id}, r.kind::device_kind, r.brand, r.model, r.serial_number, r.storage_media, r.notes, r.bench_checks, 'collected', ${site.id}, ${site.organisationId}
      from jsonb_to_recordset(${JSON.stringify(rows.map((row) => row.values))}::jsonb)
        as r(asset_code text, kind text, brand text, model text, serial_number text, storage_media jsonb, notes text, bench_checks text[])
      on conflict do nothing
      returning id, asset_code`);
    for (const device of created) inserted.set(device.asset_code, device.id);
  }
  const skipped = rows.filter((row) => !inserted.has(row.values.asset_code));
  if (skipped.length > 0) await explainSkipped(tx, donation.organisationId, items, skipped, new Set(inserted.keys()), outcomes);

  await appendCreatedEvents(
    tx,
    [...inserted.values()].map((deviceId) => ({ deviceId, siteId: site.id })),
    actor,
    { donationId: donation.id },
  );
  for (const row of rows) {
    const id = inserted.get(row.values.asset_code);
    if (id) outcomes[row.index] = { ok: true, device: { id, code: formatAssetCode(row.values.asset_code) } };
  }
  return outcomes as IntakeOutcome[];
}

/** A code per item: the scanned label when it is a pre-printed code of this organisation, else a fresh one. */
async function codesFor(tx: Tx, organisationId: string, items: IntakeItem[], outcomes: (IntakeOutcome | undefined)[]) {
  const seen = new Set<string>();
  const codes: (string | undefined)[] = items.map((item, index) => {
    if (item.labelCode === undefined) return undefined;
    const parsed = parseAssetCode(item.labelCode);
    if (!parsed.ok) throw new ValidationError([{ path: items.length > 1 ? `devices.${index}.labelCode` : 'labelCode', message: parsed.message }]);
    if (seen.has(parsed.code)) {
      outcomes[index] = {
        ok: false,
        code: 'label_already_claimed',
        message: `The label ${formatAssetCode(parsed.code)} is scanned twice in this intake; take a new label for this device.`,
      };
    }
    seen.add(parsed.code);
    return parsed.code;
  });
  const scanned = codes.filter((code): code is string => code !== undefined);
  if (scanned.length > 0) {
    const known = await tx
      .select({ code: assetCodes.code })
      .from(assetCodes)
      .where(and(inArray(assetCodes.code, scanned), eq(assetCodes.organisationId, organisationId), eq(assetCodes.preprinted, true)));
    const knownCodes = new Set(known.map((row) => row.code));
    codes.forEach((code, index) => {
      if (code !== undefined && !knownCodes.has(code)) {
        outcomes[index] = {
          ok: false,
          code: 'label_unknown',
          message: `${formatAssetCode(code)} is not a label printed for this organisation.`,
        };
      }
    });
  }
  const fresh = await issueAssetCodes(tx, organisationId, codes.filter((code) => code === undefined).length, false);
  return codes.map((code) => code ?? fresh.pop()!);
}

/**
 * Says why a row was skipped. A live twin is named by its code only when it is the intake
 * organisation's own: another organisation's code would open its public card, which names its holder.
 */
async function explainSkipped(
  tx: Tx,
  organisationId: string,
  items: IntakeItem[],
  skipped: { index: number; values: { asset_code: string; brand: string; serial_number: string | null } }[],
  insertedNow: Set<string>,
  outcomes: (IntakeOutcome | undefined)[],
) {
  const claimed = await tx
    .select({ assetCode: devices.assetCode })
    .from(devices)
    .where(
      inArray(
        devices.assetCode,
        skipped.map((row) => row.values.asset_code),
      ),
    );
  const claimedCodes = new Set(claimed.map((row) => row.assetCode));
  const live = await tx
    .select({ assetCode: devices.assetCode, brand: devices.brand, serialNumber: devices.serialNumber, organisationId: devices.organisationId })
    .from(devices)
    .where(
      and(
        inArray(
          sql`upper(${devices.serialNumber})`,
          skipped.flatMap((row) => (row.values.serial_number ? [row.values.serial_number.toUpperCase()] : [])),
        ),
        notInArray(devices.status, [...terminalStatuses]),
      ),
    );
  for (const row of skipped) {
    const item = items[row.index]!;
    if (item.labelCode !== undefined && claimedCodes.has(row.values.asset_code)) {
      outcomes[row.index] = {
        ok: false,
        code: 'label_already_claimed',
        message: `The label ${formatAssetCode(row.values.asset_code)} is already on another device; take a new label.`,
      };
      continue;
    }
    const twin = live.find(
      (device) =>
        device.brand.toLowerCase() === row.values.brand.toLowerCase() && device.serialNumber?.toUpperCase() === row.values.serial_number?.toUpperCase(),
    );
    const existing = twin && twin.organisationId === organisationId ? formatAssetCode(twin.assetCode) : undefined;
    const device = `A ${row.values.brand} with serial ${row.values.serial_number}`;
    outcomes[row.index] = {
      ok: false,
      code: 'duplicate_serial',
      message:
        twin && insertedNow.has(twin.assetCode)
          ? `${device} appears twice in this intake; the first was registered as ${existing}.`
          : existing
            ? `${device} is already registered as ${existing}.`
            : `${device} is already registered by another organisation of the network; ask the coordinator if it is the same device.`,
      ...(existing ? { existingDevice: existing } : {}),
    };
  }
}

const refusalStatus = { duplicate_serial: 409, label_already_claimed: 409, label_unknown: 422 } as const;

/** The scan-station path: one device into a donation; a duplicate or a claimed label is a refusal. */
export async function registerDevice(db: DbOrTx, actor: Actor, input: IntakeItem & { donationId: string; siteId?: string }) {
  return db.transaction(async (tx) => {
    const donation = await donationForIntake(tx, actor, input.donationId).catch(notFoundAsField('donationId', 'No donation of your organisation has this id.'));
    const [outcome] = await registerDevices(tx, actor, donation, [input], { siteId: input.siteId });
    if (!outcome!.ok) {
      throw new DomainError(refusalStatus[outcome!.code], outcome!.code, outcome!.message, { existingDevice: outcome!.existingDevice });
    }
    const [device] = await tx.select().from(devices).where(eq(devices.id, outcome!.device.id));
    return presentDevice(device!);
  });
}

/** The bulk path (JSON lists, CSV chunks): every item answered by its position. */
export async function registerDeviceBatch(db: DbOrTx, actor: Actor, donationId: string, items: IntakeItem[], siteId?: string) {
  return db.transaction(async (tx) => {
    const donation = await donationForIntake(tx, actor, donationId);
    const outcomes = await registerDevices(tx, actor, donation, items, { siteId });
    return summarise(outcomes);
  });
}

function summarise(outcomes: IntakeOutcome[]) {
  const created = outcomes.flatMap((outcome, index) => (outcome.ok ? [{ index, code: outcome.device.code, id: outcome.device.id }] : []));
  const refused = outcomes.flatMap((outcome, index) =>
    outcome.ok ? [] : [{ index, code: outcome.code, message: outcome.message, existingDevice: outcome.existingDevice }],
  );
  return { createdCount: created.length, refusedCount: refused.length, created, refused };
}
