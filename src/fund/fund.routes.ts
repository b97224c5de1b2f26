import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceKinds } from '../devices/devices.types.ts';
import { actorOf, asJson, bearerSecurity, createRouter, json, ok, problems, timestamp } from '../http/router.ts';
import { allocationsInput, contributionInput, fundReportQuery, fundYear } from './fund.input.ts';
import { fundReport, recordContribution, setFundAllocations } from './fund.service.ts';

const tag = 'Fund';
const cents = z.number().int().openapi({ description: 'Euro cents.' });

const contributionSchema = z
  .object({
    id: z.uuid(),
    funderOrganisationId: z.uuid(),
    year: z.number().int(),
    amountCents: cents,
    conventionReference: z.string(),
    signedOn: z.string(),
    recordedAt: timestamp,
  })
  .openapi('FundContribution');

const allocationSchema = z.object({ programmeId: z.uuid(), programmeName: z.string(), sharePercent: z.number().int() });

const fundReportSchema = z
  .object({
    year: z.number().int(),
    funderId: z.uuid().nullable().openapi({ description: 'The funder whose part is given; null: the whole fund.' }),
    fundCents: cents,
    unallocatedCents: cents,
    funderCents: cents,
    funderSharePercent: z.number(),
    contributions: z.array(
      z.object({
        id: z.uuid(),
        funderOrganisationId: z.uuid(),
        funderName: z.string(),
        amountCents: cents,
        conventionReference: z.string(),
        signedOn: z.string(),
      }),
    ),
    programmes: z.array(
      z.object({
        programmeId: z.uuid(),
        programmeName: z.string(),
        sharePercent: z.number().int(),
        fundedCents: cents,
        familiesEquipped: z.number().int(),
        familiesTrained: z.number().int(),
        devicesByKind: z.record(z.string(), z.number().int()),
        solidarityPricesCents: cents,
        costPerEquippedFamilyCents: cents.nullable(),
        byDepartement: z.array(z.object({ code: z.string(), name: z.string(), familiesEquipped: z.number().int(), familiesTrained: z.number().int() })),
        funderPart: z.object({ paidCents: cents, familiesEquipped: z.number(), familiesTrained: z.number() }),
      }),
    ),
    solidarityPriceCaps: z.object({ source: z.string(), year: z.number().int(), capsCents: z.partialRecord(z.enum(deviceKinds), cents) }),
  })
  .openapi('FundReport');

const yearParam = z.object({
  year: z.coerce
    .number()
    .pipe(fundYear)
    .openapi({ param: { name: 'year', in: 'path' }, example: 2026 }),
});

export function fundRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/fund/contributions',
        operationId: 'recordFundContribution',
        tags: [tag],
        summary: "Records a funder's contribution to a year's fund under its convention (coordinator only).",
        security: bearerSecurity,
        request: { body: json(contributionInput) },
        responses: { 201: ok('Recorded.', contributionSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await recordContribution(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/fund/allocations/{year}',
        operationId: 'setFundAllocations',
        tags: [tag],
        summary: "The steering committee's decision for a year: each financed programme's share of the fund, at most 100 % in all (coordinator only).",
        security: bearerSecurity,
        request: { params: yearParam, body: json(allocationsInput) },
        responses: { 200: ok('The shares of the year.', z.object({ items: z.array(allocationSchema) })), ...problems(401, 403, 422) },
      }),
      async (c) => c.json({ items: await setFundAllocations(database.db, actorOf(c), c.req.valid('param').year, c.req.valid('json')) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/fund/report',
        operationId: 'getFundReport',
        tags: [tag],
        summary:
          'What the fund paid for in a year: programmes and shares, families equipped and trained, cost per equipped family; a funder gets its own part (never a family).',
        security: bearerSecurity,
        request: { query: fundReportQuery },
        responses: { 200: ok('The report.', fundReportSchema), ...problems(401, 403, 422) },
      }),
      async (c) => {
        const { year, funderId } = c.req.valid('query');
        return c.json(await fundReport(db, actorOf(c), year, funderId), 200);
      },
    );
}
