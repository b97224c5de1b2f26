import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { Hono, type MiddlewareHandler } from 'hono';
import { viewerOf, type PageEnv } from './session.ts';

export const queueBoardPath = '/admin/queues';

const require = createRequire(import.meta.url);

/**
 * The fonts bull-board's page asks Google for (IBM Plex Sans 400/500/600, Mono 400/500), served
 * from the installed @fontsource packages instead: the pages load nothing from another host.
 */
const fontFamilies = new Map([
  ['ibm-plex-sans', { folder: dirname(require.resolve('@fontsource/ibm-plex-sans/package.json')), weights: ['400', '500', '600'] }],
  ['ibm-plex-mono', { folder: dirname(require.resolve('@fontsource/ibm-plex-mono/package.json')), weights: ['400', '500'] }],
]);
const fontFile = /^(?:(\d00)\.css|files\/[a-z0-9-]+\.woff2?)$/;
const fontTypes = { css: 'text/css; charset=utf-8', woff2: 'font/woff2', woff: 'font/woff' } as const;

const localFontLinks = [...fontFamilies]
  .flatMap(([family, { weights }]) => weights.map((weight) => `<link href="fonts/${family}/${weight}.css" rel="stylesheet">`))
  .join('\n');

/**
 * bull-board's page as Boucle serves its own: in French (`lang="fr"`, its interface follows the
 * browser's language) and with its fonts from here rather than fonts.googleapis.com.
 */
function servedLikeOurPages(html: string): string {
  return html
    .replace(/<html lang="[^"]*"/, '<html lang="fr"')
    .replace(/\s*<link[^>]*href="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>/g, '')
    .replace('</head>', `${localFontLinks}\n</head>`);
}

const rewriteEntryPage: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.req.method !== 'GET' || !c.res.headers.get('content-type')?.startsWith('text/html')) return;
  const html = servedLikeOurPages(await c.res.text());
  c.res = new Response(html, { status: c.res.status, headers: c.res.headers });
};

/**
 * bull-board's dashboard of the queues (waiting, failed, retried jobs), for the coordinator's
 * admins only: it shows job payloads and can retry or remove jobs.
 */
export function queueBoardRoutes(queues: readonly Queue[]) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(queueBoardPath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Boucle — files de travail' } },
  });
  const fonts = new Map<string, Buffer>();
  const adminsOnly: MiddlewareHandler<PageEnv> = async (c, next) => {
    viewerOf(c, ['admin']);
    await next();
  };
  return (
    new Hono<PageEnv>()
      .use(`${queueBoardPath}/*`, adminsOnly)
      .use(queueBoardPath, adminsOnly)
      // `/*` also matches the bare path: once is enough, or the page would be rewritten twice.
      .use(`${queueBoardPath}/*`, rewriteEntryPage)
      .get(`${queueBoardPath}/fonts/:family/*`, async (c) => {
        const family = fontFamilies.get(c.req.param('family'));
        const file = c.req.path.slice(`${queueBoardPath}/fonts/${c.req.param('family')}/`.length);
        const match = file.match(fontFile);
        if (!family || !match || (match[1] && !family.weights.includes(match[1]))) return c.notFound();
        const key = join(family.folder, file);
        let content = fonts.get(key);
        if (!content) {
          content = await readFile(key).catch(() => undefined);
          if (!content) return c.notFound();
          fonts.set(key, content);
        }
        const type = fontTypes[file.slice(file.lastIndexOf('.') + 1) as keyof typeof fontTypes];
        return c.body(new Uint8Array(content), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
      })
      .route(queueBoardPath, adapter.registerPlugin())
  );
}
