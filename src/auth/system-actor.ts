import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import type { Actor } from './actor.ts';
import { users } from './auth.schema.ts';
import { hashPassword } from './auth.service.ts';
import { randomBytes } from 'node:crypto';

const systemEmail = 'automatique@boucle.invalid';

/**
 * Who the scheduled tasks act as (reservations that expire, matching, retention): a service
 * account of the coordinator, disabled so nobody can sign in with it, so that every event still
 * names who did it: "Boucle (tâches automatiques)".
 */
export async function systemActor(db: DbOrTx): Promise<Actor> {
  const [existing] = await db
    .select({ user: users, kind: organisations.kind })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.email, systemEmail));
  let user = existing?.user;
  if (!user) {
    const [coordinator] = await db.select().from(organisations).where(and(eq(organisations.kind, 'coordinator'))).limit(1);
    const organisation =
      coordinator ?? (await db.insert(organisations).values({ name: 'Coordination du réseau', shortName: 'Coordination', kind: 'coordinator' }).returning())[0]!;
    await db
      .insert(users)
      .values({
        organisationId: organisation.id,
        email: systemEmail,
        displayName: 'Boucle (tâches automatiques)',
        role: 'admin',
        passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
        disabledAt: new Date(),
      })
      .onConflictDoNothing();
    [user] = await db.select().from(users).where(eq(users.email, systemEmail));
  }
  return {
    userId: user!.id,
    displayName: user!.displayName,
    email: user!.email,
    role: 'admin',
    organisationId: user!.organisationId,
    organisationKind: 'coordinator',
    credentialId: 'system',
  };
}
