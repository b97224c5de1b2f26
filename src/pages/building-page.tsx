import type { Context } from 'hono';
import { Hono } from 'hono';
import { buildingFor, canRevealPassphrase } from '../connectivity/access.ts';
import { getDeployment } from '../connectivity/deployments.service.ts';
import { listIncidents, openIncident } from '../connectivity/incidents.service.ts';
import { listNetworkDevices } from '../connectivity/network-devices.service.ts';
import { listApartments } from '../connectivity/places.service.ts';
import type { FieldError } from '../errors.ts';
import { labelFormats } from '../labels/formats.ts';
import { createLabelBatch } from '../labels/labels.service.ts';
import { incidentInput } from '../connectivity/incidents.input.ts';
import { apartmentPlace, BuildingIncidents, equipmentPlace, incidentFieldsInFrench } from './building-incidents.tsx';
import { attempt, formValues, found, parseForm, Select } from './forms.tsx';
import { apartmentStatusLabels, dateTime, deploymentStatusLabels, floorLabel, optInLabels } from './fr.ts';
import { DeploymentProgress } from './deployment-progress.tsx';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';
import { seeOther } from './redirect.ts';

const roles = ['landlord_manager', 'installer', 'admin'] as const;

/** The building as the viewer may see it; another landlord's building is a 404, as if it did not exist. */
async function loadBuilding(database: Database, viewer: Viewer, id: string) {
  const { db } = database;
  const access = await found(id, 'Ce bâtiment', (buildingId) => buildingFor(db, viewer, buildingId, 'read'));
  const [apartments, equipment, deployment, incidents] = await Promise.all([
    listApartments(db, viewer, id),
    listNetworkDevices(db, viewer, id),
    getDeployment(db, viewer, id),
    listIncidents(db, viewer, { buildingId: id, unresolved: true, limit: 500 }),
  ]);
  const seesPassphrases = canRevealPassphrase(access.relation);
  return { ...access, apartments, equipment, deployment, seesPassphrases, incidents };
}

type Form = { fields?: Record<string, string>; errors?: FieldError[] };

