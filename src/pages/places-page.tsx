import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import type { MapTiles } from '../places/map-tiles.ts';
import { hoursOfDays, isOpenAt, openingAt, parisDayOf, usualWeek } from '../places/opening-hours.ts';
import { placeFilterInput, type PlaceFilter } from '../places/places.filter.ts';
import { findPlace, listPlaces, offers, placeTerritories, type Place } from '../places/places.read.ts';
import { placeServices } from '../places/places.types.ts';
import { errorFor, parseForm, Select } from './forms.tsx';
import { activityLabels, dayHoursInFrench, dayOfHoursInFrench, needs, openingNowInFrench, typologyLabel, usualWeekInFrench } from './fr-places.ts';
import { longDate } from './fr.ts';
import { ErrorSummary, Layout } from './layout.tsx';
import { mapScripts, mapStyles, markerAttributes, PlacesMap } from './place-map.tsx';
import { PageRefusal, type Database, type PageEnv } from './session.ts';

/**
 * The public map of places, for anyone, signed in or not: where to give a computer, get one at a
 * solidarity price, be trained. A list by intercommunality and commune, with filters, and a map
 * of the same places; each place has its page. "Ouvert maintenant" is read at the request's
 * instant (the app's clock) in Europe/Paris.
 */

// Past this many places the page asks to narrow the filters rather than send thousands (a national file imported).
const shownAtMost = 400;

/** The filters' names in the address (`/lieux?besoin=donner&ouvert=maintenant`). */
const filterNames = { need: 'besoin', service: 'service', territory: 'territoire', openNow: 'ouvert' };

type Query = { besoin?: string; service?: string; territoire?: string; ouvert?: string };

/** The query as the module's filter reads it: a need by its French word, "ouvert=maintenant" as true; anything else is left for the schema to refuse. */
function filterInput(query: Query): Record<string, unknown> {
  const given = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  const need = given(query.besoin);
  const open = given(query.ouvert);
  return {
    need: need === undefined ? undefined : (needs.find((entry) => entry.slug === need)?.need ?? need),
    service: given(query.service),
    territory: given(query.territoire),
    openNow: open === undefined ? false : open === 'maintenant' || open,
  };
}

/** The filters asked for, or the fields to fix; a refused value is set aside and the others still apply. */
function readFilters(query: Query) {
  const input = filterInput(query);
  const parsed = parseForm(placeFilterInput, input, filterNames);
  if (parsed.ok) return { filter: parsed.value, errors: [] };
  const refused = new Set(parsed.errors.map((error) => Object.entries(filterNames).find(([, name]) => name === error.path.split('.')[0])?.[0]));
  const rest = parseForm(placeFilterInput, Object.fromEntries(Object.entries(input).filter(([key]) => !refused.has(key))));
  return { filter: rest.ok ? rest.value : { openNow: false }, errors: parsed.errors };
}

type Group = { epci: string; communes: { commune: string; places: Place[] }[] };

/** The places by intercommunality, then commune, in French alphabetical order; the network's first within a commune. */
function groupsOf(places: Place[]): Group[] {
  const byEpci = new Map<string, Map<string, Place[]>>();
  for (const place of places) {
    const epci = place.epci?.name ?? 'Intercommunalité non renseignée';
    const communes = byEpci.get(epci) ?? new Map<string, Place[]>();
    byEpci.set(epci, communes);
    communes.set(place.commune, [...(communes.get(place.commune) ?? []), place]);
  }
  const french = (a: string, b: string) => a.localeCompare(b, 'fr');
  return [...byEpci]
    .sort(([a], [b]) => french(a, b))
    .map(([epci, communes]) => ({
      epci,
      communes: [...communes]
        .sort(([a], [b]) => french(a, b))
        .map(([commune, inCommune]) => ({ commune, places: inCommune.sort((a, b) => Number(b.network) - Number(a.network) || french(a.name, b.name)) })),
    }));
}

