import { sql, type SQL } from 'drizzle-orm';
import type { DeviceKind } from '../devices/devices.schema.ts';
import { devices } from '../devices/devices.schema.ts';
import { departementOfCommune } from '../geography/code-shapes.ts';
import { sites } from '../organisations/organisations.schema.ts';
import type { MinimumSpecs, Need } from './allocation.schema.ts';

/**
 * Which devices may go to a request, and which first: the one rule that a reservation without a
 * device code and the matching round both read, so that both hand out the same device.
 */

/** What a device must have for a request: the family's need, raised to the programme's minimum. */
export type StockNeed = { kind: DeviceKind; ramGb: number; storageGb: number; departement: string };

export function stockNeed(need: Need, minimumSpecs: MinimumSpecs, communeCode: string): StockNeed {
  return {
    kind: need.kind,
    ramGb: Math.max(need.minRamGb ?? 0, minimumSpecs.ramGb ?? 0),
    storageGb: Math.max(need.minStorageGb ?? 0, minimumSpecs.storageGb ?? 0),
    // The family's département, where its devices are closest.
    departement: departementOfCommune(communeCode),
  };
}

/** The stock's order within what meets a need: best grade, then longest on the shelf; the id makes it total. */
export const bestFirst = sql.raw('d.grade asc nulls last, d.updated_at asc, d.id asc');

/**
 * The first `limit` ready devices that meet a need, best first (`bestFirst`), in the family's
 * département (`nearby`) or anywhere, locked for the transaction. The need's fields are SQL: values
 * for one request, or the columns of a set of needs the round joins laterally. It walks the partial
 * index of ready devices (kind, grade, updated_at) and stops after `limit` rows it can lock: a device
 * another reservation is taking is skipped, not waited for, and the whole stock is never sorted.
 * It answers `id`, and `grade` and `updated_at` to order a join of several lists by `bestFirst`.
 */
export function readyStock(need: { [Field in keyof StockNeed]: SQL }, where: 'nearby' | 'anywhere', limit: SQL) {
  return sql`
    select d.id, d.grade, d.updated_at from ${devices} d
    where d.status = 'ready' and d.kind = ${need.kind}
      and coalesce((d.specs ->> 'ramGb')::numeric, 0) >= ${need.ramGb}
      and coalesce((d.specs ->> 'storageGb')::numeric, 0) >= ${need.storageGb}
      ${where === 'nearby' ? sql`and d.site_id in (select id from ${sites} where commune_code like ${need.departement} || '%')` : sql``}
    order by ${bestFirst}
    limit ${limit}
    for update of d skip locked`;
}

/** readyStock for one request's need, its values as parameters. */
export const readyStockFor = (need: StockNeed, where: 'nearby' | 'anywhere', limit: number) =>
  readyStock(
    {
      kind: sql`${need.kind}::device_kind`,
      ramGb: sql`${need.ramGb}::numeric`,
      storageGb: sql`${need.storageGb}::numeric`,
      departement: sql`${need.departement}::text`,
    },
    where,
    sql`${limit}`,
  );
