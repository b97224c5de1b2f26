import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { DomainError, forbidden, notFound, ValidationError } from '../errors.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { getOrganisation, ownedBy, requireAdmin } from '../organisations/organisations.service.ts';
import { seesWholeNetwork, type Actor } from './actor.ts';
import { credentials, users } from './auth.schema.ts';
import { hashPassword } from './auth.service.ts';
import { organisationKindsForRole, roleLabels, type Role } from './roles.ts';

const publicColumns = {
  id: users.id,
  organisationId: users.organisationId,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
};

export type NewUser = { organisationId: string; email: string; displayName: string; role: Role; password: string };

/** Inserts a user after checking that the role fits the organisation; no permission check (bootstrap, seed). */
export async function insertUser(db: DbOrTx, input: NewUser) {
  const [organisation] = await db.select().from(organisations).where(eq(organisations.id, input.organisationId));
  if (!organisation) throw notFound('This organisation');
  const allowedKinds = organisationKindsForRole[input.role];
  if (!allowedKinds.includes(organisation.kind)) {
    throw new ValidationError([
      {
        path: 'role',
        message: `A ${roleLabels[input.role]} belongs to a ${allowedKinds.join(' or ')} organisation; ${organisation.name} is a ${organisation.kind}.`,
      },
    ]);
  }
  const { password, ...fields } = input;
  const [user] = await db
    .insert(users)
    .values({ ...fields, email: fields.email.toLowerCase(), passwordHash: await hashPassword(password) })
    .onConflictDoNothing()
    .returning(publicColumns);
  if (!user) throw new DomainError(409, 'email_taken', `An account already uses ${input.email}.`);
  return user;
}

export async function createUser(db: DbOrTx, actor: Actor, input: NewUser) {
  requireAdmin(actor, 'create accounts');
  await getOrganisation(db, actor, input.organisationId);
  return insertUser(db, input);
}

export async function listUsers(db: DbOrTx, actor: Actor, filter: { organisationId?: string } = {}) {
  return db
    .select(publicColumns)
    .from(users)
    .where(and(ownedBy(actor, users.organisationId), filter.organisationId ? eq(users.organisationId, filter.organisationId) : undefined))
    .orderBy(users.displayName);
}

export async function getUser(db: DbOrTx, actor: Actor, id: string) {
  const [user] = await db
    .select(publicColumns)
    .from(users)
    .where(and(eq(users.id, id), ownedBy(actor, users.organisationId)));
  if (!user) throw notFound('This user');
  return user;
}

export type UserChanges = { displayName?: string; password?: string; disabled?: boolean };

/** People change their own name and password; the coordinator also disables accounts. */
export async function updateUser(db: DbOrTx, actor: Actor, id: string, changes: UserChanges) {
  await getUser(db, actor, id);
  const isSelf = actor.userId === id;
  if (!seesWholeNetwork(actor) && !isSelf) throw forbidden('Only the network coordinator can change other accounts.');
  if (changes.disabled !== undefined && !seesWholeNetwork(actor)) {
    throw forbidden('Only the network coordinator can disable or enable accounts.');
  }
  if (changes.disabled && isSelf) {
    throw new DomainError(409, 'cannot_disable_self', 'You cannot disable your own account.');
  }
  return db.transaction(async (tx) => {
    const [user] = await tx
      .update(users)
      .set({
        displayName: changes.displayName,
        passwordHash: changes.password === undefined ? undefined : await hashPassword(changes.password),
        disabledAt: changes.disabled === undefined ? undefined : changes.disabled ? sql`coalesce(${users.disabledAt}, now())` : null,
      })
      .where(eq(users.id, id))
      .returning(publicColumns);
    // A new password or a disabled account ends every session and token issued before.
    if (changes.password !== undefined || changes.disabled) {
      await tx
        .update(credentials)
        .set({ revokedAt: new Date() })
        .where(and(eq(credentials.userId, id), sql`${credentials.revokedAt} is null`));
    }
    return user!;
  });
}
