import type { DeviceKind, StorageMedium } from '../devices/devices.schema.ts';
import { readCsvTable, simplifyHeader as simplify } from '../csv.ts';
import { intakeItem } from '../devices/devices.input.ts';

/**
 * Reads an inventory as town halls and companies export it from a spreadsheet: `;` or `,`
 * separators, UTF-8 with or without BOM, French or English headers and kind names, quoted
 * fields that hold line breaks. Every record is checked on its own and reported with its line.
 */
export type IntakeDevice = {
  kind: DeviceKind;
  brand: string;
  model: string;
  serialNumber?: string;
  storageMedia: StorageMedium[];
  /** Empty storage cell: the bench must look inside before anything else happens. */
  storageUnknown: boolean;
  notes?: string;
};

/** `line` is where the record starts in the file (a text editor's count); `row` is the spreadsheet row. */
export type IntakeLine = { line: number; row: number } & ({ ok: true; device: IntakeDevice } | { ok: false; reason: string });

export type IntakeParse = { ok: true; lines: IntakeLine[] } | { ok: false; reason: string };

type Column = 'kind' | 'brand' | 'model' | 'serialNumber' | 'storage' | 'notes';

const headerNames: Record<Column, string[]> = {
  kind: ['kind', 'type', 'devicetype', 'categorie', 'category', 'materiel', 'typedemateriel', 'equipement', 'typeequipement'],
  brand: ['brand', 'marque', 'fabricant', 'manufacturer', 'constructeur', 'make'],
  model: ['model', 'modele', 'reference', 'designation'],
  serialNumber: ['serialnumber', 'serial', 'sn', 'numerodeserie', 'numeroserie', 'ndeserie', 'nserie', 'nodeserie', 'noserie'],
  storage: ['storage', 'stockage', 'disque', 'disques', 'typedestockage', 'stockagetype', 'storagetype'],
  notes: ['notes', 'note', 'remarques', 'remarque', 'commentaire', 'commentaires', 'observations', 'comments'],
};

const kindNames: Record<DeviceKind, string[]> = {
  laptop: ['laptop', 'portable', 'ordinateurportable', 'pcportable', 'notebook', 'ultraportable'],
  desktop: ['desktop', 'fixe', 'ordinateurfixe', 'pcfixe', 'unitecentrale', 'uc', 'tour', 'ordinateurdebureau'],
  tablet: ['tablet', 'tablette'],
  smartphone: ['smartphone', 'telephone', 'telephoneportable', 'mobile', 'phone'],
  screen: ['screen', 'ecran', 'moniteur', 'monitor'],
  peripheral: ['peripheral', 'peripherique', 'clavier', 'souris', 'keyboard', 'mouse', 'imprimante', 'printer'],
  access_point: ['accesspoint', 'borne', 'bornewifi', 'pointdacces', 'ap'],
  other: ['other', 'autre', 'divers'],
};

const storageNames: Record<StorageMedium['type'] | 'none', string[]> = {
  none: ['none', 'aucun', 'aucune', 'sans', 'non', '0'],
  hdd: ['hdd', 'dd', 'disquedur', 'harddisk', 'sata'],
  ssd: ['ssd'],
  nvme: ['nvme', 'm2', 'm2nvme', 'nvmessd'],
  emmc: ['emmc'],
  other: ['other', 'autre'],
};

const lookUp = <K extends string>(table: Record<K, string[]>, value: string): K | undefined =>
  (Object.keys(table) as K[]).find((key) => table[key].includes(simplify(value)));

function readDevice(cells: Partial<Record<Column, string>>): IntakeDevice | string {
  const problems: string[] = [];
  const kindCell = cells.kind?.trim() ?? '';
  const kind = lookUp(kindNames, kindCell);
  if (!kindCell) problems.push('the kind is empty (portable, fixe, tablette, écran...)');
  else if (!kind) problems.push(`"${kindCell}" is not a kind Boucle knows (portable, fixe, tablette, smartphone, écran, périphérique, autre)`);
  const brand = cells.brand?.trim() ?? '';
  if (!brand) problems.push('the brand is empty');
  const model = cells.model?.trim() ?? '';
  if (!model) problems.push('the model is empty');
  const storageCell = cells.storage?.trim() ?? '';
  const storageMedia: StorageMedium[] = [];
  for (const part of storageCell ? storageCell.split('+') : []) {
    const type = lookUp(storageNames, part);
    if (!type) problems.push(`storage "${part.trim()}" is not one of none, hdd, ssd, nvme, emmc (join several with +)`);
    else if (type !== 'none') storageMedia.push({ type });
  }
  if (problems.length > 0 || !kind) return problems.join('; ');
  // The rest as the JSON intake reads a device, with the same schema.
  const parsed = intakeItem.safeParse({
    kind,
    brand,
    model,
    serialNumber: cells.serialNumber?.trim() || undefined,
    storageMedia,
    storageUnknown: storageCell === '',
    notes: cells.notes?.trim() || undefined,
  });
  if (!parsed.success) return parsed.error.issues.map((issue) => `the ${issue.path.join('.')}: ${issue.message}`).join('; ');
  const { labelCode: _, storageUnknown = false, ...device } = parsed.data;
  return { ...device, storageUnknown };
}

export function parseIntakeCsv(content: string): IntakeParse {
  const table = readCsvTable(content);
  if (!table.ok) return table;
  const columns = table.header.map((name) => lookUp(headerNames, name));
  const missing = (['kind', 'brand', 'model'] as const).filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `The header line lacks the column(s) ${missing.join(', ')} (French or English names: type/kind, marque/brand, modèle/model, numéro de série/serial_number, stockage/storage, remarques/notes).`,
    };
  }
  const lines = table.rows.map(({ line, row, record }): IntakeLine => {
    const cells: Partial<Record<Column, string>> = {};
    columns.forEach((column, cellIndex) => {
      if (column) cells[column] = record[cellIndex];
    });
    const device = readDevice(cells);
    return typeof device === 'string' ? { line, row, ok: false, reason: device } : { line, row, ok: true, device };
  });
  return { ok: true, lines };
}