function BuildingView({ viewer, data, fields, errors, opened }: Form & { viewer: Viewer; data: Awaited<ReturnType<typeof loadBuilding>>; opened: boolean }) {
  const { building, residence, apartments, equipment, deployment, seesPassphrases, incidents } = data;
  const ssidOf = new Map(equipment.flatMap((device) => device.networks.map((network) => [network.unit, network.ssid] as const)));
  const box = equipment.find((device) => device.kind === 'building_box');
  const accessPoints = equipment.filter((device) => device.kind === 'access_point');
  const title = `${residence.name}, ${building.name}`;
  return (
    <Layout title={title} viewer={viewer} current="/rollout">
      <h1>{title}</h1>
      <ErrorSummary errors={errors ?? []} />
      <dl class="facts">
        <dt>Adresse</dt>
        <dd>{building.address}</dd>
        <dt>Déploiement</dt>
        <dd>
          <DeploymentProgress status={deployment.status} building={title} />
          {deployment.suspendedReason ? ` (${deployment.suspendedReason})` : ''}
        </dd>
        <dt>Étages</dt>
        <dd>{building.floors}, rez-de-chaussée compris</dd>
      </dl>
      <h2>Logements</h2>
      {apartments.length === 0 ? (
        <p>Aucun logement enregistré.</p>
      ) : (
        <table>
          <caption>Logements ({apartments.length})</caption>
          <thead>
            <tr>
              <th scope="col">Logement</th>
              <th scope="col">Étage</th>
              <th scope="col">Statut</th>
              <th scope="col">Adhésion</th>
              <th scope="col">Réseau Wi-Fi (SSID)</th>
              {seesPassphrases ? <th scope="col">Lettre au locataire</th> : null}
            </tr>
          </thead>
          <tbody>
            {apartments.map((apartment) => {
              const ssid = ssidOf.get(apartment.unit);
              return (
                <tr data-apartment-id={apartment.id}>
                  <th scope="row">{apartment.unit}</th>
                  <td>{floorLabel(apartment.floor)}</td>
                  <td>{apartmentStatusLabels[apartment.status]}</td>
                  <td>{optInLabels[apartment.optIn]}</td>
                  <td>{ssid ?? '—'}</td>
                  {seesPassphrases ? (
                    <td>
                      {ssid && apartment.status !== 'planned' ? (
                        <a href={`/api/apartments/${apartment.id}/letter`}>
                          Lettre<span class="visually-hidden"> du logement {apartment.unit}</span>
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h2>Équipements</h2>
      <p>
        Box de l’immeuble :{' '}
        {box ? (
          <>
            <a href={`/d/${box.assetCode}`}>{box.assetCode}</a>, {box.model}
            {box.serialNumber ? `, n° de série ${box.serialNumber}` : ''}
          </>
        ) : (
          'pas encore installée'
        )}
      </p>
      {accessPoints.length === 0 ? (
        <p>Aucune borne installée.</p>
      ) : (
        <table>
          <caption>Bornes Wi-Fi ({accessPoints.length})</caption>
          <thead>
            <tr>
              <th scope="col">Borne</th>
              <th scope="col">Palier</th>
              <th scope="col">Modèle</th>
              <th scope="col">Réseaux diffusés</th>
              {seesPassphrases ? <th scope="col">Configuration</th> : null}
            </tr>
          </thead>
          <tbody>
            {accessPoints.map((point) => (
              <tr data-access-point-id={point.id}>
                <th scope="row">
                  <a href={`/d/${point.assetCode}`}>{point.assetCode}</a>
                </th>
                <td>{floorLabel(point.floor ?? 0)}</td>
                <td>{point.model}</td>
                <td>{point.networks.length === 0 ? '—' : point.networks.map((network) => network.ssid).join(', ')}</td>
                {seesPassphrases ? (
                  <td>
                    {point.networks.length > 0 ? (
                      <a href={`/api/buildings/${building.id}/access-points/${point.id}/config`}>
                        Configuration OpenWrt<span class="visually-hidden"> de la borne {point.assetCode}</span>
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {equipment.length > 0 ? (
        <form method="post" action={`/buildings/${building.id}/labels`}>
          <CsrfField viewer={viewer} />
          <Select
            name="format"
            label="Étiquettes QR de la box et des bornes, format"
            options={[...labelFormats().values()].map((format) => ({ value: format.id, label: format.name }))}
          />
          <button type="submit" class="secondary">
            Imprimer les étiquettes
          </button>
        </form>
      ) : null}
      <h2>Historique du déploiement</h2>
      {deployment.events.length === 0 ? (
        <p>Aucune étape enregistrée : le déploiement est {deploymentStatusLabels[deployment.status].toLowerCase()}.</p>
      ) : (
        <ol class="timeline">
          {deployment.events.map((event) => (
            <li>
              {dateTime(event.occurredAt)} : {deploymentStatusLabels[event.toStatus]}
              {event.note ? ` (${event.note})` : ''}
            </li>
          ))}
        </ol>
      )}
      <BuildingIncidents
        viewer={viewer}
        buildingId={building.id}
        incidents={incidents}
        apartments={apartments.map(apartmentPlace)}
        equipment={equipment.map(equipmentPlace)}
        fields={fields}
        errors={errors}
        opened={opened}
      />
    </Layout>
  );
}

/** A building's page for its landlord, its installer and the coordinator: apartments, equipment, history, incidents. */
export function buildingPageRoutes(database: Database, appSecret: string) {
  const { db } = database;
  const show = async (c: Context<PageEnv>, viewer: Viewer, form: Form = {}, status: 200 | 422 = 200) =>
    c.html(
      <BuildingView viewer={viewer} data={await loadBuilding(database, viewer, c.req.param('id')!)} opened={c.req.query('incident') === 'ouvert'} {...form} />,
      status,
    );
  return (
    new Hono<PageEnv>()
      .get('/buildings/:id', (c) => show(c, viewerOf(c, roles)))
      .post('/buildings/:id/incidents', async (c) => {
        const viewer = viewerOf(c, roles);
        const buildingId = c.req.param('id');
        // A building the viewer may not see answers 404 before its form is even read.
        await found(buildingId, 'Ce bâtiment', (id) => buildingFor(db, viewer, id, 'read'));
        const fields = await postedForm(c, viewer, appSecret);
        const parsed = parseForm(incidentInput, { ...formValues(fields, ['category', 'apartmentId', 'networkDeviceId', 'description']), buildingId });
        if (!parsed.ok) return show(c, viewer, { fields, errors: parsed.errors }, 422);
        const outcome = await attempt(() => openIncident(db, viewer, parsed.value), incidentFieldsInFrench);
        if (!outcome.ok)
          return show(c, viewer, { fields, errors: outcome.errors.length > 0 ? outcome.errors : [{ path: 'category', message: outcome.detail ?? '' }] }, 422);
        return seeOther(c, `/buildings/${buildingId}?incident=ouvert#incidents`);
      })
      // The box's and access points' QR labels, followed on the job page until the sheet is ready.
      .post('/buildings/:id/labels', async (c) => {
        const viewer = viewerOf(c, roles);
        const buildingId = c.req.param('id');
        await found(buildingId, 'Ce bâtiment', (id) => buildingFor(db, viewer, id, 'read'));
        const fields = await postedForm(c, viewer, appSecret);
        const outcome = await attempt(() => createLabelBatch(db, viewer, { format: fields.format ?? '', buildingId }));
        if (!outcome.ok)
          return show(c, viewer, { errors: outcome.errors.length > 0 ? outcome.errors : [{ path: 'format', message: outcome.detail ?? '' }] }, 422);
        return seeOther(c, `/jobs/${outcome.value.jobId}`);
      })
  );
}