const Who: FC<{ place: Place }> = ({ place }) =>
  place.network ? <span class="badge network">Lieu du réseau</span> : <span class="badge other">Autre acteur</span>;

/** What a place is for, in the three questions' words. */
const needsOf = (place: Place) => needs.filter(({ need }) => offers(place, need)).map(({ short }) => short);

const PlaceItem: FC<{ place: Place; now: Date }> = ({ place, now }) => {
  const open = place.openingHours ? isOpenAt(place.openingHours, now) : undefined;
  const uses = needsOf(place);
  return (
    <li class="place" data-place-id={place.id} {...markerAttributes(place)}>
      <p class="place-name">
        <a href={`/lieux/${place.id}`}>{place.name}</a> <Who place={place} />
      </p>
      <p>
        {place.address}, {[place.postalCode, place.commune].filter(Boolean).join(' ')}
      </p>
      {uses.length > 0 ? <p>{uses.join(' · ')}</p> : null}
      <p class={open ? 'open' : 'closed'}>{open === undefined ? 'Horaires non renseignés' : open ? 'Ouvert maintenant' : 'Fermé maintenant'}</p>
      {place.latitude == null ? <p class="hint">Pas encore placé sur la carte.</p> : null}
    </li>
  );
};

type ListData = {
  places: Place[];
  territories: Awaited<ReturnType<typeof placeTerritories>>;
  query: Query;
  errors: { path: string; message: string }[];
  now: Date;
  tiles: MapTiles;
};

