import type { Role } from '../auth/roles.ts';

/**
 * Who reads a public donor's reuse attestations and declares its retired stock: the donor's own
 * accounts and the network's coordinator. Anyone else of another organisation does not see the
 * donor at all (404); anyone of the donor in another role is refused (403).
 */
export const reuseAttestationRoles: readonly Role[] = ['admin', 'donor_viewer'];

export const mayReadReuseAttestations = (role: Role) => reuseAttestationRoles.includes(role);
