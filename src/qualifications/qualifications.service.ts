import { and, desc, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { getUser } from '../auth/users.service.ts';
import type { DbOrTx } from '../db/client.ts';
import { forbidden, ValidationError } from '../errors.ts';
import { requireAdmin } from '../organisations/organisations.service.ts';
import { qualifications, type qualificationKinds } from './qualifications.schema.ts';

export type QualificationKind = (typeof qualificationKinds)[number];

const kindLabels: Record<QualificationKind, string> = { data_wiping: 'data wiping', refurbishment: 'refurbishment' };

/** Training records are kept by the coordinator, who organises the trainings and checks certificates. */
export async function recordQualification(
  db: DbOrTx,
  actor: Actor,
  userId: string,
  input: { kind: QualificationKind; issuer: string; issuedOn: string; expiresOn: string },
) {
  requireAdmin(actor, 'record qualifications');
  await getUser(db, actor, userId);
  if (input.expiresOn <= input.issuedOn) {
    throw new ValidationError([{ path: 'expiresOn', message: 'The expiry date comes after the date it was issued.' }]);
  }
  const [row] = await db
    .insert(qualifications)
    .values({ ...input, userId, recordedByUserId: actor.userId })
    .returning();
  return row!;
}

export async function listQualifications(db: DbOrTx, actor: Actor, userId: string) {
  await getUser(db, actor, userId);
  return db.select().from(qualifications).where(eq(qualifications.userId, userId)).orderBy(desc(qualifications.expiresOn));
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Refuses (403) an actor without a qualification of this kind valid today; an expired one is
 * named with its expiry date, so the person knows to renew it.
 */
export async function requireValidQualification(db: DbOrTx, actor: Actor, kind: QualificationKind, now = new Date()) {
  const [latest] = await db
    .select()
    .from(qualifications)
    .where(and(eq(qualifications.userId, actor.userId), eq(qualifications.kind, kind)))
    .orderBy(desc(qualifications.expiresOn))
    .limit(1);
  if (!latest) throw forbidden(`Recording this needs a ${kindLabels[kind]} qualification, and you hold none.`);
  if (latest.expiresOn < isoDay(now)) {
    throw forbidden(`Your ${kindLabels[kind]} qualification (${latest.issuer}) expired on ${latest.expiresOn}: renew it first.`);
  }
  if (latest.issuedOn > isoDay(now)) {
    throw forbidden(`Your ${kindLabels[kind]} qualification (${latest.issuer}) is valid from ${latest.issuedOn} only.`);
  }
  return latest;
}
