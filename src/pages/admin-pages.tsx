import { Hono } from 'hono';
import { z } from 'zod';
import { listProgrammes } from '../allocation/programmes.service.ts';
import { listUsers } from '../auth/users.service.ts';
import type { Database } from '../db/client.ts';
import type { FieldError } from '../errors.ts';
import { createOrganisation, listOrganisations } from '../organisations/organisations.service.ts';
import { organisationKinds } from '../organisations/organisations.types.ts';
import { listSites } from '../organisations/sites.service.ts';
import { isStorableText } from '../text.ts';
import { attempt, errorFor, Field, parseForm, Select } from './forms.tsx';
import { criterionLabel, deviceKindLabels, organisationKindLabels, roleLabels, siteKindLabels } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { postedForm, viewerOf, type PageEnv, type Viewer } from './session.ts';

const name = (max: number, missing: string) =>
  z.string().trim().min(1, missing).max(max, `${max} caractères au plus.`).refine(isStorableText, 'Ce texte contient un caractère illisible.');

const organisationForm = z.object({
  name: name(200, 'Indiquez le nom de la structure.'),
  shortName: name(24, 'Indiquez un nom court : il est imprimé sur les étiquettes.'),
  kind: z.enum(organisationKinds, 'Choisissez le type de structure.'),
});

type Form = { fields?: Record<string, string>; errors?: FieldError[]; added?: string };

/** Everything on the coordinator's page, read with the admin's rights (the whole network). */
async function loadNetwork(database: Database, viewer: Viewer) {
  const { db } = database;
  const [organisations, users, sites, programmes] = await Promise.all([listOrganisations(db, viewer), listUsers(db, viewer), listSites(db, viewer), listProgrammes(db)]);
  return { organisations, users, sites, programmes };
}

function NetworkPage({ viewer, data, fields = {}, errors, added }: Form & { viewer: Viewer; data: Awaited<ReturnType<typeof loadNetwork>> }) {
  const organisationName = new Map(data.organisations.map((organisation) => [organisation.id, organisation.name]));
  return (
    <Layout title="Réseau" viewer={viewer} current="/admin">
      <h1>Le réseau</h1>
      <ErrorSummary errors={errors ?? []} />
      {added ? (
        <p class="notice ok" role="status">
          Structure {added} ajoutée au réseau.
        </p>
      ) : null}
      <p>
        <a href="/admin/queues">Files de travail (étiquettes, certificats, lettres, rappels)</a>
      </p>
      <h2>Structures</h2>
      <table>
        <caption>Structures du réseau ({data.organisations.length})</caption>
        <thead>
          <tr>
            <th scope="col">Nom</th>
            <th scope="col">Nom court</th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        <tbody>
          {data.organisations.map((organisation) => (
            <tr data-organisation-id={organisation.id}>
              <th scope="row">{organisation.name}</th>
              <td>{organisation.shortName}</td>
              <td>{organisationKindLabels[organisation.kind]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Ajouter une structure</h3>
      <form method="post" action="/admin/organisations" novalidate>
        <CsrfField viewer={viewer} />
        <Field name="name" label="Nom" required value={fields.name} error={errorFor(errors, 'name')} />
        <Field name="shortName" label="Nom court" hint="24 caractères au plus : il est imprimé sur les étiquettes QR." required value={fields.shortName} error={errorFor(errors, 'shortName')} />
        <Select name="kind" label="Type" required empty="Choisir le type" value={fields.kind} error={errorFor(errors, 'kind')} options={organisationKinds.map((kind) => ({ value: kind, label: organisationKindLabels[kind] }))} />
        <button type="submit">Ajouter la structure</button>
      </form>
      <h2>Comptes</h2>
      <table>
        <caption>Comptes ({data.users.length})</caption>
        <thead>
          <tr>
            <th scope="col">Nom</th>
            <th scope="col">Adresse e-mail</th>
            <th scope="col">Rôle</th>
            <th scope="col">Structure</th>
            <th scope="col">État</th>
          </tr>
        </thead>
        <tbody>
          {data.users.map((user) => (
            <tr>
              <th scope="row">{user.displayName}</th>
              <td>{user.email}</td>
              <td>{roleLabels[user.role]}</td>
              <td>{organisationName.get(user.organisationId)}</td>
              <td>{user.disabledAt ? 'Désactivé' : 'Actif'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Lieux</h2>
      {data.sites.length === 0 ? (
        <p>Aucun lieu enregistré.</p>
      ) : (
        <table>
          <caption>Lieux ({data.sites.length})</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Type</th>
              <th scope="col">Adresse</th>
              <th scope="col">Structure</th>
            </tr>
          </thead>
          <tbody>
            {data.sites.map((site) => (
              <tr>
                <th scope="row">{site.name}</th>
                <td>{siteKindLabels[site.kind]}</td>
                <td>
                  {site.address} ({site.communeCode})
                </td>
                <td>{organisationName.get(site.organisationId)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Dispositifs</h2>
      {data.programmes.length === 0 ? (
        <p>Aucun dispositif pour le moment.</p>
      ) : (
        <table>
          <caption>Dispositifs ({data.programmes.length})</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Critères à attester</th>
              <th scope="col">Équipements</th>
              <th scope="col">Réservation</th>
              <th scope="col">Quota annuel</th>
            </tr>
          </thead>
          <tbody>
            {data.programmes.map((programme) => (
              <tr>
                <th scope="row">{programme.name}</th>
                <td>{programme.eligibilityCriteria.map(criterionLabel).join(', ')}</td>
                <td>{programme.deviceKinds.map((kind) => deviceKindLabels[kind]).join(', ')}</td>
                <td>{programme.reservationDays} jours</td>
                <td>{programme.yearlyQuota ?? 'aucun'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** The coordinator's view of the network: partners, accounts, places, programmes, and the job queues. */
export function adminPageRoutes(database: Database, appSecret: string) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/admin', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const data = await loadNetwork(database, viewer);
      const added = data.organisations.find((organisation) => organisation.id === c.req.query('ajoutee'))?.name;
      return c.html(<NetworkPage viewer={viewer} data={data} added={added} />);
    })
    .post('/admin/organisations', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const fields = await postedForm(c, viewer, appSecret);
      const parsed = parseForm(organisationForm, fields);
      const outcome = parsed.ok ? await attempt(() => createOrganisation(db, viewer, parsed.value)) : { ...parsed, status: 422 as const };
      if (!outcome.ok) return c.html(<NetworkPage viewer={viewer} data={await loadNetwork(database, viewer)} fields={fields} errors={outcome.errors} />, outcome.status);
      return c.redirect(`/admin?ajoutee=${outcome.value.id}`, 303);
    });
}
