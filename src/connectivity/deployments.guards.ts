import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { floorLabel } from '../pages/fr.ts';
import { inSentence } from '../text.ts';
import type { Guard } from '../status-machine.ts';
import type { DeploymentGuard } from './deployments.lifecycle.ts';
import { type deployments, networkDevices, wifiNetworks } from './deployments.schema.ts';
import { apartments } from './places.schema.ts';

export type DeploymentGuardContext = { tx: Tx; deployment: typeof deployments.$inferSelect; note?: string };

/** Each guard of the deployment table: null when it holds, otherwise what is missing, in words for the person on site. */
export const deploymentGuards: Record<DeploymentGuard, Guard<DeploymentGuardContext>> = {
  isp_assigned: ({ deployment }) =>
    deployment.ispOrganisationId
      ? null
      : {
          en: 'No installer is assigned to this building yet: the landlord chooses one first.',
          fr: 'Aucun installateur n’est encore désigné pour ce bâtiment : le bailleur en choisit un d’abord.',
        },
  box_installed: ({ deployment }) =>
    deployment.boxId
      ? null
      : {
          en: 'Register the fibre box installed at the foot of the building first (scan its label).',
          fr: 'Enregistrez d’abord la box fibre installée au pied de l’immeuble (scannez son étiquette).',
        },
  every_landing_has_an_access_point: async ({ tx, deployment }) => {
    const [{ value: apartmentCount } = { value: 0 }] = await tx
      .select({ value: count() })
      .from(apartments)
      .where(eq(apartments.buildingId, deployment.buildingId));
    if (apartmentCount === 0) return { en: 'The building has no apartment recorded yet.', fr: 'Aucun logement n’est encore enregistré dans ce bâtiment.' };
    const uncovered = await tx.execute<{ floor: number }>(sql`
      select distinct a.floor from ${apartments} a
      where a.building_id = ${deployment.buildingId}
        and not exists (select 1 from ${networkDevices} n where n.building_id = a.building_id and n.kind = 'access_point' and n.floor = a.floor)
      order by a.floor`);
    if (uncovered.length === 0) return null;
    return {
      en: `No access point is installed on landing ${uncovered.map((row) => row.floor).join(', ')}, where apartments are.`,
      fr: `Aucune borne Wi-Fi n’est installée sur ces paliers, où il y a des logements : ${uncovered.map((row) => inSentence(floorLabel(row.floor))).join(', ')}.`,
    };
  },
  every_apartment_provisioned: async ({ tx, deployment }) => {
    const missing = await tx
      .select({ unit: apartments.unit })
      .from(apartments)
      .leftJoin(wifiNetworks, eq(wifiNetworks.apartmentId, apartments.id))
      .where(and(eq(apartments.buildingId, deployment.buildingId), isNull(wifiNetworks.id)));
    if (missing.length === 0) return null;
    const units = missing.map((row) => row.unit).join(', ');
    return {
      en: `Apartment ${units} has no Wi-Fi network yet: provision the building again.`,
      fr: `${missing.length > 1 ? 'Ces logements n’ont' : 'Ce logement n’a'} pas encore de réseau Wi-Fi (${units}) : relancez la création des réseaux du bâtiment.`,
    };
  },
  reason_given: ({ note }) => (note ? null : { en: 'Say why the service is suspended.', fr: 'Indiquez pourquoi le service est suspendu.' }),
};
