import { index, integer, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { equipmentRequests, trainingSessions } from '../allocation/allocation.schema.ts';

export const notificationKinds = ['session_in_two_days', 'session_this_morning', 'reservation_expiring'] as const;
export const notificationKind = pgEnum('notification_kind', notificationKinds);
export const notificationChannel = pgEnum('notification_channel', ['email', 'sms']);
export const notificationStatus = pgEnum('notification_status', ['pending', 'sent', 'failed']);

/**
 * A reminder, recorded before it is sent and kept with its outcome. The address is not copied
 * here: it is read from the family or the mediator when sending, so erasing a contact erases it.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: notificationKind().notNull(),
    channel: notificationChannel().notNull(),
    requestId: uuid()
      .notNull()
      .references(() => equipmentRequests.id),
    sessionId: uuid().references(() => trainingSessions.id),
    status: notificationStatus().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    lastError: text(),
    sentAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    // One reminder of a kind per request (and session): planning twice sends once.
    unique('notifications_once').on(table.kind, table.requestId, table.channel, table.sessionId).nullsNotDistinct(),
    index().on(table.status),
  ],
);
