import type { OrganisationKind } from '../organisations/organisations.types.ts';
import type { Role } from './roles.ts';

/** Who is acting: every domain function that reads or changes organisation data takes one. */
export type Actor = {
  userId: string;
  displayName: string;
  email: string;
  role: Role;
  organisationId: string;
  organisationKind: OrganisationKind;
  credentialId: string;
};

/** The coordinator's admins oversee the whole network; everyone else sees their organisation only. */
export const seesWholeNetwork = (actor: Actor) => actor.role === 'admin';
