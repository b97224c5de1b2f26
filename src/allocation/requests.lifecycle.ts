import type { StatusTransition } from '../status-machine.ts';

/**
 * An equipment request's life, as a table of the device lifecycle's shape: `submitted` → checked against
 * the programme (`eligible` / `ineligible`) → a device held (`reserved`) → training booked and
 * attended → `handed_over` → `closed`; `cancelled` and `expired` on the side.
 */
export const requestStatuses = [
  'submitted',
  'eligible',
  'ineligible',
  'reserved',
  'training_scheduled',
  'training_completed',
  'handed_over',
  'closed',
  'cancelled',
  'expired',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export const requestTransitions: readonly StatusTransition<RequestStatus>[] = [
  { from: ['submitted'], to: 'eligible', guards: [], action: 'Accept under the programme' },
  { from: ['submitted'], to: 'ineligible', guards: [], action: 'Refuse under the programme' },
  { from: ['submitted', 'eligible', 'reserved', 'training_scheduled', 'training_completed'], to: 'cancelled', guards: [], action: 'Cancel the request' },
  { from: ['eligible'], to: 'reserved', guards: [], action: 'Reserve a device' },
  { from: ['eligible'], to: 'expired', guards: [], action: 'Let the request expire' },
  { from: ['ineligible', 'handed_over'], to: 'closed', guards: [], action: 'Close the request' },
  // Back to eligible when a reservation is released or runs out.
  { from: ['reserved', 'training_scheduled', 'training_completed'], to: 'eligible', guards: [], action: 'Release the reservation' },
  { from: ['reserved'], to: 'training_scheduled', guards: [], action: 'Book the training' },
  // Straight from reserved when the programme requires no training, or the family already attended it.
  { from: ['reserved', 'training_scheduled'], to: 'training_completed', guards: [], action: 'Record the training attended' },
  { from: ['training_scheduled'], to: 'reserved', guards: [], action: 'Record an absence from the training' },
  { from: ['training_completed'], to: 'handed_over', guards: [], action: 'Hand the device over' },
];

/** While a request is in one of these, it holds its reserved device. */
export const holdingStatuses = ['reserved', 'training_scheduled', 'training_completed'] as const satisfies readonly RequestStatus[];
