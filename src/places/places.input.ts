import { Pivot } from '@gouvfr-anct/lieux-de-mediation-numerique';
import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { phoneNumber } from '../http/router.ts';
import { rnaPattern, siretCheckHolds } from './national-standard.ts';
import { openingHoursError } from './opening-hours.ts';
import { placeAccessModes, placeActivities, placeFees, placePublics, placeServices, placeSummaryMaxLength, placeTypologies } from './places.types.ts';

const pivotMessage = inBoth(
  'The SIRET (14 digits, with a valid check key) or RNA number (W and 9 characters) of the organisation behind the place.',
  'Le SIRET (14 chiffres, clé de contrôle valide) ou le numéro RNA (W suivi de 9 caractères) de la structure qui porte le lieu.',
);

/**
 * ANCT's model decides what a pivot is (14 characters, or an RNA number), as the national map
 * will; a SIRET must also pass its key, so that a mistyped one is caught here, not published.
 */
function isPivot(value: string): boolean {
  try {
    Pivot(value);
  } catch {
    return false;
  }
  return siretCheckHolds(value) || rnaPattern.test(value);
}

/** The schema's `pivot`, spaces removed as people copy a SIRET from an Avis de situation. */
export const pivot = z
  .string(pivotMessage)
  .transform((value) => value.replace(/\s+/g, '').toUpperCase())
  .refine(isPivot, pivotMessage);

/** Hours in OpenStreetMap's syntax; a refusal quotes the library's pointer to the wrong spot. */
export const openingHours = z
  .string()
  .trim()
  .min(1)
  .superRefine((value, context) => {
    const error = openingHoursError(value);
    if (error)
      context.addIssue({
        code: 'custom',
        message: inBoth(
          'Hours in the OpenStreetMap opening_hours syntax, e.g. "Mo-Fr 09:00-12:00,14:00-17:30; PH off".',
          'Des horaires au format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-17:30; PH off » (lundi au vendredi, fermé les jours fériés).',
        ),
      });
  });

const oneOf = <T extends string>(values: readonly T[], english: string, french: string) =>
  z.array(z.enum(values as [T, ...T[]], inBoth(`${english}: one of the national schema's values.`, french))).max(values.length);

const httpsUrl = z.url({ protocol: /^https?$/, error: inBoth('An address starting with https://.', 'Une adresse qui commence par https://.') }).max(500);

/** What a site publishes as a place: the API's body and the coordinator's form. Coordinates come together. */
export const sitePlaceInput = z
  .object({
    pivot,
    latitude: z.number().min(-90).max(90).nullable().optional(),
    longitude: z.number().min(-180).max(180).nullable().optional(),
    typologies: oneOf(placeTypologies, 'A typology', 'Choisissez une typologie de la liste nationale.').default([]),
    services: oneOf(placeServices, 'A service', 'Choisissez un service de la liste nationale.').default([]),
    activities: z.array(z.enum(placeActivities, inBoth('An activity of the network.', 'Choisissez une activité du réseau.'))).default([]),
    openingHours: openingHours.nullable().optional(),
    phone: phoneNumber.nullable().optional(),
    emails: z
      .array(z.email(inBoth('An e-mail address, e.g. contact@atelier.fr.', 'Une adresse e-mail, par exemple contact@atelier.fr.')).max(254))
      .max(5)
      .default([]),
    website: httpsUrl.nullable().optional(),
    summary: z
      .string()
      .trim()
      .max(
        placeSummaryMaxLength,
        inBoth(
          `At most ${placeSummaryMaxLength} characters (the national schema's summary).`,
          `${placeSummaryMaxLength} caractères au plus (le résumé du schéma national).`,
        ),
      )
      .nullable()
      .optional(),
    publics: oneOf(placePublics, 'A public', 'Choisissez un public de la liste nationale.').default([]),
    accessModes: oneOf(placeAccessModes, 'An access mode', 'Choisissez une modalité d’accès de la liste nationale.').default([]),
    fees: oneOf(placeFees, 'A fee', 'Choisissez des frais de la liste nationale.').default([]),
    bookingUrl: httpsUrl.nullable().optional(),
  })
  .refine((place) => (place.latitude == null) === (place.longitude == null), {
    // Checked even when other fields are wrong, so that one answer names every bad field.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    path: ['longitude'],
    message: inBoth('Latitude and longitude go together.', 'La latitude et la longitude vont ensemble : donnez les deux, ou aucune.'),
  });
export type SitePlaceInput = z.infer<typeof sitePlaceInput>;
