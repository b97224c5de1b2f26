import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { DomainError, isUniqueViolation, notFound, ValidationError } from '../errors.ts';
import { files } from '../files/files.schema.ts';
import { apartmentStatusLabels } from '../pages/fr.ts';
import { inSentence } from '../text.ts';
import { compareAndSet } from '../db/compare-and-set.ts';
import { findTransition, nextStatuses, notAllowedInFrench, transitionNotAllowed } from '../status-machine.ts';
import { buildingFor, type BuildingRight } from './access.ts';
import { type ApartmentStatus, apartmentTransitions, type OptInStatus } from './apartments.lifecycle.ts';
import { generatePassphrase, ssidProblem } from './credentials.ts';
import { networkDevices, passphraseReveals, wifiNetworks } from './deployments.schema.ts';
import { outputKeys, startOutputsJob } from './outputs.service.ts';
import { apartments } from './places.schema.ts';
import { passphraseContext, type SecretBox } from './secret-box.ts';
import { parisDate } from './working-days.ts';

/** An apartment the actor may act on with this right, with its building, deployment and network. */
async function apartmentFor(db: DbOrTx, actor: Actor, apartmentId: string, right: BuildingRight, lock = false) {
  const query = db.select().from(apartments).where(eq(apartments.id, apartmentId));
  const [apartment] = lock ? await query.for('update') : await query;
  if (!apartment) throw notFound('This apartment');
  const access = await buildingFor(db, actor, apartment.buildingId, right).catch((error: unknown) => {
    if (error instanceof DomainError && error.status === 404) throw notFound('This apartment');
    throw error;
  });
  const networkQuery = db.select().from(wifiNetworks).where(eq(wifiNetworks.apartmentId, apartmentId));
  const [network] = lock ? await networkQuery.for('update') : await networkQuery;
  return { ...access, apartment, network };
}

/** An apartment as listed: its network's name and passphrase version, never the passphrase. */
export async function getApartment(db: DbOrTx, actor: Actor, apartmentId: string) {
  const { apartment, network, building } = await apartmentFor(db, actor, apartmentId, 'read');
  const [accessPoint] = network
    ? await db.select({ assetCode: networkDevices.assetCode }).from(networkDevices).where(eq(networkDevices.id, network.accessPointId))
    : [];
  return {
    ...apartment,
    buildingName: building.name,
    network: network
      ? {
          ssid: network.ssid,
          passphraseVersion: network.passphraseVersion,
          letterReady: network.letterVersion === network.passphraseVersion,
          accessPointCode: formatAssetCode(accessPoint!.assetCode),
          rotatedAt: network.rotatedAt,
        }
      : null,
  };
}

type RevealChannel = (typeof passphraseReveals.$inferInsert)['channel'];

async function recordReveal(
  db: DbOrTx,
  actor: Actor,
  reveal: { buildingId: string; organisationId: string; apartmentId?: string; accessPointId?: string; passphraseVersion?: number; channel: RevealChannel },
) {
  await db.insert(passphraseReveals).values({ ...reveal, actorUserId: actor.userId, actorOrganisationId: actor.organisationId });
}

/** Shows one apartment's passphrase to the landlord's manager or the building's installer, and records that it was shown. */
export async function revealPassphrase(db: DbOrTx, box: SecretBox, actor: Actor, apartmentId: string) {
  return db.transaction(async (tx) => {
    const { apartment, network } = await apartmentFor(tx, actor, apartmentId, 'passphrases');
    if (!network) throw new DomainError(409, 'not_provisioned', `Apartment ${apartment.unit} has no Wi-Fi network yet: provision the building first.`);
    await recordReveal(tx, actor, {
      buildingId: apartment.buildingId,
      organisationId: apartment.organisationId,
      apartmentId,
      passphraseVersion: network.passphraseVersion,
      channel: 'screen',
    });
    return {
      ssid: network.ssid,
      passphrase: box.open(network.passphraseCiphertext, passphraseContext(apartmentId, network.passphraseVersion)),
      passphraseVersion: network.passphraseVersion,
    };
  });
}

