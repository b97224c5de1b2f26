import type { FC } from 'hono/jsx';
import type { FieldError } from '../errors.ts';
import type { MapTiles } from '../places/map-tiles.ts';
import { sitePlaceInput } from '../places/places.input.ts';
import type { Place } from '../places/places.read.ts';
import { publishSitePlace, withdrawSitePlace } from '../places/places.service.ts';
import { placeAccessModes, placeActivities, placeFees, placePublics, placeServices, placeSummaryMaxLength, placeTypologies } from '../places/places.types.ts';
import { attempt, Checkbox, CheckboxList, errorFor, Field, formNumber, parseForm, TextArea, type Option } from './forms.tsx';
import { activityLabels, typologyLabel } from './fr-places.ts';
import { CsrfField } from './layout.tsx';
import { CoordinatesPicker } from './place-map.tsx';
import type { DbOrTx, Viewer } from './session.ts';

/**
 * The coordinator's form of what a site publishes on /lieux and in the export to the national
 * map: the national schema's fields (parsed with the API's `sitePlaceInput`) and what the network
 * does there. Unticked « Publier », the site is withdrawn. A refused form changes nothing.
 */

/** The form's lists: one checkbox per value, each ticked one posted under the list's name. */
export const placeListNames = ['typologies', 'services', 'activities', 'publics', 'accessModes', 'fees'] as const;
type ListName = (typeof placeListNames)[number];

export type PlaceFormState = { fields?: Record<string, string>; lists?: Partial<Record<ListName, string[]>>; errors?: FieldError[] };

/** A field left blank is a value withdrawn (null), as the API takes it: changing a place may clear its phone. */
const blankAsNull = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());
const numberOrNull = (value: string | undefined) => formNumber(value) ?? null;

/** The typed form as `sitePlaceInput` reads it. */
function placeFromForm(fields: Record<string, string>, lists: Partial<Record<ListName, string[]>>) {
  return {
    pivot: blankAsNull(fields.pivot) ?? undefined,
    latitude: numberOrNull(fields.latitude),
    longitude: numberOrNull(fields.longitude),
    ...Object.fromEntries(placeListNames.map((name) => [name, lists[name] ?? []])),
    openingHours: blankAsNull(fields.openingHours),
    phone: blankAsNull(fields.phone),
    // Several addresses in one field, as people type them: separated by commas, semicolons, spaces or lines.
    emails: (fields.emails ?? '').split(/[\s,;]+/).filter(Boolean),
    website: blankAsNull(fields.website),
    summary: blankAsNull(fields.summary),
    bookingUrl: blankAsNull(fields.bookingUrl),
  };
}

/** A refusal of a list's item (`emails.1`, `services.0`) is its field's, where the summary's link lands. */
const onItsField = (errors: FieldError[]) => errors.map((error) => ({ ...error, path: error.path.split('.')[0] ?? error.path }));

/** Publishes (or withdraws) the site's place from the posted form; the refusals are the fields to fix. */
export async function savePlaceFromForm(
  db: DbOrTx,
  viewer: Viewer,
  siteId: string,
  fields: Record<string, string>,
  lists: Partial<Record<ListName, string[]>>,
) {
  if (fields.published !== 'on') {
    return attempt(async () => {
      await withdrawSitePlace(db, viewer, siteId);
      return { published: false };
    });
  }
  const parsed = parseForm(sitePlaceInput, placeFromForm(fields, lists));
  if (!parsed.ok) return { ok: false as const, status: 422 as const, errors: onItsField(parsed.errors) };
  const outcome = await attempt(async () => {
    await publishSitePlace(db, viewer, siteId, parsed.value);
    return { published: true };
  });
  return outcome.ok ? outcome : { ...outcome, errors: onItsField(outcome.errors) };
}

/** The form as the place stands: what it publishes now, or an empty form for a site not published. */
export function placeFormState(place: Place | undefined): PlaceFormState {
  if (!place) return {};
  const text = (value: string | number | null) => (value === null ? '' : String(value));
  return {
    fields: {
      published: 'on',
      pivot: place.pivot,
      latitude: text(place.latitude),
      longitude: text(place.longitude),
      openingHours: text(place.openingHours),
      phone: text(place.phone),
      emails: place.emails.join(', '),
      website: text(place.website),
      summary: text(place.summary),
      bookingUrl: text(place.bookingUrl),
    },
    lists: Object.fromEntries(placeListNames.map((name) => [name, [...place[name]]])),
  };
}

// The typologies this kind of network meets most; the schema's others are a click away.
const commonTypologies = ['ACI', 'RESSOURCERIE', 'EPN', 'CS', 'CSC', 'CCAS', 'CIAS', 'ASSO', 'BIB', 'MUNI', 'RFS', 'TIERS_LIEUX', 'FABLAB', 'EI', 'ESS'];
const typologyOption = (code: string): Option => ({ value: code, label: `${typologyLabel(code)} (${code})` });
const asOptions = (values: readonly string[]): Option[] => values.map((value) => ({ value, label: value }));

