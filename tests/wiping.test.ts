import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceEvents, devices } from '../src/devices/devices.schema.ts';
import { files } from '../src/files/files.schema.ts';
import { issueCertificate } from '../src/wiping/certificates.ts';
import { canonicalJson } from '../src/wiping/signing.ts';
import { wipeCertificates, wipeRecords } from '../src/wiping/wiping.schema.ts';
import { eventually, testAppSecret, testPublicUrl, type Harness } from './helpers/harness.ts';
import { nwipeZeroFillLog } from './helpers/nwipe.ts';
import { openPdf, textLines, type PdfPage } from './helpers/pdf.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;

const ssd = { type: 'ssd', model: 'Samsung 860 EVO', serialNumber: 'S3Z9NB0K123', capacityGb: 250 };
const hdd = { type: 'hdd', model: 'Seagate ST500', serialNumber: 'Z6EABC12', capacityGb: 500 };

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function qualify(account: Account, expiresOn = day(365)) {
  const response = await world.call('POST', `/api/users/${account.id}/qualifications`, {
    token: world.admin.token,
    body: { kind: 'data_wiping', issuer: 'Centre de formation ADN', issuedOn: day(-400), expiresOn },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

const wipe = (mediumIndex: number, overrides: Record<string, unknown> = {}) => ({
  mediumIndex,
  level: 'purge',
  technique: 'crypto_erase',
  toolName: 'hdparm',
  toolVersion: '9.65',
  verification: 'full',
  result: 'passed',
  startedAt: new Date(Date.now() - 600_000).toISOString(),
  endedAt: new Date().toISOString(),
  ...overrides,
});

const recordWipes = (account: Account, code: string, records: unknown[]) =>
  world.call('POST', `/api/devices/${code}/wipes`, { token: account.token, body: { records } });

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
  bench = await world.workshop();
  await qualify(bench.operator);
});
afterAll(() => harness.close());

describe('who may record a wipe', () => {
  it('refuses an operator without a data-wiping qualification, and records nothing', async () => {
    const untrained = await world.account(bench.organisation.id, 'workshop_operator');
    const device = await world.device(untrained.token, bench.site.id, { storageMedia: [ssd] });
    const response = await recordWipes(untrained, device.code, [wipe(0)]);
    expect(response.status).toBe(403);
    expect(response.body.detail).toMatch(/data wiping qualification/);
    expect(await harness.database.db.$count(wipeRecords, eq(wipeRecords.deviceId, device.id))).toBe(0);
  });

  it('refuses an expired qualification, giving its expiry date', async () => {
    const lapsed = await world.account(bench.organisation.id, 'workshop_operator');
    await qualify(lapsed, day(-3));
    const device = await world.device(lapsed.token, bench.site.id, { storageMedia: [ssd] });
    const response = await recordWipes(lapsed, device.code, [wipe(0)]);
    expect(response.status).toBe(403);
    expect(response.body.detail).toContain(`expired on ${day(-3)}`);
  });

  it('lets a qualified mediator wipe a device of their own organisation', async () => {
    const centre = await world.organisation('mediation');
    const place = await world.site(centre.id, { kind: 'mediation_place', name: 'Espace numérique' });
    const mediator = await world.account(centre.id, 'mediator');
    await qualify(mediator);
    const device = await world.device(mediator.token, place.id, { storageMedia: [ssd] });
    const response = await recordWipes(mediator, device.code, [wipe(0)]);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ wiped: true, device: { status: 'wiped' } });
  });
});

