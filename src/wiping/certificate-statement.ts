import { and, asc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { users } from '../auth/auth.schema.ts';
import type { DbOrTx } from '../db/client.ts';
import { statement } from '../db/statement.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { deviceEvents, devices } from '../devices/devices.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { shortfall } from './policy.ts';
import { wipeCertificates, wipeRecords } from './wiping.schema.ts';

// The wipe event with what a certificate names of its device and place, and the certificate
// already issued for it, if any; built once (statement.ts): the worker reads it for every
// certificate, and every verification reads it again.
const wipeEvent = statement('certified_wipe_event', (db) =>
  db
    .select({
      wipedAt: deviceEvents.occurredAt,
      organisationId: deviceEvents.organisationId,
      actorUserId: deviceEvents.actorUserId,
      device: {
        id: devices.id,
        assetCode: devices.assetCode,
        kind: devices.kind,
        brand: devices.brand,
        model: devices.model,
        serialNumber: devices.serialNumber,
        storageMedia: devices.storageMedia,
        custodySince: devices.custodySince,
      },
      organisation: organisations.name,
      location: sites.name,
      certificate: { id: wipeCertificates.id, statement: wipeCertificates.statement, signature: wipeCertificates.signature, fileId: wipeCertificates.fileId },
    })
    .from(deviceEvents)
    .innerJoin(devices, eq(devices.id, deviceEvents.deviceId))
    .innerJoin(organisations, eq(organisations.id, deviceEvents.organisationId))
    .innerJoin(sites, eq(sites.id, deviceEvents.siteId))
    .leftJoin(wipeCertificates, eq(wipeCertificates.eventId, deviceEvents.id))
    .where(and(eq(deviceEvents.id, sql.placeholder('eventId')), eq(deviceEvents.toStatus, 'wiped'))),
);

/** A device event that made a device `wiped`, with its certificate if one was issued; undefined for any other event. */
export async function certifiedWipe(db: DbOrTx, eventId: number) {
  const [wipe] = await wipeEvent(db, { eventId });
  return wipe;
}

export type CertifiedWipe = NonNullable<Awaited<ReturnType<typeof certifiedWipe>>>;

const wipeRecordsWhere = (db: DbOrTx, where: SQL | undefined) =>
  db
    .select({ record: wipeRecords, operator: { displayName: users.displayName, role: users.role } })
    .from(wipeRecords)
    .innerJoin(users, eq(users.id, wipeRecords.operatorUserId))
    .where(where)
    .orderBy(asc(wipeRecords.createdAt));

// The records of a device's wipes since it came into its holder's custody (`since`, as ISO text).
const wipeRecordsSince = statement('wipe_records_since', (db) =>
  wipeRecordsWhere(db, and(eq(wipeRecords.deviceId, sql.placeholder('deviceId')), gte(wipeRecords.endedAt, sql.placeholder('since')))),
);

/**
 * What a certificate states, rebuilt from the records each time it is verified: if a record was
 * changed after signing, the rebuilt statement differs from the signed one and the certificate
 * reads as altered. Fields follow NIST SP 800-88 Rev. 1, appendix G (sample certificate).
 */
export async function certificateStatement(db: DbOrTx, certificateId: string, wipe: CertifiedWipe, signedRecordIds?: (string | null)[]) {
  const { device } = wipe;
  // When issuing: the records that made the device wiped (since it last changed hands). When
  // verifying: exactly the records the certificate names, as they read now.
  const records = signedRecordIds
    ? await wipeRecordsWhere(
        db,
        inArray(
          wipeRecords.id,
          signedRecordIds.filter((id): id is string => id !== null),
        ),
      )
    : await wipeRecordsSince(db, { deviceId: device.id, since: device.custodySince.toISOString() });
  const media = device.storageMedia.map((medium, index) => {
    const counted = records.find(({ record }) => record.mediumIndex === index && shortfall(medium, record) === null);
    const record = counted?.record;
    return {
      index,
      type: medium.type,
      model: medium.model ?? null,
      serialNumber: medium.serialNumber ?? null,
      capacityGb: medium.capacityGb ?? null,
      sanitization: record
        ? {
            recordId: record.id,
            level: record.level,
            technique: record.technique,
            passes: record.passes,
            pattern: record.pattern,
            tool: record.toolName,
            toolVersion: record.toolVersion,
            verification: record.verification,
            result: record.result,
            startedAt: record.startedAt.toISOString(),
            endedAt: record.endedAt.toISOString(),
            operator: { name: counted.operator.displayName, role: counted.operator.role },
          }
        : null,
    };
  });
  return {
    certificateId,
    standard: 'NIST SP 800-88 Rev. 1',
    device: {
      code: formatAssetCode(device.assetCode),
      kind: device.kind,
      manufacturer: device.brand,
      model: device.model,
      serialNumber: device.serialNumber,
    },
    media,
    organisation: wipe.organisation,
    location: wipe.location,
    destination: 'reuse',
    wipedAt: wipe.wipedAt.toISOString(),
  };
}

export type CertificateStatement = Awaited<ReturnType<typeof certificateStatement>>;
