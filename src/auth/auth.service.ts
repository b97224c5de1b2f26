import { createHash, randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { DomainError, notFound } from '../errors.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import type { Actor } from './actor.ts';
import { credentials, users } from './auth.schema.ts';

// OWASP's recommended argon2id settings: 19 MiB of memory, 2 passes, 1 lane.
const argon2Options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const sessionLifetimeMs = 12 * 3600 * 1000;
const lastUsedResolutionMs = 5 * 60 * 1000;

export const hashPassword = (password: string) => argon2.hash(password, argon2Options);

let dummyHash: Promise<string> | undefined;

/** Same work whether or not the e-mail exists, so response times do not reveal who has an account. */
async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (hash === undefined) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await argon2.verify(await dummyHash, password);
    return false;
  }
  return argon2.verify(hash, password);
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

const invalidCredentials = () => new DomainError(401, 'invalid_credentials', 'The e-mail address or the password is wrong.');

export type IssuedCredential = { id: string; secret: string; expiresAt: Date | null };

/** Checks e-mail and password, then issues a browser session or an API token (only its hash is stored). */
export async function issueCredential(
  db: DbOrTx,
  input: { email: string; password: string; kind: 'session' | 'api_token'; label?: string },
  now = new Date(),
): Promise<IssuedCredential> {
  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(sql`lower(${users.email})`, input.email.toLowerCase()));
  const passwordMatches = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !passwordMatches || user.disabledAt) throw invalidCredentials();
  const secret = `${input.kind === 'session' ? 'bcs' : 'bct'}_${randomBytes(32).toString('base64url')}`;
  const expiresAt = input.kind === 'session' ? new Date(now.getTime() + sessionLifetimeMs) : null;
  const [row] = await db
    .insert(credentials)
    .values({ userId: user.id, kind: input.kind, label: input.label, secretHash: hashSecret(secret), expiresAt })
    .returning({ id: credentials.id });
  return { id: row!.id, secret, expiresAt };
}

/** Built once per database (it runs on every request), and prepared on each connection. */
function credentialLookup(db: Db) {
  return db
    .select({
      credentialId: credentials.id,
      lastUsedAt: credentials.lastUsedAt,
      userId: users.id,
      displayName: users.displayName,
      email: users.email,
      role: users.role,
      organisationId: users.organisationId,
      organisationKind: organisations.kind,
    })
    .from(credentials)
    .innerJoin(users, eq(users.id, credentials.userId))
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        eq(credentials.secretHash, sql.placeholder('secretHash')),
        isNull(credentials.revokedAt),
        isNull(users.disabledAt),
        or(isNull(credentials.expiresAt), gt(credentials.expiresAt, sql.placeholder('now'))),
      ),
    )
    .prepare('authenticate');
}
const credentialLookups = new WeakMap<Db, ReturnType<typeof credentialLookup>>();

/** The actor behind a session cookie or a bearer token, or null when it is unknown, revoked or expired. */
export async function authenticate(db: Db, secret: string, now = new Date()): Promise<Actor | null> {
  let lookup = credentialLookups.get(db);
  if (!lookup) {
    lookup = credentialLookup(db);
    credentialLookups.set(db, lookup);
  }
  // Placeholders skip column mapping: the time goes as the text Postgres reads.
  const [row] = await lookup.execute({ secretHash: hashSecret(secret), now: now.toISOString() });
  if (!row) return null;
  // Recorded coarsely: writing on every request would cost a row lock per scan.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > lastUsedResolutionMs) {
    await db.update(credentials).set({ lastUsedAt: now }).where(eq(credentials.id, row.credentialId));
  }
  const { lastUsedAt: _lastUsedAt, ...actor } = row;
  return actor;
}

export async function listApiTokens(db: DbOrTx, actor: Actor) {
  return db
    .select({
      id: credentials.id,
      label: credentials.label,
      createdAt: credentials.createdAt,
      lastUsedAt: credentials.lastUsedAt,
      revokedAt: credentials.revokedAt,
    })
    .from(credentials)
    .where(and(eq(credentials.userId, actor.userId), eq(credentials.kind, 'api_token')))
    .orderBy(credentials.createdAt);
}

/** Revokes one of the actor's own credentials (a token, or the current session at logout). */
export async function revokeCredential(db: DbOrTx, actor: Actor, credentialId: string, now = new Date()): Promise<void> {
  const revoked = await db
    .update(credentials)
    .set({ revokedAt: now })
    .where(and(eq(credentials.id, credentialId), eq(credentials.userId, actor.userId), isNull(credentials.revokedAt)))
    .returning({ id: credentials.id });
  if (revoked.length === 0) throw notFound('This token');
}
