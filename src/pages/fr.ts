import type { Role } from '../auth/roles.ts';
import type { DeviceKind } from '../devices/devices.types.ts';
import type { DeviceStatus } from '../devices/lifecycle.ts';
import type { WeeeChannel } from '../devices/weee-channels.ts';
import type { CostRecovery, DeploymentStatus } from '../connectivity/deployments.lifecycle.ts';
import type { RequestStatus } from '../allocation/requests.lifecycle.ts';
import type { ApartmentStatus, OptInStatus } from '../connectivity/apartments.lifecycle.ts';
import type { IncidentCategory, IncidentStatus } from '../connectivity/incidents.rules.ts';
import type { OrganisationKind, SiteKind } from '../organisations/organisations.types.ts';
import type { VerificationMethod, WipeTechnique } from '../wiping/policy.ts';
import type { NotCountedReason, ReuseOutcome } from '../reuse/attestation-statement.ts';
import { lookupTable } from '../lookup.ts';
import { euros, inSentence, percent } from '../text.ts';

// The French names that the rules' own reasons use live beside their rules.
export { checklistItemLabels } from '../refurbishment/rules.ts';
export { sanitizationLevelLabels } from '../wiping/policy.ts';

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

/** "cet équipement (ordinateur portable)": French has no one demonstrative for every kind. */
export const thisDeviceInFrench = (kind: DeviceKind) => (kind === 'other' ? 'cet équipement' : `cet équipement (${inSentence(deviceKindLabels[kind])})`);

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
  funder_viewer: 'Financeur (lecture seule)',
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

export const wipeTechniqueLabels: Record<WipeTechnique, string> = {
  overwrite: 'Réécriture',
  ata_secure_erase: 'ATA Secure Erase',
  nvme_sanitize: 'NVMe Sanitize',
  nvme_format: 'NVMe Format',
  crypto_erase: 'Effacement cryptographique',
  block_erase: 'Effacement de blocs',
  physical_destruction: 'Destruction physique',
  storage_removed: 'Support retiré de l’équipement',
};

export const weeeChannelLabels: Record<WeeeChannel, string> = {
  ecosystem: 'ecosystem (éco-organisme agréé)',
  ecologic: 'Ecologic (éco-organisme agréé)',
  municipal_collection_point: 'Déchetterie ou point de collecte de la collectivité',
  licensed_treatment_operator: 'Opérateur de traitement DEEE autorisé',
  other: 'Autre filière (à nommer)',
};

/** What became of a public donor's device, on its reuse attestation. */
export const reuseOutcomeLabels: Record<ReuseOutcome, string> = {
  reused_by_household: 'Réemployé : remis à un foyer',
  recycled: 'Recyclé (filière DEEE)',
  dismantled: 'Démonté pour pièces',
  in_workshop: 'Encore à l’atelier (en traitement ou en stock)',
};

export const notCountedReasonLabels: Record<NotCountedReason, string> = {
  no_prior_commitment: 'Non compté : pas d’engagement préalable',
  not_reused: 'Non compté : pas réemployé',
  reuse_not_proven_yet: 'Non compté : réemploi pas encore prouvé',
};

/** A device's outcome in words, with the WEEE channel of a recycled one. */
export function reuseOutcomeInFrench(device: { outcome: ReuseOutcome; weeeChannel: { channel: string; name: string | null } | null }): string {
  if (!device.weeeChannel) return reuseOutcomeLabels[device.outcome];
  const channel = Object.hasOwn(weeeChannelLabels, device.weeeChannel.channel)
    ? weeeChannelLabels[device.weeeChannel.channel as WeeeChannel]
    : device.weeeChannel.channel;
  return `Recyclé : ${channel}${device.weeeChannel.name ? ` — ${device.weeeChannel.name}` : ''}`;
}

/** A share (0.35) as people read it: 35 %. */
export { euros, percent };

export const verificationLabels: Record<VerificationMethod, string> = { none: 'Aucune', sampled: 'Par échantillonnage', full: 'Complète' };
export const wipeResultLabels = { passed: 'Réussi', failed: 'Échec' } as const;

