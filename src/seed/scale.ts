import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { generateAssetCode } from '../devices/asset-code.ts';
import { connectDatabase, ensureDatabase } from '../db/client.ts';
import { rebuildIndicatorRollups } from '../indicators/rollups.service.ts';
import { runMigrations } from '../db/migrate.ts';

/**
 * A national network on one database, for benchmarks and for sizing a server (npm run seed:scale):
 * its coordinator, ten workshops in ten départements, N devices in donations of 1,000, each with K
 * events along the lifecycle (collected, wiped, refurbishing, ready, reserved, allocated,
 * returned, wiped again...) spread over the last eighteen months, and the stock counters and
 * indicator rollups the workers would have kept. Built set-wise in SQL, in a database of its own
 * (printed at the end), with asset codes issued as at intake.
 *
 *   npm run seed:scale -- --devices 1000000 --events-per-device 10 [--server postgres://postgres@127.0.0.1:5432]
 */

/** Each device walks this path, from its registration on; a longer history goes round again from `wiped`. */
const path = ['collected', 'wiped', 'refurbishing', 'ready', 'reserved', 'allocated', 'returned'] as const;
const statusAt = (step: number) => (step < path.length ? path[step]! : path[1 + ((step - 1) % (path.length - 1))]!);

const workshops = [
  { name: 'Rebond 47', communeCode: '47001' },
  { name: 'Landes Reconditionnement', communeCode: '40192' },
  { name: 'Vendée Numérique', communeCode: '85191' },
  { name: 'Atelier Gironde', communeCode: '33063' },
  { name: 'Recyclerie 64', communeCode: '64445' },
  { name: 'Dordogne Solidaire', communeCode: '24322' },
  { name: 'Lot Informatique', communeCode: '46042' },
  { name: 'Tarn Réemploi', communeCode: '81004' },
  { name: 'Gers Numérique', communeCode: '32013' },
  { name: 'Bouches-du-Rhône Réemploi', communeCode: '13055' },
];

/** How far back the histories go: a year's figures, and most of the year before's, are not empty. */
const historyDays = 548;
/** A device's history lasts 1 to 12 days a step (its whole walk from `collected` to its last event). */
const maxStepDays = 12;

