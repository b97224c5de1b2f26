import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { devices } from '../../src/devices/devices.schema.ts';
import type { Database } from '../../src/db/client.ts';
import type { App } from '../../src/http/app.ts';
import { eventually } from './harness.ts';
import type { Response, World } from './world.ts';

/** The header a French spreadsheet writes for an inventory. */
export const frenchHeader = 'Type;Marque;Modèle;N° de série;Stockage;Remarques';

/** Lines joined as a spreadsheet saves them: CRLF after every line, the last one too. */
export const crlf = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

export const withBom = (text: string) => `\uFEFF${text}`;

async function answer(response: globalThis.Response): Promise<Response> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

export type Upload = { as?: 'csv' | 'form'; filename?: string };

/** Uploads an inventory to a donation, raw as text/csv or as the `file` field of a form, as a browser would. */
export async function uploadInventory(
  app: App,
  token: string,
  donationId: string,
  content: string | Uint8Array,
  { as = 'csv', filename = 'inventaire.csv' }: Upload = {},
): Promise<Response> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: FormData | Uint8Array;
  if (as === 'form') {
    const form = new FormData();
    form.append('file', new File([bytes], filename, { type: 'text/csv' }));
    body = form;
  } else {
    headers['content-type'] = 'text/csv; charset=utf-8';
    headers['x-filename'] = filename;
    body = bytes;
  }
  return answer(await app.request(`/api/donations/${donationId}/imports`, { method: 'POST', headers, body }));
}

/** Waits until a job has finished, and answers it as its owner sees it. */
export async function finishedJob(world: World, token: string, jobId: string) {
  let job: any;
  await eventually(`job ${jobId} to finish`, async () => {
    const response = await world.call('GET', `/api/jobs/${jobId}`, { token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    job = response.body;
    return job.state === 'succeeded' || job.state === 'failed';
  });
  return job;
}

/** Uploads, expects the import accepted, and waits for the worker to finish it. */
export async function importInventory(world: World, token: string, donationId: string, content: string | Uint8Array, upload?: Upload) {
  const accepted = await uploadInventory(world.app, token, donationId, content, upload);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return finishedJob(world, token, accepted.body.id);
}

/** The devices of a donation, straight from the database. */
export async function devicesOf(db: Database['db'], donationId: string) {
  return db.select().from(devices).where(eq(devices.donationId, donationId)).orderBy(devices.serialNumber);
}
