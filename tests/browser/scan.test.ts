import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceEvents } from '../../src/devices/devices.schema.ts';
import type { Account, World } from '../helpers/world.ts';
import { axeViolations, fakeCameraArgs, keepScreenshot, pageProblems, signIn, startBrowserHarness, type BrowserHarness } from './browser.ts';
import { writeQrVideo } from './fake-camera.ts';
import { nwipeZeroFillLog } from '../helpers/nwipe.ts';

/*
 * The scan station (/scan) in Chromium, as a workshop uses it: a keyboard-wedge scanner types the
 * code and Enter into the focused input, or the camera reads a label; the device card offers what
 * may be done now; actions taken while the network is down wait in the browser and apply once.
 */

let browser: BrowserHarness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let folder: string;

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const ssd = { type: 'ssd', model: 'Samsung 860', serialNumber: 'S3Z9', capacityGb: 250 };

async function qualify(account: Account, kind: 'data_wiping' | 'refurbishment') {
  const response = await world.call('POST', `/api/users/${account.id}/qualifications`, {
    token: world.admin.token,
    body: { kind, issuer: 'Centre de formation ADN', issuedOn: day(-200), expiresOn: day(365) },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

beforeAll(async () => {
  browser = await startBrowserHarness();
  world = browser.world;
  bench = await world.workshop();
  await qualify(bench.operator, 'data_wiping');
  await qualify(bench.operator, 'refurbishment');
  folder = await mkdtemp(join(tmpdir(), 'boucle-scan-'));
});
afterAll(async () => {
  await browser?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** Codes print as B7K2-9QXM; the page names a device by its code without the dash. */
const plain = (code: string) => code.replace('-', '').toUpperCase();

const deviceOf = async (code: string) => {
  const response = await world.call('GET', `/api/devices/${code}`, { token: bench.operator.token });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { status: string; grade: string | null; specs: Record<string, unknown>; history: { type: string; toStatus: string }[] };
};

/** The scan station, signed in as the bench operator, in a context of its own. */
async function openScanStation(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await signIn(page, bench.operator, '/scan');
  expect(new URL(page.url()).pathname).toBe('/scan');
  return page;
}

/** What a keyboard-wedge scanner does: types into whatever has the focus, then Enter. */
async function scan(page: Page, code: string) {
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), {
      message: 'the focus should be on #scan-code, where a scanner types',
      timeout: 5_000,
    })
    .toBe('scan-code');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

const card = (page: Page, code: string, status?: string) =>
  page.locator(`[data-testid=device-card][data-code="${plain(code)}"]${status ? `[data-status="${status}"]` : ''}`);

/** Waits for the card of `code` (with `status`), or fails with what the page shows and said instead. */
async function cardShown(page: Page, code: string, status?: string, timeout = 10_000) {
  try {
    await card(page, code, status).waitFor({ timeout });
  } catch (error) {
    const shown = await page
      .locator('[data-testid=device-card]')
      .evaluateAll((cards) => cards.map((each) => `${each.getAttribute('data-code')} ${each.getAttribute('data-status')}`));
    const said = (await page.locator('[data-testid=result]').textContent())?.trim();
    const refused = await page.locator('#card .error, [data-testid=card-error]').allTextContents();
    throw new Error(
      `no card of ${plain(code)}${status ? ` in status ${status}` : ''}; the page shows ${shown.join(', ') || 'no device card'}${said ? `, says « ${said} »` : ''}${refused.length ? `, flags ${refused.join(' | ')}` : ''}`,
      { cause: error },
    );
  }
}

// The contract names buttons; a testid may sit on the button or on the form that holds it.
const buttonOf = (page: Page, selector: string) => page.locator(selector).locator('xpath=descendant-or-self::button').first();

describe('the scan station', { timeout: 60_000 }, () => {
  it('takes a collected laptop from its scan to a recorded wipe, refurbishment and stock, as the database then says', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    const context = await browser.newContext();
    const page = await openScanStation(context);
    const problems = pageProblems(page);

    await scan(page, device.code);
    await cardShown(page, device.code, 'collected');

    const wipe = page.locator('[data-testid=wipe-form]');
    await wipe.locator('[name="records.0.level"]').selectOption('purge');
    await wipe.locator('[name="records.0.technique"]').selectOption('crypto_erase');
    await wipe.locator('[name="records.0.toolName"]').fill('hdparm');
    await wipe.locator('[name="records.0.verification"]').selectOption('full');
    await wipe.locator('[name="records.0.result"]').selectOption('passed');
    const recorded = page.waitForResponse((response) => response.request().method() === 'POST' && response.url().includes('/wipes'));
    await wipe.getByRole('button', { name: 'Enregistrer l’effacement' }).click();
    // The API's answer says which medium still lacks a valid wipe, and why: a clearer failure than a card that stays « collected ».
    const answer = await (await recorded).json();
    expect(answer.outstanding, JSON.stringify(answer.outstanding)).toEqual([]);
    await cardShown(page, device.code, 'wiped');
    expect((await deviceOf(device.code)).status).toBe('wiped');

    await buttonOf(page, '[data-testid=start-refurbishing]').click();
    await cardShown(page, device.code, 'refurbishing');
    const checklist = page.locator('[data-testid=checklist-form]');
    for (const item of ['power', 'screen', 'keyboard', 'battery', 'storage', 'ports', 'wifi', 'webcam']) {
      await checklist.locator(`[name="checklist.${item}"]`).selectOption('ok');
    }
    await checklist.locator('[name="checklist.batteryHealthPercent"]').fill('88');
    await checklist.locator('[name="specs.cpu"]').fill('Intel Core i5-8250U');
    await checklist.locator('[name="specs.ramGb"]').fill('8');
    await checklist.locator('[name="specs.storageGb"]').fill('250');
    await checklist.locator('[name="cosmetic"]').selectOption('A');
    await checklist.locator('[name="operatingSystem.name"]').fill('Linux Mint');
    await checklist.locator('[name="minutesSpent"]').fill('45');
    const saved = page.waitForResponse((response) => response.request().method() === 'PATCH' && response.url().includes('/api/work-orders/'));
    await checklist.getByRole('button', { name: 'Enregistrer la fiche' }).click();
    expect((await saved).status()).toBe(200);

    const complete = buttonOf(page, '[data-testid=complete-work-order]');
    expect((await complete.textContent())?.trim()).toBe('Mettre en stock');
    await complete.click();
    await cardShown(page, device.code, 'ready');
    await keepScreenshot(page, 'scan-station-ready');
    // The next scan lands in the input again, whatever was clicked before.
    await scan(page, device.code);
    await cardShown(page, device.code, 'ready');

    const shelved = await deviceOf(device.code);
    expect(shelved).toMatchObject({ status: 'ready', specs: { cpu: 'Intel Core i5-8250U', ramGb: 8, storageGb: 250 } });
    expect(shelved.history.map((event) => event.toStatus)).toEqual(['collected', 'wiped', 'refurbishing', 'ready']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads an nwipe log on the card, asks which medium the drive without serial is, and records both wipes', async () => {
    const disks = [
      { type: 'hdd', model: 'WDC WD5000AAKX', serialNumber: 'WCC2EM112233', capacityGb: 500 },
      { type: 'hdd', model: 'Seagate ST500', capacityGb: 500 },
    ];
    const device = await world.device(bench.operator.token, bench.site.id, { kind: 'desktop', storageMedia: disks });
    const log = nwipeZeroFillLog(
      [
        { device: '/dev/sda', model: 'WDC WD5000AAKX-0', serial: 'WCC2EM112233' },
        { device: '/dev/sdb', model: 'ST500DM002-1BD14' },
      ],
      { startedAt: new Date(Date.now() + 1000), minutes: 2, timeZone: 'Europe/Paris' },
    );
    const context = await browser.newContext();
    const page = await openScanStation(context);
    const problems = pageProblems(page);
    await scan(page, device.code);
    await cardShown(page, device.code, 'collected');

    const reader = page.locator('[data-testid=nwipe-log-form]');
    await reader
      .getByLabel('Journal (nwipe_log_….txt)')
      .setInputFiles({ name: 'nwipe_log_20261130-090000.txt', mimeType: 'text/plain', buffer: Buffer.from(log) });
    await reader.getByRole('button', { name: 'Lire le journal' }).click();
    const toMatch = page.locator('[data-testid=nwipe-drive-to-match]');
    await toMatch.waitFor();
    expect(await toMatch.textContent()).toContain('Le journal ne donne pas de numéro de série pour ce disque, que nwipe dit effacé');
    const choice = toMatch.getByLabel('Support effacé');
    expect(await choice.locator('option').allTextContents()).toEqual(['— choisir —', 'Support n° 2 : HDD Seagate ST500']);
    await choice.selectOption({ label: 'Support n° 2 : HDD Seagate ST500' });
    await page.getByRole('button', { name: 'Enregistrer ces effacements' }).click();
    await cardShown(page, device.code, 'wiped');

    const wipes = await world.call('GET', `/api/devices/${device.code}/wipes`, { token: bench.operator.token });
    expect(
      wipes.body.records.map((record: { mediumIndex: number; source: string; result: string }) => [record.mediumIndex, record.source, record.result]).sort(),
    ).toEqual([
      [0, 'nwipe_log', 'passed'],
      [1, 'nwipe_log', 'passed'],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says on the card why an nwipe log that ended in fatal errors records nothing', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [{ type: 'hdd', model: 'Seagate ST500', capacityGb: 500 }] });
    const log = [
      '[2021/10/29 16:02:12]    info: Wipe thread for device /dev/sda has been cancelled',
      '[2021/10/29 16:02:12]   error: Nwipe exited with fatal errors on device = /dev/sda',
      '',
    ].join('\n');
    const context = await browser.newContext();
    const page = await openScanStation(context);
    await scan(page, device.code);
    await cardShown(page, device.code, 'collected');
    const reader = page.locator('[data-testid=nwipe-log-form]');
    await reader.getByLabel('Journal (nwipe_log_….txt)').setInputFiles({ name: 'nwipe.log', mimeType: 'text/plain', buffer: Buffer.from(log) });
    await reader.getByRole('button', { name: 'Lire le journal' }).click();
    const refused = page.locator('[data-testid=nwipe-refused]');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(
      /^Journal refusé : This log shows only the end of an nwipe run: nwipe cancelled the wipe threads of \/dev\/sda and exited with fatal errors on \/dev\/sda\./,
    );
    expect((await deviceOf(device.code)).status).toBe('collected');
    await context.close();
  });

  it('recycles a device through the WEEE channel chosen in the list; « Autre » without its name is refused next to the field', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const context = await browser.newContext();
    const page = await openScanStation(context);
    await scan(page, device.code);
    await cardShown(page, device.code, 'collected');
    const form = page.locator('form[data-action=recycled]');
    const channel = form.getByLabel('Filière DEEE');
    expect(await channel.locator('option').allTextContents()).toEqual([
      '— choisir —',
      'ecosystem (éco-organisme agréé)',
      'Ecologic (éco-organisme agréé)',
      'Déchetterie ou point de collecte de la collectivité',
      'Opérateur de traitement DEEE autorisé',
      'Autre filière (à nommer)',
    ]);
    await channel.selectOption({ label: 'Autre filière (à nommer)' });
    await form.getByRole('button', { name: 'Envoyer au recyclage' }).click();
    const error = form.locator('[name="payload.deeeChannelName"] + .error');
    await error.waitFor();
    expect(await error.textContent()).toBe('Indiquez le nom de la filière quand elle est « Autre ».');
    expect((await deviceOf(device.code)).status).toBe('collected');

    await channel.selectOption({ label: 'Ecologic (éco-organisme agréé)' });
    await form.getByRole('button', { name: 'Envoyer au recyclage' }).click();
    await cardShown(page, device.code, 'recycled');
    const [event] = await browser.harness.database.db
      .select()
      .from(deviceEvents)
      .where(and(eq(deviceEvents.deviceId, device.id), eq(deviceEvents.toStatus, 'recycled')));
    expect(event?.payload).toEqual({ deeeChannel: 'ecologic' });
    await context.close();
  });

  it('has no serious accessibility problem, with a device card and its wipe form open', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    // axe is injected as a script: only a context that ignores the page's CSP lets it in.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await openScanStation(context);
    expect((await axeViolations(page)).map((violation) => violation.summary)).toEqual([]);
    await scan(page, device.code);
    await page.locator('[data-testid=wipe-form]').waitFor();
    expect((await axeViolations(page)).map((violation) => violation.summary)).toEqual([]);
    await keepScreenshot(page, 'scan-station-wipe-form');
    await context.close();
  });

  it('opens the device whose label the camera films', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    // The label's QR holds the device's public URL, as the label batches print it.
    const video = join(folder, `label-${plain(device.code)}.y4m`);
    await writeQrVideo(`http://boucle.test/d/${plain(device.code)}`, video, { width: 640, height: 480, frames: 30 });
    const withCamera = await browser.launch(fakeCameraArgs(video));
    const context = await browser.newContext({}, withCamera);
    await context.grantPermissions(['camera'], { origin: browser.baseUrl });
    const page = await openScanStation(context);

    await page.getByRole('button', { name: 'Scanner avec la caméra' }).click();
    await cardShown(page, device.code, 'collected', 20_000);
    await context.close();
    await withCamera.close();
  });

  it('queues two actions taken offline and applies each exactly once after reconnecting, even when an answer is lost', async () => {
    const first = await world.device(bench.operator.token, bench.site.id);
    const second = await world.device(bench.operator.token, bench.site.id);
    const context = await browser.newContext();
    const page = await openScanStation(context);

    // Online, each card is fetched once; the page keeps it for when the network is gone.
    await scan(page, first.code);
    await cardShown(page, first.code);
    await scan(page, second.code);
    await cardShown(page, second.code);

    // The first answer for the first device is lost on the way back, after the server applied it.
    let online = true;
    const keysSent: (string | null)[] = [];
    let firstAnswerStatus: number | undefined;
    const toFirstDevice = (url: URL) => new RegExp(`^/api/devices/(${first.code}|${plain(first.code)})/transitions$`, 'i').test(url.pathname);
    await page.route(toFirstDevice, async (route) => {
      if (!online) return route.abort('internetdisconnected');
      keysSent.push(await route.request().headerValue('idempotency-key'));
      if (keysSent.length > 1) return route.continue();
      firstAnswerStatus = (await route.fetch()).status();
      return route.abort('connectionreset');
    });
    const replays: Response[] = [];
    page.on('response', (response) => {
      if (toFirstDevice(new URL(response.url())) && response.headers()['idempotent-replayed'] === 'true') replays.push(response);
    });

    online = false;
    await context.setOffline(true);
    await scan(page, first.code);
    await cardShown(page, first.code);
    await page.locator(`[data-testid=device-card][data-code="${plain(first.code)}"] button[data-action=dismantled]`).click();
    await scan(page, second.code);
    await cardShown(page, second.code);
    await page.locator(`[data-testid=device-card][data-code="${plain(second.code)}"] button[data-action=dismantled]`).click();
    await expect.poll(() => page.locator('[data-testid=pending-count]').textContent()).toBe('2');
    expect((await deviceOf(first.code)).status).toBe('collected');
    expect((await deviceOf(second.code)).status).toBe('collected');

    online = true;
    await context.setOffline(false);
    await expect.poll(() => page.locator('[data-testid=pending-count]').textContent(), { timeout: 30_000, interval: 250 }).toBe('0');

    for (const code of [first.code, second.code]) {
      const after = await deviceOf(code);
      expect(after.status).toBe('dismantled');
      expect(after.history.filter((event) => event.toStatus === 'dismantled')).toHaveLength(1);
    }
    // The lost answer was asked for again with the same key, and the server replayed it.
    expect(firstAnswerStatus).toBe(200);
    expect(keysSent.length).toBeGreaterThanOrEqual(2);
    expect(keysSent[0]).toBeTruthy();
    expect(new Set(keysSent)).toEqual(new Set([keysSent[0]]));
    expect(replays.length).toBeGreaterThanOrEqual(1);
    await context.close();
  });

  it('keeps a code scanned offline that it has never seen, and opens its card when the network returns', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);
    const context = await browser.newContext();
    const page = await openScanStation(context);
    await context.setOffline(true);
    await scan(page, device.code);
    await expect.poll(() => page.locator('[data-testid=offline-scan-count]').textContent()).toBe('1');
    expect(await card(page, device.code).count()).toBe(0);
    await context.setOffline(false);
    await cardShown(page, device.code, 'collected');
    expect(await page.locator('#offline-scans').isHidden()).toBe(true);
    await context.close();
  });

  it('checks a batch before applying it: a device already dismantled is refused with the reason, the others are dismantled', async () => {
    const devices = [
      await world.device(bench.operator.token, bench.site.id),
      await world.device(bench.operator.token, bench.site.id),
      await world.device(bench.operator.token, bench.site.id),
    ];
    const gone = devices[0]!;
    const movable = devices.slice(1);
    const dismantled = await world.call('POST', `/api/devices/${gone.code}/transitions`, { token: bench.operator.token, body: { to: 'dismantled' } });
    expect(dismantled.status, JSON.stringify(dismantled.body)).toBe(200);
    const context = await browser.newContext();
    const page = await openScanStation(context);

    await page.locator('#batch-toggle').click();
    // A handheld scanner reading a label types what its QR holds: the device's URL.
    for (const device of devices.slice(0, 2)) await scan(page, device.code);
    await scan(page, `http://boucle.test/d/${plain(devices[2]!.code)}`);
    await expect
      .poll(() => page.locator('#batch-list [data-code]').evaluateAll((items) => items.map((item) => item.getAttribute('data-code'))))
      .toEqual(devices.map((device) => plain(device.code)));

    await page.locator('#batch-action').selectOption('dismantled');
    await page.locator('#batch-check').click();
    const report = page.locator('#batch-report');
    await expect.poll(() => report.locator('[data-code][data-outcome]').count()).toBe(3);
    const outcome = (code: string) => report.locator(`[data-code="${plain(code)}"]`);
    expect(await outcome(gone.code).getAttribute('data-outcome')).toBe('refused');
    const reason = (await outcome(gone.code).textContent())?.replace(plain(gone.code), '').trim();
    expect(reason, 'the refusal should say why').toBeTruthy();
    for (const device of movable) expect(await outcome(device.code).getAttribute('data-outcome')).toBe('ok');

    await page.locator('#batch-apply').click();
    await expect.poll(() => report.locator('[data-result=applied]').count(), { timeout: 15_000 }).toBe(2);
    for (const device of movable) expect(await outcome(device.code).getAttribute('data-result')).toBe('applied');
    expect(await outcome(gone.code).getAttribute('data-result')).not.toBe('applied');

    for (const device of movable) {
      const after = await deviceOf(device.code);
      expect(after.status).toBe('dismantled');
      expect(after.history.filter((event) => event.toStatus === 'dismantled')).toHaveLength(1);
    }
    expect((await deviceOf(gone.code)).history.filter((event) => event.toStatus === 'dismantled')).toHaveLength(1);
    await context.close();
  });
});
