import { readData } from './communes.ts';

/** Régions and the département each belongs to (INSEE's COG, as packaged by Etalab), loaded on first use. */
type RegionRecord = { code: string; nom: string };
type DepartementRecord = { code: string; region: string };

let regionsByCode: Map<string, RegionRecord> | undefined;
let regionOfDepartementCode: Map<string, string> | undefined;

export function lookUpRegion(code: string): { ok: true; name: string } | { ok: false; message: string; french: string } {
  regionsByCode ??= new Map(readData<RegionRecord[]>('regions.json').map((record) => [record.code, record]));
  const region = regionsByCode.get(code);
  return region
    ? { ok: true, name: region.nom }
    : {
        ok: false,
        message: `${code} is not a région code (e.g. 75 for Nouvelle-Aquitaine).`,
        french: `${code} n’est pas le code d’une région (par exemple 75 pour la Nouvelle-Aquitaine).`,
      };
}

/** The région of a département (47 → 75), or undefined for a code that is not one. */
export function regionOfDepartement(departement: string): string | undefined {
  regionOfDepartementCode ??= new Map(readData<DepartementRecord[]>('departements.json').map((record) => [record.code, record.region]));
  return regionOfDepartementCode.get(departement.toUpperCase());
}
