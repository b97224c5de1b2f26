import type { Role } from '../auth/roles.ts';
import type { StatusTransition } from '../status-machine.ts';

/**
 * A building's shared Wi-Fi rollout, from the landlord's decision to a live service. Each
 * change by hand goes through `transitionDeployment`, which reads this table and nothing else.
 */
export const deploymentStatuses = ['planned', 'surveyed', 'box_installed', 'access_points_installed', 'provisioned', 'live', 'suspended'] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

export const securityModes = ['wpa2_personal', 'wpa2_wpa3_transition', 'wpa3_sae'] as const;
export type SecurityMode = (typeof securityModes)[number];

export const filteringPolicies = ['none', 'malware', 'malware_and_adult'] as const;
export type FilteringPolicy = (typeof filteringPolicies)[number];

/**
 * How the monthly cost reaches tenants. Recovering it through service charges (charges locatives)
 * is legally delicate (the recoverable charges are a closed list), so the landlord states it; it is
 * never assumed.
 */
export const costRecoveries = ['rent', 'service_charge', 'collective_agreement', 'subsidy', 'none'] as const;
export type CostRecovery = (typeof costRecoveries)[number];

export type DeploymentGuard = 'isp_assigned' | 'box_installed' | 'every_landing_has_an_access_point' | 'every_apartment_provisioned' | 'reason_given';

export type DeploymentTransition = StatusTransition<DeploymentStatus, DeploymentGuard> & {
  /** An installer acts only on the deployments assigned to their ISP. */
  roles: readonly Role[];
};

const fieldWork: readonly Role[] = ['installer', 'landlord_manager', 'admin'];
const live = deploymentStatuses.filter((status) => status !== 'suspended');

// access_points_installed → provisioned is not here: the provisioning job sets it when every
// apartment has its SSID and passphrase. The box and the access points are installed by the
// building's installer: a building whose landlord withdrew its installer waits for a new one.
export const deploymentTransitions: readonly DeploymentTransition[] = [
  { from: ['planned'], to: 'surveyed', guards: ['isp_assigned'], roles: fieldWork, action: 'Record the survey' },
  { from: ['surveyed'], to: 'box_installed', guards: ['isp_assigned', 'box_installed'], roles: fieldWork, action: 'Record the box installation' },
  {
    from: ['box_installed'],
    to: 'access_points_installed',
    guards: ['isp_assigned', 'every_landing_has_an_access_point'],
    roles: fieldWork,
    action: 'Record the access points installation',
  },
  { from: ['provisioned'], to: 'live', guards: ['every_apartment_provisioned'], roles: fieldWork, action: 'Open the service' },
  { from: live, to: 'suspended', guards: ['reason_given'], roles: fieldWork, action: 'Suspend the service' },
  // A suspension ends where it started: back to the status the deployment was suspended from.
  ...live.map((to) => ({ from: ['suspended'] as const, to, guards: [], roles: fieldWork, action: 'Resume the service', resumes: true as const })),
];

/** Provisioning gives networks to the apartments that have none: once the access points are in, and again later for new apartments. */
export const provisionableStatuses: readonly DeploymentStatus[] = ['access_points_installed', 'provisioned', 'live'];
