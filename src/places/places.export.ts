import {
  Adresse,
  Contact,
  Courriel,
  FraisACharge,
  Id,
  type LieuMediationNumerique,
  Localisation,
  ModalitesAcces,
  ModelError,
  Nom,
  Pivot,
  PublicsSpecifiquementAdresses,
  type SchemaLieuMediationNumerique,
  Services,
  Typologies,
  toSchemaLieuxDeMediationNumerique,
  Url,
} from '@gouvfr-anct/lieux-de-mediation-numerique';
import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { postalCodesOf } from '../geography/communes.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { nationalStandard, schemaColumns, schemaTelephone } from './national-standard.ts';
import { canonicalOpeningHours } from './opening-hours.ts';
import { listNetworkPlaces, type Place } from './places.read.ts';

/** A place of the network that ANCT's model refuses: left out of the export, and said why (its field, the model's words). */
export type LeftOutPlace = { id: string; name: string; field: string; reason: string };

type ModelKey = ConstructorParameters<typeof ModelError>[0];

/** The model's field names that are not the schema's column names. */
const columnOfModelKey: Record<string, string> = { voie: 'adresse', siret: 'pivot', rna: 'pivot', typologies: 'typologie', courriel: 'courriels' };

const list = <T>(values: string[], make: (values: T[]) => unknown) => (values.length > 0 ? make(values as T[]) : undefined);

/**
 * A place of the network in ANCT's model, built with the model's own constructors: each checks
 * its field as the national map will, and throws a ModelError naming it. The postal code, when a
 * site has none, is its commune's if the commune has only one.
 */
export function toNationalPlace(place: Place, source: string): LieuMediationNumerique {
  const postalCodes = place.communeCode ? postalCodesOf(place.communeCode) : [];
  const postalCode = place.postalCode ?? (postalCodes.length === 1 ? postalCodes[0]! : '');
  let telephone: string | undefined;
  if (place.phone) {
    telephone = schemaTelephone(place.phone);
    if (!telephone) throw new ModelError<{ telephone: string }>('telephone', `Le téléphone ${place.phone} ne s’écrit pas au format international (+33…)`);
  }
  const contact =
    telephone || place.emails.length > 0 || place.website
      ? Contact({
          ...(telephone ? { telephone } : {}),
          ...(place.emails.length > 0 ? { courriels: place.emails.map(Courriel) } : {}),
          ...(place.website ? { site_web: [Url(place.website)] } : {}),
        })
      : undefined;
  const services = list(place.services, Services) as LieuMediationNumerique['services'];
  return {
    id: Id(place.id),
    pivot: Pivot(place.pivot),
    nom: Nom(place.name),
    adresse: Adresse({
      voie: place.address,
      code_postal: postalCode,
      commune: place.commune,
      ...(place.communeCode ? { code_insee: place.communeCode } : {}),
    }),
    ...(place.latitude !== null && place.longitude !== null ? { localisation: Localisation({ latitude: place.latitude, longitude: place.longitude }) } : {}),
    ...(place.typologies.length > 0 ? { typologies: Typologies(place.typologies as never) } : {}),
    ...(contact ? { contact } : {}),
    // The canonical syntax, as strict readers of the schema expect it (the form also takes looser writing).
    ...(place.openingHours ? { horaires: canonicalOpeningHours(place.openingHours) ?? place.openingHours } : {}),
    ...(place.summary ? { presentation: { resume: place.summary } } : {}),
    source,
    date_maj: new Date(`${place.updatedOn}T00:00:00Z`),
    ...(services ? { services } : {}),
    ...(place.publics.length > 0 ? { publics_specifiquement_adresses: PublicsSpecifiquementAdresses(place.publics as never) } : {}),
    ...(place.accessModes.length > 0 ? { modalites_acces: ModalitesAcces(place.accessModes as never) } : {}),
    ...(place.fees.length > 0 ? { frais_a_charge: FraisACharge(place.fees as never) } : {}),
    ...(place.bookingUrl ? { prise_rdv: Url(place.bookingUrl) } : {}),
  };
}

/** Who publishes: the network's coordinator, by its name ("Boucle" before there is one). */
async function publisherName(db: DbOrTx): Promise<string> {
  const [coordinator] = await db
    .select({ name: organisations.name })
    .from(organisations)
    .where(eq(organisations.kind, 'coordinator'))
    .orderBy(asc(organisations.createdAt))
    .limit(1);
  return coordinator?.name ?? 'Boucle';
}

export type NationalExport = { source: string; places: SchemaLieuMediationNumerique[]; leftOut: LeftOutPlace[] };

/**
 * The network's places (not other actors', which are theirs to publish) in the national schema,
 * through ANCT's model: what `/api/places/export.csv` and `.json` serve. A place the model refuses
 * is left out, and listed with the reason, for the coordinator to put right.
 */
export async function nationalExport(db: DbOrTx): Promise<NationalExport> {
  const source = await publisherName(db);
  const valid: LieuMediationNumerique[] = [];
  const leftOut: LeftOutPlace[] = [];
  for (const place of await listNetworkPlaces(db)) {
    try {
      valid.push(toNationalPlace(place, source));
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      const key = String((error as ModelError<Record<ModelKey, unknown>>).key);
      leftOut.push({ id: place.id, name: place.name, field: columnOfModelKey[key] ?? key, reason: error.message });
    }
  }
  const places = toSchemaLieuxDeMediationNumerique(valid).sort((a, b) => a.id.localeCompare(b.id));
  return { source, places, leftOut };
}

/**
 * A cell of open data: quoted when it must be (RFC 4180). Unlike the spreadsheets' exports, a
 * leading + or - is kept as it is: the schema's telephone starts with +33, and machines read this file.
 */
const openDataCell = (value: string | number | undefined) => {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The export as the schema's CSV: its columns in its order, commas, UTF-8 without BOM, CRLF. */
export function nationalCsv(places: SchemaLieuMediationNumerique[]): string {
  const rows = places.map((place) => schemaColumns.map((column) => openDataCell((place as Record<string, string | number | undefined>)[column])));
  return `${[schemaColumns.join(','), ...rows.map((row) => row.join(','))].join('\r\n')}\r\n`;
}

/** The export as JSON: the same lines under `lieux`, with the schema, the licence and what was left out. */
export function nationalJson(exported: NationalExport, generatedAt: Date) {
  return {
    schema: { name: nationalStandard.name, version: nationalStandard.version, url: nationalStandard.url },
    licence: nationalStandard.licence,
    source: exported.source,
    generatedAt: generatedAt.toISOString(),
    count: exported.places.length,
    leftOut: exported.leftOut,
    lieux: exported.places,
  };
}
