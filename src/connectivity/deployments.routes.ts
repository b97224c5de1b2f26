import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { jobSchema } from '../jobs/jobs.routes.ts';
import { getJob } from '../jobs/jobs.service.ts';
import { actorOf, asJson, bearerSecurity, calendarDate, createRouter, idParam, json, ok, optionalJson, problems, text, timestamp } from '../http/router.ts';
import { passphraseLengthRange } from './credentials.ts';
import { costRecoveries, deploymentStatuses, filteringPolicies, securityModes } from './deployments.lifecycle.ts';
import { networkDeviceKinds } from './deployments.schema.ts';
import { getDeployment, transitionDeployment, updateDeploymentSettings } from './deployments.service.ts';
import { listNetworkDevices, presentNetworkDevice, registerNetworkDevice } from './network-devices.service.ts';
import { startProvisioning } from './provisioning.service.ts';

const tag = 'Shared connectivity';

const deploymentSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    buildingId: z.uuid(),
    ispOrganisationId: z.uuid().nullable(),
    status: z.enum(deploymentStatuses),
    suspendedFrom: z.enum(deploymentStatuses).nullable(),
    suspendedReason: z.string().nullable(),
    boxId: z.uuid().nullable(),
    securityMode: z.enum(securityModes),
    filtering: z.enum(filteringPolicies),
    monthlyCostCents: z.number().int().nullable(),
    costStartsOn: z.string().nullable(),
    costRecovery: z.enum(costRecoveries).nullable(),
    ssidPattern: z.string(),
    passphraseLength: z.number().int(),
    supportContact: z.string().nullable(),
    version: z.number().int(),
    updatedAt: timestamp,
  })
  .openapi('Deployment');

const deploymentWithHistory = deploymentSchema
  .extend({
    events: z.array(
      z.object({
        fromStatus: z.enum(deploymentStatuses).nullable(),
        toStatus: z.enum(deploymentStatuses),
        actorUserId: z.uuid().nullable(),
        note: z.string().nullable(),
        occurredAt: timestamp,
      }),
    ),
    nextSteps: z.array(z.object({ to: z.enum(deploymentStatuses), action: z.string() })),
  })
  .openapi('DeploymentWithHistory');

const settingsSchema = z
  .object({
    ispOrganisationId: z.uuid().nullable(),
    securityMode: z.enum(securityModes),
    filtering: z.enum(filteringPolicies),
    monthlyCostCents: z.number().int().min(0).max(100_000).nullable(),
    costStartsOn: calendarDate().nullable(),
    costRecovery: z.enum(costRecoveries).nullable(),
    ssidPattern: text(64),
    passphraseLength: z.number().int().min(passphraseLengthRange.min).max(passphraseLengthRange.max),
    supportContact: text(200).nullable(),
  })
  .partial()
  .strict();

const networkDeviceSchema = z
  .object({
    id: z.uuid(),
    assetCode: z.string(),
    buildingId: z.uuid(),
    kind: z.enum(networkDeviceKinds),
    model: z.string(),
    serialNumber: z.string().nullable(),
    macAddress: z.string().nullable(),
    floor: z.number().int().nullable(),
    ssidsPerRadio: z.number().int(),
    radios: z.number().int(),
    createdAt: timestamp,
  })
  .openapi('NetworkDevice');

export const networkDeviceWithNetworks = networkDeviceSchema
  .extend({ networks: z.array(z.object({ unit: z.string(), ssid: z.string() })) })
  .openapi('NetworkDeviceWithNetworks');

const warningSchema = z.object({ floor: z.number().int(), accessPointCode: z.string(), ssids: z.number().int(), message: z.string() });

export function deploymentRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/buildings/{id}/deployment',
        operationId: 'getDeployment',
        tags: [tag],
        summary: 'A building’s deployment: its settings, its history (who, when) and the next steps you may take.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The deployment.', deploymentWithHistory), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getDeployment(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/buildings/{id}/deployment',
        operationId: 'updateDeployment',
        tags: [tag],
        summary:
          'The landlord’s choices: installer, security mode, filtering, monthly cost per apartment (cents), its start and how it is recovered, SSID pattern ({residence}, {building}, {unit}, {floor}), passphrase length, support contact.',
        security: bearerSecurity,
        request: { params: idParam, body: optionalJson(settingsSchema) },
        responses: { 200: ok('The deployment.', deploymentSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(asJson(await updateDeploymentSettings(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/buildings/{id}/deployment/transitions',
        operationId: 'transitionDeployment',
        tags: [tag],
        summary: 'Records a step (surveyed, box_installed, access_points_installed, live), a suspension (with the reason as note) or a resumption.',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ to: z.enum(deploymentStatuses), note: text(500).optional() }).strict()) },
        responses: { 200: ok('The deployment.', deploymentSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await transitionDeployment(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/buildings/{id}/network-devices',
        operationId: 'registerNetworkDevice',
        tags: [tag],
        summary: 'Registers the building’s fibre box or an access point on a landing; it gets an asset code for its QR label.',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(
            z
              .object({
                kind: z.enum(networkDeviceKinds),
                model: text(100),
                serialNumber: text(100).optional(),
                macAddress: z.string().max(40).optional(),
                floor: z.number().int().min(0).max(60).optional(),
                ssidsPerRadio: z.number().int().min(1).max(64).optional(),
                radios: z.number().int().min(1).max(4).optional(),
              })
              .strict(),
          ),
        },
        responses: { 201: ok('The equipment.', networkDeviceSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(presentNetworkDevice(await registerNetworkDevice(db, actorOf(c), c.req.valid('param').id, c.req.valid('json')))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/buildings/{id}/network-devices',
        operationId: 'listNetworkDevices',
        tags: [tag],
        summary: 'The building’s box and access points, each with the SSIDs it broadcasts.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('Equipment.', z.object({ items: z.array(networkDeviceWithNetworks) })), ...problems(401, 404, 422) },
      }),
      async (c) => c.json({ items: asJson(await listNetworkDevices(db, actorOf(c), c.req.valid('param').id)) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/buildings/{id}/provisioning',
        operationId: 'provisionBuilding',
        tags: [tag],
        summary:
          'Gives every apartment without one its SSID and passphrase, then writes the letters and access point configurations; follow the job. Refused (409) for a landing with more apartments than its access points broadcast.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: {
          202: ok('The job, and airtime warnings.', z.object({ job: jobSchema, warnings: z.array(warningSchema) })),
          ...problems(401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const actor = actorOf(c);
        const { job, warnings } = await startProvisioning(db, actor, c.req.valid('param').id);
        return c.json({ job: asJson(await getJob(db, actor, job.id)), warnings }, 202);
      },
    );
}
