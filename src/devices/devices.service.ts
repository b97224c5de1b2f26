import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { statement } from '../db/statement.ts';
import { equipmentRequests } from '../allocation/allocation.schema.ts';
import { donations } from '../donations/donations.schema.ts';
import { DomainError, notFound, ValidationError } from '../errors.ts';
import { users } from '../auth/auth.schema.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { nextStatuses } from '../status-machine.ts';
import { formatAssetCode, parseAssetCode } from './asset-code.ts';
import { deviceEvents, devices, deviceSearchText, type DeviceKind } from './devices.schema.ts';
import { transitions, type DeviceStatus } from './lifecycle.ts';

// What the pages offer and show (the kinds to choose from, a device's storage), without its tables.
export { deviceKinds, type DeviceKind, type StorageMedium } from './devices.schema.ts';
export type DeviceRow = typeof devices.$inferSelect;

export function presentDevice(device: DeviceRow) {
  const { assetCode, ...rest } = device;
  return { ...rest, code: formatAssetCode(assetCode), nextStatuses: nextStatuses(transitions, device) };
}

/** Turns what a person typed or a scanner read into a stored code, refusing a misread as such. */
export function assetCodeFromInput(input: string): string {
  const parsed = parseAssetCode(input);
  if (!parsed.ok) throw new DomainError(400, `asset_code_${parsed.reason}`, parsed.message);
  return parsed.code;
}

/**
 * Which devices an actor may see: those their organisation holds (and, for a mediator, those held
 * for its families); for a donor, those it gave (their journey, never who received them); every
 * device for the coordinator. visibleDevices writes it as a condition.
 */
function deviceVisibility(actor: Actor): 'held' | 'held_or_reserved' | 'given' | 'network' {
  // A mediator also sees the device held for one of its families: it scans it at the handover.
  if (actor.role === 'mediator') return 'held_or_reserved';
  if (actor.role === 'donor_viewer') return 'given';
  return seesWholeNetwork(actor) ? 'network' : 'held';
}

export function visibleDevices(actor: Actor): SQL | undefined {
  const held = eq(devices.organisationId, actor.organisationId);
  switch (deviceVisibility(actor)) {
    case 'held':
      return held;
    case 'held_or_reserved':
      return or(
        held,
        sql`exists (select 1 from ${equipmentRequests} where ${equipmentRequests.reservedDeviceId} = ${devices.id} and ${equipmentRequests.organisationId} = ${actor.organisationId})`,
      );
    case 'given':
      return sql`exists (select 1 from ${donations} where ${donations.id} = ${devices.donationId} and ${donations.donorOrganisationId} = ${actor.organisationId})`;
    case 'network':
      return undefined;
  }
}

/** A device by code among those an organisation holds: the read of every scan at a bench, built once. */
const heldBy = (db: DbOrTx) =>
  db
    .select()
    .from(devices)
    .where(and(eq(devices.assetCode, sql.placeholder('code')), eq(devices.organisationId, sql.placeholder('organisationId'))));
const deviceHeldBy = statement('device_held_by', heldBy);
const deviceHeldByLocked = statement('device_held_by_for_update', (db) => heldBy(db).for('update'));

/** `requestDeviceId`: the device an equipment request names, reached wherever it is (see OnBehalfOfRequest), and no other. */
export const findDevice = (db: DbOrTx, actor: Actor, codeInput: string, requestDeviceId?: string) =>
  deviceByCode(db, actor, codeInput, { requestDeviceId, lock: false });

/**
 * findDevice, holding the device's row until the transaction ends: whoever locks it next waits,
 * then reads it as this transaction left it (two operators recording the wipes of one device's two
 * disks at once: the second sees the first's).
 */
export const lockDevice = (tx: Tx, actor: Actor, codeInput: string) => deviceByCode(tx, actor, codeInput, { lock: true });

async function deviceByCode(db: DbOrTx, actor: Actor, codeInput: string, options: { requestDeviceId?: string; lock: boolean }) {
  const code = assetCodeFromInput(codeInput);
  const { requestDeviceId, lock } = options;
  let found: DeviceRow[];
  if (!requestDeviceId && deviceVisibility(actor) === 'held') {
    found = await (lock ? deviceHeldByLocked : deviceHeldBy)(db, { code, organisationId: actor.organisationId });
  } else {
    const query = db
      .select()
      .from(devices)
      .where(and(eq(devices.assetCode, code), requestDeviceId ? eq(devices.id, requestDeviceId) : visibleDevices(actor)));
    found = lock ? await query.for('update') : await query;
  }
  const [device] = found;
  if (!device) throw notFound(`Device ${codeInput}`);
  return device;
}

/** The device with this id, when the actor may see it (visibleDevices); undefined otherwise, as if it did not exist. */
export async function visibleDeviceById(db: DbOrTx, actor: Actor, id: string): Promise<DeviceRow | undefined> {
  const [device] = await db
    .select()
    .from(devices)
    .where(and(eq(devices.id, id), visibleDevices(actor)));
  return device;
}

/**
 * The devices a donation brought in, in the order they were received: those the actor may see
 * (visibleDevices), so a device since moved to another organisation is that organisation's to show.
 */
export async function devicesOfDonation(db: DbOrTx, actor: Actor, donationId: string) {
  const rows = await db
    .select({ assetCode: devices.assetCode, kind: devices.kind, brand: devices.brand, model: devices.model, status: devices.status })
    .from(devices)
    .where(and(eq(devices.donationId, donationId), visibleDevices(actor)))
    .orderBy(asc(devices.createdAt));
  return rows.map(({ assetCode, ...device }) => ({ ...device, code: formatAssetCode(assetCode) }));
}

