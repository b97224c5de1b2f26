import type { FC } from 'hono/jsx';
import type { MapTiles } from '../places/map-tiles.ts';

/**
 * The maps of the places' pages, drawn by Leaflet (served from here, see assets.ts) with
 * /assets/maps.js. Without JavaScript the map stays hidden and the page works from its text: the
 * list of places, the typed coordinates. Markers come from the page's own elements that carry
 * `data-place-marker` (so the list is the map's text equivalent, and a place without
 * coordinates has no marker); tiles come from the configured server, and when none loads the
 * markers are still there, on a blank background.
 */
export const mapScripts = ['/assets/leaflet/leaflet.js', '/assets/maps.js'];
export const mapStyles = ['/assets/leaflet/leaflet.css'];

const tileAttributes = (tiles: MapTiles) => ({
  'data-tiles-url': tiles.url,
  'data-tiles-subdomains': tiles.subdomains.join(''),
  'data-tiles-attribution': tiles.attribution,
});

/** The attributes of a place's marker: where it is, its name, its page, whose place it is. */
export const markerAttributes = (place: { id: string; name: string; latitude: number | null; longitude: number | null; network: boolean }) =>
  place.latitude == null || place.longitude == null
    ? {}
    : {
        'data-place-marker': '',
        'data-lat': String(place.latitude),
        'data-lon': String(place.longitude),
        'data-name': place.name,
        'data-href': `/lieux/${place.id}`,
        'data-network': place.network ? 'true' : 'false',
      };

/** The map of the places marked on the page; `label` names it for screen readers, who have the list. */
export const PlacesMap: FC<{ tiles: MapTiles; label: string }> = ({ tiles, label }) => (
  <div class="places-map" role="region" aria-label={label} data-places-map="" hidden {...tileAttributes(tiles)} />
);

/**
 * A small map in the site's form: a click places the site there and fills its latitude and
 * longitude fields (typed coordinates move the marker). `centre` is where it opens without them.
 */
export const CoordinatesPicker: FC<{ tiles: MapTiles; centre: { latitude: number; longitude: number; zoom: number } }> = ({ tiles, centre }) => (
  <div
    class="places-map picker"
    role="region"
    aria-label="Carte pour placer le lieu (facultatif : les champs latitude et longitude suffisent)"
    data-coordinates-picker=""
    data-latitude-field="champ-latitude"
    data-longitude-field="champ-longitude"
    data-centre={`${centre.latitude},${centre.longitude},${centre.zoom}`}
    hidden
    {...tileAttributes(tiles)}
  />
);
