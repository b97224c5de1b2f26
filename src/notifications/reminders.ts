import { and, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { enrolments, equipmentRequests, households, trainingModules, trainingSessions } from '../allocation/allocation.schema.ts';
import { holdingStatuses } from '../allocation/requests.lifecycle.ts';
import { users } from '../auth/auth.schema.ts';
import type { Db } from '../db/client.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { dateTime } from '../pages/fr.ts';
import { notifications, type notificationKinds } from './notifications.schema.ts';
import type { Transports } from './transports.ts';

type Kind = (typeof notificationKinds)[number];
type Planned = { kind: Kind; channel: 'email' | 'sms'; requestId: string; sessionId: string | null };

const day = 86_400_000;
const parisDay = (date: Date) => new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris' }).format(date);
const parisHour = (date: Date) => Number(new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: 'numeric', hourCycle: 'h23' }).format(date));

/** The channels a family can be reached on, from the contacts it gave. */
const channelsOf = (household: { contactEmail: string | null; contactPhone: string | null }) =>
  [household.contactEmail ? ('email' as const) : undefined, household.contactPhone ? ('sms' as const) : undefined].filter((channel) => channel !== undefined);

/**
 * Works out which reminders are due now and records them with their send jobs, in one
 * transaction: two days before a session, the morning of it (from 7:00, Paris time), and three days
 * before a reservation runs out (to the mediator). Recording is keyed by kind, request, channel and
 * session, so planning again never sends twice.
 */
export async function planReminders(db: Db, now = new Date()): Promise<number> {
  const booked = await db
    .select({ requestId: enrolments.requestId, sessionId: trainingSessions.id, startsAt: trainingSessions.startsAt, household: households })
    .from(enrolments)
    .innerJoin(trainingSessions, eq(trainingSessions.id, enrolments.sessionId))
    .innerJoin(equipmentRequests, eq(equipmentRequests.id, enrolments.requestId))
    .innerJoin(households, eq(households.id, enrolments.householdId))
    .where(
      and(
        eq(enrolments.status, 'enrolled'),
        eq(equipmentRequests.status, 'training_scheduled'),
        gt(trainingSessions.startsAt, now),
        lte(trainingSessions.startsAt, new Date(now.getTime() + 2 * day)),
      ),
    );
  const planned: Planned[] = booked.flatMap((row) => {
    const kinds: Kind[] = ['session_in_two_days'];
    if (parisDay(row.startsAt) === parisDay(now) && parisHour(now) >= 7) kinds.push('session_this_morning');
    return kinds.flatMap((kind) => channelsOf(row.household).map((channel) => ({ kind, channel, requestId: row.requestId, sessionId: row.sessionId })));
  });
  const expiring = await db
    .select({ id: equipmentRequests.id })
    .from(equipmentRequests)
    .where(
      and(
        inArray(equipmentRequests.status, [...holdingStatuses]),
        lte(equipmentRequests.reservedUntil, new Date(now.getTime() + 3 * day)),
        gt(equipmentRequests.reservedUntil, now),
      ),
    );
  planned.push(...expiring.map((request) => ({ kind: 'reservation_expiring' as const, channel: 'email' as const, requestId: request.id, sessionId: null })));
  if (planned.length === 0) return 0;
  return db.transaction(async (tx) => {
    const recorded = await tx.insert(notifications).values(planned).onConflictDoNothing().returning({ id: notifications.id });
    await enqueueInOutbox(
      tx,
      'notifications',
      recorded.map((row) => ({ name: 'notification.send', payload: { notificationId: row.id } })),
    );
    return recorded.length;
  });
}

export type SendOutcome = 'sent' | 'already_sent' | 'no_contact' | 'unknown_notification';

/** Sends one recorded reminder; the address is read now, so an erased contact is never used. */
export async function sendNotification(db: Db, transports: Transports, notificationId: string): Promise<SendOutcome> {
  const [row] = await db
    .select({ notification: notifications, request: equipmentRequests, household: households, mediator: users })
    .from(notifications)
    .innerJoin(equipmentRequests, eq(equipmentRequests.id, notifications.requestId))
    .innerJoin(households, eq(households.id, equipmentRequests.householdId))
    .innerJoin(users, eq(users.id, equipmentRequests.createdByUserId))
    .where(eq(notifications.id, notificationId));
  if (!row) return 'unknown_notification';
  if (row.notification.status === 'sent') return 'already_sent';
  const { notification } = row;
  const [session] = notification.sessionId
    ? await db
        .select({ startsAt: trainingSessions.startsAt, title: trainingModules.title })
        .from(trainingSessions)
        .innerJoin(trainingModules, eq(trainingModules.id, trainingSessions.moduleId))
        .where(eq(trainingSessions.id, notification.sessionId))
    : [];
  const to =
    notification.kind === 'reservation_expiring'
      ? row.mediator.email
      : notification.channel === 'email'
        ? row.household.contactEmail
        : row.household.contactPhone;
  if (!to) {
    await db
      .update(notifications)
      .set({ status: 'failed', lastError: 'No contact to send to (erased or never given).' })
      .where(eq(notifications.id, notificationId));
    return 'no_contact';
  }
  const message =
    notification.kind === 'reservation_expiring'
      ? {
          subject: 'Une réservation d’équipement arrive à échéance',
          text: `Bonjour,\n\nL’équipement réservé pour le foyer ${row.household.reference} le reste jusqu’au ${dateTime(row.request.reservedUntil!)}. Sans remise d’ici là, il retournera en stock.\n\nBoucle`,
        }
      : {
          subject: notification.kind === 'session_this_morning' ? 'Votre formation a lieu aujourd’hui' : 'Rappel : votre formation dans deux jours',
          text: `Bonjour,\n\nVous êtes inscrit(e) à la formation « ${session?.title ?? ''} » le ${session ? dateTime(session.startsAt) : ''}. Elle est nécessaire pour recevoir votre ordinateur.\n\nÀ bientôt !`,
        };
  await db
    .update(notifications)
    .set({ attempts: sql`${notifications.attempts} + 1` })
    .where(eq(notifications.id, notificationId));
  try {
    await transports[notification.kind === 'reservation_expiring' ? 'email' : notification.channel]({ to, ...message });
  } catch (error) {
    await db
      .update(notifications)
      .set({ lastError: (error as Error).message.slice(0, 500) })
      .where(eq(notifications.id, notificationId));
    throw error;
  }
  await db.update(notifications).set({ status: 'sent', sentAt: new Date(), lastError: null }).where(eq(notifications.id, notificationId));
  return 'sent';
}

/** After the last retry: the reminder shows as failed, with the last error kept. */
export async function markNotificationFailed(db: Db, notificationId: string) {
  await db
    .update(notifications)
    .set({ status: 'failed' })
    .where(and(eq(notifications.id, notificationId), eq(notifications.status, 'pending')));
}
