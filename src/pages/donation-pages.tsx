import { asc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { devices } from '../devices/devices.schema.ts';
import { benchRoles } from '../devices/lifecycle.ts';
import { getDonation, listDonations } from '../donations/donations.service.ts';
import { startIntakeImport } from '../donations/intake-import.ts';
import { ValidationError } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { getJob } from '../jobs/jobs.service.ts';
import { labelFormats } from '../labels/formats.ts';
import { createLabelBatch } from '../labels/labels.service.ts';
import { dateTime, deviceKindLabels, deviceStatusLabels } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { postedForm, viewerOf, type PageEnv, type Viewer } from './session.ts';

const jobStateLabels = { queued: 'En attente', running: 'En cours', succeeded: 'Terminé', failed: 'Échoué' } as const;

async function donationPage(database: Database, viewer: Viewer, id: string, errors: { path: string; message: string }[] = []) {
  const donation = await getDonation(database.db, viewer, id);
  const received = await database.db
    .select({ code: devices.assetCode, kind: devices.kind, brand: devices.brand, model: devices.model, status: devices.status })
    .from(devices)
    .where(eq(devices.donationId, id))
    .orderBy(asc(devices.createdAt));
  return (
    <Layout title={`Don ${donation.campaign ?? ''}`} viewer={viewer} current="/donations">
      <h1>
        Don de {donation.donorName} {donation.campaign ? `— ${donation.campaign}` : ''}
      </h1>
      <ErrorSummary errors={errors} />
      <dl class="facts">
        <dt>Reçu à</dt>
        <dd>{donation.collectionSiteName}</dd>
        <dt>Annoncés</dt>
        <dd data-testid="expected">{donation.expectedCount ?? 'non précisé'}</dd>
        <dt>Reçus</dt>
        <dd data-testid="received">{donation.receivedCount}</dd>
      </dl>
      {donation.expectedCount !== null && donation.receivedCount < donation.expectedCount ? (
        <p class="notice warn">Il manque {donation.expectedCount - donation.receivedCount} équipement(s) par rapport à l’annonce.</p>
      ) : null}
      <h2>Importer un inventaire (CSV)</h2>
      <form method="post" action={`/donations/${id}/import`} enctype="multipart/form-data">
        <CsrfField viewer={viewer} />
        <div class={errors.some((error) => error.path === 'file') ? 'field invalid' : 'field'}>
          <label for="champ-file">Fichier CSV exporté du tableur (type, marque, modèle, numéro de série, stockage)</label>
          <input id="champ-file" name="file" type="file" accept=".csv,text/csv" required />
        </div>
        <button type="submit">Importer</button>
      </form>
      <h2>Imprimer les étiquettes de ce don</h2>
      <form method="post" action={`/donations/${id}/labels`}>
        <CsrfField viewer={viewer} />
        <div class="field">
          <label for="champ-format">Format</label>
          <select id="champ-format" name="format">
            {[...labelFormats().values()].map((format) => (
              <option value={format.id}>{format.name}</option>
            ))}
          </select>
        </div>
        <button type="submit">Préparer les étiquettes</button>
      </form>
      <table>
        <caption>Équipements reçus</caption>
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Type</th>
            <th scope="col">Marque et modèle</th>
            <th scope="col">Statut</th>
          </tr>
        </thead>
        <tbody>
          {received.map((device) => (
            <tr>
              <td>
                <a href={`/d/${formatAssetCode(device.code)}`}>{formatAssetCode(device.code)}</a>
              </td>
              <td>{deviceKindLabels[device.kind]}</td>
              <td>
                {device.brand} {device.model}
              </td>
              <td>{deviceStatusLabels[device.status]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

/** Donations, an inventory import and label sheets, with their progress, for the people at the bench. */
export function donationPageRoutes(database: Database, fileStore: FileStore, appSecret: string) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/donations', async (c) => {
      const viewer = viewerOf(c, benchRoles);
      const donations = await listDonations(db, viewer, { limit: 200 });
      return c.html(
        <Layout title="Dons" viewer={viewer} current="/donations">
          <h1>Dons reçus</h1>
          <table>
            <caption>Les dons de votre organisation, les plus récents d’abord</caption>
            <thead>
              <tr>
                <th scope="col">Donateur</th>
                <th scope="col">Campagne</th>
                <th scope="col">Reçu le</th>
                <th scope="col">Annoncés</th>
                <th scope="col">Reçus</th>
              </tr>
            </thead>
            <tbody>
              {donations.map((donation) => (
                <tr>
                  <td>
                    <a href={`/donations/${donation.id}`}>{donation.donorName}</a>
                  </td>
                  <td>{donation.campaign ?? '—'}</td>
                  <td>{dateTime(donation.createdAt)}</td>
                  <td>{donation.expectedCount ?? '—'}</td>
                  <td>{donation.receivedCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Layout>,
      );
    })
    .get('/donations/:id', async (c) => c.html(await donationPage(database, viewerOf(c, benchRoles), c.req.param('id'))))
    .post('/donations/:id/import', async (c) => {
      const viewer = viewerOf(c, benchRoles);
      const body = await c.req.parseBody();
      await postedForm(c, viewer, appSecret, body);
      const file = body.file;
      if (!(file instanceof File) || file.size === 0) return c.html(await donationPage(database, viewer, c.req.param('id'), [{ path: 'file', message: 'Choisissez le fichier CSV à importer.' }]), 422);
      try {
        const job = await startIntakeImport(db, fileStore, viewer, { donationId: c.req.param('id'), filename: file.name, content: new Uint8Array(await file.arrayBuffer()) });
        return c.redirect(`/jobs/${job.id}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return c.html(await donationPage(database, viewer, c.req.param('id'), error.errors), 422);
        throw error;
      }
    })
    .post('/donations/:id/labels', async (c) => {
      const viewer = viewerOf(c, benchRoles);
      const fields = await postedForm(c, viewer, appSecret);
      try {
        const batch = await createLabelBatch(db, viewer, { format: fields.format ?? '', donationId: c.req.param('id') });
        return c.redirect(`/jobs/${batch.jobId}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return c.html(await donationPage(database, viewer, c.req.param('id'), error.errors), 422);
        throw error;
      }
    })
    .get('/jobs/:id', async (c) => {
      const viewer = viewerOf(c);
      const job = await getJob(db, viewer, c.req.param('id'));
      const running = job.state === 'queued' || job.state === 'running';
      return c.html(
        <Layout title="Suivi du travail" viewer={viewer} scripts={running ? ['/assets/job.js'] : []}>
          <h1 data-job-id={running ? job.id : undefined}>{job.kind === 'intake_import' ? 'Import de l’inventaire' : job.kind === 'label_batch' ? 'Planche d’étiquettes' : 'Travail en cours'}</h1>
          <p>
            <span class="status" data-testid="job-state" data-state={job.state} role="status">
              {jobStateLabels[job.state]}
            </span>
          </p>
          <label for="avancement">Avancement</label>
          <progress id="avancement" class="progress" max={job.total ?? undefined} value={job.processed}>
            {job.processed} / {job.total ?? '?'}
          </progress>
          <p>
            {job.processed} / {job.total ?? '?'}
          </p>
          {job.failureReason ? <p class="notice bad">{job.failureReason}</p> : null}
          {job.errors.length > 0 ? (
            <table>
              <caption>Lignes refusées</caption>
              <thead>
                <tr>
                  <th scope="col">Ligne</th>
                  <th scope="col">Raison</th>
                </tr>
              </thead>
              <tbody>
                {job.errors.map((error) => (
                  <tr>
                    <td>{error.line}</td>
                    <td>{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {job.files.length > 0 ? (
            <ul>
              {job.files.map((file) => (
                <li>
                  <a href={file.downloadUrl} download>
                    Télécharger {file.filename}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </Layout>,
      );
    });
}
