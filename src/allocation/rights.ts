import type { Actor } from '../auth/actor.ts';
import type { Role } from '../auth/roles.ts';
import { forbidden } from '../errors.ts';

/**
 * Who may do what in allocation, in one place. Mediators follow families (record them, file
 * their requests, book and train them, hand the device over); the network's coordinator sets
 * the offer (programmes, training modules) and may act on any request. Who sees which family or
 * request (their own organisation's, the whole network's) is `visibleHouseholds`/`visibleRequests`.
 */
export const allocationRights = {
  set_up_programmes: { roles: ['admin'], refusal: 'Only the network coordinator can set up programmes.' },
  define_training_modules: { roles: ['admin'], refusal: 'Only the network coordinator can define training modules.' },
  record_families: { roles: ['mediator'], refusal: 'Only mediators record families.' },
  file_requests: { roles: ['mediator'], refusal: 'Only mediators file equipment requests.' },
  reserve_devices: { roles: ['admin', 'mediator'], refusal: 'Only mediators and the coordinator reserve devices.' },
  run_training_sessions: { roles: ['admin', 'mediator'], refusal: 'Only mediators and the coordinator run training sessions.' },
  record_attendance: { roles: ['admin', 'mediator'], refusal: 'Only mediators and the coordinator record attendance.' },
  hand_over: { roles: ['admin', 'mediator'], refusal: 'Only mediators hand devices over.' },
} as const satisfies Record<string, { roles: readonly Role[]; refusal: string }>;

export type AllocationRight = keyof typeof allocationRights;

export const mayInAllocation = (actor: Actor, right: AllocationRight) => (allocationRights[right].roles as readonly Role[]).includes(actor.role);

/** Refuses (403) an actor the table does not give this right. */
export function requireAllocationRight(actor: Actor, right: AllocationRight): void {
  if (!mayInAllocation(actor, right)) throw forbidden(allocationRights[right].refusal);
}
