import {
  fromSchemaLieuDeMediationNumerique,
  isValidCourriel,
  isValidUrl,
  type LieuMediationNumerique,
  ModelError,
  type SchemaLieuMediationNumerique,
} from '@gouvfr-anct/lieux-de-mediation-numerique';
import { simplifyHeader } from '../csv.ts';
import { isStorableText } from '../text.ts';
import { columnNamesInFrench, requiredColumns, type SchemaColumn, schemaColumns, schemaLists, valueSeparator } from './national-standard.ts';
import { canonicalOpeningHours, openingHoursError } from './opening-hours.ts';
import { placeSummaryMaxLength } from './places.types.ts';

/**
 * One line of a file in the national schema, read as the national map reads it: with ANCT's
 * `fromSchemaLieuDeMediationNumerique`, after the schema's own rules that the library leaves
 * aside (required cells, the date, the hours' syntax, the summary's length, the value lists).
 * Every wrong field of a line is reported, in English and in French.
 */

/** What an imported place keeps: the columns of `external_places` a line fills. */
export type ExternalPlaceValues = {
  externalId: string;
  name: string;
  address: string;
  postalCode: string;
  commune: string;
  communeCode: string | null;
  pivot: string;
  latitude: number | null;
  longitude: number | null;
  typologies: string[];
  services: string[];
  openingHours: string | null;
  phone: string | null;
  emails: string[];
  website: string | null;
  summary: string | null;
  publics: string[];
  accessModes: string[];
  fees: string[];
  bookingUrl: string | null;
  source: string | null;
  sourceUpdatedOn: string;
};

/** A wrong field of a line: the schema's column, why in English, and in French. */
export type FieldProblem = { field: SchemaColumn; message: string; french: string };

export type PlaceCells = Partial<Record<SchemaColumn, string>>;

/** An id is a key of the places imported: long enough for any scheme of ids, short enough for its index. */
export const idMaxLength = 200;

const columnBySimpleName = new Map(schemaColumns.map((column) => [simplifyHeader(column), column]));

/** The schema's column of each header cell (undefined for a column the schema does not have), and the required ones missing. */
export function columnsOf(header: string[]): { columns: (SchemaColumn | undefined)[]; missing: SchemaColumn[] } {
  const columns = header.map((name) => columnBySimpleName.get(simplifyHeader(name)));
  // A column named twice: the first one counts.
  const kept = columns.map((column, index) => (column && columns.indexOf(column) === index ? column : undefined));
  return { columns: kept, missing: requiredColumns.filter((column) => !kept.includes(column)) };
}

/** Columns of several values, each trimmed: "Jeunes | Seniors|" reads as "Jeunes|Seniors". */
const multiValued = new Set<SchemaColumn>([...(Object.keys(schemaLists) as SchemaColumn[]), 'courriels', 'site_web', 'autres_formations_labels']);

/** A record's cells by the schema's column, trimmed; an empty cell is an absent one. */
export function cellsOf(columns: (SchemaColumn | undefined)[], record: string[]): PlaceCells {
  const cells: PlaceCells = {};
  columns.forEach((column, index) => {
    let value = record[index]?.trim();
    if (column && value && multiValued.has(column))
      value = value
        .split(valueSeparator)
        .map((item) => item.trim())
        .filter(Boolean)
        .join(valueSeparator);
    if (column && value) cells[column] = value;
  });
  return cells;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const problem = (field: SchemaColumn, message: string, french: string): FieldProblem => ({ field, message, french });

const isRealDay = (day: string) => {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
};

function dateProblem(value: string, today: string): FieldProblem | undefined {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value) || !isRealDay(value) || value < '1990-01-01')
    return problem(
      'date_maj',
      `"${value}" is not a date as the schema writes it (YYYY-MM-DD, e.g. 2026-03-31).`,
      `« ${value} » n’est pas une date au format du schéma (AAAA-MM-JJ, par exemple 2026-03-31).`,
    );
  // A date to come would keep every later update of the place out.
  if (value > today)
    return problem(
      'date_maj',
      `The update date ${value} is in the future.`,
      `La date de mise à jour ${value} est dans le futur : elle n’a pas encore eu lieu.`,
    );
  return undefined;
}

function listProblem(column: SchemaColumn, value: string): FieldProblem | undefined {
  const allowed = schemaLists[column];
  if (!allowed) return undefined;
  const unknown = value
    .split(valueSeparator)
    .map((item) => item.trim())
    .find((item) => !allowed.includes(item));
  if (unknown === undefined) return undefined;
  // Values joined with ; or , as spreadsheets do: the schema wants |.
  const otherSeparator = value.split(/[;,]/).every((item) => allowed.includes(item.trim()));
  return otherSeparator
    ? problem(
        column,
        `${column}: the values are separated by "|" in the national schema, not by ";" or ",".`,
        `${capitalised(columnNamesInFrench[column])} : les valeurs sont séparées par « | » dans le schéma national, pas par « ; » ni « , ».`,
      )
    : problem(
        column,
        `"${unknown}" is not one of the national schema's values for ${column}.`,
        `« ${unknown} » n’est pas une valeur de la liste nationale pour ${columnNamesInFrench[column]}.`,
      );
}

