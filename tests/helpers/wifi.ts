import { expect } from 'vitest';
import { parseWifiQrPayload } from '../../src/connectivity/wifi-qr.ts';
import { eventually } from './harness.ts';
import { cropMm, decodeQr, openPdf, pageSizeMm, renderPage } from './pdf.ts';
import type { Account, Response, World } from './world.ts';

/** The body of an answer that must have this status (200 by default); the body is shown when it has not. */
export function expectStatus(response: Pick<Response, 'status' | 'body'>, status = 200) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body as any;
}

/** A background job once it has finished (succeeded or failed), as its starter follows it. */
export async function finishedJob(world: World, token: string, jobId: string) {
  let job: any;
  await eventually(`job ${jobId}`, async () => {
    job = (await world.call('GET', `/api/jobs/${jobId}`, { token })).body;
    return job.state === 'succeeded' || job.state === 'failed';
  });
  return job;
}

/** A file download's bytes; fails unless it answers 200. */
export async function download(world: World, token: string, path: string) {
  const response = await world.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, path).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

export const deploymentStep = (world: World, token: string, buildingId: string, to: string, note?: string) =>
  world.call('POST', `/api/buildings/${buildingId}/deployment/transitions`, { token, body: { to, ...(note ? { note } : {}) } });

/** The Wi-Fi network a tenant letter's QR code joins. */
export function letterQr(pdf: Uint8Array) {
  const page = openPdf(pdf).loadPage(0);
  const { widthMm, heightMm } = pageSizeMm(page);
  const decoded = decodeQr(cropMm(renderPage(page, 8), { x: 0, y: 0, width: widthMm, height: heightMm }));
  expect(decoded, 'a QR code on the letter').not.toBeNull();
  return parseWifiQrPayload(decoded!.url);
}

/** The values of `option <name>` in each `config wifi-iface` section of a UCI file. */
export function uciIfaces(text: string): Record<string, string>[] {
  const unquote = (value: string) => value.replace(/^'|'$/g, '').replaceAll(`'\\''`, `'`);
  const sections: Record<string, string>[] = [];
  for (const line of text.split('\n').map((row) => row.trim())) {
    if (line.startsWith('config wifi-iface')) sections.push({});
    const option = line.match(/^option (\w+) (.*)$/);
    if (option && sections.length > 0) sections.at(-1)![option[1]!] = unquote(option[2]!);
  }
  return sections;
}

export type WifiCast = { manager: Account; residenceId: string; ispId: string; installer: Account };

/** A building of the cast's residence taken by its installer from planned to access points installed, one per landing. */
export async function buildingReadyToProvision(world: World, cast: WifiCast, apartments: { unit: string; floor: number }[], floors: number) {
  const building = await world.building(cast.manager.token, cast.residenceId, { floors, apartments });
  expectStatus(await world.call('PATCH', `/api/buildings/${building.id}/deployment`, { token: cast.manager.token, body: { ispOrganisationId: cast.ispId } }));
  expectStatus(await deploymentStep(world, cast.installer.token, building.id, 'surveyed'));
  const register = async (body: Record<string, unknown>) =>
    expectStatus(await world.call('POST', `/api/buildings/${building.id}/network-devices`, { token: cast.installer.token, body }), 201);
  await register({ kind: 'building_box', model: 'Nokia G-010G-Q' });
  expectStatus(await deploymentStep(world, cast.installer.token, building.id, 'box_installed'));
  for (const floor of [...new Set(apartments.map((apartment) => apartment.floor))]) await register({ kind: 'access_point', model: 'TP-Link EAP245', floor });
  expectStatus(await deploymentStep(world, cast.installer.token, building.id, 'access_points_installed'));
  return building;
}
