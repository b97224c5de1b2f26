import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);

/** Every file the pages load, served from here: no CDN, nothing fetched from elsewhere. */
// A Map: the name comes from the URL, and "constructor" is no asset.
const files = new Map<string, { path: string; type: string }>([
  ['boucle.css', { path: new URL('./assets/boucle.css', import.meta.url).pathname, type: 'text/css; charset=utf-8' }],
  ['job.js', { path: new URL('./assets/job.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' }],
  ['scan.js', { path: new URL('./assets/scan.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' }],
  // The QR decoder for browsers without BarcodeDetector (Firefox, Safari, desktop Chromium on Linux).
  ['jsqr.js', { path: require.resolve('jsqr/dist/jsQR.js'), type: 'text/javascript; charset=utf-8' }],
]);

export function assetRoutes() {
  const cache = new Map<string, Buffer>();
  return new Hono().get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const file = files.get(name);
    if (!file) return c.text('Not found', 404);
    let content = cache.get(name);
    if (!content) {
      content = readFileSync(file.path);
      cache.set(name, content);
    }
    return c.body(new Uint8Array(content), 200, { 'content-type': file.type, 'cache-control': 'public, max-age=300' });
  });
}
