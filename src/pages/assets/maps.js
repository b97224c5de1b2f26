// The maps of /lieux, of a place's page and of the site's place form, with Leaflet (window.L,
// loaded before this file). The page works without them: the list of places is the map's text
// equivalent, and coordinates can be typed. Markers are read from the page's elements marked
// `data-place-marker`; tiles come from the configured server and, when none loads (offline),
// the markers stay on a blank background.
'use strict';

(() => {
  const L = window.L;
  if (!L) return;
  const france = { center: [46.6, 2.4], zoom: 5 };

  const escapeHtml = (text) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

  const tilesOf = (element) =>
    L.tileLayer(element.dataset.tilesUrl, {
      subdomains: element.dataset.tilesSubdomains || 'abc',
      // Leaflet reads the attribution as HTML: the setting is shown as text.
      attribution: escapeHtml(element.dataset.tilesAttribution || ''),
      maxZoom: 19,
    });

  /** A map with its controls in French. */
  const mapOn = (element, options) => {
    element.hidden = false;
    const map = L.map(element, { zoomControl: false, ...options });
    L.control.zoom({ zoomInTitle: 'Zoomer', zoomOutTitle: 'Dézoomer' }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
    tilesOf(element).addTo(map);
    return map;
  };

  const networkIcon = new L.Icon.Default();
  // Other actors' places: the same pin in another colour (and "autre acteur" in its name and popup).
  const otherIcon = new L.Icon.Default({ className: 'marker-other' });

  for (const element of document.querySelectorAll('[data-places-map]')) {
    const map = mapOn(element, { keyboard: true });
    const markers = [];
    for (const item of document.querySelectorAll('[data-place-marker]')) {
      const latitude = Number(item.dataset.lat);
      const longitude = Number(item.dataset.lon);
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) continue;
      const network = item.dataset.network === 'true';
      const label = network ? item.dataset.name : `${item.dataset.name} (autre acteur)`;
      const marker = L.marker([latitude, longitude], { title: label, alt: label, keyboard: true, icon: network ? networkIcon : otherIcon });
      const popup = document.createElement('div');
      const link = document.createElement('a');
      link.href = item.dataset.href;
      link.textContent = item.dataset.name;
      const who = document.createElement('p');
      who.textContent = network ? 'Lieu du réseau' : 'Autre acteur';
      popup.append(link, who);
      marker.bindPopup(popup);
      // Opened from the keyboard (Enter on a focused pin), the popup takes the focus to its link.
      marker.on('popupopen', () => {
        if (document.activeElement === marker.getElement()) link.focus();
      });
      marker.addTo(map);
      markers.push(marker);
    }
    element.dataset.markers = String(markers.length);
    if (markers.length > 0) map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [30, 30], maxZoom: 14 });
    else map.setView(france.center, france.zoom);
  }

  for (const element of document.querySelectorAll('[data-coordinates-picker]')) {
    const latitude = document.getElementById(element.dataset.latitudeField);
    const longitude = document.getElementById(element.dataset.longitudeField);
    if (!latitude || !longitude) continue;
    // The map is a mouse's convenience beside the typed fields: it takes no keyboard focus of its own.
    const map = mapOn(element, { keyboard: false });
    const [centreLatitude, centreLongitude, zoom] = (element.dataset.centre || '').split(',').map(Number);
    const typed = () => {
      const lat = Number(latitude.value.trim().replace(',', '.'));
      const lon = Number(longitude.value.trim().replace(',', '.'));
      return latitude.value.trim() && longitude.value.trim() && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : undefined;
    };
    let marker;
    const show = () => {
      const where = typed();
      if (!where) return;
      if (marker) marker.setLatLng(where);
      else marker = L.marker(where, { keyboard: false, interactive: false, alt: '' }).addTo(map);
    };
    const start = typed();
    if (start) map.setView(start, 15);
    else if (Number.isFinite(centreLatitude) && Number.isFinite(centreLongitude)) map.setView([centreLatitude, centreLongitude], zoom || 9);
    else map.setView(france.center, france.zoom);
    show();
    map.on('click', (event) => {
      const at = event.latlng.wrap();
      latitude.value = at.lat.toFixed(5);
      longitude.value = at.lng.toFixed(5);
      show();
    });
    latitude.addEventListener('change', show);
    longitude.addEventListener('change', show);
  }
})();