export const requestStatusLabels: Record<RequestStatus, string> = {
  submitted: 'Déposée',
  eligible: 'Éligible, en attente d’un équipement',
  ineligible: 'Non éligible',
  reserved: 'Réservé : formation à réserver',
  training_scheduled: 'Réservé : formation programmée',
  training_completed: 'Réservé : prêt à remettre',
  handed_over: 'Équipement remis',
  closed: 'Clôturée',
  cancelled: 'Annulée',
  expired: 'Expirée',
};

/** What a mediator attests for a family; a criterion the coordinator added later shows as its key. */
export const criterionLabels = lookupTable({
  child_in_college: 'Un enfant au collège',
  income_below_threshold: 'Revenus sous le plafond du dispositif',
  no_computer_at_home: 'Pas d’ordinateur au foyer',
});
export const criterionLabel = (criterion: string) => criterionLabels[criterion] ?? criterion.replaceAll('_', ' ');

export const organisationKindLabels: Record<OrganisationKind, string> = {
  coordinator: 'Coordination du réseau',
  workshop: 'Atelier (ACI)',
  mediation: 'Structure de médiation',
  landlord: 'Bailleur social',
  donor: 'Donateur',
  isp: 'Fournisseur d’accès, installateur',
  funder: 'Financeur du fonds',
};

export const siteKindLabels: Record<SiteKind, string> = {
  collection_point: 'Point de collecte',
  workshop: 'Atelier',
  storage: 'Réserve',
  mediation_place: 'Lieu de médiation',
};

export const incidentCategoryLabels: Record<IncidentCategory, string> = {
  no_signal: 'Pas de signal Wi-Fi',
  slow: 'Connexion lente',
  ap_down: 'Borne d’un palier en panne',
  box_down: 'Box de l’immeuble en panne',
  other: 'Autre problème',
};

export const incidentStatusLabels: Record<IncidentStatus, string> = {
  open: 'Ouvert',
  in_progress: 'En cours',
  resolved: 'Résolu',
  closed: 'Clos',
};

export const apartmentStatusLabels: Record<ApartmentStatus, string> = {
  planned: 'Prévu',
  provisioned: 'Réseau créé',
  credentials_delivered: 'Lettre remise',
  in_use: 'Utilisé',
  not_in_use: 'Non utilisé',
  suspended: 'Suspendu',
};

export const optInLabels: Record<OptInStatus, string> = { unknown: 'Pas de réponse', in: 'Adhère', out: 'Refuse' };

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
/** A date, or a calendar day as stored (2026-01-31), in words. */
export const longDate = (date: Date | string) => dateFormat.format(typeof date === 'string' ? new Date(`${date}T12:00:00Z`) : date);

export const floorLabel = (floor: number) => (floor === 0 ? 'Rez-de-chaussée' : `${floor}e étage`);

/** Why a request is where it is, in French: the allocation module writes its reasons in English. */
export function requestReasonInFrench(reason: string | null): string | null {
  if (!reason) return null;
  const missing = reason.match(/^Not attested for this household: (.+)\.$/);
  if (missing) return `Non attesté pour cette famille : ${missing[1]!.split(', ').map(criterionLabel).join(', ')}.`;
  const outside = reason.match(/^The household's commune \((\w+)\) is outside/);
  if (outside) return `La commune de la famille (${outside[1]}) est hors du territoire du dispositif.`;
  const kinds = reason.match(/^The programme grants (.+), not (\w+)\.$/);
  if (kinds)
    return `Le dispositif attribue : ${kinds[1]!
      .split(', ')
      .map((kind) => deviceKindLabels[kind as DeviceKind] ?? kind)
      .join(', ')} ; pas ce type d’équipement.`;
  const quota = reason.match(/quota for this year \((\d+)\) is reached/);
  if (quota) return `Le quota annuel du dispositif (${quota[1]}) est atteint.`;
  const known = lookupTable({
    'The programme requires no training.': 'Le dispositif ne demande pas de formation.',
    'The family already attended the training.': 'La famille a déjà suivi la formation.',
    'Absent from the training session': 'Absente à la session de formation : réservez-en une autre.',
  });
  return known[reason] ?? reason;
}

/** "1 logement", "3 logements": French plural from 2 on. */
export const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('fr-FR')} ${n > 1 ? many : one}`;
