import type { StatusTransition } from '../status-machine.ts';

/**
 * Incident categories and how fast each must be fixed, in working days (weekends and French
 * public holidays excluded). The landlord's maintenance contract sets these; change them here.
 */
export const incidentCategories = ['no_signal', 'slow', 'ap_down', 'box_down', 'other'] as const;
export type IncidentCategory = (typeof incidentCategories)[number];

export const workingDaysToFix: Record<IncidentCategory, number> = {
  // The whole building is cut off.
  box_down: 1,
  // A landing is cut off.
  ap_down: 2,
  no_signal: 3,
  slow: 5,
  other: 10,
};

export const incidentStatuses = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

/** Where an incident may go next. Resolving says what was done (a note). */
export const incidentTransitions: readonly StatusTransition<IncidentStatus>[] = [
  { from: ['open'], to: 'in_progress', guards: [], action: 'Start the repair' },
  { from: ['open', 'in_progress'], to: 'resolved', guards: [], action: 'Record the fix' },
  { from: ['resolved'], to: 'closed', guards: [], action: 'Close the incident' },
  // A resolved incident that is not fixed after all is reopened.
  { from: ['resolved'], to: 'open', guards: [], action: 'Reopen the incident' },
];

/** Still waiting for a fix: what counts as open on the dashboard and what can be overdue. */
export const unresolvedStatuses: readonly IncidentStatus[] = ['open', 'in_progress'];
