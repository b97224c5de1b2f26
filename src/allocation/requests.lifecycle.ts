/**
 * An equipment request's life, as a table like the device lifecycle: `submitted` → checked against
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

export const requestTransitions: Record<RequestStatus, readonly RequestStatus[]> = {
  submitted: ['eligible', 'ineligible', 'cancelled'],
  eligible: ['reserved', 'cancelled', 'expired'],
  ineligible: ['closed'],
  // Back to eligible when a reservation is released or runs out.
  reserved: ['training_scheduled', 'training_completed', 'eligible', 'cancelled'],
  training_scheduled: ['training_completed', 'reserved', 'eligible', 'cancelled'],
  training_completed: ['handed_over', 'eligible', 'cancelled'],
  handed_over: ['closed'],
  closed: [],
  cancelled: [],
  expired: [],
};

/** While a request is in one of these, it holds its reserved device. */
export const holdingStatuses = ['reserved', 'training_scheduled', 'training_completed'] as const satisfies readonly RequestStatus[];

export const canMoveRequest = (from: RequestStatus, to: RequestStatus) => requestTransitions[from].includes(to);
