import { asc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { sessionCookie } from '../auth/auth.routes.ts';
import { authenticate } from '../auth/auth.service.ts';
import type { Database } from '../db/client.ts';
import { formatAssetCode, parseAssetCode } from '../devices/asset-code.ts';
import { deviceEvents, devices } from '../devices/devices.schema.ts';
import { findDevice } from '../devices/devices.service.ts';
import { networkDevices } from '../connectivity/deployments.schema.ts';
import { buildings } from '../connectivity/places.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { dateTime, deviceKindLabels, deviceStatusLabels } from './fr.ts';
import { Layout } from './layout.tsx';


/**
 * The page a phone camera opens from a label's QR code. Without signing in: a minimal public card
 * (what the object is, who tracks it; nothing about donors or families; for Wi-Fi equipment, its
 * building and landing, never a network). Signed in with the
 * organisation that holds it: the device's status, place and history.
 */
export function devicePageRoutes(database: Database) {
  const { db } = database;
  return new Hono().get('/d/:code', async (c) => {
    const parsed = parseAssetCode(c.req.param('code'));
    if (!parsed.ok) {
      return c.html(
        <Layout title="Code illisible">
          <h1>Code mal lu</h1>
          <p>Ce code d’équipement ne se lit pas correctement. Scannez à nouveau l’étiquette ou saisissez le code imprimé.</p>
        </Layout>,
        400,
      );
    }
    const secret = getCookie(c, sessionCookie);
    const actor = secret ? await authenticate(db, secret) : null;
    if (actor) {
      const device = await findDevice(db, actor, parsed.code).catch(() => null);
      if (device) {
        const [site] = await db.select().from(sites).where(eq(sites.id, device.siteId));
        const history = await db.select().from(deviceEvents).where(eq(deviceEvents.deviceId, device.id)).orderBy(asc(deviceEvents.id));
        return c.html(
          <Layout title={formatAssetCode(device.assetCode)}>
            <h1>
              {deviceKindLabels[device.kind]} {device.brand} {device.model}
            </h1>
            <dl>
              <dt>Code</dt>
              <dd>{formatAssetCode(device.assetCode)}</dd>
              <dt>Statut</dt>
              <dd>{deviceStatusLabels[device.status]}</dd>
              <dt>Lieu</dt>
              <dd>{site?.name}</dd>
              <dt>Numéro de série</dt>
              <dd>{device.serialNumber ?? 'non renseigné'}</dd>
            </dl>
            <h2>Historique</h2>
            <ol>
              {history.map((event) => (
                <li>
                  {dateTime(event.occurredAt)} — {event.type === 'move' ? 'Déplacé' : deviceStatusLabels[event.toStatus]}
                  {event.note && actor.role !== 'donor_viewer' ? ` (${event.note})` : ''}
                </li>
              ))}
            </ol>
          </Layout>,
        );
      }
    }
    const [card] = await db
      .select({ kind: devices.kind, brand: devices.brand, model: devices.model, holder: organisations.name })
      .from(devices)
      .innerJoin(organisations, eq(organisations.id, devices.organisationId))
      .where(eq(devices.assetCode, parsed.code));
    if (!card) {
      const [equipment] = await db
        .select({ kind: networkDevices.kind, model: networkDevices.model, floor: networkDevices.floor, building: buildings.name, landlord: organisations.name })
        .from(networkDevices)
        .innerJoin(buildings, eq(buildings.id, networkDevices.buildingId))
        .innerJoin(organisations, eq(organisations.id, networkDevices.organisationId))
        .where(eq(networkDevices.assetCode, parsed.code));
      if (equipment) {
        // What is printed on the landing anyway: no SSID, no passphrase, no apartment.
        return c.html(
          <Layout title={formatAssetCode(parsed.code)}>
            <h1>
              {equipment.kind === 'access_point' ? 'Borne Wi-Fi' : 'Box fibre'} {equipment.model}
            </h1>
            <p>
              Cet équipement, code <strong>{formatAssetCode(parsed.code)}</strong>, fait partie de la connexion solidaire de {equipment.landlord} (
              {equipment.building}
              {equipment.floor === null ? '' : `, palier ${equipment.floor === 0 ? 'du rez-de-chaussée' : `du ${equipment.floor}e étage`}`}).
            </p>
            <p>Un problème de connexion ? Appelez le numéro indiqué sur la lettre reçue pour votre logement, ou votre gardien.</p>
          </Layout>,
        );
      }
      return c.html(
        <Layout title="Équipement inconnu">
          <h1>Équipement inconnu</h1>
          <p>Aucun équipement ne porte le code {formatAssetCode(parsed.code)}. S’il s’agit d’une étiquette neuve, elle n’a pas encore été posée.</p>
        </Layout>,
        404,
      );
    }
    return c.html(
      <Layout title={formatAssetCode(parsed.code)}>
        <h1>
          {deviceKindLabels[card.kind]} {card.brand} {card.model}
        </h1>
        <p>
          Cet équipement, code <strong>{formatAssetCode(parsed.code)}</strong>, est suivi par {card.holder} dans le réseau de réemploi
          solidaire Boucle.
        </p>
        <p>Vous l’avez trouvé ? Contactez la structure qui le suit.</p>
      </Layout>,
    );
  });
}
