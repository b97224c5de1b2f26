/**
 * The vocabulary of a place, as La MedNum's data schema of the places of digital inclusion
 * (`LaMednum/standard-mediation-num`, the one the national map reads) spells it: the values of
 * its lists are taken from ANCT's model library, so that a value the schema does not know never
 * enters the database. Boucle adds what the network does at a place (its activities).
 */
import { Frais, ModaliteAcces, PublicSpecifiquementAdresse, Service, Typologie } from '@gouvfr-anct/lieux-de-mediation-numerique';

export const placeServices = Object.values(Service);
export const placeTypologies = Object.values(Typologie);
export const placePublics = Object.values(PublicSpecifiquementAdresse);
export const placeAccessModes = Object.values(ModaliteAcces);
export const placeFees = Object.values(Frais);

/** What the network does at one of its places, beyond the schema's services. */
export const placeActivities = ['collects_donations', 'wipes_data', 'refurbishes', 'hands_over', 'trains_families'] as const;
export type PlaceActivity = (typeof placeActivities)[number];

/** The three questions `/lieux` answers, each read from the activities of the network's places and the services of other actors'. */
export const placeNeeds = {
  give: { activities: ['collects_donations'], services: [] },
  get: { activities: ['hands_over'], services: [Service.MaterielInformatiqueAPrixSolidaire] },
  learn: { activities: ['trains_families'], services: [Service.MaitriseDesOutilsNumeriquesDuQuotidien, Service.AccesInternetEtMaterielInformatique] },
} as const satisfies Record<string, { activities: readonly PlaceActivity[]; services: readonly Service[] }>;
export type PlaceNeed = keyof typeof placeNeeds;

/** A summary the schema holds to 280 characters (`presentation_resume`). */
export const placeSummaryMaxLength = 280;
