import { inBoth } from '../field-messages.ts';
import { lookUpTerritory, territoriesOf, territoryOfCode, type Territory } from '../geography/communes.ts';
import { lookUpRegion, regionOfDepartement } from '../geography/regions.ts';

/** A territory figures are asked for: the programmes' territories, and the région above them. */
export type IndicatorTerritory = { type: Territory['type'] | 'region'; code: string; name: string };

export const territoryTypes = ['commune', 'epci', 'departement', 'region'] as const;

/**
 * `47001` (a commune), `200068161` (an EPCI's SIREN), `47`, `2A` or `971` (a département), or
 * with its type spelled out: `commune:47001`, `epci:…`, `departement:47`, `region:75` (a région
 * code looks like a département's, so it is always written with its type).
 */
export const territoryPattern = /^(?:(commune|epci|departement|region):)?([0-9A-Za-z]{2,9})$/;

export function parseTerritory(text: string): { ok: true; territory: IndicatorTerritory } | { ok: false; message: string; french?: string } {
  const match = territoryPattern.exec(text);
  const code = match?.[2]?.toUpperCase();
  const type = (match?.[1] as IndicatorTerritory['type'] | undefined) ?? (code ? territoryOfCode(code)?.type : undefined);
  if (!code || !type) {
    return {
      ok: false,
      message: inBoth(
        'A commune (47001), an EPCI (its SIREN, 200068161), a département (47) or a région written region:75.',
        'Indiquez un territoire : une commune (code INSEE, 47001), un EPCI (son SIREN), un département (47) ou une région (region:75).',
      ),
    };
  }
  const lookup = type === 'region' ? lookUpRegion(code) : lookUpTerritory({ type, code });
  return lookup.ok ? { ok: true, territory: { type, code, name: lookup.name } } : lookup;
}

/** Whether a commune (where an event happened) lies in the territory. */
export function communeIsInTerritory(communeCode: string, territory: IndicatorTerritory): boolean {
  const containing = territoriesOf(communeCode);
  if (territory.type === 'region') {
    const departement = containing.find((entry) => entry.type === 'departement');
    return departement !== undefined && regionOfDepartement(departement.code) === territory.code;
  }
  return containing.some((entry) => entry.type === territory.type && entry.code.toUpperCase() === territory.code);
}
