/**
 * An apartment's place in the rollout. `not_in_use` is a tenant's normal choice, not a failure:
 * the service is included in the rent and free to use or not.
 */
export const apartmentStatuses = ['planned', 'provisioned', 'credentials_delivered', 'in_use', 'not_in_use', 'suspended'] as const;
export type ApartmentStatus = (typeof apartmentStatuses)[number];

export const optInStatuses = ['unknown', 'in', 'out'] as const;
export type OptInStatus = (typeof optInStatuses)[number];

/** The statuses a person may set by hand, and from where; `provisioned` is set by provisioning and by a move-out. */
export const apartmentTransitions: readonly { from: readonly ApartmentStatus[]; to: ApartmentStatus }[] = [
  { from: ['provisioned'], to: 'credentials_delivered' },
  { from: ['credentials_delivered', 'not_in_use'], to: 'in_use' },
  { from: ['credentials_delivered', 'in_use'], to: 'not_in_use' },
  { from: ['provisioned', 'credentials_delivered', 'in_use', 'not_in_use'], to: 'suspended' },
];