/** Builds the network in the database at `url` (created and migrated if need be), which should hold nothing yet. */
export async function seedScale(url: string, devices: number, eventsPerDevice: number, log: (line: string) => void = console.log): Promise<void> {
  await ensureDatabase(url);
  await runMigrations(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const started = Date.now();
  try {
    await sql`set synchronous_commit = off`;
    await sql`insert into organisations (name, short_name, kind) values ('Coordination du réseau', 'Coordination', 'coordinator')`;
    for (const [index, workshop] of workshops.entries()) {
      const [organisation] = await sql<{ id: string }[]>`
        insert into organisations (name, short_name, kind) values (${workshop.name}, ${workshop.name.slice(0, 24)}, 'workshop') returning id`;
      await sql`insert into sites (organisation_id, name, kind, address, commune_code)
        values (${organisation!.id}, ${`Atelier ${index + 1}`}, 'workshop', ${`${index + 1} rue de l'Atelier`}, ${workshop.communeCode})`;
    }
    const perDonation = 1_000;
    await sql`
      insert into donations (organisation_id, collection_site_id, donor_name, campaign, expected_count)
      select s.organisation_id, s.id, 'Donateur ' || n, 'Collecte ' || n, ${perDonation}
      from generate_series(1, ${Math.ceil(devices / perDonation)}) as n
      join (select id, organisation_id, row_number() over (order by name) - 1 as k from sites) s on s.k = n % ${workshops.length}`;

    const chunk = 50_000;
    const issued = new Set<string>();
    for (let from = 0; from < devices; from += chunk) {
      const codes: string[] = [];
      while (codes.length < Math.min(chunk, devices - from)) {
        const code = generateAssetCode().replace('-', '');
        if (!issued.has(code)) {
          codes.push(code);
          issued.add(code);
        }
      }
      // Device n belongs to donation n / 1,000, at its collection site; its status is where its path
      // ends. It was collected (created_at) at any time of day in the last eighteen months, and had
      // its last event (updated_at) 1 to 12 days a step later, before now; 7,919 and 104,729 are
      // primes, so the dates, times of day and kinds are shuffled against each other.
      await sql`
        with numbered as (
          select code, ${from} + ordinality - 1 as n from unnest(${codes}::text[]) with ordinality as code
        ), donation as (
          select id, collection_site_id, organisation_id, row_number() over (order by campaign_number) - 1 as k
          from (select *, split_part(campaign, ' ', 2)::int as campaign_number from donations) d
        ), codes as (
          insert into asset_codes (code, organisation_id)
          select numbered.code, donation.organisation_id from numbered join donation on donation.k = numbered.n / ${perDonation}
        )
        insert into devices (asset_code, donation_id, kind, brand, model, serial_number, status, site_id, organisation_id, grade, custody_since, created_at, updated_at)
        select numbered.code, donation.id,
               (array['laptop','laptop','laptop','desktop','tablet','smartphone','screen'])[1 + numbered.n % 7]::device_kind,
               (array['Dell','HP','Lenovo','Apple','Samsung'])[1 + numbered.n % 5], 'Modèle ' || (numbered.n % 40),
               'SN' || lpad(numbered.n::text, 9, '0'),
               ${statusAt(eventsPerDevice - 1)}::device_status, donation.collection_site_id, donation.organisation_id,
               ${eventsPerDevice > 3 ? sql`(array['A','B','C'])[1 + numbered.n % 3]` : sql`null`},
               history.collected_at, history.collected_at, history.collected_at + history.span
        from numbered join donation on donation.k = numbered.n / ${perDonation}
        cross join lateral (
          select make_interval(days => ((${eventsPerDevice - 1} * (1 + numbered.n % ${maxStepDays})))::int) as span
        ) walk
        cross join lateral (
          select now() - walk.span
                 - make_interval(days => ((numbered.n * 7919) % greatest(1, ${historyDays} - extract(day from walk.span)))::int,
                                 secs => (numbered.n * 104729) % 86400) as collected_at,
                 walk.span
        ) history`;
      log(`devices: ${Math.min(from + chunk, devices)} of ${devices}`);
    }

    const statuses = Array.from({ length: eventsPerDevice }, (_, step) => statusAt(step));
    // One statement per step: a device's events evenly spaced from its collection to its last
    // event; a device put in stock from the workshop carries its grade, as a work order gives it.
    for (let step = 0; step < eventsPerDevice; step++) {
      const refurbished = statuses[step - 1] === 'refurbishing' && statuses[step] === 'ready';
      await sql`
        insert into device_events (device_id, type, from_status, to_status, site_id, organisation_id, payload, occurred_at)
        select id, ${step === 0 ? 'created' : 'transition'}::device_event_type,
               ${step === 0 ? null : statuses[step - 1]!}::device_status, ${statuses[step]!}::device_status,
               site_id, organisation_id, ${refurbished ? sql`jsonb_build_object('grade', grade)` : sql`'{}'::jsonb`},
               created_at + (updated_at - created_at) * ${step / Math.max(1, eventsPerDevice - 1)}::float8
        from devices`;
      log(`events: step ${step + 1} of ${eventsPerDevice}`);
    }
    await sql`insert into stock_counted_events (event_id) select id from device_events`;
    await sql`
      insert into site_stock_counters (site_id, kind, status, donation_id, count)
      select site_id, kind, status, donation_id, count(*)::int from devices group by site_id, kind, status, donation_id`;
    // The indicators' monthly rollups, counted from the events by the same rebuild the operators have.
    const database = connectDatabase(url, { max: 1 });
    try {
      log(`indicator rollups: ${await rebuildIndicatorRollups(database.db)} rows`);
    } finally {
      await database.close();
    }
    await sql`vacuum analyze`;
    log(`built ${devices} devices and ${devices * eventsPerDevice} events in ${Math.round((Date.now() - started) / 1000)} s: ${url}`);
  } finally {
    await sql.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '1000000' },
      'events-per-device': { type: 'string', default: '10' },
      server: { type: 'string', default: process.env.DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    },
  });
  const devices = Number(values.devices);
  const events = Number(values['events-per-device']);
  if (!Number.isInteger(devices) || devices < 1 || !Number.isInteger(events) || events < 1) {
    console.error('--devices and --events-per-device must be whole numbers of at least 1');
    process.exit(1);
  }
  const url = `${values.server.replace(/\/+$/, '')}/boucle_scale_${randomBytes(4).toString('hex')}`;
  await seedScale(url, devices, events);
  console.log(url);
}
