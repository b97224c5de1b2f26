import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { connectDatabase } from '../../src/db/client.ts';
import { seedScale } from '../../src/seed/scale.ts';
import { createBenchDatabase, percentile, progress, requestJson, round, startApi, type Benchmark, type BenchResult } from './support.ts';

/**
 * read_scaling: the reads people make all day, through the API, on a network of 10,000 devices
 * and on a national one of 1,000,000 (`npm run seed:scale`, ten events each, ten workshops): a
 * device by code with its history, a scan, the first page of devices, a search by serial number,
 * a filtered list, the network's stock, a site's counts, the donations, the public card, a
 * donation's devices, the steering figures. One line per read: `value` is its p95 on the large
 * network, `limit` its p95 on the small one, `ratio` large ÷ small; the target is at most 2 (a
 * read that grows with the network loads what it should not, or lacks an index or a rollup).
 *
 * Each read is asked as a workshop operator of the first workshop (a tenth of the network), but
 * the steering figures, asked by the coordinator for a year and a département.
 */

const smallSize = 10_000;
const largeSize = Number(process.env.BENCH_SCALE_DEVICES ?? 1_000_000);
const runs = Number(process.env.BENCH_READ_RUNS ?? 100);
const warmups = 10;
const targetRatio = 2;

type Read = { name: string; method: 'GET' | 'POST'; path: string; body?: unknown; as: 'operator' | 'coordinator' };

/** The network's reads, on a network seeded by seedScale, and the p95 of each in milliseconds. */
async function timeReads(devices: number): Promise<Map<string, number>> {
  const database = await createBenchDatabase();
  try {
    progress(`read_scaling: seeding ${database.name} with ${devices} devices`);
    await seedScale(database.url, devices, 10, (line) => progress(`  ${line}`));
    const connection = connectDatabase(database.url, { max: 1 });
    const [sample] = await connection.sql<{ code: string; serial: string; donation: string; site: string; organisation: string }[]>`
      select d.asset_code as code, d.serial_number as serial, d.donation_id as donation, d.site_id as site, d.organisation_id as organisation
      from devices d join organisations o on o.id = d.organisation_id
      where o.name = 'Rebond 47' order by d.created_at desc offset 7 limit 1`;
    await connection.close();

    const admin = { email: `admin.${randomBytes(4).toString('hex')}@bench.boucle.example`, password: `pw-${randomBytes(12).toString('hex')}` };
    const api = await startApi({ databaseUrl: database.url, env: { BOOTSTRAP_ADMIN_EMAIL: admin.email, BOOTSTRAP_ADMIN_PASSWORD: admin.password } });
    try {
      const coordinator = (await requestJson<{ token: string }>(`${api.url}/api/auth/tokens`, { body: { ...admin, label: 'bench' }, expect: 201 })).token;
      const operatorAccount = { email: `atelier.${randomBytes(4).toString('hex')}@bench.boucle.example`, password: `pw-${randomBytes(12).toString('hex')}` };
      await requestJson(`${api.url}/api/users`, {
        token: coordinator,
        body: { organisationId: sample!.organisation, displayName: 'Opérateur', role: 'workshop_operator', ...operatorAccount },
        expect: 201,
      });
      const operator = (await requestJson<{ token: string }>(`${api.url}/api/auth/tokens`, { body: { ...operatorAccount, label: 'bench' }, expect: 201 }))
        .token;
      const year = new Date(Date.now() - 182 * 86_400_000).getUTCFullYear();
      const reads: Read[] = [
        { name: 'device_with_history', method: 'GET', path: `/api/devices/${sample!.code}`, as: 'operator' },
        { name: 'scan', method: 'POST', path: '/api/scan', body: { code: sample!.code }, as: 'operator' },
        { name: 'devices_first_page', method: 'GET', path: '/api/devices?limit=50', as: 'operator' },
        { name: 'search_by_serial', method: 'GET', path: `/api/devices?q=${encodeURIComponent(sample!.serial)}`, as: 'operator' },
        { name: 'filtered_list', method: 'GET', path: '/api/devices?status=returned&kind=laptop&limit=50', as: 'operator' },
        { name: 'network_stock', method: 'GET', path: '/api/stock', as: 'operator' },
        { name: 'site_counts', method: 'GET', path: `/api/sites/${sample!.site}/stock`, as: 'operator' },
        { name: 'donations', method: 'GET', path: '/api/donations', as: 'operator' },
        { name: 'public_card', method: 'GET', path: `/d/${sample!.code}`, as: 'operator' },
        { name: 'donation_devices', method: 'GET', path: `/api/devices?donationId=${sample!.donation}&limit=50`, as: 'operator' },
        { name: 'steering_figures', method: 'GET', path: `/api/indicators?period=${year}&territory=47`, as: 'coordinator' },
      ];
      const p95s = new Map<string, number>();
      for (const read of reads) {
        const token = read.as === 'operator' ? operator : coordinator;
        const once = async () => {
          const started = performance.now();
          const response = await fetch(`${api.url}${read.path}`, {
            method: read.method,
            // The public card is read signed out, as someone who finds a device reads it.
            headers: {
              ...(read.name === 'public_card' ? {} : { authorization: `Bearer ${token}` }),
              ...(read.body ? { 'content-type': 'application/json' } : {}),
            },
            body: read.body ? JSON.stringify(read.body) : undefined,
          });
          await response.arrayBuffer();
          if (!response.ok) throw new Error(`${read.method} ${read.path} answered ${response.status}`);
          return performance.now() - started;
        };
        for (let run = 0; run < warmups; run++) await once();
        const samples: number[] = [];
        for (let run = 0; run < runs; run++) samples.push(await once());
        p95s.set(read.name, percentile(samples, 95));
        progress(`  ${read.name}: p95 ${round(percentile(samples, 95))} ms at ${devices} devices`);
      }
      return p95s;
    } finally {
      await api.stop();
    }
  } finally {
    await database.drop();
  }
}

export async function measureReadScaling(): Promise<BenchResult[]> {
  const load = loadavg()[0]!;
  const small = await timeReads(smallSize);
  const large = await timeReads(largeSize);
  return [...small.entries()].map(([name, smallP95]) => {
    const largeP95 = large.get(name)!;
    const ratio = largeP95 / smallP95;
    return {
      name: `read_scaling:${name}`,
      value: round(largeP95),
      unit: 'ms (p95)',
      limit: round(smallP95),
      ratio: round(ratio, 2),
      devices: largeSize,
      small_devices: smallSize,
      runs,
      target_ratio_max: targetRatio,
      target_met: ratio <= targetRatio,
      load_avg_1m: round(load, 2),
    };
  });
}

export const readScaling: Benchmark = { name: 'read_scaling', run: measureReadScaling };
