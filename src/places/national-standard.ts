/**
 * La MedNum's data schema of the places of digital inclusion (`LaMednum/standard-mediation-num`,
 * v1.0.2, a Frictionless Table Schema under etalab-2.0): its columns in its order, its value lists
 * and the shapes it gives a pivot and a telephone. ANCT's model library checks most of it (the
 * national map reads files through the same library); what the library leaves to the schema
 * (the telephone's international form, the Luhn key of a SIRET) is written here.
 */
import {
  DispositifProgrammeNational,
  FormationLabel,
  Frais,
  Itinerance,
  ModaliteAcces,
  ModaliteAccompagnement,
  PriseEnChargeSpecifique,
  PublicSpecifiquementAdresse,
  Service,
  Typologie,
} from '@gouvfr-anct/lieux-de-mediation-numerique';
import { sirenCheckHolds } from '../organisations/organisations.input.ts';

export const nationalStandard = {
  name: 'standard-mediation-num',
  version: '1.0.2',
  url: 'https://schema.data.gouv.fr/LaMednum/standard-mediation-num/',
  licence: { id: 'etalab-2.0', title: 'Licence Ouverte / Open Licence version 2.0', url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence' },
} as const;

/** The schema's columns, in the schema's order (its `fields`): the header of an export, what an import reads. */
export const schemaColumns = [
  'id',
  'pivot',
  'nom',
  'commune',
  'code_postal',
  'code_insee',
  'adresse',
  'complement_adresse',
  'latitude',
  'longitude',
  'typologie',
  'telephone',
  'courriels',
  'site_web',
  'horaires',
  'presentation_resume',
  'presentation_detail',
  'source',
  'itinerance',
  'structure_parente',
  'date_maj',
  'services',
  'publics_specifiquement_adresses',
  'prise_en_charge_specifique',
  'frais_a_charge',
  'dispositif_programmes_nationaux',
  'formations_labels',
  'autres_formations_labels',
  'modalites_acces',
  'modalites_accompagnement',
  'fiche_acces_libre',
  'prise_rdv',
] as const;
export type SchemaColumn = (typeof schemaColumns)[number];

/** The columns a line cannot do without (`constraints.required`). */
export const requiredColumns = ['id', 'pivot', 'nom', 'commune', 'code_postal', 'adresse', 'date_maj'] as const satisfies readonly SchemaColumn[];

/** Between the values of a multi-valued cell (`TIERS_LIEUX|ASSO`), since v1.0.0. */
export const valueSeparator = '|';

/** The columns whose values come from a list of the schema, each value checked against it. */
export const schemaLists: Partial<Record<SchemaColumn, readonly string[]>> = {
  typologie: Object.values(Typologie),
  services: Object.values(Service),
  publics_specifiquement_adresses: Object.values(PublicSpecifiquementAdresse),
  prise_en_charge_specifique: Object.values(PriseEnChargeSpecifique),
  frais_a_charge: Object.values(Frais),
  itinerance: Object.values(Itinerance),
  dispositif_programmes_nationaux: Object.values(DispositifProgrammeNational),
  formations_labels: Object.values(FormationLabel),
  modalites_acces: Object.values(ModaliteAcces),
  modalites_accompagnement: Object.values(ModaliteAccompagnement),
};

/** What the columns mean, in the coordinator's words, for the messages about them. */
export const columnNamesInFrench: Record<SchemaColumn, string> = {
  id: 'l’identifiant',
  pivot: 'le SIRET ou RNA (pivot)',
  nom: 'le nom',
  commune: 'la commune',
  code_postal: 'le code postal',
  code_insee: 'le code INSEE',
  adresse: 'l’adresse',
  complement_adresse: 'le complément d’adresse',
  latitude: 'la latitude',
  longitude: 'la longitude',
  typologie: 'la typologie',
  telephone: 'le téléphone',
  courriels: 'les courriels',
  site_web: 'le site web',
  horaires: 'les horaires',
  presentation_resume: 'le résumé',
  presentation_detail: 'la présentation détaillée',
  source: 'la source',
  itinerance: 'l’itinérance',
  structure_parente: 'la structure parente',
  date_maj: 'la date de mise à jour',
  services: 'les services',
  publics_specifiquement_adresses: 'les publics',
  prise_en_charge_specifique: 'la prise en charge spécifique',
  frais_a_charge: 'les frais',
  dispositif_programmes_nationaux: 'les dispositifs nationaux',
  formations_labels: 'les formations et labels',
  autres_formations_labels: 'les autres formations et labels',
  modalites_acces: 'les modalités d’accès',
  modalites_accompagnement: 'les modalités d’accompagnement',
  fiche_acces_libre: 'la fiche Acceslibre',
  prise_rdv: 'la prise de rendez-vous',
};

/**
 * A SIRET's key: the Luhn check of its 14 digits, except La Poste's establishments (SIREN
 * 356000000), numbered past what Luhn allows, whose digits add up to a multiple of 5 (INSEE's rule).
 */
export function siretCheckHolds(siret: string): boolean {
  if (!/^[0-9]{14}$/.test(siret)) return false;
  if (siret.startsWith('356000000')) return [...siret].reduce((sum, digit) => sum + Number(digit), 0) % 5 === 0;
  return sirenCheckHolds(siret);
}

/** An association's RNA number: W and nine characters (the schema's pivot for an association without SIRET). */
export const rnaPattern = /^W[0-9A-Z]{9}$/;

/** Overseas numbers keep their own country code: the schema's telephone lists them (+262, +590...). */
const overseasPrefixes: [RegExp, string][] = [
  [/^0(262|263|692|693|269|639)/, '+262'],
  [/^0(590|690|591)/, '+590'],
  [/^0(594|694)/, '+594'],
  [/^0(596|696)/, '+596'],
  [/^0508/, '+508'],
  [/^0681/, '+681'],
  [/^0687/, '+687'],
  [/^0689/, '+689'],
];

/** The schema's telephone: the country code and the digits, nothing between (`+33180059880`). */
export const schemaTelephonePattern = /^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$/;

/**
 * A phone number as people write it in France ("05 53 00 00 47", "+33 5 53 00 00 47") in the
 * schema's form ("+33553000047"); undefined when it cannot be one.
 */
export function schemaTelephone(phone: string): string | undefined {
  let digits = phone.replace(/[\s.()-]/g, '').replace(/^00/, '+');
  if (digits.startsWith('+330')) digits = `+33${digits.slice(4)}`;
  if (/^0[0-9]{9}$/.test(digits)) {
    const overseas = overseasPrefixes.find(([prefix]) => prefix.test(digits));
    digits = `${overseas ? overseas[1] : '+33'}${digits.slice(1)}`;
  }
  return schemaTelephonePattern.test(digits) ? digits : undefined;
}
