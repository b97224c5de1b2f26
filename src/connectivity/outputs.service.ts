import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { statement } from '../db/statement.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { recordFile, restrictedFileKind } from '../files/files.service.ts';
import type { SealedFileStore } from '../files/sealed-file-store.ts';
import { createJob, recordProgress } from '../jobs/jobs.service.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { withoutAccents } from '../text.ts';
import { type AccessPointConfig, renderControllerCsv, renderUciWireless } from './ap-config.ts';
import { deployments, networkDevices, wifiNetworks } from './deployments.schema.ts';
import { renderTenantLetter } from './letter-pdf.ts';
import { apartments, buildings, residences } from './places.schema.ts';
import { passphraseContext, type SecretBox } from './secret-box.ts';
import { parisDate } from './working-days.ts';

/**
 * Where a building's outputs are kept, sealed (they carry passphrases): one key per apartment or
 * access point, rewritten in place, so a replaced passphrase leaves no copy behind.
 */
export const outputKeys = {
  letter: (buildingId: string, apartmentId: string) => `wifi/${buildingId}/letters/${apartmentId}.pdf.sealed`,
  uci: (buildingId: string, accessPointId: string) => `wifi/${buildingId}/access-points/${accessPointId}.uci.sealed`,
  controllerCsv: (buildingId: string) => `wifi/${buildingId}/access-points.csv.sealed`,
};

/** Queues the renewal of a building's letters and access point configurations, in the caller's transaction. */
export async function startOutputsJob(tx: DbOrTx, actor: Pick<Actor, 'userId'>, deployment: typeof deployments.$inferSelect) {
  const job = await createJob(tx, actor, deployment.organisationId, 'wifi_outputs', { summary: { buildingId: deployment.buildingId } });
  await enqueueInOutbox(tx, 'wifi-outputs', [{ name: 'wifi.outputs', payload: { jobId: job.id } }]);
  return job;
}

const progressEveryMs = 250;

// Only the version this letter carries (the passphrase's, which the where clause pins): a
// passphrase rotated meanwhile keeps its letter stale. Built once (see statement.ts): one per letter.
const markLetterWritten = statement('mark_letter_written', (db) =>
  db
    .update(wifiNetworks)
    .set({ letterVersion: wifiNetworks.passphraseVersion })
    .where(and(eq(wifiNetworks.id, sql.placeholder('networkId')), eq(wifiNetworks.passphraseVersion, sql.placeholder('version')))),
);

/**
 * Writes what a building's networks need on paper and on the access points: a letter for every
 * apartment whose letter is missing or older than its passphrase, then every access point's
 * configuration (OpenWrt UCI) and the CSV for other controllers. Driven by what is stored, not by
 * the job: run twice, or after a crash, it finishes the work once.
 */
