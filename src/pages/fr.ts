import type { Role } from '../auth/roles.ts';
import type { DeviceKind } from '../devices/devices.service.ts';
import type { DeviceStatus } from '../devices/lifecycle.ts';
import type { CostRecovery, DeploymentStatus } from '../connectivity/deployments.lifecycle.ts';

/** The words people read on pages and printed documents. */
export const deviceKindLabels: Record<DeviceKind, string> = {
  laptop: 'Ordinateur portable',
  desktop: 'Ordinateur fixe',
  tablet: 'Tablette',
  smartphone: 'Smartphone',
  screen: 'Écran',
  peripheral: 'Périphérique',
  access_point: 'Borne Wi-Fi',
  other: 'Équipement',
};

export const deviceStatusLabels: Record<DeviceStatus, string> = {
  collected: 'Collecté',
  wiped: 'Données effacées',
  refurbishing: 'En reconditionnement',
  ready: 'En stock, prêt',
  reserved: 'Réservé pour une famille',
  allocated: 'Remis à une famille',
  returned: 'Rendu',
  dismantled: 'Démonté pour pièces',
  recycled: 'Recyclé (DEEE)',
};

// Built once: a formatter costs about sixty times more to build than to use.
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' });
export const dateTime = (date: Date) => dateTimeFormat.format(date);

export const roleLabels: Record<Role, string> = {
  admin: 'Coordination du réseau',
  workshop_operator: 'Opérateur d’atelier',
  mediator: 'Médiateur numérique',
  landlord_manager: 'Gestionnaire bailleur',
  donor_viewer: 'Donateur',
  installer: 'Installateur',
};

export const deploymentStatusLabels: Record<DeploymentStatus, string> = {
  planned: 'Prévu',
  surveyed: 'Visite technique faite',
  box_installed: 'Box installée',
  access_points_installed: 'Bornes installées',
  provisioned: 'Réseaux créés',
  live: 'En service',
  suspended: 'Suspendu',
};

export const costRecoveryLabels: Record<CostRecovery, string> = {
  rent: 'Inclus dans le loyer',
  service_charge: 'Charges locatives',
  collective_agreement: 'Accord collectif',
  subsidy: 'Subvention',
  none: 'Non récupéré',
};
