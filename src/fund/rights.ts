import type { Actor } from '../auth/actor.ts';
import type { Role } from '../auth/roles.ts';
import { forbidden } from '../errors.ts';

/**
 * Who may do what with the fund: the coordinator records the conventions and the steering
 * committee's shares; a funder reads its own report (what its money paid for), nothing else.
 */
export const fundRights = {
  record_contributions: { roles: ['admin'], refusal: 'Only the network coordinator records the funders’ contributions.' },
  decide_allocations: { roles: ['admin'], refusal: 'Only the network coordinator records the steering committee’s shares.' },
  read_reports: { roles: ['admin', 'funder_viewer'], refusal: 'Only the coordinator and the funders read the fund’s reports.' },
} as const satisfies Record<string, { roles: readonly Role[]; refusal: string }>;

export type FundRight = keyof typeof fundRights;

export const mayInFund = (actor: Actor, right: FundRight) => (fundRights[right].roles as readonly Role[]).includes(actor.role);

/** Refuses (403) an actor the table does not give this right. */
export function requireFundRight(actor: Actor, right: FundRight): void {
  if (!mayInFund(actor, right)) throw forbidden(fundRights[right].refusal);
}
