import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceSchema } from '../devices/devices.routes.ts';
import { actorOf, asJson, bearerSecurity, createRouter, json, ok, problems, text, timestamp } from '../http/router.ts';
import { sanitizationLevels, verificationMethods, wipeTechniques } from './policy.ts';
import { certificateSigningKey } from './signing.ts';
import { listWipeRecords, recordWipes } from './wiping.service.ts';

const codeParam = z.object({ code: z.string().max(40).openapi({ param: { name: 'code', in: 'path' }, example: 'B7K2-9QXM' }) });

export const wipeInput = z.object({
  mediumIndex: z.number().int().min(0).max(15).openapi({ description: "Position of the medium in the device's storage list, from 0." }),
  level: z.enum(sanitizationLevels),
  technique: z.enum(wipeTechniques),
  passes: z.number().int().min(1).max(100).optional(),
  pattern: text(200).optional(),
  toolName: text(100),
  toolVersion: text(50).optional(),
  verification: z.enum(verificationMethods),
  result: z.enum(['passed', 'failed']),
  failureReason: text(1000).optional(),
  startedAt: z.coerce.date(),
  endedAt: z.coerce.date(),
});

const wipeRecordSchema = wipeInput
  .extend({
    id: z.uuid(),
    deviceId: z.uuid(),
    mediumType: z.string(),
    mediumModel: z.string().nullable(),
    mediumSerial: z.string().nullable(),
    capacityGb: z.number().nullable(),
    passes: z.number().int().nullable(),
    pattern: z.string().nullable(),
    toolVersion: z.string().nullable(),
    failureReason: z.string().nullable(),
    startedAt: timestamp,
    endedAt: timestamp,
    operatorUserId: z.uuid(),
    organisationId: z.uuid(),
    source: z.string(),
    logFileId: z.uuid().nullable(),
    createdAt: timestamp,
  })
  .openapi('WipeRecord');

const outstanding = z.array(z.object({ mediumIndex: z.number().int(), medium: z.string(), reason: z.string() }));

export function wipingRoutes(database: Database, appSecret: string) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/devices/{code}/wipes',
        operationId: 'recordWipes',
        tags: ['Wiping'],
        summary:
          'Records the sanitization of storage media (NIST SP 800-88) by a qualified operator; when every medium meets the policy the device becomes wiped and its certificate is issued.',
        security: bearerSecurity,
        request: { params: codeParam, body: json(z.object({ records: z.array(wipeInput).min(1).max(16) })) },
        responses: {
          201: ok(
            'Recorded; `wiped` says whether the device is now wiped, `outstanding` what each medium still needs.',
            z.object({ records: z.array(wipeRecordSchema), wiped: z.boolean(), device: deviceSchema, outstanding }),
          ),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      }),
      async (c) => c.json(asJson(await recordWipes(db, actorOf(c), c.req.valid('param').code, c.req.valid('json').records)), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/devices/{code}/wipes',
        operationId: 'listWipes',
        tags: ['Wiping'],
        summary: "A device's wipe records, and what each medium still needs.",
        security: bearerSecurity,
        request: { params: codeParam },
        responses: {
          200: ok('Records.', z.object({ device: deviceSchema, records: z.array(wipeRecordSchema), outstanding })),
          ...problems(400, 401, 404),
        },
      }),
      async (c) => c.json(asJson(await listWipeRecords(db, actorOf(c), c.req.valid('param').code)), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/keys/certificates',
        operationId: 'getCertificateKey',
        tags: ['Wiping'],
        summary: 'The public Ed25519 key that signs wipe certificates (PEM and JWK), to verify them offline.',
        responses: { 200: ok('The key.', z.object({ algorithm: z.literal('Ed25519'), pem: z.string(), jwk: z.record(z.string(), z.string()) })) },
      }),
      (c) => {
        const key = certificateSigningKey(appSecret);
        return c.json({ algorithm: 'Ed25519' as const, pem: key.publicPem, jwk: key.publicKey.export({ format: 'jwk' }) as Record<string, string> }, 200);
      },
    );
}
