import { Hono } from 'hono';
import { devicesOfDonation } from '../devices/devices.service.ts';
import { benchRoles } from '../devices/lifecycle.ts';
import { donationInput } from '../donations/donations.input.ts';
import { createDonation, getDonation, listDonations } from '../donations/donations.service.ts';
import { startIntakeImport } from '../donations/intake-import.ts';
import { ValidationError, type FieldError } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { labelFormats } from '../labels/formats.ts';
import { createLabelBatch } from '../labels/labels.service.ts';
import { listDonorOrganisations } from '../organisations/organisations.service.ts';
import { listSites } from '../organisations/sites.service.ts';
import { attempt, errorFor, Field, formNumber, formValues, formValuesAs, found, parseForm, Select } from './forms.tsx';
import { dateTime, deviceKindLabels, deviceStatusLabels, longDate } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { postedBody, postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';
import { seeOther } from './redirect.ts';

/** The « Nouveau don » form's fields as the donations module's schema reads them: the individual's name and contact are `donor`. */
const donationFromForm = (fields: Record<string, string>) => ({
  ...formValues(fields, ['collectionSiteId', 'donorOrganisationId', 'campaign', 'reuseCommitmentReference', 'reuseCommitmentDate']),
  donor: fields.donorName?.trim() ? { name: fields.donorName, ...formValuesAs(fields, { contact: 'donorContact' }) } : undefined,
  expectedCount: formNumber(fields.expectedCount),
});
// Who gives is chosen first in the organisation's list: a refusal of the donor as a whole shows there.
const donationFormNames = { donor: 'donorOrganisationId', 'donor.name': 'donorName', 'donor.contact': 'donorContact' };

/** The domain's refusals of a posted donation, in French (a site or donor from another page, or removed since). */
const donationRefusals = {
  collectionSiteId: 'Ce lieu n’est pas un de ceux de votre structure : choisissez-en un dans la liste.',
  donorOrganisationId: 'Cette structure n’est pas un donateur enregistré : choisissez-en une dans la liste.',
};

type DonationFormState = { fields?: Record<string, string>; errors?: FieldError[]; detail?: string };

/** The donations list and what the « Nouveau don » form offers: the viewer's sites and the network's donors. */
async function loadDonations(database: Database, viewer: Viewer) {
  const { db } = database;
  const [donations, sites, donors] = await Promise.all([listDonations(db, viewer, { limit: 200 }), listSites(db, viewer), listDonorOrganisations(db)]);
  return { donations, sites, donors };
}

function DonationsPage({ viewer, data, fields = {}, errors, detail }: DonationFormState & { viewer: Viewer; data: Awaited<ReturnType<typeof loadDonations>> }) {
  return (
    <Layout title="Dons" viewer={viewer} current="/donations">
      <h1>Dons reçus</h1>
      <ErrorSummary errors={errors ?? []} detail={detail} />
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
          {data.donations.map((donation) => (
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
      <h2>Nouveau don</h2>
      {data.sites.length === 0 ? (
        <p>Votre structure n’a encore aucun lieu pour recevoir des dons : demandez à la coordination du réseau d’en ajouter un.</p>
      ) : (
        <form method="post" action="/donations" novalidate>
          <CsrfField viewer={viewer} />
          <Select
            name="collectionSiteId"
            label="Lieu de collecte"
            required
            empty="Choisir le lieu"
            value={fields.collectionSiteId}
            error={errorFor(errors, 'collectionSiteId')}
            options={data.sites.map((site) => ({ value: site.id, label: site.name }))}
          />
          <fieldset>
            <legend>Donateur : une structure, ou un particulier</legend>
            <Select
              name="donorOrganisationId"
              label="Structure donatrice"
              empty="Aucune : un particulier"
              value={fields.donorOrganisationId}
              error={errorFor(errors, 'donorOrganisationId')}
              options={data.donors.map((donor) => ({ value: donor.id, label: donor.name }))}
            />
            <Field name="donorName" label="Nom du particulier" value={fields.donorName} error={errorFor(errors, 'donorName')} />
            <Field
              name="donorContact"
              label="Contact du particulier"
              hint="Un e-mail ou un téléphone, pour lui envoyer les certificats d’effacement."
              autocomplete="off"
              value={fields.donorContact}
              error={errorFor(errors, 'donorContact')}
            />
          </fieldset>
          <Field
            name="campaign"
            label="Campagne"
            hint="Facultatif, par exemple « Collecte de printemps 2026 »."
            value={fields.campaign}
            error={errorFor(errors, 'campaign')}
          />
          <Field
            name="expectedCount"
            label="Nombre d’équipements annoncés"
            hint="Facultatif : la page du don signale ceux qui manquent."
            type="number"
            min="0"
            step="1"
            value={fields.expectedCount}
            error={errorFor(errors, 'expectedCount')}
          />
          <fieldset>
            <legend>Engagement de réemploi</legend>
            <p class="hint">
              La convention par laquelle votre structure s’est engagée, avant la collecte, à réemployer ces équipements. Sans elle, les équipements d’une
              personne publique ne comptent pas dans son taux de réemploi (décret n° 2023-266).
            </p>
            <Field
              name="reuseCommitmentReference"
              label="Référence de la convention"
              value={fields.reuseCommitmentReference}
              error={errorFor(errors, 'reuseCommitmentReference')}
            />
            <Field
              name="reuseCommitmentDate"
              label="Date de l’engagement"
              type="date"
              value={fields.reuseCommitmentDate}
              error={errorFor(errors, 'reuseCommitmentDate')}
            />
          </fieldset>
          <button type="submit">Enregistrer le don</button>
        </form>
      )}
    </Layout>
  );
}

async function donationPage(database: Database, viewer: Viewer, id: string, errors: { path: string; message: string }[] = []) {
  const donation = await found(id, 'Ce don', (donationId) => getDonation(database.db, viewer, donationId));
  const received = await devicesOfDonation(database.db, viewer, donation.id);
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
        <dt>Engagement de réemploi</dt>
        <dd data-testid="reuse-commitment">
          {donation.reuseCommitmentReference && donation.reuseCommitmentDate
            ? `${donation.reuseCommitmentReference}, du ${longDate(donation.reuseCommitmentDate)}`
            : 'aucun enregistré'}
        </dd>
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
                <a href={`/d/${device.code}`}>{device.code}</a>
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
      return c.html(<DonationsPage viewer={viewer} data={await loadDonations(database, viewer)} />);
    })
    .post('/donations', async (c) => {
      const viewer = viewerOf(c, benchRoles);
      const fields = await postedForm(c, viewer, appSecret);
      const parsed = parseForm(donationInput, donationFromForm(fields), donationFormNames);
      const outcome = parsed.ok ? await attempt(() => createDonation(db, viewer, parsed.value), donationRefusals) : { ...parsed, status: 422 as const };
      if (!outcome.ok)
        return c.html(<DonationsPage viewer={viewer} data={await loadDonations(database, viewer)} fields={fields} {...outcome} />, outcome.status);
      return seeOther(c, `/donations/${outcome.value.id}`);
    })
    .get('/donations/:id', async (c) => c.html(await donationPage(database, viewerOf(c, benchRoles), c.req.param('id'))))
    .post('/donations/:id/import', async (c) => {
      const viewer = viewerOf(c, benchRoles);
      const body = await postedBody(c);
      await postedForm(c, viewer, appSecret, body);
      const file = body.file;
      if (!(file instanceof File) || file.size === 0)
        return c.html(await donationPage(database, viewer, c.req.param('id'), [{ path: 'file', message: 'Choisissez le fichier CSV à importer.' }]), 422);
      try {
        const content = new Uint8Array(await file.arrayBuffer());
        const job = await found(c.req.param('id'), 'Ce don', (donationId) =>
          startIntakeImport(db, fileStore, viewer, { donationId, filename: file.name, content }),
        );
        return seeOther(c, `/jobs/${job.id}`);
      } catch (error) {
        if (error instanceof ValidationError) return c.html(await donationPage(database, viewer, c.req.param('id'), error.inFrench()), 422);
        throw error;
      }
    })
    .post('/donations/:id/labels', async (c) => {
      const viewer = viewerOf(c, benchRoles);
      const fields = await postedForm(c, viewer, appSecret);
      try {
        const batch = await found(c.req.param('id'), 'Ce don', (donationId) => createLabelBatch(db, viewer, { format: fields.format ?? '', donationId }));
        return seeOther(c, `/jobs/${batch.jobId}`);
      } catch (error) {
        if (error instanceof ValidationError) return c.html(await donationPage(database, viewer, c.req.param('id'), error.inFrench()), 422);
        throw error;
      }
    });
}
