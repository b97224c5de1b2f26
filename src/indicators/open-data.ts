import { sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { csvCell } from '../csv.ts';
import type { DbOrTx } from '../db/client.ts';
import { forbidden } from '../errors.ts';
import { communeCodePattern, departementCodePattern, sirenPattern, unanchored } from '../geography/code-shapes.ts';
import { lookUpTerritory, territoriesOf } from '../geography/communes.ts';
import { figuresOf } from './indicators.service.ts';
import { groupBy, monthFigures, type MonthFigures } from './indicator-series.ts';

/**
 * The network's monthly figures per commune, as open data for data.gouv.fr. What is published:
 * counts of what happened, where it happened (the commune of the site: a workshop, a collection
 * point, a mediation place, a building), summed over every organisation. Nothing about a family
 * (no household, no request, not where a family lives), no organisation, site, device or person,
 * no free text: a count per month and commune is what the coordinator already reports.
 */
export type OpenDataRow = MonthFigures & {
  communeCode: string;
  communeName: string;
  epciSiren: string;
  epciName: string;
  departementCode: string;
};

type Field = {
  name: string;
  title: string;
  description: string;
  type: 'string' | 'integer';
  format?: string;
  constraints: { required?: boolean; pattern?: string; minimum?: number };
  value: (row: OpenDataRow) => string | number;
};

const count = (name: string, title: string, description: string, value: (row: OpenDataRow) => number): Field => ({
  name,
  title,
  description,
  type: 'integer',
  constraints: { required: true, minimum: 0 },
  value,
});

/** The columns, in order: the CSV's header and the Table Schema come from this one list. */
export const openDataFields: Field[] = [
  {
    name: 'mois',
    title: 'Mois',
    description: 'Le mois (heure de Paris) où les événements ont eu lieu, au format AAAA-MM.',
    type: 'string',
    format: 'default',
    constraints: { required: true, pattern: '[0-9]{4}-(0[1-9]|1[0-2])' },
    value: (row) => row.month,
  },
  {
    name: 'code_commune',
    title: 'Code INSEE de la commune',
    description: 'Code officiel géographique (INSEE) de la commune, ou de l’arrondissement municipal, où se trouve le lieu de l’événement.',
    type: 'string',
    constraints: { required: true, pattern: unanchored(communeCodePattern) },
    value: (row) => row.communeCode,
  },
  {
    name: 'nom_commune',
    title: 'Nom de la commune',
    description: 'Nom de la commune selon le code officiel géographique.',
    type: 'string',
    constraints: { required: true },
    value: (row) => row.communeName,
  },
  {
    name: 'siren_epci',
    title: 'SIREN de l’EPCI',
    description: 'SIREN de l’établissement public de coopération intercommunale à fiscalité propre dont la commune est membre (vide si aucun).',
    type: 'string',
    constraints: { pattern: unanchored(sirenPattern) },
    value: (row) => row.epciSiren,
  },
  {
    name: 'nom_epci',
    title: 'Nom de l’EPCI',
    description: 'Nom de l’EPCI dont la commune est membre (vide si aucun).',
    type: 'string',
    constraints: {},
    value: (row) => row.epciName,
  },
  {
    name: 'code_departement',
    title: 'Code du département',
    description: 'Code officiel géographique du département de la commune.',
    type: 'string',
    constraints: { required: true, pattern: unanchored(departementCodePattern) },
    value: (row) => row.departementCode,
  },
  count('appareils_collectes', 'Appareils collectés', 'Appareils enregistrés dans un don (collecte) pendant le mois.', (row) => row.collected),
  count(
    'appareils_effaces',
    'Appareils effacés',
    'Appareils dont chaque support de stockage a été effacé (NIST SP 800-88) pendant le mois.',
    (row) => row.wiped,
  ),
  count('appareils_reconditionnes', 'Appareils reconditionnés', 'Appareils reconditionnés et mis en stock pendant le mois.', (row) => row.refurbished),
  count('appareils_reserves', 'Appareils réservés', 'Appareils réservés pour la demande d’un foyer pendant le mois.', (row) => row.reserved),
  count('appareils_remis', 'Appareils remis à des foyers', 'Appareils remis à un foyer, après sa formation, pendant le mois.', (row) => row.handedOver),
  count('appareils_demanteles', 'Appareils démantelés', 'Appareils démantelés pour pièces pendant le mois.', (row) => row.dismantled),
  count('appareils_recycles', 'Appareils recyclés', 'Appareils confiés à une filière de recyclage (DEEE) pendant le mois.', (row) => row.recycled),
  count(
    'familles_formees',
    'Familles formées',
    'Formations obligatoires achevées par des familles, comptées au lieu de la session (et non au domicile des familles).',
    (row) => row.familiesTrained,
  ),
  count(
    'immeubles_wifi_mis_en_service',
    'Immeubles avec Wi-Fi partagé mis en service',
    'Immeubles de logement social dont le Wi-Fi partagé a été mis en service pour la première fois pendant le mois.',
    (row) => row.wifiBuildingsLive,
  ),
  count(
    'emissions_evitees_kg_co2e',
    'Émissions de fabrication évitées (kg CO2e)',
    'Émissions de fabrication des appareils neufs que remplacent les appareils remis, facteurs ADEME / Arcep (impactco2.fr, 2025), arrondies au kilogramme.',
    (row) => row.kgCo2eAvoided,
  ),
];

/** The Frictionless Table Schema of the CSV (https://specs.frictionlessdata.io/table-schema/), as data.gouv.fr reads it. */
export function openDataTableSchema() {
  return {
    $schema: 'https://specs.frictionlessdata.io/schemas/table-schema.json',
    name: 'boucle-indicateurs-mensuels',
    title: 'Indicateurs mensuels du réemploi numérique par commune',
    description:
      'Ce que le réseau a fait chaque mois, commune par commune : appareils collectés, effacés, reconditionnés, remis à des foyers, démantelés ou recyclés, familles formées, Wi-Fi partagé mis en service et émissions évitées. Comptés à partir des événements enregistrés, là où ils ont eu lieu.',
    fields: openDataFields.map(({ value: _value, ...field }) => field),
    primaryKey: ['mois', 'code_commune'],
    missingValues: [''],
  };
}

/** The coordinator publishes the network's open data: its admins download it (a whole-network figure no other organisation sees). */
export const mayPublishOpenData = (actor: Pick<Actor, 'role' | 'organisationKind'>) => actor.role === 'admin' && actor.organisationKind === 'coordinator';

/** The monthly rows of a year, one per month and commune where something was counted (the coordinator only). */
export async function openDataRows(db: DbOrTx, actor: Actor, year: number): Promise<OpenDataRow[]> {
  if (!mayPublishOpenData(actor)) {
    throw forbidden('Only the network coordinator publishes the open data.');
  }
  const rows = await db.execute<{ month: string; communeCode: string; deviceKind: string; indicator: string; detail: string; count: number }>(sql`
    select to_char(month, 'YYYY-MM') as month, commune_code as "communeCode", device_kind as "deviceKind", indicator, detail, sum(count)::int as count
    from indicator_rollups
    where month between ${`${year}-01-01`}::date and ${`${year}-12-01`}::date
    group by 1, 2, 3, 4, 5
    order by 1, 2`);
  const groups = groupBy(
    rows.map((row) => ({ ...row, count: Number(row.count) })),
    (row) => `${row.month} ${row.communeCode}`,
  );
  return [...groups.values()].map((group) => {
    const { month, communeCode } = group[0]!;
    const containing = territoriesOf(communeCode);
    const epci = containing.find((territory) => territory.type === 'epci');
    const name = (territory: (typeof containing)[number] | undefined) => {
      const lookup = territory ? lookUpTerritory(territory) : undefined;
      return lookup?.ok ? lookup.name : '';
    };
    return {
      ...monthFigures(month, figuresOf(group)),
      communeCode,
      communeName: name(containing[0]),
      epciSiren: epci?.code ?? '',
      epciName: name(epci),
      departementCode: containing.find((territory) => territory.type === 'departement')?.code ?? '',
    };
  });
}

/** The rows as CSV: comma-separated, UTF-8 without BOM, a header of the schema's field names. */
export function openDataCsv(rows: OpenDataRow[]): string {
  const lines = [openDataFields.map((field) => field.name), ...rows.map((row) => openDataFields.map((field) => field.value(row)))];
  return `${lines.map((line) => line.map((cell) => csvCell(cell, ',')).join(',')).join('\r\n')}\r\n`;
}
