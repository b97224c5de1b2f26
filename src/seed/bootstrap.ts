import { ne, sql } from 'drizzle-orm';
import { users } from '../auth/auth.schema.ts';
import { serviceAccountEmail } from '../auth/system-actor.ts';
import { insertUser } from '../auth/users.service.ts';
import type { Db } from '../db/client.ts';
import { networkCoordinator } from '../organisations/organisations.service.ts';

/**
 * On a database where no person has an account yet, creates the first admin (of the coordinator
 * organisation) from BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD. Every entry point calls
 * it, so the admin exists whatever starts first; the workers' service account is not a person and
 * never stands in for one. Does nothing once anyone exists.
 */
export async function bootstrapAdmin(db: Db, admin: { email: string; password: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('boucle:bootstrap'))`);
    const people = await tx.$count(users, ne(users.email, serviceAccountEmail));
    if (people > 0) return false;
    const coordinator = await networkCoordinator(tx);
    await insertUser(tx, { organisationId: coordinator.id, email: admin.email, displayName: 'Administrateur', role: 'admin', password: admin.password });
    return true;
  });
}
