import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Context, Hono } from 'hono';

const require = createRequire(import.meta.url);

/** Every file the pages load, served from here: no CDN, nothing fetched from elsewhere. */
// A Map: the name comes from the URL, and "constructor" is no asset.
const files = new Map<string, { path: string; type: string }>([
  ['boucle.css', { path: new URL('./assets/boucle.css', import.meta.url).pathname, type: 'text/css; charset=utf-8' }],
  ['job.js', { path: new URL('./assets/job.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' }],
  ['scan.js', { path: new URL('./assets/scan.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' }],
  // The QR decoder for browsers without BarcodeDetector (Firefox, Safari, desktop Chromium on Linux).
  ['jsqr.js', { path: require.resolve('jsqr/dist/jsQR.js'), type: 'text/javascript; charset=utf-8' }],
  // The maps of /lieux and of the site's place form, drawn with Leaflet (below).
  ['maps.js', { path: new URL('./assets/maps.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' }],
]);

/** Leaflet as its package ships it, under /assets/leaflet/: its stylesheet finds its images beside it (images/marker-icon.png). */
const leaflet = (file: string, type: string) => ({ path: require.resolve(`leaflet/dist/${file}`), type });
const leafletFiles = new Map<string, { path: string; type: string }>([
  ['leaflet.js', leaflet('leaflet.js', 'text/javascript; charset=utf-8')],
  ['leaflet.css', leaflet('leaflet.css', 'text/css; charset=utf-8')],
  ...['marker-icon.png', 'marker-icon-2x.png', 'marker-shadow.png', 'layers.png', 'layers-2x.png'].map(
    (name) => [`images/${name}`, leaflet(`images/${name}`, 'image/png')] as const,
  ),
]);

export function assetRoutes() {
  const cache = new Map<string, Buffer>();
  const serve = (c: Context, known: Map<string, { path: string; type: string }>, name: string) => {
    const file = known.get(name);
    if (!file) return c.text('Not found', 404);
    let content = cache.get(file.path);
    if (!content) {
      content = readFileSync(file.path);
      cache.set(file.path, content);
    }
    return c.body(new Uint8Array(content), 200, { 'content-type': file.type, 'cache-control': 'public, max-age=300' });
  };
  return new Hono()
    .get('/assets/:name', (c) => serve(c, files, c.req.param('name')))
    .get('/assets/leaflet/:name', (c) => serve(c, leafletFiles, c.req.param('name')))
    .get('/assets/leaflet/images/:name', (c) => serve(c, leafletFiles, `images/${c.req.param('name')}`));
}
