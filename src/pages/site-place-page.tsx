import { Hono } from 'hono';
import { getSite } from '../organisations/sites.service.ts';
import type { MapTiles } from '../places/map-tiles.ts';
import { findPlace, listPlaces } from '../places/places.read.ts';
import { found, postedList } from './forms.tsx';
import { siteKindLabels } from './fr.ts';
import { ErrorSummary, Layout } from './layout.tsx';
import { mapScripts, mapStyles } from './place-map.tsx';
import { seeOther } from './redirect.ts';
import { placeFormState, placeListNames, savePlaceFromForm, SitePlaceForm, type PlaceFormState } from './site-place-form.tsx';
import { postedBody, postedForm, viewerOf, type Database, type PageEnv, type Viewer } from './session.ts';

/** Where the coordinates map opens for a site not placed yet: amid the network's placed sites, or over France. */
async function mapCentre(database: Database) {
  const placed = (await listPlaces(database.db)).filter((place) => place.network && place.latitude != null && place.longitude != null);
  if (placed.length === 0) return { latitude: 46.6, longitude: 2.4, zoom: 5 };
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return { latitude: mean(placed.map((place) => place.latitude!)), longitude: mean(placed.map((place) => place.longitude!)), zoom: 9 };
}

async function sitePage(database: Database, viewer: Viewer, tiles: MapTiles, siteId: string, state?: PlaceFormState, notice?: string) {
  const site = await found(siteId, 'Ce lieu', (id) => getSite(database.db, viewer, id));
  const place = await findPlace(database.db, site.id);
  const form = state ?? placeFormState(place);
  return (
    <Layout title={site.name} viewer={viewer} current="/admin" scripts={mapScripts} styles={mapStyles}>
      <p>
        <a href="/admin">Revenir au réseau</a>
      </p>
      <h1>{site.name}</h1>
      <ErrorSummary errors={form.errors ?? []} />
      {notice ? (
        <p class="notice ok" role="status">
          {notice}
        </p>
      ) : null}
      <dl class="facts">
        <dt>Type</dt>
        <dd>{siteKindLabels[site.kind]}</dd>
        <dt>Adresse</dt>
        <dd>
          {site.address}, {site.postalCode ?? ''} ({site.communeCode})
        </dd>
        <dt>Carte des lieux</dt>
        <dd data-testid="published">
          {place ? (
            <>
              publié : <a href={`/lieux/${site.id}`}>sa fiche publique</a>
            </>
          ) : (
            'non publié'
          )}
        </dd>
      </dl>
      <h2>Fiche publique du lieu</h2>
      <p>
        Ce que lisent les visiteurs de la page des lieux et la carte nationale des lieux d’inclusion numérique, dans les termes du schéma national (La MedNum,
        v1.0.2).
      </p>
      <SitePlaceForm viewer={viewer} siteId={site.id} tiles={tiles} centre={await mapCentre(database)} {...form} />
    </Layout>
  );
}

/** A site of the network and its public place, for the coordinator. */
export function sitePlacePageRoutes(database: Database, appSecret: string, tiles: MapTiles) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/admin/sites/:id', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const notice = c.req.query('publie') === '1' ? 'Fiche publique enregistrée.' : c.req.query('publie') === '0' ? 'Lieu retiré de la carte.' : undefined;
      return c.html(await sitePage(database, viewer, tiles, c.req.param('id'), undefined, notice));
    })
    .post('/admin/sites/:id/place', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const body = await postedBody(c, { all: true });
      const fields = await postedForm(c, viewer, appSecret, body);
      const lists = Object.fromEntries(placeListNames.map((name) => [name, postedList(body, name)]));
      const site = await found(c.req.param('id'), 'Ce lieu', (id) => getSite(db, viewer, id));
      const outcome = await savePlaceFromForm(db, viewer, site.id, fields, lists);
      if (!outcome.ok) return c.html(await sitePage(database, viewer, tiles, site.id, { fields, lists, errors: outcome.errors }), outcome.status);
      return seeOther(c, `/admin/sites/${site.id}?publie=${outcome.value.published ? '1' : '0'}`);
    });
}
