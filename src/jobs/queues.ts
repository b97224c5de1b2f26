import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';

/**
 * Every queue, declared once: its payload (ids, never whole objects) and its job options.
 * Failed jobs are kept a month for inspection; retries back off exponentially.
 */
const keepForInspection: DefaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  // Completed jobs stay a day so that a relay re-sending an outbox row within that time is
  // recognised by its job id; processors are idempotent beyond that anyway.
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export const queues = {
  'device-events': {
    payload: z.object({ eventId: z.number().int().positive() }),
    options: keepForInspection,
  },
  'label-batches': {
    payload: z.object({ batchId: z.uuid() }),
    options: keepForInspection,
  },
  'wipe-certificates': {
    payload: z.object({ eventId: z.number().int().positive() }),
    options: keepForInspection,
  },
  'handover-receipts': {
    payload: z.object({ handoverId: z.uuid() }),
    options: keepForInspection,
  },
  notifications: {
    payload: z.object({ notificationId: z.uuid() }),
    // A mail server down for a while: retried over about an hour before the reminder shows as failed.
    options: { ...keepForInspection, attempts: 6, backoff: { type: 'exponential', delay: 60_000 } },
  },
  // Time-driven work (job schedulers, not the outbox): expiring reservations, matching, retention.
  'scheduled-tasks': {
    payload: z.object({}),
    options: { ...keepForInspection, attempts: 3 },
  },
  'intake-imports': {
    payload: z.object({ jobId: z.uuid() }),
    options: keepForInspection,
  },
  // Other actors' places from a file in the national schema, upserted by their id.
  'place-imports': {
    payload: z.object({ jobId: z.uuid() }),
    options: keepForInspection,
  },
  // A building's SSIDs and passphrases, then its letters and access point configurations.
  'wifi-provisioning': {
    payload: z.object({ jobId: z.uuid() }),
    options: keepForInspection,
  },
  // Letters and configurations renewed after a move-out, a renamed SSID or a changed setting.
  'wifi-outputs': {
    payload: z.object({ jobId: z.uuid() }),
    options: keepForInspection,
  },
} as const;

export type QueueName = keyof typeof queues;
export type JobPayload<Q extends QueueName> = z.infer<(typeof queues)[Q]['payload']>;
export const queueNames = Object.keys(queues) as QueueName[];

/** The scheduled tasks and how often they run (BullMQ job schedulers, registered by the workers). */
export const schedules = {
  'expire-reservations': { every: 60_000 },
  'match-requests': { every: 60_000 },
  'erase-expired-contacts': { every: 24 * 3600_000 },
  'plan-reminders': { every: 5 * 60_000 },
  'expire-idempotency-keys': { every: 3600_000 },
  // Derived figures checked against the events they come from; drifts repaired and logged.
  'reconcile-stock-counters': { every: 3600_000 },
  // Training and Wi-Fi events have no job of their own: counted in the indicators every minute.
  'count-activity-indicators': { every: 60_000 },
  'reconcile-indicator-rollups': { every: 3600_000 },
  'prune-outbox': { every: 24 * 3600_000 },
  'forget-sign-in-attempts': { every: 3600_000 },
} as const;
export type ScheduledTask = keyof typeof schedules;

/** A producer handle on every queue, with its declared options (the relay's, the queue dashboard's). */
export function openQueues(redis: RedisOptions, prefix: string): Map<QueueName, Queue> {
  const connection = redis as ConnectionOptions;
  return new Map(queueNames.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: queues[name].options })]));
}