/**
 * A new passphrase for an apartment (and a new SSID when renamed), replacing the old one in place:
 * the old passphrase is overwritten, its letter will be rewritten under the same key, and the
 * access point's configuration with it. The apartment waits for its new letter to be delivered.
 */
async function replaceCredentials(
  tx: Tx,
  box: SecretBox,
  actor: Actor,
  target: Awaited<ReturnType<typeof apartmentFor>>,
  changes: { ssid?: string; optIn?: OptInStatus },
) {
  const { apartment, network, deployment } = target;
  if (!network) throw new DomainError(409, 'not_provisioned', `Apartment ${apartment.unit} has no Wi-Fi network yet: provision the building first.`);
  const version = network.passphraseVersion + 1;
  await tx
    .update(wifiNetworks)
    .set({
      ssid: changes.ssid ?? network.ssid,
      passphraseCiphertext: box.seal(generatePassphrase(deployment!.passphraseLength), passphraseContext(apartment.id, version)),
      passphraseVersion: version,
      rotatedAt: new Date(),
    })
    .where(eq(wifiNetworks.id, network.id))
    .catch((error: unknown) => {
      // Another apartment of the residence took this SSID at the same moment.
      if (isUniqueViolation(error)) throw ssidTaken(changes.ssid!);
      throw error;
    });
  const [updated] = await tx
    .update(apartments)
    .set({
      status: apartment.status === 'suspended' ? 'suspended' : 'provisioned',
      ...(changes.optIn ? { optIn: changes.optIn, optInOn: parisDate(new Date()) } : {}),
      version: sql`${apartments.version} + 1`,
      updatedAt: new Date(),
    })
    .where(eq(apartments.id, apartment.id))
    .returning();
  const job = await startOutputsJob(tx, actor, deployment!);
  return { apartment: updated!, passphraseVersion: version, job };
}

const ssidTaken = (ssid: string) =>
  new DomainError(409, 'ssid_taken', `Another apartment of this residence already broadcasts “${ssid}”; neighbours would see two networks with one name.`);

/** A tenant moved out: the next one must not share the previous one's network. Opt-in starts over. */
export async function moveOut(db: DbOrTx, box: SecretBox, actor: Actor, apartmentId: string) {
  return db.transaction(async (tx) => replaceCredentials(tx, box, actor, await apartmentFor(tx, actor, apartmentId, 'manage', true), { optIn: 'unknown' }));
}

/** Renames an apartment's SSID. The WPA key is derived from the SSID, so every device must join again: it gets a new passphrase and letter too. */
export async function renameSsid(db: DbOrTx, box: SecretBox, actor: Actor, apartmentId: string, ssid: string) {
  const problem = ssidProblem(ssid);
  if (problem) throw new ValidationError([{ path: 'ssid', message: problem }]);
  return db.transaction(async (tx) => {
    const target = await apartmentFor(tx, actor, apartmentId, 'manage', true);
    const [clash] = target.network
      ? await tx
          .select({ apartmentId: wifiNetworks.apartmentId })
          .from(wifiNetworks)
          .where(and(eq(wifiNetworks.residenceId, target.network.residenceId), eq(wifiNetworks.ssid, ssid), sql`${wifiNetworks.apartmentId} <> ${apartmentId}`))
      : [];
    if (clash) throw ssidTaken(ssid);
    return replaceCredentials(tx, box, actor, target, { ssid });
  });
}

