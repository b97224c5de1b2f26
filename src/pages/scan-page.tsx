import { Hono, type Context } from 'hono';
import { requestHoldingDevice } from '../allocation/holding-request.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { findDevice } from '../devices/devices.service.ts';
import { benchRoles } from '../devices/lifecycle.ts';
import { listDonations } from '../donations/donations.service.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { refusalInFrench } from '../http/problem-fr.ts';
import type { FileStore } from '../files/file-store.ts';
import { listSites } from '../organisations/sites.service.ts';
import { openWorkOrderOf } from '../refurbishment/refurbishment.service.ts';
import { scanCode } from '../scan/scan.service.ts';
import { decodeUploadedText } from '../text.ts';
import { readNwipeLogForDevice } from '../wiping/nwipe-import.ts';
import { dateTime, deviceKindLabels } from './fr.ts';
import { Field, optionsOf, Select } from './forms.tsx';
import { Layout } from './layout.tsx';
import { NwipeProposal } from './nwipe-proposal.tsx';
import { ApiForm, DeviceCard } from './scan-card.tsx';
import { postedBody, postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';

/** The card of a scanned code: a device, an unclaimed label (the intake form) or a building's Wi-Fi equipment. */
async function cardFor(database: Database, viewer: Viewer, code: string) {
  const scan = await scanCode(database.db, viewer, code);
  if (scan.type === 'label') {
    const donations = await listDonations(database.db, viewer, { limit: 50 });
    return (
      <section class="card" data-testid="label-card" data-code={scan.code.replace('-', '')}>
        <h2>Étiquette {scan.code} pas encore posée</h2>
        <p>Enregistrez l’équipement qui reçoit cette étiquette.</p>
        <ApiForm method="POST" path="/api/devices" extra={{ labelCode: scan.code }} testid="intake-form" label="Enregistrer l’équipement">
          <Select
            name="donationId"
            label="Don (lot)"
            options={donations.map((donation) => ({
              value: donation.id,
              label: `${donation.donorName} — ${donation.campaign ?? 'don'} du ${dateTime(donation.createdAt)}`,
            }))}
            required
          />
          <Select name="kind" label="Type" options={optionsOf(Object.keys(deviceKindLabels), deviceKindLabels)} required />
          <Field name="brand" label="Marque" required />
          <Field name="model" label="Modèle" required />
          <Field name="serialNumber" label="Numéro de série" />
        </ApiForm>
      </section>
    );
  }
  if (scan.type === 'network_device') {
    return (
      <section class="card" data-testid="equipment-card" data-code={scan.networkDevice.assetCode.replace('-', '')}>
        <h2>
          {scan.networkDevice.kind === 'access_point' ? 'Borne Wi-Fi' : 'Box fibre'} {scan.networkDevice.model}
        </h2>
        <p>
          <a href={`/buildings/${scan.building.id}`}>{scan.building.name}</a>, {scan.building.address}
          {scan.networkDevice.floor === null ? '' : `, palier ${scan.networkDevice.floor}`}
        </p>
        <ul>
          {scan.networkDevice.networks.map((network) => (
            <li>
              Logement {network.unit} : {network.ssid}
            </li>
          ))}
        </ul>
      </section>
    );
  }
  const order = scan.device.status === 'refurbishing' ? await openWorkOrderOf(database.db, viewer, scan.device.id) : undefined;
  const sites = scan.actions.some((action) => action.to === 'returned') ? await listSites(database.db, viewer) : [];
  // The request holding a reserved device, when this person follows it: the handover opens from here.
  const request = scan.actions.some((action) => action.to === 'allocated') ? await requestHoldingDevice(database.db, viewer, scan.device.id) : undefined;
  return <DeviceCard scan={scan} order={order} sites={sites} request={request} />;
}

const scanRoles = [...benchRoles, 'installer'] as const;

/** A refusal shown in place of a card or a proposal: the domain's words, never a stack. */
function refusalShown(c: Context<PageEnv>, error: unknown, testid: string, prefix = '') {
  if (!(error instanceof DomainError) || error.status >= 500) throw error;
  const words =
    error instanceof ValidationError
      ? error
          .inFrench()
          .map((field) => field.message)
          .join(' ')
      : refusalInFrench(error);
  return c.html(
    <p class="notice bad" data-testid={testid}>
      {prefix}
      {words}
    </p>,
    error.status as 400,
  );
}

export function scanPageRoutes(database: Database, fileStore: FileStore, appSecret: string) {
  return (
    new Hono<PageEnv>()
      .get('/scan', (c) => {
        const viewer = viewerOf(c, scanRoles);
        return c.html(
          <Layout title="Poste de scan" viewer={viewer} current="/scan" scripts={['/assets/jsqr.js', '/assets/scan.js']}>
            <h1>Poste de scan</h1>
            <form id="scan-form" class="scan-input" autocomplete="off">
              <label for="scan-code">Code scanné ou saisi</label>
              <input id="scan-code" name="code" autofocus autocomplete="off" autocapitalize="characters" spellcheck={false} inputmode="text" />
              <div class="scan-tools">
                <button type="submit">Ouvrir</button>
                <button type="button" id="camera-start" class="secondary">
                  Scanner avec la caméra
                </button>
                <button type="button" id="batch-toggle" class="secondary" aria-pressed="false">
                  Mode lot
                </button>
              </div>
            </form>
            <div id="camera-view" hidden>
              <video id="camera-video" playsinline muted aria-label="Image de la caméra" />
              <button type="button" id="camera-stop" class="secondary">
                Arrêter la caméra
              </button>
            </div>
            <p id="pending" class="notice warn" role="status" hidden>
              Hors ligne : <span data-testid="pending-count">0</span> opération(s) en attente, envoyée(s) au retour du réseau.
            </p>
            <p id="offline-scans" class="notice warn" role="status" hidden>
              Hors ligne : <span data-testid="offline-scan-count">0</span> code(s) scanné(s) gardé(s), ouvert(s) au retour du réseau.
            </p>
            <p id="result" data-testid="result" role="status" aria-live="polite" />
            <section id="batch" hidden aria-labelledby="batch-title">
              <h2 id="batch-title">Lot d’équipements</h2>
              <ol id="batch-list" />
              <label for="batch-action">Action pour tout le lot</label>
              <select id="batch-action">
                <option value="dismantled">Démonter pour pièces</option>
                <option value="wiped">Marquer effacé (effacements déjà enregistrés)</option>
              </select>
              <div class="actions">
                <button type="button" id="batch-check" class="secondary">
                  Vérifier
                </button>
                <button type="button" id="batch-apply" disabled>
                  Appliquer
                </button>
                <button type="button" id="batch-clear" class="secondary">
                  Vider le lot
                </button>
              </div>
              <ul id="batch-report" />
            </section>
            <div id="card" aria-live="polite" />
          </Layout>,
        );
      })
      .get('/scan/card', async (c) => {
        const viewer = viewerOf(c, scanRoles);
        try {
          return c.html(await cardFor(database, viewer, c.req.query('code') ?? ''));
        } catch (error) {
          return refusalShown(c, error, 'card-error');
        }
      })
      // The log chosen on a device's card, read into the records to confirm (nothing is recorded here).
      .post('/scan/nwipe-log', async (c) => {
        const viewer = viewerOf(c, scanRoles);
        const body = await postedBody(c);
        const fields = await postedForm(c, viewer, appSecret, body);
        const code = c.req.query('code') ?? '';
        try {
          if (!(body.log instanceof File) || body.log.size === 0)
            throw new ValidationError([{ path: 'log', message: 'Choisissez le fichier journal de nwipe ou de ShredOS.' }]);
          const log = decodeUploadedText(new Uint8Array(await body.log.arrayBuffer()));
          // The bench's clock zone, as its browser knows it: nwipe logs local time.
          const timeZone = fields.timeZone?.slice(0, 64) || 'Europe/Paris';
          const proposal = await readNwipeLogForDevice(database.db, fileStore, viewer, { code, log, timeZone });
          const device = await findDevice(database.db, viewer, code);
          return c.html(<NwipeProposal code={formatAssetCode(device.assetCode)} media={device.storageMedia} proposal={proposal} />);
        } catch (error) {
          return refusalShown(c, error, 'nwipe-refused', 'Journal refusé : ');
        }
      })
  );
}
