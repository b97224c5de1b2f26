import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { communeCodePattern, departementCodePattern, sirenPattern } from './code-shapes.ts';

/**
 * The official administrative geography (INSEE's COG, as packaged by Etalab), loaded on first use:
 * 37,000 communes are too many to read at import time.
 */
type CommuneRecord = {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  chefLieu?: string;
  commune?: string;
  codesPostaux?: string[];
};

export type Commune = { code: string; name: string; departement: string };

/** A refused code says why in English (`message`) and in French (`french`). */
export type CommuneLookup = { ok: true; commune: Commune } | { ok: false; message: string; french: string };

let communesByCode: Map<string, CommuneRecord> | undefined;

export const readData = <T>(file: string): T =>
  JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`@etalab/decoupage-administratif/data/${file}`), 'utf8')) as T;

function communes(): Map<string, CommuneRecord> {
  if (!communesByCode) {
    const records = readData<CommuneRecord[]>('communes.json');
    communesByCode = new Map();
    // A delegated or associated commune shares its code with nothing current, except where it is the
    // chef-lieu: the current commune must win.
    for (const record of records) {
      const existing = communesByCode.get(record.code);
      if (existing?.type !== 'commune-actuelle') communesByCode.set(record.code, record);
    }
  }
  return communesByCode;
}

/**
 * A current commune, or a Paris/Lyon/Marseille arrondissement (their addresses carry its code).
 * A former commune merged into another is refused with the code to use instead.
 */
export function lookUpCommune(code: string): CommuneLookup {
  const record = communes().get(code.toUpperCase());
  if (!record) return { ok: false, message: `${code} is not an INSEE commune code.`, french: `${code} n’est pas le code INSEE d’une commune actuelle.` };
  if (record.type === 'commune-actuelle' || record.type === 'arrondissement-municipal') {
    return { ok: true, commune: { code: record.code, name: record.nom, departement: record.departement ?? '' } };
  }
  const current = record.chefLieu ? communes().get(record.chefLieu) : undefined;
  return current
    ? {
        ok: false,
        message: `${code} (${record.nom}) is a former commune, now part of ${current.nom}: use ${current.code}.`,
        french: `${code} (${record.nom}) est une ancienne commune, aujourd’hui dans ${current.nom} : utilisez le code ${current.code}.`,
      }
    : {
        ok: false,
        message: `${code} (${record.nom}) is a former commune; use the code of the commune it belongs to now.`,
        french: `${code} (${record.nom}) est une ancienne commune : utilisez le code de la commune dont elle fait partie.`,
      };
}

/** The postal codes La Poste gives a commune (several for large ones), from the same data. */
export const postalCodesOf = (code: string): string[] => communes().get(code.toUpperCase())?.codesPostaux ?? [];

type EpciRecord = { code: string; nom: string; membres: { code: string }[] };
type DepartementRecord = { code: string; nom: string };

let epciByCode: Map<string, EpciRecord> | undefined;
let epciOfCommune: Map<string, string> | undefined;
let departementsByCode: Map<string, DepartementRecord> | undefined;

function epcis() {
  if (!epciByCode || !epciOfCommune) {
    const records = readData<EpciRecord[]>('epci.json');
    epciByCode = new Map(records.map((record) => [record.code, record]));
    epciOfCommune = new Map(records.flatMap((record) => record.membres.map((member) => [member.code, record.code] as const)));
  }
  return { byCode: epciByCode, ofCommune: epciOfCommune };
}

function departements() {
  departementsByCode ??= new Map(readData<DepartementRecord[]>('departements.json').map((record) => [record.code, record]));
  return departementsByCode;
}

/** A territory a programme serves: a commune, an EPCI (by its SIREN) or a département. */
export type Territory = { type: 'commune' | 'epci' | 'departement'; code: string };

/** The territory's name, or why it is not one in English and French (a code that does not exist is refused). */
export function lookUpTerritory(territory: Territory): { ok: true; name: string } | { ok: false; message: string; french: string } {
  if (territory.type === 'commune') {
    const lookup = lookUpCommune(territory.code);
    return lookup.ok ? { ok: true, name: lookup.commune.name } : lookup;
  }
  if (territory.type === 'epci') {
    const epci = epcis().byCode.get(territory.code);
    return epci
      ? { ok: true, name: epci.nom }
      : { ok: false, message: `${territory.code} is not the SIREN of an EPCI.`, french: `${territory.code} n’est le SIREN d’aucun EPCI.` };
  }
  const departement = departements().get(territory.code.toUpperCase());
  return departement
    ? { ok: true, name: departement.nom }
    : { ok: false, message: `${territory.code} is not a département code.`, french: `${territory.code} n’est pas le code d’un département.` };
}

/**
 * The territory a code alone names, by its shape: a département (47, 2A, 971), a commune (its
 * INSEE code, 47001) or an EPCI (its SIREN, 200068161); undefined for a code of no such shape.
 */
export function territoryOfCode(code: string): Territory | undefined {
  const upper = code.toUpperCase();
  if (sirenPattern.test(upper)) return { type: 'epci', code: upper };
  if (communeCodePattern.test(upper)) return { type: 'commune', code: upper };
  if (departementCodePattern.test(upper)) return { type: 'departement', code: upper };
  return undefined;
}

/**
 * The territories a commune belongs to, from the smallest: itself, its EPCI, its département. A
 * Paris, Lyon or Marseille arrondissement also belongs to its commune (13203 is in Marseille).
 */
export function territoriesOf(communeCode: string): Territory[] {
  const record = communes().get(communeCode.toUpperCase());
  if (!record) return [];
  const commune = record.type === 'arrondissement-municipal' && record.commune ? record.commune : record.code;
  const epci = epcis().ofCommune.get(commune);
  return [
    { type: 'commune', code: record.code },
    ...(commune !== record.code ? [{ type: 'commune' as const, code: commune }] : []),
    ...(epci ? [{ type: 'epci' as const, code: epci }] : []),
    ...(record.departement ? [{ type: 'departement' as const, code: record.departement }] : []),
  ];
}

/** Whether a commune lies in one of the territories. */
export const communeIsIn = (communeCode: string, served: Territory[]) =>
  territoriesOf(communeCode).some((territory) => served.some((entry) => entry.type === territory.type && entry.code.toUpperCase() === territory.code));

/**
 * The commune codes a territory holds, as sites and places carry them: a commune and its
 * arrondissements (Paris, Lyon, Marseille), an EPCI's member communes, a département's communes.
 */
export function communeCodesIn(territory: Territory): string[] {
  const code = territory.code.toUpperCase();
  const members =
    territory.type === 'commune'
      ? new Set([code])
      : territory.type === 'epci'
        ? new Set(
            epcis()
              .byCode.get(code)
              ?.membres.map((member) => member.code),
          )
        : undefined;
  const codes: string[] = [];
  for (const record of communes().values()) {
    if (record.type !== 'commune-actuelle' && record.type !== 'arrondissement-municipal') continue;
    const commune = record.type === 'arrondissement-municipal' && record.commune ? record.commune : record.code;
    if (members ? members.has(commune) || members.has(record.code) : record.departement === code) codes.push(record.code);
  }
  return codes;
}
