import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { roles } from './roles.ts';
import { organisations } from '../organisations/organisations.schema.ts';

export const role = pgEnum('role', roles);

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    email: text().notNull(),
    displayName: text().notNull(),
    role: role().notNull(),
    passwordHash: text().notNull(),
    disabledAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('users_email_unique').on(sql`lower(${table.email})`), index().on(table.organisationId)],
);

/** Browser sessions (cookie) and API tokens (bearer) share one shape: only a SHA-256 of the secret is kept. */
export const credentialKinds = ['session', 'api_token'] as const;
export const credentialKind = pgEnum('credential_kind', credentialKinds);

export const credentials = pgTable(
  'credentials',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    kind: credentialKind().notNull(),
    label: text(),
    secretHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }),
    lastUsedAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.secretHash), index().on(table.userId)],
);

/**
 * Sign-in attempts counted by rate-limiter-flexible (its drizzle store: `key`, `points`,
 * `expire`): failures per account and per client address, their backoff blocks, the addresses an
 * account signed in from. Keys are HMACs (src/auth/sign-in-throttle.ts), so the table holds no
 * e-mail address nor IP address; rows expire within hours, known addresses within 30 days.
 */
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    key: text().primaryKey(),
    points: integer().notNull().default(0),
    expire: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [index().on(table.expire)],
);