describe('the minimum level per medium', () => {
  it('keeps an overwrite of an SSD on record but does not count it, saying the SSD needs purge', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [hdd, ssd] });
    const first = await recordWipes(bench.operator, device.code, [
      wipe(0, { level: 'clear', technique: 'overwrite', passes: 1, pattern: 'zeros', toolName: 'nwipe', toolVersion: '0.38' }),
      wipe(1, { level: 'clear', technique: 'overwrite', passes: 1, pattern: 'PRNG', toolName: 'nwipe', toolVersion: '0.38' }),
    ]);
    expect(first.status).toBe(201);
    expect(first.body.wiped).toBe(false);
    expect(first.body.device.status).toBe('collected');
    expect(first.body.outstanding).toEqual([
      {
        mediumIndex: 1,
        medium: 'SSD Samsung 860 EVO (S3Z9NB0K123)',
        neededLevel: 'purge',
        reason: expect.stringMatching(/needs a passed wipe at level purge.*clear is below the purge/),
      },
    ]);
    const refused = await world.call('POST', `/api/devices/${device.code}/transitions`, { token: bench.operator.token, body: { to: 'wiped' } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('S3Z9NB0K123');

    const second = await recordWipes(bench.operator, device.code, [wipe(1)]);
    expect(second.body).toMatchObject({ wiped: true, outstanding: [], device: { status: 'wiped' } });
    expect(await harness.database.db.$count(wipeRecords, eq(wipeRecords.deviceId, device.id))).toBe(3);
  });

  it('keeps a failed wipe and leaves the device where it is', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [hdd] });
    const response = await recordWipes(bench.operator, device.code, [
      wipe(0, { level: 'clear', technique: 'overwrite', result: 'failed', failureReason: '12 secteurs illisibles' }),
    ]);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ wiped: false, device: { status: 'collected' } });
    expect(response.body.outstanding[0].reason).toMatch(/the wipe failed/);
  });

  it('accepts removing or destroying the storage instead of wiping it', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    const response = await recordWipes(bench.operator, device.code, [wipe(0, { level: 'destroy', technique: 'storage_removed' })]);
    expect(response.body).toMatchObject({ wiped: true, device: { status: 'wiped' } });
  });

  it('refuses a medium the device does not have, naming the field, and records nothing', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    const response = await recordWipes(bench.operator, device.code, [wipe(0), wipe(3)]);
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([{ path: 'records.1.mediumIndex', message: expect.any(String) }]);
    expect(await harness.database.db.$count(wipeRecords, eq(wipeRecords.deviceId, device.id))).toBe(0);
  });
});

describe('two operators recording wipes of one device at once', () => {
  it('record both media of a two-disk device: the second to commit sees the first and makes the device wiped, once', async () => {
    const colleague = await world.account(bench.organisation.id, 'workshop_operator');
    await qualify(colleague);
    for (let attempt = 0; attempt < 5; attempt++) {
      const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd, hdd] });
      const answers = await Promise.all([recordWipes(bench.operator, device.code, [wipe(0)]), recordWipes(colleague, device.code, [wipe(1)])]);
      expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
      expect(answers.filter((answer) => answer.body.wiped)).toHaveLength(1);
      const [stored] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
      expect(stored!.status).toBe('wiped');
      expect(await harness.database.db.$count(wipeRecords, eq(wipeRecords.deviceId, device.id))).toBe(2);
      expect(await harness.database.db.$count(deviceEvents, and(eq(deviceEvents.deviceId, device.id), eq(deviceEvents.toStatus, 'wiped')))).toBe(1);
    }
  });

  it('record the one medium twice: one makes the device wiped, the other is told it is wiped already, and its record is not kept', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    const answers = await Promise.all(Array.from({ length: 4 }, () => recordWipes(bench.operator, device.code, [wipe(0)])));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409]);
    expect(answers.filter((answer) => answer.status === 409).every((answer) => answer.body.code === 'not_awaiting_wipe')).toBe(true);
    expect(await harness.database.db.$count(wipeRecords, eq(wipeRecords.deviceId, device.id))).toBe(1);
    expect(await harness.database.db.$count(deviceEvents, and(eq(deviceEvents.deviceId, device.id), eq(deviceEvents.toStatus, 'wiped')))).toBe(1);
  });
});

describe('a device back from a household', () => {
  it('must be wiped again: wipes from before it left do not count', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    expect((await recordWipes(bench.operator, device.code, [wipe(0)])).body.wiped).toBe(true);
    // Refurbished, reserved and handed over by later modules: put it straight in a family's hands.
    await harness.database.db.update(devices).set({ status: 'allocated' }).where(eq(devices.id, device.id));
    const back = await world.call('POST', `/api/devices/${device.code}/transitions`, {
      token: bench.operator.token,
      body: { to: 'returned', siteId: bench.site.id },
    });
    expect(back.status).toBe(200);
    const refused = await world.call('POST', `/api/devices/${device.code}/transitions`, { token: bench.operator.token, body: { to: 'wiped' } });
    expect(refused.status).toBe(409);
    expect(refused.body.failedGuards[0].guard).toBe('wipe_records_passed');
    const again = await recordWipes(bench.operator, device.code, [wipe(0)]);
    expect(again.body).toMatchObject({ wiped: true, device: { status: 'wiped' } });
  });
});

