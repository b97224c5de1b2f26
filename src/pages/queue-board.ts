import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { Hono } from 'hono';
import { viewerOf, type PageEnv } from './session.ts';

export const queueBoardPath = '/admin/queues';

/**
 * bull-board's dashboard of the queues (waiting, failed, retried jobs), for the coordinator's
 * admins only: it shows job payloads and can retry or remove jobs.
 */
export function queueBoardRoutes(queues: readonly Queue[]) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(queueBoardPath);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: adapter, options: { uiConfig: { boardTitle: 'Boucle — files de travail' } } });
  return new Hono<PageEnv>()
    .use(`${queueBoardPath}/*`, async (c, next) => {
      viewerOf(c, ['admin']);
      await next();
    })
    .use(queueBoardPath, async (c, next) => {
      viewerOf(c, ['admin']);
      await next();
    })
    .route(queueBoardPath, adapter.registerPlugin());
}
