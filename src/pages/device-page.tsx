import { Hono } from 'hono';
import { publicEquipmentCard } from '../connectivity/public-equipment-card.ts';
import { formatAssetCode, parseAssetCode } from '../devices/asset-code.ts';
import { findDevice } from '../devices/devices.service.ts';
import { publicDeviceCard } from '../devices/public-card.ts';
import { deviceKindLabels } from './fr.ts';
import { NearestPlaces } from './nearest-places.tsx';
import { Layout } from './layout.tsx';
import { Passport, passportFacts } from './passport.tsx';
import type { PageEnv, Database } from './session.ts';

/**
 * The page a phone camera opens from a label's QR code. Without signing in: a minimal public card
 * (what the object is, who tracks it; nothing about donors or families; for Wi-Fi equipment, its
 * building and landing, never a network). Signed in with the
 * organisation that holds it: the device's status, place and history.
 */
export function devicePageRoutes(database: Database) {
  const { db } = database;
  return new Hono<PageEnv>().get('/d/:code', async (c) => {
    const viewer = c.get('viewer');
    const parsed = parseAssetCode(c.req.param('code'));
    if (!parsed.ok) {
      return c.html(
        <Layout title="Code illisible" viewer={viewer}>
          <h1>Code mal lu</h1>
          <p>Ce code d’équipement ne se lit pas correctement. Scannez à nouveau l’étiquette ou saisissez le code imprimé.</p>
        </Layout>,
        400,
      );
    }
    const device = viewer ? await findDevice(db, viewer, parsed.code).catch(() => null) : null;
    if (viewer && device) return c.html(<Passport viewer={viewer} device={device} {...(await passportFacts(db, viewer, device))} />);
    const card = await publicDeviceCard(db, parsed.code);
    if (!card) {
      const equipment = await publicEquipmentCard(db, parsed.code);
      if (equipment) {
        return c.html(
          <Layout title={formatAssetCode(parsed.code)} viewer={viewer}>
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
        <Layout title="Équipement inconnu" viewer={viewer}>
          <h1>Équipement inconnu</h1>
          <p>Aucun équipement ne porte le code {formatAssetCode(parsed.code)}. S’il s’agit d’une étiquette neuve, elle n’a pas encore été posée.</p>
        </Layout>,
        404,
      );
    }
    const { contact } = card;
    return c.html(
      <Layout title={formatAssetCode(parsed.code)} viewer={viewer}>
        <h1>
          {deviceKindLabels[card.kind]} {card.brand} {card.model}
        </h1>
        <p>
          Cet équipement, code <strong>{formatAssetCode(parsed.code)}</strong>, est suivi par {card.holder} dans le réseau de réemploi solidaire Boucle.
        </p>
        {contact ? (
          <>
            <p>Vous l’avez trouvé ? Contactez {contact.name} :</p>
            <ul data-testid="public-contact">
              {contact.phone ? (
                <li>
                  par téléphone au <a href={`tel:${contact.phone.replace(/[ .-]/g, '')}`}>{contact.phone}</a>
                </li>
              ) : null}
              {contact.email ? (
                <li>
                  par e-mail à <a href={`mailto:${contact.email}`}>{contact.email}</a>
                </li>
              ) : null}
            </ul>
          </>
        ) : (
          <p>Vous l’avez trouvé ? Contactez la structure qui le suit.</p>
        )}
        <NearestPlaces nearest={card.nearestPlaces} />
      </Layout>,
    );
  });
}
