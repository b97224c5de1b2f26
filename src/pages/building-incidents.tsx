import type { FC } from 'hono/jsx';
import { incidentCategories, workingDaysToFix } from '../connectivity/incidents.rules.ts';
import type { listIncidents } from '../connectivity/incidents.service.ts';
import type { listNetworkDevices } from '../connectivity/network-devices.service.ts';
import type { FieldError } from '../errors.ts';
import { errorFor, Select, TextArea } from './forms.tsx';
import { floorLabel, incidentCategoryLabels, incidentStatusLabels, longDate } from './fr.ts';
import { CsrfField } from './layout.tsx';
import type { Viewer } from './session.ts';

/** What the domain says about an incident's fields, in French. */
export const incidentFieldsInFrench = {
  apartmentId: 'Ce logement n’est pas dans ce bâtiment.',
  networkDeviceId: 'Cet équipement n’est pas dans ce bâtiment.',
};

type Incident = Awaited<ReturnType<typeof listIncidents>>[number];
type Equipment = Awaited<ReturnType<typeof listNetworkDevices>>[number];
type Place = { id: string; label: string };

const days = (count: number) => `${count} jour${count > 1 ? 's' : ''} ouvré${count > 1 ? 's' : ''}`;

/** The building's incidents still waiting for a fix, and the form to report one. */
export const BuildingIncidents: FC<{
  viewer: Viewer;
  buildingId: string;
  incidents: Incident[];
  apartments: Place[];
  equipment: Place[];
  fields?: Record<string, string>;
  errors?: FieldError[];
  opened?: boolean;
}> = ({ viewer, buildingId, incidents, apartments, equipment, fields = {}, errors, opened }) => {
  const where = (incident: Incident) =>
    apartments.find((apartment) => apartment.id === incident.apartmentId)?.label ??
    equipment.find((device) => device.id === incident.networkDeviceId)?.label ??
    'Tout le bâtiment';
  return (
    <section aria-labelledby="incidents">
      <h2 id="incidents" tabindex={-1}>
        Incidents
      </h2>
      {opened ? (
        <p class="notice ok" role="status">
          Incident enregistré : l’installateur est prévenu.
        </p>
      ) : null}
      {incidents.length === 0 ? (
        <p>Aucun incident en attente.</p>
      ) : (
        <table>
          <caption>Incidents en attente de réparation ({incidents.length})</caption>
          <thead>
            <tr>
              <th scope="col">Signalé le</th>
              <th scope="col">Problème</th>
              <th scope="col">Où</th>
              <th scope="col">Description</th>
              <th scope="col">Statut</th>
              <th scope="col">À réparer avant le</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((incident) => (
              <tr data-incident-id={incident.id}>
                <th scope="row">{longDate(incident.createdAt)}</th>
                <td>{incidentCategoryLabels[incident.category]}</td>
                <td>{where(incident)}</td>
                <td>{incident.description}</td>
                <td>{incidentStatusLabels[incident.status]}</td>
                <td>
                  {longDate(incident.dueOn)}
                  {incident.overdue ? (
                    <>
                      {' '}
                      <strong class="late">en retard</strong>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Signaler un incident</h3>
      <form method="post" action={`/buildings/${buildingId}/incidents`} novalidate>
        <CsrfField viewer={viewer} />
        <Select
          name="category"
          label="Problème"
          required
          empty="Choisir le type de problème"
          value={fields.category}
          error={errorFor(errors, 'category')}
          options={incidentCategories.map((category) => ({
            value: category,
            label: `${incidentCategoryLabels[category]} (à réparer sous ${days(workingDaysToFix[category])})`,
          }))}
        />
        <Select
          name="apartmentId"
          label="Logement concerné"
          empty="Aucun en particulier"
          value={fields.apartmentId}
          error={errorFor(errors, 'apartmentId')}
          options={apartments.map((apartment) => ({ value: apartment.id, label: apartment.label }))}
        />
        <Select
          name="networkDeviceId"
          label="Équipement concerné"
          empty="Aucun en particulier"
          value={fields.networkDeviceId}
          error={errorFor(errors, 'networkDeviceId')}
          options={equipment.map((device) => ({ value: device.id, label: device.label }))}
        />
        <TextArea
          name="description"
          label="Description"
          required
          value={fields.description}
          error={errorFor(errors, 'description')}
          hint="Depuis quand, où, ce que voient les locataires. Pas de nom de locataire."
        />
        <button type="submit">Signaler l’incident</button>
      </form>
    </section>
  );
};

export const apartmentPlace = (apartment: { id: string; unit: string; floor: number }): Place => ({
  id: apartment.id,
  label: `Logement ${apartment.unit} (${floorLabel(apartment.floor).toLowerCase()})`,
});
export const equipmentPlace = (device: Pick<Equipment, 'id' | 'kind' | 'floor' | 'assetCode'>): Place => ({
  id: device.id,
  label:
    device.kind === 'building_box' ? `Box de l’immeuble (${device.assetCode})` : `Borne, ${floorLabel(device.floor ?? 0).toLowerCase()} (${device.assetCode})`,
});