export async function renderBuildingOutputs(
  db: Db,
  fileStore: SealedFileStore,
  box: SecretBox,
  buildingId: string,
  jobId: string,
  // The workers draw on a thread of their own (workers/render-pool.ts).
  renderLetter = renderTenantLetter,
) {
  const [place] = await db
    .select({
      building: buildings,
      residence: residences,
      deployment: deployments,
      landlord: organisations.name,
      isp: sql<string | null>`(select name from ${organisations} where id = ${deployments.ispOrganisationId})`,
    })
    .from(buildings)
    .innerJoin(residences, eq(residences.id, buildings.residenceId))
    .innerJoin(deployments, eq(deployments.buildingId, buildings.id))
    .innerJoin(organisations, eq(organisations.id, buildings.organisationId))
    .where(eq(buildings.id, buildingId));
  if (!place) return { letters: 0, accessPoints: 0 };
  const { building, residence, deployment } = place;
  const networks = await db
    .select({ network: wifiNetworks, unit: apartments.unit, floor: apartments.floor })
    .from(wifiNetworks)
    .innerJoin(apartments, eq(apartments.id, wifiNetworks.apartmentId))
    .where(eq(wifiNetworks.buildingId, buildingId))
    .orderBy(asc(apartments.floor), asc(apartments.unit));
  // Opened once each: the letters and the access points' configurations both print them.
  const passphrases = new Map(
    networks.map(({ network }) => [network.id, box.open(network.passphraseCiphertext, passphraseContext(network.apartmentId, network.passphraseVersion))]),
  );
  const passphraseOf = (network: typeof wifiNetworks.$inferSelect) => passphrases.get(network.id)!;
  const owner = { organisationId: building.organisationId };

  const stale = networks.filter(({ network }) => network.letterVersion !== network.passphraseVersion);
  await recordProgress(db, jobId, { processed: 0, total: stale.length });
  let done = 0;
  let reportedAt = performance.now();
  for (const { network, unit, floor } of stale) {
    const stored = await fileStore.write(outputKeys.letter(buildingId, network.apartmentId), (out) =>
      renderLetter(
        {
          landlord: place.landlord,
          residence: residence.name,
          building: building.name,
          address: building.address,
          unit,
          floor,
          ssid: network.ssid,
          passphrase: passphraseOf(network),
          passphraseVersion: network.passphraseVersion,
          securityMode: deployment.securityMode,
          filtering: deployment.filtering,
          supportContact: deployment.supportContact,
          isp: place.isp,
          issuedOn: parisDate(new Date()),
        },
        out,
      ),
    );
    await recordFile(db, stored, {
      ...owner,
      kind: restrictedFileKind.tenantLetter,
      filename: `connexion-solidaire-${fileSafe(unit)}.pdf`,
      contentType: 'application/pdf',
    });
    await markLetterWritten(db, { networkId: network.id, version: network.passphraseVersion });
    done++;
    // The job's page polls its progress every few seconds: a write per letter would be wasted.
    if (done === stale.length || performance.now() - reportedAt >= progressEveryMs) {
      await recordProgress(db, jobId, { processed: done });
      reportedAt = performance.now();
    }
  }

  const points = await db
    .select()
    .from(networkDevices)
    .where(and(eq(networkDevices.buildingId, buildingId), eq(networkDevices.kind, 'access_point')))
    .orderBy(asc(networkDevices.floor), asc(networkDevices.assetCode));
  const configs: AccessPointConfig[] = points.map((point) => ({
    assetCode: formatAssetCode(point.assetCode),
    model: point.model,
    macAddress: point.macAddress,
    serialNumber: point.serialNumber,
    building: building.name,
    floor: point.floor!,
    radios: point.radios,
    securityMode: deployment.securityMode,
    filtering: deployment.filtering,
    networks: networks
      .filter(({ network }) => network.accessPointId === point.id)
      .map(({ network, unit }) => ({ unit, ssid: network.ssid, passphrase: passphraseOf(network), passphraseVersion: network.passphraseVersion })),
  }));
  for (const [index, config] of configs.entries()) {
    const stored = await fileStore.write(outputKeys.uci(buildingId, points[index]!.id), async (out) => {
      out.end(renderUciWireless(config));
    });
    await recordFile(db, stored, {
      ...owner,
      kind: restrictedFileKind.accessPointUci,
      filename: `wireless-${config.assetCode}.uci`,
      contentType: 'text/plain; charset=utf-8',
    });
  }
  const csv = await fileStore.write(outputKeys.controllerCsv(buildingId), async (out) => {
    out.end(renderControllerCsv(configs));
  });
  await recordFile(db, csv, {
    ...owner,
    kind: restrictedFileKind.controllerCsv,
    filename: `bornes-${fileSafe(building.name)}.csv`,
    contentType: 'text/csv; charset=utf-8',
  });
  return { letters: stale.length, accessPoints: configs.length };
}

const fileSafe = (text: string) =>
  withoutAccents(text)
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-|-$/g, '') || 'x';

/** Marks every letter of a building to be printed again (a setting they show has changed); answers how many. */
export async function invalidateLetters(tx: DbOrTx, buildingId: string): Promise<number> {
  const stale = await tx.update(wifiNetworks).set({ letterVersion: null }).where(eq(wifiNetworks.buildingId, buildingId)).returning({ id: wifiNetworks.id });
  return stale.length;
}
