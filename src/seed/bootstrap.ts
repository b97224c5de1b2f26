import { sql } from 'drizzle-orm';
import { users } from '../auth/auth.schema.ts';
import { insertUser } from '../auth/users.service.ts';
import type { Db } from '../db/client.ts';
import { organisations } from '../organisations/organisations.schema.ts';

/**
 * On a database without any account, creates the first admin (of a coordinator organisation)
 * from BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD. Does nothing once anyone exists.
 */
export async function bootstrapAdmin(db: Db, admin: { email: string; password: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('boucle:bootstrap'))`);
    const [{ count }] = (await tx.select({ count: sql<number>`count(*)::int` }).from(users)) as [{ count: number }];
    if (count > 0) return false;
    const [coordinator] = await tx
      .insert(organisations)
      .values({ name: 'Coordination du réseau', shortName: 'Coordination', kind: 'coordinator' })
      .returning();
    await insertUser(tx, { organisationId: coordinator!.id, email: admin.email, displayName: 'Administrateur', role: 'admin', password: admin.password });
    return true;
  });
}
