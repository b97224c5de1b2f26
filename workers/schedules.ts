import { Queue, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { queues, schedules, type ScheduledTask } from '../src/jobs/queues.ts';

/** The scheduled tasks are looked for in Redis this often: lost ones are back within this time. */
export const defaultScheduleCheckMs = 30_000;

/**
 * Registers the job schedulers of the scheduled tasks, and keeps them registered: Redis may lose
 * them (a restart without persistence, a failover) or be away when the workers start, and a
 * reservation that never expires or a contact never erased must not wait for a worker restart.
 * Every worker process does it; BullMQ keeps one scheduler per task whatever their number.
 */
export function keepSchedulesRegistered(options: { connection: ConnectionOptions; prefix: string; logger: Logger; checkEveryMs?: number }) {
  const { logger, checkEveryMs = defaultScheduleCheckMs } = options;
  const scheduler = new Queue('scheduled-tasks', {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: queues['scheduled-tasks'].options,
  });
  scheduler.on('error', () => {}); // reported by the check below
  let reported = false;

  async function registerMissing(): Promise<ScheduledTask[]> {
    const registered: ScheduledTask[] = [];
    for (const [task, repeat] of Object.entries(schedules) as [ScheduledTask, (typeof schedules)[ScheduledTask]][]) {
      const existing = await scheduler.getJobScheduler(task);
      // A scheduler whose next run is long past lost its next job: registering it again restores it.
      const stalled = existing?.next !== undefined && existing.next < Date.now() - 2 * repeat.every - checkEveryMs;
      if (existing && !stalled) continue;
      await scheduler.upsertJobScheduler(task, repeat, { name: task, data: {} });
      registered.push(task);
    }
    return registered;
  }

  let first = true;
  const check = async () => {
    try {
      const registered = await registerMissing();
      if (registered.length > 0 && !first) logger.warn({ tasks: registered }, 'scheduled tasks were missing from Redis and are registered again');
      first = false;
      reported = false;
    } catch (error) {
      if (!reported) logger.warn({ err: error }, 'cannot register the scheduled tasks yet; trying again');
      reported = true;
    }
  };
  let running: Promise<void> = check();
  const timer = setInterval(() => {
    running = running.then(check);
  }, checkEveryMs);

  return {
    async stop() {
      clearInterval(timer);
      await running;
      await scheduler.close();
    },
  };
}
