import type { StatusTransition } from '../status-machine.ts';

/**
 * An apartment's place in the rollout. `not_in_use` is a tenant's normal choice, not a failure:
 * the service is included in the rent and free to use or not.
 */
export const apartmentStatuses = ['planned', 'provisioned', 'credentials_delivered', 'in_use', 'not_in_use', 'suspended'] as const;
export type ApartmentStatus = (typeof apartmentStatuses)[number];

export const optInStatuses = ['unknown', 'in', 'out'] as const;
export type OptInStatus = (typeof optInStatuses)[number];

const suspendable = ['provisioned', 'credentials_delivered', 'in_use', 'not_in_use'] as const satisfies readonly ApartmentStatus[];

/** The statuses a person may set by hand, and from where; `provisioned` is set by provisioning and by a move-out. */
export const apartmentTransitions: readonly StatusTransition<ApartmentStatus>[] = [
  { from: ['provisioned'], to: 'credentials_delivered', guards: [], action: 'Record the letter delivered' },
  { from: ['credentials_delivered', 'not_in_use'], to: 'in_use', guards: [], action: 'Record the service in use' },
  { from: ['credentials_delivered', 'in_use'], to: 'not_in_use', guards: [], action: 'Record the service not in use' },
  { from: suspendable, to: 'suspended', guards: [], action: 'Suspend the service' },
  // A suspension ends where it started: back to the status the apartment was suspended from.
  ...suspendable.map((to) => ({ from: ['suspended'] as const, to, guards: [], action: 'Resume the service', resumes: true as const })),
];
