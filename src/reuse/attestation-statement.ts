import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import type { DeviceKind } from '../devices/devices.types.ts';
import type { DeviceStatus } from '../devices/lifecycle.ts';
import { reuseTargetFor } from './reuse-targets.ts';

/**
 * What became of a device a public donor gave, as of the attestation's date, read from its events.
 * The lifecycle has no hand-over to another structure: a device leaves the network to a household,
 * or as parts, or to recycling.
 */
export const reuseOutcomes = ['reused_by_household', 'recycled', 'dismantled', 'in_workshop'] as const;
export type ReuseOutcome = (typeof reuseOutcomes)[number];

const outcomeOf = (status: DeviceStatus): ReuseOutcome =>
  status === 'allocated' ? 'reused_by_household' : status === 'recycled' ? 'recycled' : status === 'dismantled' ? 'dismantled' : 'in_workshop';

/**
 * Why a device does not count as reused for the year. The décret counts a device only if its
 * receiver committed to reuse it before taking it, and can prove the reuse (art. 2): here, a
 * commitment dated no later than the collection, and the device handed over to a household.
 */
export const notCountedReasons = ['no_prior_commitment', 'not_reused', 'reuse_not_proven_yet'] as const;
export type NotCountedReason = (typeof notCountedReasons)[number];

export type PublicDonor = { id: string; name: string; siren: string };

type DeviceRow = {
  id: string;
  asset_code: string;
  kind: DeviceKind;
  brand: string;
  model: string;
  serial_number: string | null;
  collected_on: string;
  commitment_reference: string | null;
  commitment_date: string | null;
  status_then: DeviceStatus;
  payload_then: Record<string, unknown>;
  certificate_id: string | null;
};

/**
 * When a year's attestation stands: the end of the year (1 January next, Paris time) once it is
 * over; for the year under way, the start of today, so that asking twice the same day gives the
 * same statement.
 */
export async function attestationDate(db: DbOrTx, year: number): Promise<{ asOf: Date; yearComplete: boolean }> {
  const [row] = await db.execute<{ year_end: Date; today: Date }>(sql`
    select make_date(${year + 1}, 1, 1)::timestamp at time zone 'Europe/Paris' as year_end,
           date_trunc('day', now() at time zone 'Europe/Paris') at time zone 'Europe/Paris' as today`);
  const yearEnd = new Date(row!.year_end);
  const today = new Date(row!.today);
  return yearEnd <= today ? { asOf: yearEnd, yearComplete: true } : { asOf: today, yearComplete: false };
}

/**
 * The statement a reuse attestation signs, rebuilt from the records each time it is verified: the
 * devices the donor gave during the year (collected from 1 January, Paris time, until `asOf`),
 * each with its wipe certificate and its outcome as of `asOf`, and the year's rate A / B where
 * A counts the devices reused under a prior commitment and B is the retired stock the donor
 * declared on 1 January.
 */
export async function reuseStatement(db: DbOrTx, donor: PublicDonor, year: number, asOf: Date, yearComplete: boolean) {
  const yearStart = sql`make_date(${year}, 1, 1)::timestamp at time zone 'Europe/Paris'`;
  const rows = await db.execute<DeviceRow>(sql`
    select d.id, d.asset_code, d.kind, d.brand, d.model, d.serial_number,
           to_char(collected.occurred_at at time zone 'Europe/Paris', 'YYYY-MM-DD') as collected_on,
           dn.reuse_commitment_reference as commitment_reference,
           to_char(dn.reuse_commitment_date, 'YYYY-MM-DD') as commitment_date,
           then_.to_status as status_then, then_.payload as payload_then,
           certificate.id as certificate_id
    from devices d
    join donations dn on dn.id = d.donation_id
    join device_events collected on collected.device_id = d.id and collected.type = 'created'
    join lateral (
      select e.to_status, e.payload from device_events e
      where e.device_id = d.id and e.occurred_at < ${asOf.toISOString()}::timestamptz
      order by e.occurred_at desc, e.id desc limit 1
    ) then_ on true
    left join lateral (
      select c.id from wipe_certificates c join device_events wiped on wiped.id = c.event_id
      where c.device_id = d.id and wiped.occurred_at < ${asOf.toISOString()}::timestamptz
      order by wiped.occurred_at desc limit 1
    ) certificate on true
    where dn.donor_organisation_id = ${donor.id}
      and collected.occurred_at >= ${yearStart}
      and collected.occurred_at < ${asOf.toISOString()}::timestamptz
    order by collected.occurred_at, d.asset_code`);
  const devices = rows.map((row) => {
    const outcome = outcomeOf(row.status_then);
    const priorCommitment = row.commitment_date !== null && row.commitment_date <= row.collected_on;
    const notCountedBecause: NotCountedReason | null = !priorCommitment
      ? 'no_prior_commitment'
      : outcome === 'reused_by_household'
        ? null
        : outcome === 'in_workshop'
          ? 'reuse_not_proven_yet'
          : 'not_reused';
    return {
      code: formatAssetCode(row.asset_code),
      kind: row.kind,
      manufacturer: row.brand,
      model: row.model,
      serialNumber: row.serial_number,
      collectedOn: row.collected_on,
      commitment: row.commitment_reference !== null ? { reference: row.commitment_reference, date: row.commitment_date } : null,
      wipeCertificateId: row.certificate_id,
      outcome,
      // The WEEE channel the recycling event named (src/devices/weee-channels.ts), and its name when given.
      weeeChannel:
        outcome === 'recycled'
          ? {
              channel: String(row.payload_then.deeeChannel ?? 'other'),
              name: typeof row.payload_then.deeeChannelName === 'string' ? row.payload_then.deeeChannelName : null,
            }
          : null,
      counted: notCountedBecause === null,
      notCountedBecause,
    };
  });
  const [stock] = await db.execute<{ devices: number }>(sql`select devices from retired_device_stocks where organisation_id = ${donor.id} and year = ${year}`);
  const counted = devices.filter((device) => device.counted).length;
  const retiredStockOnJanuaryFirst = stock?.devices ?? null;
  return {
    document: 'reuse_attestation' as const,
    donor: { name: donor.name, siren: donor.siren },
    year,
    asOf: asOf.toISOString(),
    yearComplete,
    devices,
    totals: {
      given: devices.length,
      counted,
      byOutcome: Object.fromEntries(reuseOutcomes.map((outcome) => [outcome, devices.filter((device) => device.outcome === outcome).length])) as Record<
        ReuseOutcome,
        number
      >,
    },
    retiredStockOnJanuaryFirst,
    // Rounded so that the signed bytes do not depend on how a float prints.
    reuseRate: retiredStockOnJanuaryFirst ? Math.round((counted / retiredStockOnJanuaryFirst) * 10_000) / 10_000 : null,
    target: reuseTargetFor(year),
  };
}

export type ReuseStatement = Awaited<ReturnType<typeof reuseStatement>>;
