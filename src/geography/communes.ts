import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

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
};

export type Commune = { code: string; name: string; departement: string };

export type CommuneLookup = { ok: true; commune: Commune } | { ok: false; message: string };

let communesByCode: Map<string, CommuneRecord> | undefined;

function communes(): Map<string, CommuneRecord> {
  if (!communesByCode) {
    const path = createRequire(import.meta.url).resolve('@etalab/decoupage-administratif/data/communes.json');
    const records = JSON.parse(readFileSync(path, 'utf8')) as CommuneRecord[];
    communesByCode = new Map();
    // A delegated or associated commune shares its code with nothing current, except where it is the
    // chef-lieu: the current commune must win.
    for (const record of records) {
      const existing = communesByCode.get(record.code);
      if (!existing || existing.type !== 'commune-actuelle') communesByCode.set(record.code, record);
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
  if (!record) return { ok: false, message: `${code} is not an INSEE commune code.` };
  if (record.type === 'commune-actuelle' || record.type === 'arrondissement-municipal') {
    return { ok: true, commune: { code: record.code, name: record.nom, departement: record.departement ?? '' } };
  }
  const current = record.chefLieu ? communes().get(record.chefLieu) : undefined;
  return {
    ok: false,
    message: current
      ? `${code} (${record.nom}) is a former commune, now part of ${current.nom}: use ${current.code}.`
      : `${code} (${record.nom}) is a former commune; use the code of the commune it belongs to now.`,
  };
}
