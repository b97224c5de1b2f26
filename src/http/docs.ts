import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

// A Map: the name comes from the URL, and "constructor" is no asset.
const assets = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);

/** Interactive API docs (Swagger UI), served from the installed package: no CDN. */
export function docsRoutes() {
  const folder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  return new Hono()
    .get('/docs', (c) =>
      c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Boucle API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script></body></html>`),
    )
    .get('/docs/assets/init.js', (c) =>
      c.body("SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs' });", 200, {
        'content-type': 'text/javascript; charset=utf-8',
      }),
    )
    .get('/docs/assets/:file', async (c) => {
      const file = c.req.param('file');
      const type = assets.get(file);
      if (!type) return c.notFound();
      let content = cache.get(file);
      if (!content) {
        content = await readFile(join(folder, file));
        cache.set(file, content);
      }
      return c.body(new Uint8Array(content), 200, {
        'content-type': type,
        'cache-control': 'public, max-age=86400',
      });
    });
}
