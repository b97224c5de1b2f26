import { eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../db/client.ts';
import { networkCoordinator } from '../organisations/organisations.service.ts';
import type { Actor } from './actor.ts';
import { users } from './auth.schema.ts';
import { hashPassword } from './auth.service.ts';

/** The service account's address: `.invalid` (RFC 2606), so it can never receive mail nor be a person's. */
export const serviceAccountEmail = 'automatique@boucle.invalid';

/**
 * Who the scheduled tasks act as (reservations that expire, matching, retention): a service
 * account of the coordinator, disabled so nobody can sign in with it, so that every event still
 * names who did it: "Boucle (tâches automatiques)". It is never a person: it does not count as
 * the network's first account (bootstrapAdmin).
 */
export async function systemActor(db: DbOrTx): Promise<Actor> {
  let [user] = await db.select().from(users).where(eq(users.email, serviceAccountEmail));
  if (!user) {
    user = await db.transaction(async (tx) => {
      const coordinator = await networkCoordinator(tx);
      await tx
        .insert(users)
        .values({
          organisationId: coordinator.id,
          email: serviceAccountEmail,
          displayName: 'Boucle (tâches automatiques)',
          role: 'admin',
          passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
          disabledAt: new Date(),
        })
        .onConflictDoNothing();
      const [created] = await tx.select().from(users).where(eq(users.email, serviceAccountEmail));
      return created!;
    });
  }
  return {
    userId: user.id,
    displayName: user.displayName,
    email: user.email,
    role: 'admin',
    organisationId: user.organisationId,
    organisationKind: 'coordinator',
    credentialId: 'system',
  };
}
