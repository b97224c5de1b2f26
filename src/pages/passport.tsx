import { asc, eq } from 'drizzle-orm';
import type { FC } from 'hono/jsx';
import type { Database } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { deviceEvents, type devices } from '../devices/devices.schema.ts';
import { users } from '../auth/auth.schema.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { wipeCertificates } from '../wiping/wiping.schema.ts';
import { dateTime, deviceKindLabels, deviceStatusLabels } from './fr.ts';
import { Layout } from './layout.tsx';
import type { Viewer } from './session.ts';

type Device = typeof devices.$inferSelect;

/** What the passport shows besides the device: its place, every event with who and where, its wipe certificates. */
export async function passportFacts(database: Database, device: Device) {
  const { db } = database;
  const [site] = await db.select({ name: sites.name }).from(sites).where(eq(sites.id, device.siteId));
  const history = await db
    .select({ event: deviceEvents, siteName: sites.name, actor: users.displayName })
    .from(deviceEvents)
    .innerJoin(sites, eq(sites.id, deviceEvents.siteId))
    .leftJoin(users, eq(users.id, deviceEvents.actorUserId))
    .where(eq(deviceEvents.deviceId, device.id))
    .orderBy(asc(deviceEvents.id));
  const certificates = await db
    .select({ id: wipeCertificates.id, issuedAt: wipeCertificates.issuedAt })
    .from(wipeCertificates)
    .where(eq(wipeCertificates.deviceId, device.id))
    .orderBy(asc(wipeCertificates.issuedAt));
  return { siteName: site?.name ?? '', history, certificates };
}

/**
 * The device's passport, for the organisation that holds it (and the donor that gave it): status,
 * specifications, grade, wipe certificates and the whole history. A donor sees the journey, not
 * the notes people wrote on the way nor who wrote them.
 */
export const Passport: FC<{ viewer: Viewer; device: Device } & Awaited<ReturnType<typeof passportFacts>>> = ({ viewer, device, siteName, history, certificates }) => {
  const donor = viewer.role === 'donor_viewer';
  const code = formatAssetCode(device.assetCode);
  return (
    <Layout title={code} viewer={viewer}>
      <h1>
        {deviceKindLabels[device.kind]} {device.brand} {device.model}
      </h1>
      <dl class="facts" data-testid="passport">
        <dt>Code</dt>
        <dd>{code}</dd>
        <dt>Statut</dt>
        <dd>
          <span class="status">{deviceStatusLabels[device.status]}</span>
        </dd>
        <dt>Lieu</dt>
        <dd>{siteName}</dd>
        <dt>Numéro de série</dt>
        <dd>{device.serialNumber ?? 'non renseigné'}</dd>
        <dt>Grade</dt>
        <dd>{device.grade ?? 'pas encore évalué'}</dd>
        <dt>Caractéristiques</dt>
        <dd>
          {[device.specs.cpu, device.specs.ramGb ? `${device.specs.ramGb} Go de mémoire` : '', device.specs.storageGb ? `${device.specs.storageGb} Go de stockage` : ''].filter(Boolean).join(', ') || 'non renseignées'}
        </dd>
        <dt>Supports de stockage</dt>
        <dd>{device.storageMedia.length === 0 ? 'aucun' : device.storageMedia.map((medium) => `${medium.type.toUpperCase()}${medium.capacityGb ? ` ${medium.capacityGb} Go` : ''}`).join(', ')}</dd>
      </dl>
      <h2>Certificats d’effacement</h2>
      {certificates.length === 0 ? (
        <p>Aucun pour l’instant.</p>
      ) : (
        <ul>
          {certificates.map((certificate) => (
            <li>
              <a href={`/verify/${certificate.id}`}>Certificat du {dateTime(certificate.issuedAt)}</a>
            </li>
          ))}
        </ul>
      )}
      <h2>Historique</h2>
      <ol class="timeline" data-testid="timeline">
        {history.map(({ event, siteName: where, actor }) => (
          <li>
            <strong>{dateTime(event.occurredAt)}</strong> — {event.type === 'move' ? `Déplacé vers ${where}` : `${deviceStatusLabels[event.toStatus]} (${where})`}
            {!donor && actor ? `, par ${actor}` : ''}
            {!donor && event.note ? ` : ${event.note}` : ''}
          </li>
        ))}
      </ol>
    </Layout>
  );
};
