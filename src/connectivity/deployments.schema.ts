import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { assetCodes } from '../devices/devices.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { costRecoveries, deploymentStatuses, filteringPolicies, securityModes } from './deployments.lifecycle.ts';
import { apartments, buildings, residences } from './places.schema.ts';

export const deploymentStatus = pgEnum('deployment_status', deploymentStatuses);
export const securityMode = pgEnum('security_mode', securityModes);
export const filteringPolicy = pgEnum('filtering_policy', filteringPolicies);
export const costRecovery = pgEnum('cost_recovery', costRecoveries);
export const networkDeviceKinds = ['building_box', 'access_point'] as const;
export type NetworkDeviceKind = (typeof networkDeviceKinds)[number];
export const networkDeviceKind = pgEnum('network_device_kind', networkDeviceKinds);

/** The fibre box at the foot of a building and the access points on its landings: tracked assets with a QR label. */
export const networkDevices = pgTable(
  'network_devices',
  {
    id: uuid().primaryKey().defaultRandom(),
    assetCode: text()
      .notNull()
      .references(() => assetCodes.code),
    // The landlord whose building it equips.
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    buildingId: uuid()
      .notNull()
      .references(() => buildings.id),
    kind: networkDeviceKind().notNull(),
    model: text().notNull(),
    serialNumber: text(),
    macAddress: text(),
    // The landing an access point is on; null for the building box.
    floor: integer(),
    // SSIDs one radio can broadcast (from the model's catalogue entry, 8 by default).
    ssidsPerRadio: integer().notNull().default(8),
    radios: integer().notNull().default(2),
    installedByUserId: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex().on(table.assetCode),
    uniqueIndex('network_devices_mac').on(table.macAddress).where(sql`${table.macAddress} is not null`),
    index().on(table.buildingId, table.floor),
    check('network_devices_floor_for_access_points', sql`(${table.kind} = 'access_point') = (${table.floor} is not null)`),
    check('network_devices_mac_format', sql`${table.macAddress} ~ '^([0-9A-F]{2}:){5}[0-9A-F]{2}$'`),
    check('network_devices_ssids_range', sql`${table.ssidsPerRadio} between 1 and 64 and ${table.radios} between 1 and 4`),
  ],
);

/** One per building: who installs, how it is secured and filtered, what it costs and how that is recovered. */
export const deployments = pgTable(
  'deployments',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    buildingId: uuid()
      .notNull()
      .references(() => buildings.id),
    ispOrganisationId: uuid().references(() => organisations.id),
    status: deploymentStatus().notNull().default('planned'),
    suspendedFrom: deploymentStatus(),
    suspendedReason: text(),
    boxId: uuid().references(() => networkDevices.id),
    securityMode: securityMode().notNull().default('wpa2_wpa3_transition'),
    filtering: filteringPolicy().notNull().default('malware'),
    monthlyCostCents: integer(),
    costStartsOn: date({ mode: 'string' }),
    costRecovery: costRecovery(),
    // The landlord's SSID pattern, with {residence}, {building}, {unit} and {floor}.
    ssidPattern: text().notNull().default('{residence}-{unit}'),
    passphraseLength: integer().notNull().default(12),
    // Printed on tenants' letters: whom to call when it does not work.
    supportContact: text(),
    // Bumped by every change: two people changing a deployment at once cannot both win.
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex().on(table.buildingId),
    index().on(table.organisationId),
    index().on(table.ispOrganisationId),
    check('deployments_cost_positive', sql`${table.monthlyCostCents} >= 0`),
    // WPA2/WPA3-personal passphrases are 8 to 63 printable characters (IEEE 802.11i, annex M.4).
    check('deployments_passphrase_length', sql`${table.passphraseLength} between 8 and 63`),
  ],
);

/** Append-only: every status change of a deployment, by whom, when. */
export const deploymentEvents = pgTable(
  'deployment_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deploymentId: uuid()
      .notNull()
      .references(() => deployments.id),
    fromStatus: deploymentStatus(),
    toStatus: deploymentStatus().notNull(),
    actorUserId: uuid().references(() => users.id),
    organisationId: uuid().references(() => organisations.id),
    note: text(),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.deploymentId, table.id)],
);

/**
 * An apartment's Wi-Fi network: its SSID on its landing's access point and its passphrase,
 * encrypted (AES-256-GCM, see secret-box.ts). Only the current passphrase is kept: a rotated one
 * is overwritten, so it exists nowhere once the tenant has moved out.
 */
export const wifiNetworks = pgTable(
  'wifi_networks',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    apartmentId: uuid()
      .notNull()
      .references(() => apartments.id),
    buildingId: uuid()
      .notNull()
      .references(() => buildings.id),
    // SSIDs are unique within a residence: its buildings are each other's radio neighbours.
    residenceId: uuid()
      .notNull()
      .references(() => residences.id),
    accessPointId: uuid()
      .notNull()
      .references(() => networkDevices.id),
    ssid: text().notNull(),
    passphraseCiphertext: text().notNull(),
    // Bumped by each new passphrase; letters and exports name the version they carry.
    passphraseVersion: integer().notNull().default(1),
    // The version the stored letter carries; behind `passphraseVersion` (or null) means a letter to print.
    letterVersion: integer(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    rotatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex().on(table.apartmentId),
    uniqueIndex().on(table.residenceId, table.ssid),
    index().on(table.accessPointId),
    index().on(table.buildingId),
    check('wifi_networks_ssid_length', sql`octet_length(${table.ssid}) between 1 and 32`),
  ],
);

export const revealChannel = pgEnum('passphrase_reveal_channel', ['screen', 'letter', 'access_point_config']);

/** Every time a passphrase left Boucle in clear: who, which apartment and version, how. */
export const passphraseReveals = pgTable(
  'passphrase_reveals',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    buildingId: uuid()
      .notNull()
      .references(() => buildings.id),
    apartmentId: uuid().references(() => apartments.id),
    accessPointId: uuid().references(() => networkDevices.id),
    passphraseVersion: integer(),
    channel: revealChannel().notNull(),
    actorUserId: uuid()
      .notNull()
      .references(() => users.id),
    actorOrganisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.buildingId, table.occurredAt)],
);
