import type { OrganisationKind } from '../organisations/organisations.types.ts';

export const roles = ['admin', 'workshop_operator', 'mediator', 'landlord_manager', 'donor_viewer', 'installer', 'funder_viewer'] as const;
export type Role = (typeof roles)[number];

/** Which organisations a role makes sense in; a user's role must fit their organisation's kind. */
export const organisationKindsForRole: Record<Role, readonly OrganisationKind[]> = {
  admin: ['coordinator'],
  workshop_operator: ['workshop', 'coordinator'],
  mediator: ['mediation', 'coordinator'],
  landlord_manager: ['landlord'],
  donor_viewer: ['donor'],
  installer: ['isp'],
  funder_viewer: ['funder'],
};

export const roleLabels: Record<Role, string> = {
  admin: 'network coordinator',
  workshop_operator: 'workshop operator',
  mediator: 'mediator',
  landlord_manager: 'landlord manager',
  donor_viewer: 'donor',
  installer: 'installer',
  funder_viewer: 'funder (read-only)',
};
