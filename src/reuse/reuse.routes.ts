import { PassThrough, Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, json, ok, problems, timestamp } from '../http/router.ts';
import { renderReuseAttestationPdf } from './attestation-pdf.ts';
import { issueReuseAttestation, reuseAttestationForAuditors, setRetiredStock } from './attestations.service.ts';
import { retiredStockInput } from './reuse.input.ts';
import { reuseAttestationSigningKey } from '../wiping/signing.ts';

const tag = 'Reuse attestations';
const organisationId = z.uuid().openapi({ param: { name: 'id', in: 'path' } });

const attestationParams = z.object({
  id: organisationId,
  year: z
    .string()
    .regex(/^[0-9]{4}(\.pdf)?$/, 'A year (2025) for the JSON statement, or the year followed by .pdf (2025.pdf) for the PDF.')
    .openapi({ param: { name: 'year', in: 'path' }, example: '2025' }),
});

const stockParams = z.object({
  id: organisationId,
  year: z.coerce
    .number()
    .int()
    .min(2000)
    .max(2100)
    .openapi({ param: { name: 'year', in: 'path' }, example: 2025 }),
});

const attestationSchema = z
  .object({
    attestationId: z.uuid(),
    status: z.enum(['valid', 'altered', 'bad_signature']),
    issuedAt: timestamp,
    verifyUrl: z.string().openapi({ description: 'The public page that says whether the attestation still holds (its QR code opens it).' }),
    algorithm: z.literal('Ed25519'),
    signedStatement: z.string().openapi({ description: 'The exact bytes signed: the statement as canonical JSON (keys sorted), UTF-8.' }),
    signature: z.string(),
    signatureEncoding: z.literal('base64url'),
    publicKeyUrl: z.string(),
    statement: z.record(z.string(), z.unknown()).openapi({
      description:
        'The donor (name, SIREN), the year and the date the situation stands at, each device given (code, kind, serial number, wipe certificate, outcome, counted or why not), the totals, the retired stock on 1 January, the rate A / B and the décret’s target with its source.',
    }),
  })
  .openapi('ReuseAttestation');

export function reuseRoutes(database: Database, appSecret: string, publicUrl: string) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/organisations/{id}/reuse-attestations/{year}',
        operationId: 'getReuseAttestation',
        tags: [tag],
        summary:
          "A public donor's signed reuse attestation for a calendar year (décret 2023-266): JSON for /{year}, the French PDF for /{year}.pdf. For the donor's own accounts and the coordinator.",
        security: bearerSecurity,
        request: { params: attestationParams },
        responses: {
          200: {
            description: 'The attestation: the signed statement (JSON), or its PDF (application/pdf).',
            content: { 'application/json': { schema: attestationSchema }, 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
          },
          ...problems(401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const { id, year } = c.req.valid('param');
        const attestation = await issueReuseAttestation(db, appSecret, actorOf(c), id, Number.parseInt(year, 10));
        const verifyUrl = `${publicUrl}/verify/reuse/${attestation.id}`;
        if (!year.endsWith('.pdf')) return c.json(reuseAttestationForAuditors(attestation, 'valid', publicUrl), 200);
        const pdf = new PassThrough();
        const print = { statement: attestation.statement, signature: attestation.signature, issuedAt: attestation.issuedAt, verifyUrl, publicUrl };
        void renderReuseAttestationPdf(print, pdf).catch((error: unknown) => pdf.destroy(error as Error));
        return c.body(Readable.toWeb(pdf) as ReadableStream<Uint8Array>, 200, {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="attestation-reemploi-${attestation.statement.year}-${attestation.statement.donor.siren}.pdf"`,
        });
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/organisations/{id}/retired-stock/{year}',
        operationId: 'setRetiredStock',
        tags: [tag],
        summary: "A public donor's retired IT equipment in stock on 1 January of a year (the décret's B of the rate A / B); sent again, it replaces.",
        security: bearerSecurity,
        request: { params: stockParams, body: json(retiredStockInput) },
        responses: {
          200: ok('The stock declared.', z.object({ organisationId: z.uuid(), year: z.number().int(), devices: z.number().int(), updatedAt: timestamp })),
          ...problems(401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const { id, year } = c.req.valid('param');
        return c.json(asJson(await setRetiredStock(db, actorOf(c), id, year, c.req.valid('json'))), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/keys/reuse-attestations',
        operationId: 'getReuseAttestationKey',
        tags: [tag],
        summary: 'The public Ed25519 key that signs reuse attestations (PEM and JWK), to verify them offline.',
        responses: { 200: ok('The key.', z.object({ algorithm: z.literal('Ed25519'), pem: z.string(), jwk: z.record(z.string(), z.string()) })) },
      }),
      (c) => {
        const key = reuseAttestationSigningKey(appSecret);
        return c.json({ algorithm: 'Ed25519' as const, pem: key.publicPem, jwk: key.publicKey.export({ format: 'jwk' }) as Record<string, string> }, 200);
      },
    );
}
