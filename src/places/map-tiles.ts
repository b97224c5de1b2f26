/**
 * The map's background: raster tiles from a tile server, a setting (`MAP_TILES_URL`) since a
 * network may run its own or pay for one. The default is OpenStreetMap France's, whose usage
 * policy allows a modest public site with attribution. The pages' content security policy lets
 * images come from the tile hosts, and from nowhere else: with no tile reachable, the markers
 * and the list of places still work.
 */
export const defaultMapTilesUrl = 'https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png';
export const defaultMapAttribution = '© les contributrices et contributeurs d’OpenStreetMap';

// Leaflet's own default: `{s}` in a template picks one of these hosts for each tile.
const subdomains = ['a', 'b', 'c'];

export type MapTiles = {
  /** A Leaflet URL template: `{z}`, `{x}`, `{y}`, and `{s}` for one of `subdomains`. */
  url: string;
  subdomains: string[];
  /** The origins tiles come from, as the content security policy's img-src names them. */
  origins: string[];
  attribution: string;
};

/** The tile layer of a template, or why it is not one (in English, for the configuration's one-line refusal). */
export function mapTilesOf(url: string, attribution = defaultMapAttribution): { ok: true; tiles: MapTiles } | { ok: false; reason: string } {
  const missing = ['{z}', '{x}', '{y}'].filter((placeholder) => !url.includes(placeholder));
  if (missing.length > 0) return { ok: false, reason: `must hold ${missing.join(', ')} (e.g. ${defaultMapTilesUrl})` };
  const hosts = url.includes('{s}') ? subdomains.map((subdomain) => url.replaceAll('{s}', subdomain)) : [url];
  const origins: string[] = [];
  for (const host of hosts) {
    let parsed: URL;
    try {
      parsed = new URL(host.replace(/\{[zxy]\}/g, '0'));
    } catch {
      return { ok: false, reason: `must be a URL template such as ${defaultMapTilesUrl}` };
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, reason: 'must start with https:// or http://' };
    if (parsed.username || parsed.password) return { ok: false, reason: 'must not carry a user or a password: every visitor’s browser reads it' };
    if (/[{}]/.test(decodeURIComponent(parsed.host))) return { ok: false, reason: 'may only use {s} in its host' };
    if (!origins.includes(parsed.origin)) origins.push(parsed.origin);
  }
  return { ok: true, tiles: { url, subdomains: url.includes('{s}') ? subdomains : [], origins, attribution } };
}

/** The default tiles, for callers that set none (tests, scripts). */
export const defaultMapTiles: MapTiles = (() => {
  const read = mapTilesOf(defaultMapTilesUrl);
  if (!read.ok) throw new Error(read.reason);
  return read.tiles;
})();
