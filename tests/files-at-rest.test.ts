import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedFileStore } from '../src/files/sealed-file-store.ts';
import { testAppSecret, type Harness } from './helpers/harness.ts';
import { crlf, frenchHeader, uploadInventory } from './helpers/intake.ts';
import { nwipeZeroFillLog } from './helpers/nwipe.ts';
import { buildingReadyToProvision, download, expectStatus, finishedJob, uciIfaces } from './helpers/wifi.ts';
import { startWorld, type World } from './helpers/world.ts';

// What lies in DATA_DIR/files: readable by the service's account only, the files that carry Wi-Fi
// passphrases sealed, and no upload left behind by a change that did not commit.

let harness: Harness;
let world: World;

beforeAll(async () => {
  ({ harness, world } = await startWorld({ workers: true }));
});
afterAll(async () => harness?.close());

const filesUnder = async (folder: string) =>
  (await readdir(join(harness.filesFolder, folder), { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

describe('the Wi-Fi letters and access point configurations', () => {
  it('are sealed on disk, mode 0600, and open only as their building’s routes serve them', async () => {
    const landlord = await world.landlord();
    const isp = await world.isp();
    const cast = { manager: landlord.manager, residenceId: landlord.residence.id, ispId: isp.organisation.id, installer: isp.installer };
    const building = await buildingReadyToProvision(
      world,
      cast,
      [
        { unit: '101', floor: 1 },
        { unit: '102', floor: 1 },
      ],
      2,
    );
    const started = expectStatus(await world.call('POST', `/api/buildings/${building.id}/provisioning`, { token: isp.installer.token }), 202);
    expect((await finishedJob(world, isp.installer.token, started.job.id)).state).toBe('succeeded');
    const [apartment] = expectStatus(await world.call('GET', `/api/buildings/${building.id}/apartments`, { token: landlord.manager.token })).items;
    const network = expectStatus(await world.call('POST', `/api/apartments/${apartment.id}/passphrase/reveal`, { token: landlord.manager.token }));

    const onDisk = await filesUnder(`wifi/${building.id}`);
    expect(onDisk.length).toBe(2 + 1 + 1); // two letters, one access point, the controller's CSV
    for (const path of onDisk) {
      const bytes = await readFile(path);
      expect(bytes.subarray(0, 4).toString(), path).toBe('BSF1');
      for (const clear of [network.passphrase, network.ssid, '%PDF', 'wifi-iface'])
        expect(bytes.includes(Buffer.from(clear)), `${clear} in ${path}`).toBe(false);
      expect((await stat(path)).mode & 0o777, path).toBe(0o600);
    }

    // Served opened, to someone entitled, each download recorded as before.
    const reveals = async () => (await harness.database.db.execute<{ count: number }>(sql`select count(*)::int as count from passphrase_reveals`))[0]!.count;
    const before = await reveals();
    const letter = await download(world, landlord.manager.token, `/api/apartments/${apartment.id}/letter`);
    expect(Buffer.from(letter.subarray(0, 4)).toString()).toBe('%PDF');
    const csv = new TextDecoder().decode(await download(world, isp.installer.token, `/api/buildings/${building.id}/access-points.csv`));
    expect(csv).toContain(network.passphrase);
    expect(await reveals()).toBe(before + 2);
    const [accessPoint] = expectStatus(await world.call('GET', `/api/buildings/${building.id}/network-devices`, { token: isp.installer.token })).items.filter(
      (item: { kind: string }) => item.kind === 'access_point',
    );
    const uci = new TextDecoder().decode(await download(world, isp.installer.token, `/api/buildings/${building.id}/access-points/${accessPoint.id}/config`));
    expect(uciIfaces(uci).map((iface) => iface.key)).toContain(network.passphrase);
  });

  it('do not open when altered, moved under another key, or read with another installation’s secret', async () => {
    const sealed = sealedFileStore(harness.fileStore, testAppSecret);
    const stored = await sealed.write('wifi/test/a.uci.sealed', async (out) => {
      out.end("option key 'k7Rm4qXz9Tpw'");
    });
    expect(stored.size).toBe("option key 'k7Rm4qXz9Tpw'".length);
    expect((await buffer(sealed.read('wifi/test/a.uci.sealed'))).toString()).toBe("option key 'k7Rm4qXz9Tpw'");
    const path = join(harness.filesFolder, 'wifi/test/a.uci.sealed');
    const bytes = await readFile(path);
    await writeFile(join(harness.filesFolder, 'wifi/test/b.uci.sealed'), bytes);
    await expect(buffer(sealed.read('wifi/test/b.uci.sealed'))).rejects.toThrow();
    await expect(buffer(sealedFileStore(harness.fileStore, `${testAppSecret}-other`).read('wifi/test/a.uci.sealed'))).rejects.toThrow();
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    await writeFile(path, bytes);
    await expect(buffer(sealed.read('wifi/test/a.uci.sealed'))).rejects.toThrow();
  });
});

describe('an upload whose change does not commit', () => {
  it('leaves no file behind, an inventory or an nwipe log', async () => {
    const bench = await world.workshop();
    const donation = await world.donation(bench.operator.token, bench.site.id);
    const device = await world.device(bench.operator.token, bench.site.id, {
      storageMedia: [{ type: 'hdd', model: 'WDC', serialNumber: 'WCC2EM999', capacityGb: 500 }],
    });
    // A real refusal by Postgres of the listing row, whatever the cause (a constraint, a failover):
    // the upload's transaction rolls back after its file was written.
    await harness.database.db.execute(sql`create function refuse_upload() returns trigger language plpgsql as $$
      begin raise exception 'listing refused for the test'; end $$`);
    await harness.database.db.execute(
      sql`create trigger refuse_upload before insert on files for each row when (new.kind in ('intake_csv', 'wipe_log')) execute function refuse_upload()`,
    );
    try {
      const inventory = await uploadInventory(world.app, bench.operator.token, donation.id, crlf(frenchHeader, 'portable;Dell;Latitude 5490;SN-UPLOAD-1;ssd;'));
      expect(inventory.status).toBeGreaterThanOrEqual(500);
      const log = nwipeZeroFillLog([{ device: '/dev/sda', model: 'WDC', serial: 'WCC2EM999' }], { startedAt: new Date(Date.now() + 1000), minutes: 2 });
      const read = await world.app.request(`/api/devices/${device.code}/wipes/nwipe-log?timeZone=Europe/Paris`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bench.operator.token}`, 'content-type': 'text/plain' },
        body: log,
      });
      expect(read.status).toBeGreaterThanOrEqual(500);
    } finally {
      await harness.database.db.execute(sql`drop trigger refuse_upload on files`);
      await harness.database.db.execute(sql`drop function refuse_upload()`);
    }
    expect(await filesUnder('imports')).toEqual([]);
    expect(await filesUnder('wipe-logs')).toEqual([]);
    expect(
      (await harness.database.db.execute<{ count: number }>(sql`select count(*)::int as count from background_jobs where kind = 'intake_import'`))[0]!.count,
    ).toBe(0);
  });
});
