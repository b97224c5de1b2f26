import type { Role } from '../auth/roles.ts';
import type { StatusTransition } from '../status-machine.ts';

/**
 * The device lifecycle: the whole truth of what may happen to a device, as in DESIGN.md.
 * Every status change goes through `transitionDevice`, which reads this table and nothing else.
 * The other status machines (requests, deployments, apartments, incidents) are tables of the same
 * shape, read by the same functions (src/status-machine.ts).
 */
export const deviceStatuses = ['collected', 'wiped', 'refurbishing', 'ready', 'reserved', 'allocated', 'returned', 'dismantled', 'recycled'] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

export const terminalStatuses: readonly DeviceStatus[] = ['dismantled', 'recycled'];
const nonTerminal = deviceStatuses.filter((status) => !terminalStatuses.includes(status));

/** Guards are named here and implemented in guards.ts; each must hold for the transition to happen. */
export type GuardName =
  | 'no_storage_to_wipe'
  | 'wipe_records_passed'
  | 'work_order_open'
  | 'refurbishment_complete'
  | 'reserved_for_request'
  | 'reservation_released'
  | 'training_completed_and_handed_over'
  | 'return_site_given'
  | 'fault_described'
  | 'recycling_channel_given';

export type Transition = StatusTransition<DeviceStatus, GuardName> & {
  /** Every move of a device names who may make it. */
  roles: readonly Role[];
  /** The device comes back from outside the network: whatever was wiped before no longer holds. */
  changesHands?: true;
  /** A step of an equipment request: the allocation module may take it on the request's behalf (OnBehalfOfRequest). */
  requestStep?: true;
};

/** The people who handle devices: at a workshop bench, a trained mediator, and the coordinator. */
export const benchRoles: readonly Role[] = ['admin', 'workshop_operator', 'mediator'];

// (new) → collected is the registration of a device in a donation (registerDevices, in the intake
// module), not a transition: it gets its asset code, or claims a pre-printed one, there.
export const transitions: readonly Transition[] = [
  { from: ['collected', 'returned'], to: 'wiped', guards: ['wipe_records_passed'], roles: benchRoles, action: 'Mark wiped' },
  {
    from: ['collected'],
    to: 'refurbishing',
    guards: ['no_storage_to_wipe', 'work_order_open'],
    roles: benchRoles,
    action: 'Start refurbishing',
  },
  { from: ['wiped'], to: 'refurbishing', guards: ['work_order_open'], roles: benchRoles, action: 'Start refurbishing' },
  { from: ['refurbishing'], to: 'ready', guards: ['refurbishment_complete'], roles: benchRoles, action: 'Put in stock' },
  {
    from: ['ready'],
    to: 'reserved',
    guards: ['reserved_for_request'],
    roles: ['admin', 'mediator'],
    action: 'Reserve for a request',
    requestStep: true,
  },
  {
    from: ['reserved'],
    to: 'ready',
    guards: ['reservation_released'],
    roles: ['admin', 'mediator', 'workshop_operator'],
    action: 'Release the reservation',
    requestStep: true,
  },
  {
    from: ['reserved'],
    to: 'allocated',
    guards: ['training_completed_and_handed_over'],
    roles: ['admin', 'mediator'],
    action: 'Hand over',
    requestStep: true,
  },
  { from: ['allocated'], to: 'returned', guards: ['return_site_given'], roles: benchRoles, action: 'Take back', changesHands: true },
  { from: ['ready'], to: 'refurbishing', guards: ['fault_described'], roles: benchRoles, action: 'Report a fault' },
  { from: nonTerminal, to: 'dismantled', guards: [], roles: ['admin', 'workshop_operator'], action: 'Dismantle for parts' },
  {
    from: nonTerminal,
    to: 'recycled',
    guards: ['recycling_channel_given'],
    roles: ['admin', 'workshop_operator'],
    action: 'Send to recycling',
  },
];

/** What this role may try on a device in this status: the buttons a scan shows. Guards are checked when tried. */
export function actionsFor(status: DeviceStatus, role: Role) {
  return transitions
    .filter((transition) => transition.from.includes(status) && transition.roles.includes(role))
    .map((transition) => ({ to: transition.to, action: transition.action, guards: [...transition.guards] }));
}