const anctMessages: Partial<Record<SchemaColumn, (value: string) => [string, string]>> = {
  id: () => ['The id is empty.', 'L’identifiant est vide.'],
  pivot: (value) => [
    `"${value}" is neither a SIRET (14 digits) nor an RNA number (W and 9 characters).`,
    `« ${value} » n’est ni un SIRET (14 chiffres) ni un numéro RNA (W suivi de 9 caractères).`,
  ],
  code_postal: (value) => [`The postal code "${value}" is not 5 digits.`, `Le code postal « ${value} » n’a pas 5 chiffres.`],
  code_insee: (value) => [
    `"${value}" is not an INSEE commune code (5 characters, e.g. 47001).`,
    `« ${value} » n’est pas un code INSEE de commune (5 caractères, par exemple 47001).`,
  ],
  commune: (value) => [
    `The commune "${value}" holds characters the national schema does not take.`,
    `La commune « ${value} » contient des caractères que le schéma national n’accepte pas.`,
  ],
  adresse: (value) => [
    `The address "${value}" holds characters the national schema does not take.`,
    `L’adresse « ${value} » contient des caractères que le schéma national n’accepte pas.`,
  ],
  latitude: (value) => [`The latitude ${value} is not between -90 and 90.`, `La latitude ${value} n’est pas comprise entre -90 et 90.`],
  longitude: (value) => [`The longitude ${value} is not between -180 and 180.`, `La longitude ${value} n’est pas comprise entre -180 et 180.`],
  telephone: (value) => [
    `"${value}" is not a French phone number (e.g. +33553000047 or 05 53 00 00 47).`,
    `« ${value} » n’est pas un numéro de téléphone français (par exemple +33553000047 ou 05 53 00 00 47).`,
  ],
};

/** The schema's column a ModelError is about (the model names the address `voie`, a SIRET `siret`...). */
function columnOfModelError(key: string, cells: PlaceCells): SchemaColumn | undefined {
  const byKey: Record<string, SchemaColumn> = { voie: 'adresse', siret: 'pivot', rna: 'pivot', typologies: 'typologie', courriel: 'courriels' };
  if (key === 'url') return cells.prise_rdv && !isValidUrl(cells.prise_rdv) ? 'prise_rdv' : 'fiche_acces_libre';
  if (byKey[key]) return byKey[key];
  return (schemaColumns as readonly string[]).includes(key) ? (key as SchemaColumn) : undefined;
}

function modelProblem(error: ModelError<unknown>, cells: PlaceCells): FieldProblem {
  const field = columnOfModelError(String(error.key), cells) ?? 'id';
  const value = cells[field] ?? '';
  const words = anctMessages[field]?.(value);
  return words
    ? problem(field, words[0], words[1])
    : problem(field, `${field}: the national model refuses "${value}" (${error.message}).`, `${capitalised(columnNamesInFrench[field])} : ${error.message}.`);
}

const webAddress = (value: string) => /^https?:\/\/\S+$/i.test(value);

/** The schema's line as ANCT's library types it: numbers for the coordinates, absent cells absent. */
function schemaRecord(cells: PlaceCells, latitude?: number, longitude?: number): SchemaLieuMediationNumerique {
  const { latitude: _, longitude: __, ...texts } = cells;
  return { ...(texts as SchemaLieuMediationNumerique), latitude, longitude };
}

function coordinate(cells: PlaceCells, column: 'latitude' | 'longitude', problems: FieldProblem[]): number | undefined {
  const cell = cells[column];
  if (cell === undefined) return undefined;
  const value = Number(cell.replace(',', '.'));
  if (!Number.isFinite(value) || cell.trim() === '') {
    problems.push(
      problem(
        column,
        `The ${column} "${cell}" is not a number (e.g. 44.2033).`,
        `${capitalised(columnNamesInFrench[column])} « ${cell} » n’est pas un nombre (par exemple 44.2033).`,
      ),
    );
    return undefined;
  }
  return value;
}

/**
 * What a valid line keeps of ANCT's reading of it: the hours in the canonical syntax, and of the
 * web addresses and e-mails, those that are web addresses (http, https) and e-mail addresses.
 */