export type DeviceFilter = {
  status?: DeviceStatus;
  kind?: DeviceKind;
  siteId?: string;
  donationId?: string;
  q?: string;
  limit: number;
  cursor?: string;
};

type Cursor = { createdAt: string; id: string };
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    // Only the exact form this API issues: anything else could fail the cast in SQL.
    const createdAt = String(value.createdAt);
    const date = new Date(createdAt);
    // Four-digit years only: toISOString writes year 10000 as +010000, which Postgres refuses.
    const issuedForm = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(createdAt);
    if (uuidPattern.test(String(value.id)) && issuedForm && !Number.isNaN(date.getTime()) && date.toISOString() === createdAt) return value;
  } catch {
    // reported below
  }
  throw new ValidationError([{ path: 'cursor', message: 'This cursor is not one this API gave; start again without it.' }]);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

// The characters of a search the trigram index is asked for; see containsText.
const indexedTail = 8;

/**
 * Devices whose brand, model or serial number contain `q`, in any case. The trigram index is asked
 * for the end of the text only: a serial number begins with what its maker shares among thousands
 * of devices (SN000…, 5CG…, C02…), and trigrams found in every row made the index read most of
 * itself on a national network. The end is part of the whole, so every device containing the
 * whole is among those found; each is then checked against the whole text.
 */
function containsText(q: string) {
  const characters = Array.from(q);
  const searched = sql`${deviceSearchText(devices)} ilike ${`%${escapeLike(characters.slice(-indexedTail).join(''))}%`}`;
  if (characters.length <= indexedTail) return searched;
  return and(searched, sql`strpos(lower(${deviceSearchText(devices)}), lower(${q})) > 0`);
}

/** Newest first, by keyset: a page is as fast on the 1,000th as on the first, and stable under inserts. */
export async function listDevices(db: DbOrTx, actor: Actor, filter: DeviceFilter) {
  const conditions: (SQL | undefined)[] = [
    visibleDevices(actor),
    filter.donationId ? eq(devices.donationId, filter.donationId) : undefined,
    filter.status ? eq(devices.status, filter.status) : undefined,
    filter.kind ? eq(devices.kind, filter.kind) : undefined,
    filter.siteId ? eq(devices.siteId, filter.siteId) : undefined,
  ];
  if (filter.q) conditions.push(containsText(filter.q));
  if (filter.cursor) {
    const cursor = decodeCursor(filter.cursor);
    conditions.push(sql`(${devices.createdAt}, ${devices.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await db
    .select()
    .from(devices)
    .where(and(...conditions))
    .orderBy(desc(devices.createdAt), desc(devices.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: actor.role === 'donor_viewer' ? await presentAllForDonor(db, page) : page.map(presentDevice),
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
  };
}

export async function getDeviceWithHistory(db: DbOrTx, actor: Actor, codeInput: string) {
  const device = await findDevice(db, actor, codeInput);
  const { presented, journey } = await deviceJourney(db, actor, device);
  return { ...presented, history: journey.map((step) => step.event) };
}

/**
 * A device's events, oldest first, with the names of their place and of who acted, and the name of
 * the place it is at. A donor follows
 * the journey of what it gave: statuses, dates and the places of the organisation that took the
 * donation in. Who acted, what they wrote, and the structure that reserved or received the device
 * are withheld (null): a family's device must not lead back to its family.
 */
export async function deviceJourney(db: DbOrTx, actor: Actor, device: DeviceRow) {
  const rows = await db
    .select({ event: deviceEvents, siteName: sites.name, actorName: users.displayName })
    .from(deviceEvents)
    .innerJoin(sites, eq(sites.id, deviceEvents.siteId))
    .leftJoin(users, eq(users.id, deviceEvents.actorUserId))
    .where(eq(deviceEvents.deviceId, device.id))
    .orderBy(asc(deviceEvents.id));
  const [place] = await db.select({ name: sites.name }).from(sites).where(eq(sites.id, device.siteId));
  if (actor.role !== 'donor_viewer') return { presented: presentDevice(device), placeName: place!.name, journey: rows };
  const [donation] = await db.select({ organisationId: donations.organisationId }).from(donations).where(eq(donations.id, device.donationId));
  const network = donation!.organisationId;
  const own = new Set((await db.select({ id: sites.id }).from(sites).where(eq(sites.organisationId, network))).map((site) => site.id));
  const shown = (siteId: string | null) => (siteId && own.has(siteId) ? siteId : null);
  return {
    presented: presentForDonor(device, network),
    placeName: shown(device.siteId) ? place!.name : null,
    journey: rows.map(({ event, siteName }) => ({
      event: { ...event, actorUserId: null, organisationId: null, siteId: shown(event.siteId), fromSiteId: shown(event.fromSiteId), note: null, payload: {} },
      siteName: shown(event.siteId) ? siteName : null,
      actorName: null,
    })),
  };
}

async function presentAllForDonor(db: DbOrTx, page: DeviceRow[]) {
  if (page.length === 0) return [];
  const given = await db
    .select({ id: donations.id, organisationId: donations.organisationId })
    .from(donations)
    .where(inArray(donations.id, [...new Set(page.map((device) => device.donationId))]));
  const networkOf = new Map(given.map((donation) => [donation.id, donation.organisationId]));
  return page.map((device) => presentForDonor(device, networkOf.get(device.donationId)!));
}

/** A device as a donor sees it: where it is only while the organisation it was given to holds it. */
export function presentForDonor(device: DeviceRow, network: string) {
  const held = device.organisationId === network;
  return { ...presentDevice(device), organisationId: held ? device.organisationId : null, siteId: held ? device.siteId : null };
}