function PlacesPage({ viewer, data }: { viewer: PageEnv['Variables']['viewer']; data: ListData }) {
  const { places, territories, query, errors, now, tiles } = data;
  const shown = places.slice(0, shownAtMost);
  const network = places.filter((place) => place.network).length;
  const asked = needs.find((entry) => entry.slug === query.besoin);
  return (
    <Layout title={asked?.question ?? 'Lieux'} viewer={viewer} current="/lieux" scripts={mapScripts} styles={mapStyles}>
      <h1>{asked?.question ?? 'Donner, obtenir un ordinateur, se former près de chez vous'}</h1>
      <p>
        Les lieux du réseau de réemploi solidaire et d’autres acteurs de l’inclusion numérique : où déposer un ordinateur dont vous ne vous servez plus, où en
        obtenir un à prix solidaire, où apprendre à s’en servir.
      </p>
      <nav aria-label="Ce que vous cherchez">
        <ul class="needs">
          {needs.map((entry) => (
            <li>
              <a class="button secondary" href={`/lieux?besoin=${entry.slug}`} aria-current={asked?.slug === entry.slug ? 'page' : undefined}>
                {entry.question}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorSummary errors={errors} />
      <form method="get" action="/lieux" class="filters" role="search" aria-label="Filtrer les lieux">
        <Select
          name="besoin"
          label="Vous cherchez à"
          empty="Tout"
          value={query.besoin}
          error={errorFor(errors, 'besoin')}
          options={needs.map((entry) => ({ value: entry.slug, label: entry.short }))}
        />
        <Select
          name="service"
          label="Service"
          empty="Tous les services"
          value={query.service}
          error={errorFor(errors, 'service')}
          options={placeServices.map((service) => ({ value: service, label: service }))}
        />
        <Select
          name="territoire"
          label="Commune ou intercommunalité"
          empty="Partout"
          value={query.territoire}
          error={errorFor(errors, 'territoire')}
          options={[]}
          groups={[
            { label: 'Intercommunalités', options: territories.epcis.map((epci) => ({ value: epci.code, label: epci.name })) },
            { label: 'Communes', options: territories.communes.map((commune) => ({ value: commune.code, label: `${commune.name} (${commune.code})` })) },
          ]}
        />
        <div class={errorFor(errors, 'ouvert') ? 'field check invalid' : 'field check'}>
          <input type="checkbox" id="champ-ouvert" name="ouvert" value="maintenant" checked={query.ouvert === 'maintenant'} />{' '}
          <label for="champ-ouvert">Ouvert maintenant</label>
          {errorFor(errors, 'ouvert') ? <p class="error">{errorFor(errors, 'ouvert')}</p> : null}
        </div>
        <div class="actions">
          <button type="submit">Afficher les lieux</button>
          <a href="/lieux">Effacer les filtres</a>
        </div>
      </form>
      <p role="status" data-testid="places-count">
        {places.length === 0
          ? 'Aucun lieu ne correspond à ces critères.'
          : `${places.length} lieu${places.length > 1 ? 'x' : ''} : ${network} du réseau, ${places.length - network} d’autres acteurs.`}
        {shown.length < places.length ? ` Les ${shownAtMost} premiers sont affichés : choisissez une commune ou une intercommunalité.` : ''}
      </p>
      <h2>Carte</h2>
      <p class="hint">
        La liste qui suit donne les mêmes lieux que la carte, avec leurs adresses ; les lieux dont les coordonnées ne sont pas connues n’y figurent que dans la
        liste. Sur la carte, les lieux du réseau sont en bleu, ceux des autres acteurs en vert.
      </p>
      <PlacesMap tiles={tiles} label="Carte des lieux (la liste des lieux suit)" />
      <h2>Liste des lieux</h2>
      {groupsOf(shown).map((group) => (
        <section class="place-group">
          <h3>{group.epci}</h3>
          {group.communes.map((commune) => (
            <>
              <h4>{commune.commune}</h4>
              <ul class="places">
                {commune.places.map((place) => (
                  <PlaceItem place={place} now={now} />
                ))}
              </ul>
            </>
          ))}
        </section>
      ))}
    </Layout>
  );
}

const List: FC<{ items: string[]; empty?: string }> = ({ items, empty }) =>
  items.length === 0 ? (
    <p>{empty ?? 'Non renseigné.'}</p>
  ) : (
    <ul>
      {items.map((item) => (
        <li>{item}</li>
      ))}
    </ul>
  );

function PlacePage({ viewer, place, now, tiles }: { viewer: PageEnv['Variables']['viewer']; place: Place; now: Date; tiles: MapTiles }) {
  const today = parisDayOf(now);
  const week = usualWeek(place.openingHours, now);
  const days = hoursOfDays(place.openingHours, now);
  const opening = openingAt(place.openingHours, now);
  return (
    <Layout
      title={place.name}
      viewer={viewer}
      current="/lieux"
      scripts={place.latitude == null ? undefined : mapScripts}
      styles={place.latitude == null ? undefined : mapStyles}
    >
      <p>
        <a href="/lieux">Tous les lieux</a>
      </p>
      <h1>{place.name}</h1>
      <p>
        <Who place={place} />{' '}
        {place.network
          ? `Lieu du réseau de réemploi solidaire${place.organisationName ? `, tenu par ${place.organisationName}` : ''}.`
          : `Lieu d’un autre acteur de l’inclusion numérique${place.source ? ` (source : ${place.source})` : ''}.`}
      </p>
      {place.summary ? <p>{place.summary}</p> : null}
      <p class={`status ${opening.state}`} data-testid="opening-now">
        {openingNowInFrench(opening, today)}
      </p>
      <div class="cards">
        <section class="card">
          <h2>Adresse</h2>
          <p {...markerAttributes(place)}>
            {place.address}
            <br />
            {[place.postalCode, place.commune].filter(Boolean).join(' ')}
            {place.epci ? (
              <>
                <br />
                {place.epci.name}
              </>
            ) : null}
          </p>
          {place.latitude == null ? <p class="hint">Ce lieu n’est pas encore placé sur la carte.</p> : null}
        </section>
        <section class="card">
          <h2>Contact</h2>
          {place.phone || place.emails.length > 0 || place.website || place.bookingUrl ? (
            <ul class="contact">
              {place.phone ? (
                <li>
                  Téléphone : <a href={`tel:${place.phone.replace(/[ .-]/g, '')}`}>{place.phone}</a>
                </li>
              ) : null}
              {place.emails.map((email) => (
                <li>
                  E-mail : <a href={`mailto:${email}`}>{email}</a>
                </li>
              ))}
              {place.website ? (
                <li>
                  Site : <a href={place.website}>{place.website.replace(/^https?:\/\//, '')}</a>
                </li>
              ) : null}
              {place.bookingUrl ? (
                <li>
                  <a href={place.bookingUrl}>Prendre rendez-vous en ligne</a>
                </li>
              ) : null}
            </ul>
          ) : (
            <p>Pas de contact publié.</p>
          )}
        </section>
      </div>
      <h2>Horaires</h2>
      {week && days ? (
        <>
          <ul data-testid="usual-hours">
            {usualWeekInFrench(week).map((line) => (
              <li>{line}</li>
            ))}
          </ul>
          <table>
            <caption>Les sept prochains jours</caption>
            <thead>
              <tr>
                <th scope="col">Jour</th>
                <th scope="col">Horaires</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr aria-current={day.date === today ? 'date' : undefined}>
                  <th scope="row">
                    {dayOfHoursInFrench(day)}
                    {day.date === today ? ' (aujourd’hui)' : ''}
                  </th>
                  <td>{dayHoursInFrench(day)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p>Horaires non renseignés : appelez ou écrivez avant de vous déplacer.</p>
      )}
      <h2>Ce que vous y trouvez</h2>
      {place.network ? (
        <>
          <h3>Ce que fait le réseau ici</h3>
          <List items={place.activities.map((activity) => activityLabels[activity])} />
        </>
      ) : null}
      <h3>Services</h3>
      <List items={place.services} />
      <h3>Publics accueillis en particulier</h3>
      <List items={place.publics} empty="Tous publics." />
      <h3>Modalités d’accès</h3>
      <List items={place.accessModes} />
      <h3>Frais</h3>
      <List items={place.fees} />
      {place.typologies.length > 0 ? (
        <>
          <h3>Type de structure</h3>
          <List items={place.typologies.map(typologyLabel)} />
        </>
      ) : null}
      {place.latitude == null ? null : (
        <>
          <h2>Sur la carte</h2>
          <PlacesMap tiles={tiles} label={`Carte : ${place.name} (l’adresse est donnée plus haut)`} />
        </>
      )}
      <p class="hint">Informations mises à jour le {longDate(place.updatedOn)}.</p>
    </Layout>
  );
}

/** /lieux and /lieux/{id}, open to everyone. */
export function placesPageRoutes(database: Database, clock: () => Date, tiles: MapTiles) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/lieux', async (c) => {
      const query: Query = {
        besoin: c.req.query('besoin'),
        service: c.req.query('service'),
        territoire: c.req.query('territoire'),
        ouvert: c.req.query('ouvert'),
      };
      const { filter, errors } = readFilters(query);
      const now = clock();
      const asked: PlaceFilter = { need: filter.need, service: filter.service, territory: filter.territory, openAt: filter.openNow ? now : undefined };
      const [places, territories] = await Promise.all([listPlaces(db, asked), placeTerritories(db)]);
      return c.html(<PlacesPage viewer={c.get('viewer')} data={{ places, territories, query, errors, now, tiles }} />, errors.length > 0 ? 400 : 200);
    })
    .get('/lieux/:id', async (c) => {
      const place = await findPlace(db, c.req.param('id'));
      if (!place) throw new PageRefusal(404, 'Ce lieu n’existe pas ou n’est plus publié : retrouvez les autres sur la page des lieux.');
      return c.html(<PlacePage viewer={c.get('viewer')} place={place} now={clock()} tiles={tiles} />);
    });
}
