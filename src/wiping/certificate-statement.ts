import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import { users } from '../auth/auth.schema.ts';
import type { DbOrTx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { deviceEvents, devices } from '../devices/devices.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { shortfall } from './policy.ts';
import { wipeRecords } from './wiping.schema.ts';

/**
 * What a certificate states, rebuilt from the records each time it is verified: if a record was
 * changed after signing, the rebuilt statement differs from the signed one and the certificate
 * reads as altered. Fields follow NIST SP 800-88 Rev. 1, appendix G (sample certificate).
 */
export async function certificateStatement(db: DbOrTx, certificateId: string, eventId: number, signedRecordIds?: (string | null)[]) {
  const [row] = await db
    .select({ event: deviceEvents, device: devices, organisation: organisations, site: sites })
    .from(deviceEvents)
    .innerJoin(devices, eq(devices.id, deviceEvents.deviceId))
    .innerJoin(organisations, eq(organisations.id, deviceEvents.organisationId))
    .innerJoin(sites, eq(sites.id, deviceEvents.siteId))
    .where(and(eq(deviceEvents.id, eventId), eq(deviceEvents.toStatus, 'wiped')));
  if (!row) return null;
  const { event, device } = row;
  // When issuing: the records that made the device wiped (since it last changed hands). When
  // verifying: exactly the records the certificate names, as they read now.
  const records = await db
    .select({ record: wipeRecords, operator: users })
    .from(wipeRecords)
    .innerJoin(users, eq(users.id, wipeRecords.operatorUserId))
    .where(
      signedRecordIds
        ? inArray(
            wipeRecords.id,
            signedRecordIds.filter((id): id is string => id !== null),
          )
        : and(eq(wipeRecords.deviceId, device.id), gte(wipeRecords.endedAt, device.custodySince)),
    )
    .orderBy(asc(wipeRecords.createdAt));
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
    organisation: row.organisation.name,
    location: row.site.name,
    destination: 'reuse',
    wipedAt: event.occurredAt.toISOString(),
  };
}

export type CertificateStatement = NonNullable<Awaited<ReturnType<typeof certificateStatement>>>;