describe('the wipe certificate', () => {
  it('is signed, published with its public key, and verifies until a record is altered', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd, hdd], serialNumber: 'PF1KX2AB' });
    await recordWipes(bench.operator, device.code, [wipe(0), wipe(1, { level: 'clear', technique: 'overwrite', passes: 1 })]);
    let certificate: typeof wipeCertificates.$inferSelect | undefined;
    await eventually('the certificate is issued', async () => {
      [certificate] = await harness.database.db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, device.id));
      return Boolean(certificate?.fileId);
    });
    const statement = certificate!.statement as { device: { serialNumber: string }; media: { sanitization: { level: string } }[] };
    expect(statement.device.serialNumber).toBe('PF1KX2AB');
    expect(statement.media.map((medium) => medium.sanitization.level)).toEqual(['purge', 'clear']);

    const key = await world.call('GET', '/api/keys/certificates');
    expect(key.status).toBe(200);
    const publicKey = createPublicKey(key.body.pem);
    expect(verify(null, Buffer.from(canonicalJson(certificate!.statement)), publicKey, Buffer.from(certificate!.signature, 'base64url'))).toBe(true);

    const page = await harness.app.request(`/verify/${certificate!.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Certificat valide');

    const pdf = await world.call('GET', `/api/files/${certificate!.fileId}`, { token: bench.operator.token });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');

    await harness.database.db.update(devices).set({ serialNumber: 'PF1KX2XX' }).where(eq(devices.id, device.id));
    const altered = await harness.app.request(`/verify/${certificate!.id}`);
    expect(altered.status).toBe(409);
    expect(await altered.text()).toContain('NON valide');
  });

  it('is issued once, with its PDF, however many runs of its job meet; one signed before its PDF gets it under its id', async () => {
    const { db } = harness.database;
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    await recordWipes(bench.operator, device.code, [wipe(0)]);
    const issuedTo = () => db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, device.id));
    await eventually('the certificate is issued', async () => Boolean((await issuedTo())[0]?.fileId));
    const [first] = await issuedTo();
    const [wiped] = await db
      .select({ id: deviceEvents.id })
      .from(deviceEvents)
      .where(and(eq(deviceEvents.deviceId, device.id), eq(deviceEvents.toStatus, 'wiped')));
    const settings = { publicUrl: testPublicUrl, appSecret: testAppSecret };
    const issue = () => issueCertificate(db, harness.fileStore, settings, wiped!.id);
    expect(await issue()).toBe('already_issued');

    // As if its job had never run: three runs at once issue one certificate, and leave one PDF.
    await db.delete(wipeCertificates).where(eq(wipeCertificates.id, first!.id));
    await db.delete(files).where(eq(files.id, first!.fileId!));
    const folder = join(harness.filesFolder, 'certificates');
    const before = new Set(await readdir(folder));
    const outcomes = await Promise.all([issue(), issue(), issue()]);
    expect(outcomes.sort()).toEqual(['already_issued', 'already_issued', 'issued']);
    const [issued] = await issuedTo();
    expect((await issuedTo()).length).toBe(1);
    expect((await readdir(folder)).filter((name) => !before.has(name))).toEqual([`${issued!.id}.pdf`]);
    const listed = await db
      .select()
      .from(files)
      .where(eq(files.filename, `certificat-effacement-${device.code}.pdf`));
    expect(listed.map((file) => file.id)).toEqual([issued!.fileId]);

    // A certificate signed without its PDF (an earlier version wrote the PDF afterwards) keeps its id and signature.
    await db.update(wipeCertificates).set({ fileId: null }).where(eq(wipeCertificates.id, issued!.id));
    await db.delete(files).where(eq(files.id, issued!.fileId!));
    expect(await issue()).toBe('issued');
    const [completed] = await issuedTo();
    expect(completed).toMatchObject({ id: issued!.id, signature: issued!.signature, fileId: expect.any(String) });
    const pdf = await world.call('GET', `/api/files/${completed!.fileId}`, { token: bench.operator.token });
    expect(pdf.status).toBe(200);
    expect((await harness.app.request(`/verify/${completed!.id}`)).status).toBe(200);
  });

  it('can be checked without Boucle: the PDF prints the whole signature, /verify/{id} as JSON gives the bytes signed, and the published key verifies them', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd, hdd], serialNumber: 'PF1AUDIT' });
    await recordWipes(bench.operator, device.code, [wipe(0), wipe(1, { level: 'clear', technique: 'overwrite', passes: 1 })]);
    let certificate: typeof wipeCertificates.$inferSelect | undefined;
    await eventually('the certificate is issued', async () => {
      [certificate] = await harness.database.db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, device.id));
      return Boolean(certificate?.fileId);
    });
    const { id, signature } = certificate!;

    // What the auditor has: the PDF, the published key, and the JSON at the certificate's address.
    const pdf = await harness.app.request(`/api/files/${certificate!.fileId}`, { headers: { authorization: `Bearer ${bench.operator.token}` } });
    const document = openPdf(new Uint8Array(await pdf.arrayBuffer()));
    expect(document.countPages()).toBe(1);
    const printed = textLines(document.loadPage(0) as PdfPage).map((line) => line.text.trim());
    expect(signature).toHaveLength(86);
    expect(printed).toContain(signature);

    const answer = await harness.app.request(`/verify/${id}`, { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const signed = (await answer.json()) as {
      status: string;
      algorithm: string;
      signedStatement: string;
      signature: string;
      publicKeyUrl: string;
      statement: Record<string, unknown>;
    };
    expect(signed).toMatchObject({ status: 'valid', algorithm: 'Ed25519', signature, publicKeyUrl: 'http://boucle.test/api/keys/certificates' });
    expect(JSON.parse(signed.signedStatement)).toEqual(signed.statement);
    expect(signed.statement).toMatchObject({ certificateId: id, device: { code: device.code, serialNumber: 'PF1AUDIT' } });

    const key = await world.call('GET', '/api/keys/certificates');
    const bytes = Buffer.from(signed.signedStatement, 'utf8');
    expect(verify(null, bytes, createPublicKey(key.body.pem), Buffer.from(signed.signature, 'base64url'))).toBe(true);
    expect(verify(null, bytes, createPublicKey({ key: key.body.jwk, format: 'jwk' }), Buffer.from(signed.signature, 'base64url'))).toBe(true);
    // One changed character and the signature no longer holds.
    expect(
      verify(
        null,
        Buffer.from(signed.signedStatement.replace('PF1AUDIT', 'PF1AUDIX'), 'utf8'),
        createPublicKey(key.body.pem),
        Buffer.from(signed.signature, 'base64url'),
      ),
    ).toBe(false);

    // The same, documented in the OpenAPI document, without signing in; the HTML page shows the signature too.
    const documented = await world.call('GET', `/api/certificates/${id}`);
    expect(documented.status).toBe(200);
    expect(documented.body).toEqual(signed);
    const openApi = await world.call('GET', '/api/openapi.json');
    expect(openApi.body.paths['/api/certificates/{id}'].get).toMatchObject({ operationId: 'getCertificateVerification' });
    const page = await harness.app.request(`/verify/${id}`, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain(`<code data-testid="signature">${signature}</code>`);

    const unknown = await harness.app.request('/verify/00000000-0000-4000-8000-000000000000', { headers: { accept: 'application/json' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect((await world.call('GET', '/api/certificates/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('reads as invalid when a wipe record behind it is changed', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd] });
    await recordWipes(bench.operator, device.code, [wipe(0)]);
    let certificate: typeof wipeCertificates.$inferSelect | undefined;
    await eventually('the certificate is issued', async () => {
      [certificate] = await harness.database.db.select().from(wipeCertificates).where(eq(wipeCertificates.deviceId, device.id));
      return Boolean(certificate?.fileId);
    });
    await harness.database.db.update(wipeRecords).set({ toolVersion: '9.99' }).where(eq(wipeRecords.deviceId, device.id));
    const page = await harness.app.request(`/verify/${certificate!.id}`);
    expect(page.status).toBe(409);
  });

  it('answers 404 for a certificate that does not exist', async () => {
    expect((await harness.app.request('/verify/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await harness.app.request('/verify/not-a-certificate')).status).toBe(404);
  });
});

describe('importing an nwipe log', () => {
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/nwipe/${name}`, import.meta.url), 'utf8');
  const importLog = (code: string, log: string) =>
    harness.app.request(`/api/devices/${code}/wipes/nwipe-log?timeZone=Europe/Paris`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bench.operator.token}`, 'content-type': 'text/plain' },
      body: log,
    });

  it("proposes the records of a passing log for the medium with the log's serial; an NVMe overwrite is clear and does not satisfy the policy", async () => {
    const device = await world.device(bench.operator.token, bench.site.id, {
      storageMedia: [{ type: 'nvme', model: 'Samsung SSD 970 EVO', serialNumber: 'S4P3NF0M317460J', capacityGb: 500 }],
    });
    const response = await importLog(device.code, fixture('success-2.log'));
    expect(response.status).toBe(200);
    const proposal = (await response.json()) as { logFileId: string; proposals: { record: Record<string, unknown> }[]; unreadable: unknown[] };
    expect(proposal.proposals).toHaveLength(1);
    expect(proposal.proposals[0]!.record).toMatchObject({ mediumIndex: 0, level: 'clear', technique: 'overwrite', result: 'passed', toolName: 'nwipe' });
    // Nothing is recorded until the operator confirms.
    expect(await harness.database.db.$count(wipeRecords, eq(wipeRecords.deviceId, device.id))).toBe(0);

    const confirmed = await world.call('POST', `/api/devices/${device.code}/wipes`, {
      token: bench.operator.token,
      body: { records: proposal.proposals.map((entry) => entry.record), logFileId: proposal.logFileId },
    });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.wiped).toBe(false);
    expect(confirmed.body.records[0]).toMatchObject({ source: 'nwipe_log', logFileId: proposal.logFileId });
    // The fixture's wipe is years old: made before the device arrived here, it cannot count anyway.
    expect(confirmed.body.outstanding[0].reason).toMatch(/date from before the device last changed hands/);
  });

  it('proposes a failed record from a failing log, and keeps the device where it is once confirmed', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [{ type: 'hdd', model: 'Maxtor', capacityGb: 80 }] });
    const response = await importLog(device.code, fixture('failure-2.log'));
    expect(response.status).toBe(200);
    const proposal = (await response.json()) as { proposals: { record: { result: string; failureReason?: string } }[] };
    expect(proposal.proposals[0]!.record.result).toBe('failed');
    expect(proposal.proposals[0]!.record.failureReason).toMatch(/Buffer flush failure/);
  });

  it('says that a run which exited with fatal errors failed, rather than calling it start-up lines, and proposes nothing', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [hdd] });
    const log = [
      '[2021/10/29 16:02:11]    info: Requesting wipe thread cancellation for /dev/sda',
      '[2021/10/29 16:02:12]    info: Wipe thread for device /dev/sda has been cancelled',
      '[2021/10/29 16:02:12]   error: Nwipe exited with fatal errors on device = /dev/sda',
      '',
    ].join('\n');
    const response = await importLog(device.code, log);
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors).toEqual([
      { path: 'log', message: expect.stringContaining('cancelled the wipe threads of /dev/sda and exited with fatal errors on /dev/sda.') },
    ]);
    expect(problem.errors[0]!.message).toContain('The wipe of /dev/sda failed or did not finish');
    expect(problem.errors[0]!.message).not.toContain('start-up');
    expect(await harness.database.db.$count(wipeRecords, eq(wipeRecords.deviceId, device.id))).toBe(0);
  });

  it('lists an erased drive the log gives no serial for with its record and the media it may be, and records it on the medium the operator names', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [ssd, hdd] });
    const log = nwipeZeroFillLog([{ device: '/dev/sdb', model: 'WDC WD5000AAKX-0' }], { startedAt: new Date('2025-03-10T08:00:10Z') });
    const response = await importLog(device.code, log);
    expect(response.status).toBe(200);
    const proposal = (await response.json()) as any;
    expect(proposal.proposals).toEqual([]);
    expect(proposal.unreadable).toEqual([]);
    expect(proposal.unmatched).toEqual([
      {
        drive: '/dev/sdb WDC WD5000AAKX-0',
        reason: expect.stringMatching(/^The log gives no serial number for \/dev\/sdb WDC WD5000AAKX-0, which nwipe reports erased: say which storage medium/),
        record: expect.objectContaining({
          level: 'clear',
          technique: 'overwrite',
          result: 'passed',
          toolName: 'nwipe',
          startedAt: '2025-03-10T08:00:10.000Z',
          endedAt: '2025-03-10T09:40:10.000Z',
        }),
        mediumIndexes: [0, 1],
        notes: [],
      },
    ]);
    expect(proposal.unmatched[0].reason).not.toContain('No storage medium of this device has this serial number');
    const confirmed = await world.call('POST', `/api/devices/${device.code}/wipes`, {
      token: bench.operator.token,
      body: { records: [{ ...proposal.unmatched[0].record, mediumIndex: 1 }], logFileId: proposal.logFileId },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
    expect(confirmed.body.records[0]).toMatchObject({ mediumIndex: 1, mediumSerial: hdd.serialNumber, source: 'nwipe_log', result: 'passed' });
  });

  it('refuses a log cut short before its outcome, naming the log, and stores nothing', async () => {
    const device = await world.device(bench.operator.token, bench.site.id, { storageMedia: [hdd] });
    const response = await importLog(device.code, fixture('partial-6.log'));
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors[0]!.path).toBe('log');
  });
});
