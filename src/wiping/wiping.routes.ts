import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceSchema } from '../devices/devices.routes.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, text, timestamp } from '../http/router.ts';
import { DomainError, notFound } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { decodeUploadedText } from '../text.ts';
import { uploadedFileBody } from '../http/upload.ts';
import { readNwipeLogForDevice } from './nwipe-import.ts';
import { sanitizationLevels, verificationMethods, wipeTechniques } from './policy.ts';
import { verificationForAuditors, verifyCertificate } from './certificates.ts';
import { certificateSigningKey } from './signing.ts';
import { listWipeRecords, recordWipes } from './wiping.service.ts';

const codeParam = z.object({
  code: z
    .string()
    .max(40)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'B7K2-9QWM' }),
});

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

const outstanding = z.array(z.object({ mediumIndex: z.number().int(), medium: z.string(), neededLevel: z.enum(sanitizationLevels), reason: z.string() }));

export const certificateVerificationSchema = z
  .object({
    certificateId: z.uuid(),
    status: z.enum(['valid', 'altered', 'bad_signature']).openapi({
      description:
        "Boucle's own check: `valid`, `bad_signature` (the statement does not match its signature), `altered` (the wipe records now say something else).",
    }),
    issuedAt: timestamp,
    algorithm: z.literal('Ed25519'),
    signedStatement: z.string().openapi({ description: 'The exact bytes signed, as UTF-8 text: the statement as canonical JSON (keys sorted, no spaces).' }),
    signature: z.string().openapi({ description: 'The Ed25519 signature of signedStatement (64 bytes), base64url.' }),
    signatureEncoding: z.literal('base64url'),
    publicKeyUrl: z.string().openapi({ description: 'Where the public key is published (GET /api/keys/certificates).' }),
    statement: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'signedStatement parsed: device, media and how each was sanitized (NIST SP 800-88), organisation, place, date.' }),
  })
  .openapi('CertificateVerification');

export function wipingRoutes(database: Database, fileStore: FileStore, appSecret: string, publicUrl: string) {
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
        request: {
          params: codeParam,
          body: json(
            z.object({
              records: z.array(wipeInput).min(1).max(16),
              logFileId: z.uuid().optional().openapi({ description: 'The log these records were read from (POST .../wipes/nwipe-log).' }),
            }),
          ),
        },
        responses: {
          201: ok(
            'Recorded; `wiped` says whether the device is now wiped, `outstanding` what each medium still needs.',
            z.object({ records: z.array(wipeRecordSchema), wiped: z.boolean(), device: deviceSchema, outstanding }),
          ),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        return c.json(asJson(await recordWipes(db, actorOf(c), c.req.valid('param').code, body.records, body.logFileId)), 201);
      },
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
        method: 'post',
        path: '/devices/{code}/wipes/nwipe-log',
        operationId: 'readNwipeLog',
        tags: ['Wiping'],
        summary:
          "Reads an nwipe or ShredOS log (sent as text/plain) and proposes the device's wipe records; nothing is recorded until the operator confirms them.",
        security: bearerSecurity,
        request: {
          params: codeParam,
          query: z.object({
            timeZone: z.string().max(64).default('Europe/Paris').openapi({ description: "The wiping machine's clock zone: nwipe logs local time." }),
          }),
          body: uploadedFileBody('text/plain'),
        },
        responses: {
          200: ok(
            'The proposal.',
            z.object({
              logFileId: z.uuid(),
              proposals: z.array(
                z.object({ drive: z.string(), record: wipeInput.extend({ startedAt: timestamp, endedAt: timestamp }), notes: z.array(z.string()) }),
              ),
              unmatched: z.array(
                z.object({
                  drive: z.string(),
                  serial: z.string().optional(),
                  reason: z.string(),
                  record: wipeInput.omit({ mediumIndex: true }).extend({ startedAt: timestamp, endedAt: timestamp }).optional().openapi({
                    description: 'For a drive the log gives no serial number for: its record, to send with the mediumIndex of the medium it is.',
                  }),
                  mediumIndexes: z
                    .array(z.number().int())
                    .optional()
                    .openapi({ description: 'The media that drive may be: those no other drive of the log matched.' }),
                  notes: z.array(z.string()).optional(),
                }),
              ),
              unreadable: z.array(z.object({ drive: z.string(), reasons: z.array(z.string()) })),
            }),
          ),
          ...problems(400, 401, 404, 415, 422),
        },
      }),
      async (c) => {
        const type = c.req.header('content-type') ?? '';
        if (!type.startsWith('text/')) throw new DomainError(415, 'unsupported_media_type', 'Send the log as text/plain.');
        const log = decodeUploadedText(new Uint8Array(await c.req.arrayBuffer()));
        const proposal = await readNwipeLogForDevice(db, fileStore, actorOf(c), {
          code: c.req.valid('param').code,
          log,
          timeZone: c.req.valid('query').timeZone,
        });
        return c.json(asJson(proposal), 200);
      },
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
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/certificates/{id}',
        operationId: 'getCertificateVerification',
        tags: ['Wiping'],
        summary:
          "A wipe certificate's signed statement and signature, to verify offline with the key of /api/keys/certificates; /verify/{id} answers the same with Accept: application/json.",
        request: { params: idParam },
        responses: { 200: ok('The statement, the exact bytes signed and the signature.', certificateVerificationSchema), ...problems(404, 422) },
      }),
      async (c) => {
        const verification = await verifyCertificate(db, appSecret, c.req.valid('param').id);
        if (verification.status === 'unknown') throw notFound('This certificate');
        return c.json(verificationForAuditors(verification, publicUrl), 200);
      },
    );
}