function valuesOf(place: LieuMediationNumerique, cells: PlaceCells): ExternalPlaceValues {
  const complement = place.adresse.complement_adresse;
  return {
    externalId: place.id,
    name: place.nom,
    address: complement ? `${place.adresse.voie}, ${complement}` : place.adresse.voie,
    postalCode: place.adresse.code_postal,
    commune: place.adresse.commune,
    communeCode: place.adresse.code_insee?.toUpperCase() ?? null,
    pivot: place.pivot,
    latitude: place.localisation?.latitude ?? null,
    longitude: place.localisation?.longitude ?? null,
    typologies: place.typologies ?? [],
    services: place.services ?? [],
    openingHours: place.horaires ? (canonicalOpeningHours(place.horaires) ?? place.horaires) : null,
    phone: place.contact?.telephone ?? null,
    emails: (place.contact?.courriels ?? []).map((email) => email.trim()).filter(isValidCourriel),
    website: (place.contact?.site_web ?? []).map((url) => url.trim()).find(webAddress) ?? null,
    summary: place.presentation?.resume ?? null,
    publics: place.publics_specifiquement_adresses ?? [],
    accessModes: place.modalites_acces ?? [],
    fees: place.frais_a_charge ?? [],
    bookingUrl: place.prise_rdv && webAddress(place.prise_rdv) ? place.prise_rdv : null,
    source: cells.source ?? null,
    sourceUpdatedOn: cells.date_maj!,
  };
}

/** One line's place, or every wrong field of it. `today` is Paris's date (YYYY-MM-DD): an update cannot come from the future. */
export function readPlaceLine(cells: PlaceCells, today: string): { ok: true; place: ExternalPlaceValues } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  for (const [column, value] of Object.entries(cells) as [SchemaColumn, string][]) {
    if (!isStorableText(value))
      problems.push(
        problem(
          column,
          `${column} holds a character that cannot be stored (a NUL or a broken one).`,
          `${capitalised(columnNamesInFrench[column])} contient un caractère illisible.`,
        ),
      );
  }
  if (problems.length > 0) return { ok: false, problems };
  for (const column of requiredColumns) {
    if (cells[column] === undefined)
      problems.push(
        problem(
          column,
          `${column} is required by the national schema; the cell is empty.`,
          `${capitalised(columnNamesInFrench[column])} est obligatoire dans le schéma national : la cellule est vide.`,
        ),
      );
  }
  if (cells.id !== undefined && cells.id.length > idMaxLength)
    problems.push(problem('id', `The id is longer than ${idMaxLength} characters.`, `L’identifiant dépasse ${idMaxLength} caractères.`));
  if (cells.date_maj !== undefined) {
    const wrongDate = dateProblem(cells.date_maj, today);
    if (wrongDate) problems.push(wrongDate);
  }
  if (cells.horaires !== undefined && openingHoursError(cells.horaires))
    problems.push(
      problem(
        'horaires',
        `"${cells.horaires}" is not in the OpenStreetMap opening_hours syntax (e.g. "Mo-Fr 09:00-12:00,14:00-17:30; PH off").`,
        `« ${cells.horaires} » n’est pas écrit au format OpenStreetMap des horaires (par exemple « Mo-Fr 09:00-12:00,14:00-17:30; PH off »).`,
      ),
    );
  if (cells.presentation_resume !== undefined && cells.presentation_resume.length > placeSummaryMaxLength)
    problems.push(
      problem(
        'presentation_resume',
        `The summary has ${cells.presentation_resume.length} characters; the national schema takes ${placeSummaryMaxLength} at most.`,
        `Le résumé fait ${cells.presentation_resume.length} caractères ; le schéma national en accepte ${placeSummaryMaxLength} au plus.`,
      ),
    );
  for (const column of Object.keys(schemaLists) as SchemaColumn[]) {
    const wrong = cells[column] === undefined ? undefined : listProblem(column, cells[column]!);
    if (wrong) problems.push(wrong);
  }
  for (const column of ['prise_rdv', 'fiche_acces_libre'] as const) {
    if (cells[column] !== undefined && !isValidUrl(cells[column]!))
      problems.push(problem(column, `"${cells[column]}" is not a web address (https://...).`, `« ${cells[column]} » n’est pas une adresse web (https://…).`));
  }
  const latitude = coordinate(cells, 'latitude', problems);
  const longitude = coordinate(cells, 'longitude', problems);
  let place: LieuMediationNumerique | undefined;
  try {
    place = fromSchemaLieuDeMediationNumerique(schemaRecord(cells, latitude, longitude));
  } catch (error) {
    // Given a line without its required cells (already reported), the library may fail otherwise than with a ModelError.
    if (!(error instanceof ModelError)) {
      if (problems.length > 0) return { ok: false, problems };
      throw error;
    }
    const refused = modelProblem(error, cells);
    // The model stops at its first refusal, which the checks above may have named already.
    if (!problems.some((known) => known.field === refused.field)) problems.push(refused);
  }
  if (problems.length > 0 || !place) return { ok: false, problems: problems.sort((a, b) => schemaColumns.indexOf(a.field) - schemaColumns.indexOf(b.field)) };
  return { ok: true, place: valuesOf(place, cells) };
}
