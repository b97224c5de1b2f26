import { sql, type SQL } from 'drizzle-orm';

/**
 * What each append-only event counts for: the one place where an event becomes figures. The
 * workers' counting, the reconciliation and the rebuild all read these facts, so they agree.
 *
 * A fact is counted in the month (Paris time) the event happened, at the commune and for the
 * organisation of the place where it happened: a device that moves is counted where each of its
 * events took place.
 */
export const countedIndicators = [
  'collected',
  'wiped',
  'refurbished',
  'reserved',
  'handed_over',
  'handover_days',
  'dismantled',
  'recycled',
  'families_trained',
  'training_absences',
  'training_sessions_held',
  'wifi_buildings_live',
  'incidents_opened',
  'incidents_resolved',
] as const;
export type CountedIndicator = (typeof countedIndicators)[number];

const monthOf = (column: SQL) => sql`date_trunc('month', ${column} at time zone 'Europe/Paris')::date`;
/** An id an event's payload names, as a uuid (null when it holds none, or something else). */
const uuidIn = (text: SQL) => sql`case when ${text} ~* '^[0-9a-f-]{36}$' then (${text})::uuid end`;

/**
 * Device events: one fact per event for its indicator, and for a handover a second one, the
 * whole days since the device was collected (its `created` event), from which medians are read.
 * A wipe is counted at the weakest NIST SP 800-88 level its media passed (clear, purge, destroy).
 */
const deviceFacts = (where: SQL) => sql`
  select 'device'::text as source, e.id as event_id, ${monthOf(sql`e.occurred_at`)} as month, s.commune_code,
         s.organisation_id, d.kind::text as device_kind, coalesce(rq.programme_id::text, '') as programme_id, f.indicator, f.detail
  from device_events e
  join sites s on s.id = e.site_id
  join devices d on d.id = e.device_id
  left join equipment_requests rq on rq.id = ${uuidIn(sql`e.payload ->> 'requestId'`)}
  cross join lateral (
    select 'collected' as indicator, '' as detail where e.type = 'created'
    union all select 'wiped', coalesce((
        select min(w.level)::text from wipe_records w where w.device_id = e.device_id and w.result = 'passed'), '')
      where e.type = 'transition' and e.to_status = 'wiped'
    union all select 'refurbished', coalesce(e.payload ->> 'grade', '') where e.type = 'transition' and e.to_status = 'ready' and e.from_status = 'refurbishing'
    union all select 'reserved', '' where e.type = 'transition' and e.to_status = 'reserved'
    union all select 'handed_over', '' where e.type = 'transition' and e.to_status = 'allocated'
    union all select 'handover_days', (
        select floor(extract(epoch from e.occurred_at - min(c.occurred_at)) / 86400)::int::text
        from device_events c where c.device_id = e.device_id and c.type = 'created')
      where e.type = 'transition' and e.to_status = 'allocated'
    union all select 'dismantled', '' where e.type = 'transition' and e.to_status = 'dismantled'
    union all select 'recycled', coalesce(e.payload ->> 'deeeChannel', '') where e.type = 'transition' and e.to_status = 'recycled'
  ) f
  where ${where}`;

/**
 * The attendance sheet of a session, at the session's place: a family trained (its request's
 * training completed), a family absent (sent back to book another session), and the session held
 * at its first attendance recorded.
 */
