import { describe, expect, it } from 'vitest';
import { allocationRights, requireAllocationRight, type AllocationRight } from '../src/allocation/rights.ts';
import type { Actor } from '../src/auth/actor.ts';
import { organisationKindsForRole, roles } from '../src/auth/roles.ts';
import { DomainError } from '../src/errors.ts';

/** Every right of the allocation table (src/allocation/rights.ts), for every role: allowed exactly when the table says so. */
const actorOf = (role: Actor['role']): Actor => ({
  userId: '0b7f6a52-3c1e-4e0f-9a51-6f2d7c9e4a10',
  displayName: 'Test',
  email: 'test@example.org',
  role,
  organisationId: '0b7f6a52-3c1e-4e0f-9a51-6f2d7c9e4a11',
  organisationKind: organisationKindsForRole[role][0]!,
  credentialId: 'test',
});

describe('the allocation rights table', () => {
  for (const [right, { roles: allowed, refusal }] of Object.entries(allocationRights) as [AllocationRight, (typeof allocationRights)[AllocationRight]][]) {
    for (const role of roles) {
      const may = (allowed as readonly string[]).includes(role);
      it(`${may ? 'lets' : 'refuses'} ${role} ${right.replaceAll('_', ' ')}`, () => {
        const attempt = () => requireAllocationRight(actorOf(role), right);
        if (may) return expect(attempt).not.toThrow();
        try {
          attempt();
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect(error).toMatchObject({ status: 403, code: 'forbidden', message: refusal });
        }
      });
    }
  }
});