type Props = PlaceFormState & { viewer: Viewer; siteId: string; tiles: MapTiles; centre: { latitude: number; longitude: number; zoom: number } };

export const SitePlaceForm: FC<Props> = ({ viewer, siteId, tiles, centre, fields = {}, lists = {}, errors }) => {
  const chosen = (name: ListName) => lists[name] ?? [];
  const otherTypologies = placeTypologies.filter((code) => !commonTypologies.includes(code));
  const showOthers = chosen('typologies').some((code) => otherTypologies.includes(code as (typeof placeTypologies)[number]));
  return (
    <form method="post" action={`/admin/sites/${siteId}/place`} novalidate>
      <CsrfField viewer={viewer} />
      <Checkbox
        name="published"
        label="Publier ce lieu sur la carte des lieux (/lieux) et dans l’export vers la carte nationale"
        checked={fields.published === 'on'}
      />
      <p class="hint">Sans cette case, le lieu est retiré de la carte ; les autres champs ne sont alors pas enregistrés.</p>
      <Field
        name="pivot"
        label="SIRET ou RNA de la structure"
        hint="Le SIRET (14 chiffres) ou le numéro RNA (W suivi de 9 caractères) : l’identifiant que demande la carte nationale."
        required
        value={fields.pivot}
        error={errorFor(errors, 'pivot')}
      />
      <fieldset class="field">
        <legend>Position sur la carte</legend>
        <p class="hint">
          Tapez la latitude et la longitude (en degrés décimaux, par exemple 44.2031 et 0.6163), ou cliquez sur la carte. Sans elles, le lieu figure dans la
          liste mais pas sur la carte.
        </p>
        <Field name="latitude" label="Latitude" hint="Entre -90 et 90." value={fields.latitude} error={errorFor(errors, 'latitude')} />
        <Field name="longitude" label="Longitude" hint="Entre -180 et 180." value={fields.longitude} error={errorFor(errors, 'longitude')} />
        <CoordinatesPicker tiles={tiles} centre={centre} />
      </fieldset>
      <CheckboxList
        name="activities"
        legend="Ce que fait le réseau ici"
        hint="Ce que lit la page des lieux : « Où donner » (collecte), « Où obtenir » (remise), « Où se former » (formation)."
        options={placeActivities.map((activity) => ({ value: activity, label: activityLabels[activity] }))}
        checked={chosen('activities')}
        error={errorFor(errors, 'activities')}
      />
      <CheckboxList
        name="services"
        legend="Services (liste du schéma national)"
        options={asOptions(placeServices)}
        checked={chosen('services')}
        error={errorFor(errors, 'services')}
      />
      <CheckboxList
        name="typologies"
        legend="Type de structure"
        options={commonTypologies.map(typologyOption)}
        checked={chosen('typologies')}
        error={errorFor(errors, 'typologies')}
      />
      <details open={showOthers}>
        <summary>Les autres types de structure du schéma national</summary>
        <CheckboxList
          name="typologies"
          id="typologies-autres"
          legend="Autres types de structure"
          options={otherTypologies.map(typologyOption)}
          checked={chosen('typologies')}
        />
      </details>
      <Field
        name="openingHours"
        label="Horaires"
        hint="Au format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off » : du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h 30, le samedi de 9 h à 12 h, fermé les jours fériés."
        value={fields.openingHours}
        error={errorFor(errors, 'openingHours')}
      />
      <Field name="phone" label="Téléphone" hint="Facultatif, par exemple 05 53 00 00 47." type="tel" value={fields.phone} error={errorFor(errors, 'phone')} />
      <Field
        name="emails"
        label="Adresses e-mail"
        hint="Facultatif, jusqu’à 5, séparées par des virgules."
        value={fields.emails}
        error={errorFor(errors, 'emails')}
      />
      <Field name="website" label="Site web" hint="Facultatif, commence par https://." type="url" value={fields.website} error={errorFor(errors, 'website')} />
      <TextArea
        name="summary"
        label="Présentation"
        hint={`Facultatif, ${placeSummaryMaxLength} caractères au plus : ce que la personne trouvera sur place.`}
        value={fields.summary}
        error={errorFor(errors, 'summary')}
      />
      <CheckboxList
        name="publics"
        legend="Publics accueillis en particulier"
        hint="Aucun coché : tous publics."
        options={asOptions(placePublics)}
        checked={chosen('publics')}
        error={errorFor(errors, 'publics')}
      />
      <CheckboxList
        name="accessModes"
        legend="Modalités d’accès"
        options={asOptions(placeAccessModes)}
        checked={chosen('accessModes')}
        error={errorFor(errors, 'accessModes')}
      />
      <CheckboxList name="fees" legend="Frais" options={asOptions(placeFees)} checked={chosen('fees')} error={errorFor(errors, 'fees')} />
      <Field
        name="bookingUrl"
        label="Prise de rendez-vous en ligne"
        hint="Facultatif, l’adresse de la page de réservation (https://)."
        type="url"
        value={fields.bookingUrl}
        error={errorFor(errors, 'bookingUrl')}
      />
      <button type="submit">Enregistrer la fiche publique</button>
    </form>
  );
};
