import { Hono } from 'hono';
import { listProgrammes } from '../allocation/programmes.service.ts';
import { trainingModuleChoices } from '../allocation/training-offer.ts';
import { listUsers } from '../auth/users.service.ts';
import { createOrganisation, listOrganisations } from '../organisations/organisations.service.ts';
import { organisationKinds } from '../organisations/organisations.types.ts';
import { listSites } from '../organisations/sites.service.ts';
import { listPlaces } from '../places/places.read.ts';
import { publishedContact, PublicContactForm, setPublicContactFromForm } from './admin-contact-form.tsx';
import { createSiteFromForm, createUserFromForm, SiteForm, UserForm, type FormState } from './admin-forms.tsx';
import { attempt, Checkbox, errorFor, Field, formValues, parseForm, Select } from './forms.tsx';
import { organisationInput } from '../organisations/organisations.input.ts';
import { criterionLabel, deviceKindLabels, organisationKindLabels, roleLabels, siteKindLabels } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { createProgrammeFromForm, criteriaToOffer, ProgrammeForm } from './programme-form.tsx';
import { postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';
import { seeOther } from './redirect.ts';

/** The page's forms; a refused one comes back with its fields and errors, the others empty. */
type Submitted = FormState & { form: 'organisation' | 'user' | 'site' | 'programme' | 'contact' };

/** Everything on the coordinator's page, read with the admin's rights (the whole network). */
async function loadNetwork(database: Database, viewer: Viewer) {
  const { db } = database;
  const [organisations, users, sites, programmes, trainingModules, places] = await Promise.all([
    listOrganisations(db, viewer),
    listUsers(db, viewer),
    listSites(db, viewer),
    listProgrammes(db),
    trainingModuleChoices(db),
    listPlaces(db),
  ]);
  const published = new Set(places.filter((place) => place.network).map((place) => place.id));
  return { organisations, users, sites, programmes, trainingModules, published };
}

type Network = Awaited<ReturnType<typeof loadNetwork>>;

/** What the coordinator just added, from the redirect's query, in words. */
function noticeOf(data: Network, query: Record<string, string>) {
  const organisation = data.organisations.find((candidate) => candidate.id === query.ajoutee);
  if (organisation) return `Structure ${organisation.name} ajoutée au réseau.`;
  const user = data.users.find((candidate) => candidate.id === query.compte);
  if (user) return `Compte de ${user.displayName} (${user.email}) créé.`;
  const site = data.sites.find((candidate) => candidate.id === query.lieu);
  if (site) return `Lieu ${site.name} ajouté.`;
  const programme = data.programmes.find((candidate) => candidate.id === query.dispositif);
  if (programme) return `Dispositif ${programme.name} créé.`;
  const holder = [...data.organisations, ...data.sites].find((candidate) => candidate.id === query.contact);
  if (holder) return `Contact public de ${holder.name} : ${publishedContact(holder)}.`;
  return undefined;
}

function NetworkPage({ viewer, data, submitted, notice }: { viewer: Viewer; data: Network; submitted?: Submitted; notice?: string }) {
  const organisationName = new Map(data.organisations.map((organisation) => [organisation.id, organisation.name]));
  const stateOf = (form: Submitted['form']): FormState => (submitted?.form === form ? submitted : {});
  const { fields = {}, errors } = stateOf('organisation');
  return (
    <Layout title="Réseau" viewer={viewer} current="/admin">
      <h1>Le réseau</h1>
      <ErrorSummary errors={submitted?.errors ?? []} detail={submitted?.detail} />
      {notice ? (
        <p class="notice ok" role="status">
          {notice}
        </p>
      ) : null}
      <p>
        <a href="/admin/queues">Files de travail (étiquettes, certificats, lettres, rappels)</a>
      </p>
      <p>
        <a href="/admin/lieux/import">Lieux d’autres acteurs : importer un fichier au schéma national</a>
      </p>
      <h2>Structures</h2>
      <table>
        <caption>Structures du réseau ({data.organisations.length})</caption>
        <thead>
          <tr>
            <th scope="col">Nom</th>
            <th scope="col">Nom court</th>
            <th scope="col">Type</th>
            <th scope="col">Contact public</th>
          </tr>
        </thead>
        <tbody>
          {data.organisations.map((organisation) => (
            <tr data-organisation-id={organisation.id}>
              <th scope="row">{organisation.name}</th>
              <td>{organisation.shortName}</td>
              <td>{organisationKindLabels[organisation.kind]}</td>
              <td>{publishedContact(organisation)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Ajouter une structure</h3>
      <form method="post" action="/admin/organisations" novalidate>
        <CsrfField viewer={viewer} />
        <Field name="name" label="Nom" required value={fields.name} error={errorFor(errors, 'name')} />
        <Field
          name="shortName"
          label="Nom court"
          hint="24 caractères au plus : il est imprimé sur les étiquettes QR."
          required
          value={fields.shortName}
          error={errorFor(errors, 'shortName')}
        />
        <Select
          name="kind"
          label="Type"
          required
          empty="Choisir le type"
          value={fields.kind}
          error={errorFor(errors, 'kind')}
          options={organisationKinds.map((kind) => ({ value: kind, label: organisationKindLabels[kind] }))}
        />
        <Field
          name="siren"
          label="Numéro SIREN"
          hint="Facultatif, 9 chiffres sans espace ; nécessaire pour une personne publique."
          value={fields.siren}
          error={errorFor(errors, 'siren')}
        />
        <Checkbox
          name="publicBody"
          label="Personne publique (commune, EPCI, département) : ses dons ont une attestation de réemploi annuelle"
          checked={fields.publicBody === 'on'}
          error={errorFor(errors, 'publicBody')}
        />
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
      <h3>Créer un compte</h3>
      <UserForm viewer={viewer} organisations={data.organisations} {...stateOf('user')} />
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
              <th scope="col">Contact public</th>
              <th scope="col">Carte des lieux</th>
            </tr>
          </thead>
          <tbody>
            {data.sites.map((site) => (
              <tr data-site-id={site.id}>
                <th scope="row">{site.name}</th>
                <td>{siteKindLabels[site.kind]}</td>
                <td>
                  {site.address} ({site.communeCode})
                </td>
                <td>{organisationName.get(site.organisationId)}</td>
                <td>{publishedContact(site)}</td>
                <td>
                  <a href={`/admin/sites/${site.id}`}>
                    {data.published.has(site.id) ? 'Publié : modifier' : 'Publier'}
                    <span class="visually-hidden"> la fiche de {site.name}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Ajouter un lieu</h3>
      <SiteForm viewer={viewer} organisations={data.organisations} {...stateOf('site')} />
      <h3>Contact public</h3>
      <p>
        Le téléphone ou l’adresse e-mail affichés sur la fiche publique des équipements (ce que lit la personne qui en trouve un) : celui du lieu où est
        l’équipement, sinon celui de sa structure. Rien n’est publié tant qu’il n’est pas renseigné ici.
      </p>
      <PublicContactForm viewer={viewer} organisations={data.organisations} sites={data.sites} {...stateOf('contact')} />
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
              <th scope="col">Territoires</th>
              <th scope="col">Réservation</th>
              <th scope="col">Quota annuel</th>
            </tr>
          </thead>
          <tbody>
            {data.programmes.map((programme) => (
              <tr data-programme-id={programme.id}>
                <th scope="row">{programme.name}</th>
                <td>{programme.eligibilityCriteria.map(criterionLabel).join(', ')}</td>
                <td>{programme.deviceKinds.map((kind) => deviceKindLabels[kind]).join(', ')}</td>
                <td>{programme.territories.map((territory) => territory.code).join(', ')}</td>
                <td>{programme.reservationDays} jours</td>
                <td>{programme.yearlyQuota ?? 'aucun'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Nouveau dispositif</h3>
      <ProgrammeForm viewer={viewer} criteria={criteriaToOffer(data.programmes)} modules={data.trainingModules} {...stateOf('programme')} />
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
      return c.html(<NetworkPage viewer={viewer} data={data} notice={noticeOf(data, c.req.query())} />);
    })
    .post('/admin/organisations', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const fields = await postedForm(c, viewer, appSecret);
      const parsed = parseForm(organisationInput, { ...formValues(fields, ['name', 'shortName', 'kind', 'siren']), publicBody: fields.publicBody === 'on' });
      const outcome = parsed.ok ? await attempt(() => createOrganisation(db, viewer, parsed.value)) : { ...parsed, status: 422 as const };
      if (!outcome.ok)
        return c.html(
          <NetworkPage viewer={viewer} data={await loadNetwork(database, viewer)} submitted={{ form: 'organisation', fields, ...outcome }} />,
          outcome.status,
        );
      return seeOther(c, `/admin?ajoutee=${outcome.value.id}`);
    })
    .post('/admin/users', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const fields = await postedForm(c, viewer, appSecret);
      const data = await loadNetwork(database, viewer);
      const outcome = await createUserFromForm(db, viewer, fields, data.organisations);
      if (!outcome.ok) return c.html(<NetworkPage viewer={viewer} data={data} submitted={{ form: 'user', fields, ...outcome }} />, outcome.status);
      return seeOther(c, `/admin?compte=${outcome.value.id}`);
    })
    .post('/admin/sites', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const fields = await postedForm(c, viewer, appSecret);
      const outcome = await createSiteFromForm(db, viewer, fields);
      if (!outcome.ok)
        return c.html(
          <NetworkPage viewer={viewer} data={await loadNetwork(database, viewer)} submitted={{ form: 'site', fields, ...outcome }} />,
          outcome.status,
        );
      return seeOther(c, `/admin?lieu=${outcome.value.id}`);
    })
    .post('/admin/public-contact', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const fields = await postedForm(c, viewer, appSecret);
      const outcome = await setPublicContactFromForm(db, viewer, fields);
      if (!outcome.ok)
        return c.html(
          <NetworkPage viewer={viewer} data={await loadNetwork(database, viewer)} submitted={{ form: 'contact', fields, ...outcome }} />,
          outcome.status,
        );
      return c.redirect(`/admin?contact=${outcome.value.id}`, 303);
    })
    .post('/admin/programmes', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const fields = await postedForm(c, viewer, appSecret);
      const data = await loadNetwork(database, viewer);
      const outcome = await createProgrammeFromForm(db, viewer, fields, criteriaToOffer(data.programmes));
      if (!outcome.ok) return c.html(<NetworkPage viewer={viewer} data={data} submitted={{ form: 'programme', fields, ...outcome }} />, outcome.status);
      return seeOther(c, `/admin?dispositif=${outcome.value.id}`);
    });
}