/** A tenant says whether they use the shared Wi-Fi; a normal choice either way, recorded with its date. */
export async function setOptIn(db: DbOrTx, actor: Actor, apartmentId: string, input: { optIn: OptInStatus; on?: string }) {
  return db.transaction(async (tx) => {
    await apartmentFor(tx, actor, apartmentId, 'field_work', true);
    const [updated] = await tx
      .update(apartments)
      .set({ optIn: input.optIn, optInOn: input.on ?? parisDate(new Date()), version: sql`${apartments.version} + 1`, updatedAt: new Date() })
      .where(eq(apartments.id, apartmentId))
      .returning();
    return updated!;
  });
}

/** Moves an apartment along its rollout by hand (letter delivered, in use or not, suspended, resumed). */
export async function changeApartmentStatus(db: DbOrTx, actor: Actor, apartmentId: string, to: ApartmentStatus) {
  return db.transaction(async (tx) => {
    const { apartment } = await apartmentFor(tx, actor, apartmentId, 'field_work', true);
    if (!findTransition(apartmentTransitions, apartment, to)) {
      const next = nextStatuses(apartmentTransitions, apartment);
      throw transitionNotAllowed(
        { currentStatus: apartment.status, allowedNextStatuses: next },
        {
          en: `Apartment ${apartment.unit} is ${apartment.status}; it can go to ${next.join(', ') || 'nothing by hand yet (provision the building first)'}.`,
          fr: `Logement ${apartment.unit} : ${inSentence(notAllowedInFrench(apartmentStatusLabels, apartment.status, next))}${next.length === 0 ? ' Créez d’abord les réseaux du bâtiment.' : ''}`,
        },
      );
    }
    return compareAndSet(
      tx,
      apartments,
      apartment,
      { status: to, suspendedFrom: to === 'suspended' ? apartment.status : null },
      () => new DomainError(409, 'concurrent_change', `Someone else changed apartment ${apartment.unit} at the same moment; reload it and try again.`),
    );
  });
}

/** A stored file that carries passphrases, for someone allowed to see them; the download is recorded. */
async function secretFile(tx: DbOrTx, actor: Actor, storageKey: string, reveal: Parameters<typeof recordReveal>[2]) {
  const [file] = await tx.select().from(files).where(eq(files.storageKey, storageKey));
  if (!file) throw new DomainError(409, 'not_ready', 'This document is being prepared; try again in a moment.');
  await recordReveal(tx, actor, reveal);
  return file;
}

/** The tenant letter of an apartment, once its current version is written. */
export async function apartmentLetter(db: DbOrTx, actor: Actor, apartmentId: string) {
  return db.transaction(async (tx) => {
    const { apartment, network } = await apartmentFor(tx, actor, apartmentId, 'passphrases');
    if (!network || network.letterVersion !== network.passphraseVersion) {
      throw new DomainError(409, 'not_ready', `The letter of apartment ${apartment.unit} is being prepared; try again in a moment.`);
    }
    return secretFile(tx, actor, outputKeys.letter(apartment.buildingId, apartmentId), {
      buildingId: apartment.buildingId,
      organisationId: apartment.organisationId,
      apartmentId,
      passphraseVersion: network.passphraseVersion,
      channel: 'letter',
    });
  });
}

/** An access point's OpenWrt configuration, or the building's CSV for other controllers. */
export async function accessPointConfiguration(db: DbOrTx, actor: Actor, buildingId: string, accessPointId: string | undefined) {
  return db.transaction(async (tx) => {
    const { building } = await buildingFor(tx, actor, buildingId, 'passphrases');
    if (accessPointId) {
      const [point] = await tx
        .select()
        .from(networkDevices)
        .where(and(eq(networkDevices.id, accessPointId), eq(networkDevices.buildingId, buildingId), eq(networkDevices.kind, 'access_point')));
      if (!point) throw notFound('This access point');
    }
    const key = accessPointId ? outputKeys.uci(buildingId, accessPointId) : outputKeys.controllerCsv(buildingId);
    return secretFile(tx, actor, key, { buildingId, organisationId: building.organisationId, accessPointId, channel: 'access_point_config' });
  });
}