const requestFacts = (where: SQL) => sql`
  select 'request'::text as source, r.id as event_id, ${monthOf(sql`r.occurred_at`)} as month, s.commune_code,
         s.organisation_id, ''::text as device_kind, rq.programme_id::text as programme_id, f.indicator, ''::text as detail
  from request_events r
  join equipment_requests rq on rq.id = r.request_id
  join training_sessions t on t.id = ${uuidIn(sql`r.payload ->> 'sessionId'`)}
  join sites s on s.id = t.site_id
  cross join lateral (
    select 'families_trained' as indicator where r.to_status = 'training_completed'
    union all select 'training_absences' where r.from_status = 'training_scheduled' and r.to_status = 'reserved'
    union all select 'training_sessions_held'
      where not exists (
        select 1 from request_events earlier
        where earlier.payload ->> 'sessionId' = r.payload ->> 'sessionId' and earlier.id < r.id
          and (earlier.to_status = 'training_completed' or (earlier.from_status = 'training_scheduled' and earlier.to_status = 'reserved')))
  ) f
  where (r.to_status = 'training_completed' or (r.from_status = 'training_scheduled' and r.to_status = 'reserved')) and ${where}`;

/** A building whose shared Wi-Fi went live for the first time (a return from suspension is not a new one). */
const deploymentFacts = (where: SQL) => sql`
  select 'deployment'::text as source, de.id as event_id, ${monthOf(sql`de.occurred_at`)} as month, b.commune_code,
         dp.organisation_id, ''::text as device_kind, ''::text as programme_id, 'wifi_buildings_live'::text as indicator, ''::text as detail
  from deployment_events de
  join deployments dp on dp.id = de.deployment_id
  join buildings b on b.id = dp.building_id
  where de.to_status = 'live'
    and not exists (select 1 from deployment_events earlier where earlier.deployment_id = de.deployment_id and earlier.to_status = 'live' and earlier.id < de.id)
    and ${where}`;

/** An incident reported on a building's shared Wi-Fi, and one resolved, where the building is. */
const incidentFacts = (where: SQL) => sql`
  select 'incident'::text as source, ie.id as event_id, ${monthOf(sql`ie.occurred_at`)} as month, b.commune_code,
         i.organisation_id, ''::text as device_kind, ''::text as programme_id, f.indicator, ''::text as detail
  from incident_events ie
  join incidents i on i.id = ie.incident_id
  join buildings b on b.id = i.building_id
  cross join lateral (
    select 'incidents_opened' as indicator where ie.from_status is null
    union all select 'incidents_resolved' where ie.to_status = 'resolved'
  ) f
  where (ie.from_status is null or ie.to_status = 'resolved') and ${where}`;

export type FactFilter = { device?: SQL; request?: SQL; deployment?: SQL; incident?: SQL };

/**
 * The facts of the events each filter selects (aliases e, r, de and ie), as one relation with columns
 * source, event_id, month, commune_code, organisation_id, device_kind, programme_id, indicator, detail.
 * A source left out of the filter contributes nothing.
 */
export function indicatorFacts(filter: FactFilter): SQL {
  const parts = [
    filter.device ? deviceFacts(filter.device) : undefined,
    filter.request ? requestFacts(filter.request) : undefined,
    filter.deployment ? deploymentFacts(filter.deployment) : undefined,
    filter.incident ? incidentFacts(filter.incident) : undefined,
  ].filter((part): part is SQL => part !== undefined);
  return sql.join(parts, sql` union all `);
}

/** Every event of every source. */
export const allFacts = () => indicatorFacts({ device: sql`true`, ...activityFacts });

/** The sources without a job of their own (training, Wi-Fi rollouts, incidents): counted by a scheduled task. */
export const activityFacts = { request: sql`true`, deployment: sql`true`, incident: sql`true` } satisfies FactFilter;

/** Facts of events already in the ledger, for the reconciliation's comparison. */
export const countedFacts = () =>
  indicatorFacts({
    device: sql`exists (select 1 from indicator_counted_events c where c.source = 'device' and c.event_id = e.id)`,
    request: sql`exists (select 1 from indicator_counted_events c where c.source = 'request' and c.event_id = r.id)`,
    deployment: sql`exists (select 1 from indicator_counted_events c where c.source = 'deployment' and c.event_id = de.id)`,
    incident: sql`exists (select 1 from indicator_counted_events c where c.source = 'incident' and c.event_id = ie.id)`,
  });
