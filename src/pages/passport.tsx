import type { FC } from 'hono/jsx';
import { formatAssetCode } from '../devices/asset-code.ts';
import { deviceJourney, type DeviceRow } from '../devices/devices.service.ts';
import { certificatesOfDevice } from '../wiping/certificates.ts';
import { dateTime, deviceKindLabels, deviceStatusLabels } from './fr.ts';
import { Layout } from './layout.tsx';
import type { Viewer, DbOrTx } from './session.ts';

/** What the passport shows besides the device: its place, every event with who and where (as the viewer may see them), its wipe certificates. */
export async function passportFacts(db: DbOrTx, viewer: Viewer, device: DeviceRow) {
  const { placeName, journey } = await deviceJourney(db, viewer, device);
  return { placeName, history: journey, certificates: await certificatesOfDevice(db, device.id) };
}

/**
 * The device's passport, for the organisation that holds it (and the donor that gave it): status,
 * specifications, grade, wipe certificates and the whole history. A donor sees the journey, as
 * deviceJourney gives it: neither who acted, nor their notes, nor the structure that received it.
 */
export const Passport: FC<{ viewer: Viewer; device: DeviceRow } & Awaited<ReturnType<typeof passportFacts>>> = ({
  viewer,
  device,
  placeName,
  history,
  certificates,
}) => {
  const code = formatAssetCode(device.assetCode);
  const partner = 'une structure partenaire du réseau';
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
        <dd>{placeName ?? partner}</dd>
        <dt>Numéro de série</dt>
        <dd>{device.serialNumber ?? 'non renseigné'}</dd>
        <dt>Grade</dt>
        <dd>{device.grade ?? 'pas encore évalué'}</dd>
        <dt>Caractéristiques</dt>
        <dd>
          {[
            device.specs.cpu,
            device.specs.ramGb ? `${device.specs.ramGb} Go de mémoire` : '',
            device.specs.storageGb ? `${device.specs.storageGb} Go de stockage` : '',
          ]
            .filter(Boolean)
            .join(', ') || 'non renseignées'}
        </dd>
        <dt>Supports de stockage</dt>
        <dd>
          {device.storageMedia.length === 0
            ? 'aucun'
            : device.storageMedia.map((medium) => `${medium.type.toUpperCase()}${medium.capacityGb ? ` ${medium.capacityGb} Go` : ''}`).join(', ')}
        </dd>
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
        {history.map(({ event, siteName, actorName: actor }) => (
          <li>
            <strong>{dateTime(event.occurredAt)}</strong> —{' '}
            {event.type === 'move' ? `Déplacé vers ${siteName ?? partner}` : `${deviceStatusLabels[event.toStatus]} (${siteName ?? partner})`}
            {actor ? `, par ${actor}` : ''}
            {event.note ? ` : ${event.note}` : ''}
          </li>
        ))}
      </ol>
    </Layout>
  );
};
