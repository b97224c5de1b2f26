import { Hono } from 'hono';
import type { Child, FC } from 'hono/jsx';
import { unresolvedStatuses } from '../connectivity/incidents.rules.ts';
import { listIncidents } from '../connectivity/incidents.service.ts';
import { listBuildings } from '../connectivity/places.service.ts';
import { landlordRollout, type Rollout } from '../connectivity/rollout.service.ts';
import { listOrganisations } from '../organisations/organisations.service.ts';
import { buildingPageRoutes } from './building-page.tsx';
import { found, isUuid, Select } from './forms.tsx';
import { DeploymentProgress } from './deployment-progress.tsx';
import { count, euros } from './fr.ts';
import { Layout } from './layout.tsx';
import { viewerOf, type PageEnv, type Database } from './session.ts';

const percent = (value: number) => `${value.toLocaleString('fr-FR')} %`;

const RolloutTable: FC<{ rollout: Rollout }> = ({ rollout }) => (
  <>
    <p>
      {count(rollout.totals.buildings, 'bâtiment')}, {count(rollout.totals.apartments, 'logement')},{' '}
      {count(rollout.totals.provisioned, 'réseau créé', 'réseaux créés')}, adhésion {percent(rollout.totals.optedInPercent)},{' '}
      {count(rollout.totals.openIncidents, 'incident ouvert', 'incidents ouverts')} dont {rollout.totals.overdueIncidents} en retard,{' '}
      {euros(rollout.totals.monthlyChargesTotalCents)} de charges par mois.
    </p>
    <p>
      <a href={`/api/landlords/${rollout.landlord.id}/rollout.csv`} download>
        Exporter le tableau (CSV)
      </a>
    </p>
    <table>
      <caption>Déploiement par bâtiment, {rollout.landlord.name}</caption>
      <thead>
        <tr>
          <th scope="col">Bâtiment</th>
          <th scope="col">Avancement</th>
          <th scope="col">Logements</th>
          <th scope="col">Réseaux créés</th>
          <th scope="col">Adhésion</th>
          <th scope="col">Incidents ouverts</th>
          <th scope="col">Incidents en retard</th>
          <th scope="col">Charges mensuelles</th>
        </tr>
      </thead>
      <tbody>
        {rollout.buildings.map((item) => (
          <tr data-building-id={item.buildingId}>
            <th scope="row">
              <a href={`/buildings/${item.buildingId}`}>
                {item.residence}, {item.building}
              </a>
              <br />
              <span class="hint">{item.address}</span>
            </th>
            <td>
              <DeploymentProgress status={item.status} building={`${item.residence}, ${item.building}`} />
              {item.suspendedReason ? <p class="hint">{item.suspendedReason}</p> : null}
            </td>
            <td>{item.apartments}</td>
            <td>{item.provisioned}</td>
            <td>
              {percent(item.optedInPercent)} ({item.optedIn} sur {item.apartments})
            </td>
            <td>{item.openIncidents}</td>
            <td>{item.overdueIncidents > 0 ? <strong>{item.overdueIncidents}</strong> : 0}</td>
            <td>
              {item.monthlyCostCents === null || item.monthlyChargesTotalCents === null
                ? 'non renseigné'
                : `${euros(item.monthlyCostCents)} par logement, ${euros(item.monthlyChargesTotalCents)} en tout`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </>
);

/**
 * The shared Wi-Fi rollout: a landlord's manager sees its own buildings, the coordinator picks a
 * landlord, an installer sees the buildings assigned to its company. The domain functions decide.
 */
export function landlordPageRoutes(database: Database, appSecret: string) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/rollout', async (c) => {
      const viewer = viewerOf(c, ['landlord_manager', 'installer', 'admin']);
      const page = (body: Child) =>
        c.html(
          <Layout title="Déploiement Wi-Fi" viewer={viewer} current="/rollout">
            {body}
          </Layout>,
        );
      if (viewer.role === 'landlord_manager') {
        const rollout = await landlordRollout(db, viewer, viewer.organisationId);
        return page(
          <>
            <h1>Déploiement du Wi-Fi solidaire</h1>
            {rollout.buildings.length === 0 ? <p>Aucun bâtiment enregistré pour le moment.</p> : <RolloutTable rollout={rollout} />}
          </>,
        );
      }
      if (viewer.role === 'admin') {
        const landlords = (await listOrganisations(db, viewer)).filter((organisation) => organisation.kind === 'landlord');
        const landlordId = c.req.query('landlordId');
        const rollout = isUuid(landlordId) ? await found(landlordId, 'Ce bailleur', (id) => landlordRollout(db, viewer, id)) : undefined;
        return page(
          <>
            <h1>Déploiement du Wi-Fi solidaire</h1>
            <form method="get" action="/rollout">
              <Select
                name="landlordId"
                label="Bailleur"
                empty="Choisir un bailleur"
                value={landlordId}
                options={landlords.map((landlord) => ({ value: landlord.id, label: landlord.name }))}
              />
              <button type="submit">Afficher</button>
            </form>
            {rollout ? (
              <>
                <h2>{rollout.landlord.name}</h2>
                {rollout.buildings.length === 0 ? <p>Aucun bâtiment enregistré pour ce bailleur.</p> : <RolloutTable rollout={rollout} />}
              </>
            ) : null}
          </>,
        );
      }
      const [buildings, incidents] = await Promise.all([listBuildings(db, viewer, {}), listIncidents(db, viewer, { limit: 1000 })]);
      const open = incidents.filter((incident) => unresolvedStatuses.includes(incident.status));
      return page(
        <>
          <h1>Vos chantiers Wi-Fi</h1>
          {buildings.length === 0 ? (
            <p>Aucun bâtiment ne vous est confié pour le moment.</p>
          ) : (
            <table>
              <caption>Bâtiments confiés à votre entreprise</caption>
              <thead>
                <tr>
                  <th scope="col">Bâtiment</th>
                  <th scope="col">Avancement</th>
                  <th scope="col">Incidents ouverts</th>
                  <th scope="col">Incidents en retard</th>
                </tr>
              </thead>
              <tbody>
                {buildings.map((building) => (
                  <tr data-building-id={building.id}>
                    <th scope="row">
                      <a href={`/buildings/${building.id}`}>
                        {building.residenceName}, {building.name}
                      </a>
                      <br />
                      <span class="hint">{building.address}</span>
                    </th>
                    <td>
                      <DeploymentProgress status={building.deploymentStatus} building={`${building.residenceName}, ${building.name}`} />
                    </td>
                    <td>{open.filter((incident) => incident.buildingId === building.id).length}</td>
                    <td>{open.filter((incident) => incident.buildingId === building.id && incident.overdue).length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>,
      );
    })
    .route('/', buildingPageRoutes(database, appSecret));
}
