import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { DomainError, forbidden, notFound, ValidationError, type FieldError } from '../errors.ts';
import { getOrganisation } from '../organisations/organisations.service.ts';
import { checkCommune } from '../organisations/sites.service.ts';
import { readCsvTable, simplifyHeader } from '../csv.ts';
import { decodeUploadedText, isStorableText } from '../text.ts';
import { buildingFor, visibleBuildings } from './access.ts';
import { deployments } from './deployments.schema.ts';
import { apartments, buildings, residences } from './places.schema.ts';

/** The landlord a manager or the coordinator creates places for. */
async function landlordFor(db: DbOrTx, actor: Actor, organisationId: string | undefined) {
  if (actor.role === 'landlord_manager') return actor.organisationId;
  if (actor.role !== 'admin') throw forbidden('Only a landlord’s managers and the network coordinator can record residences and buildings.');
  if (!organisationId) throw new ValidationError([{ path: 'organisationId', message: 'Say which landlord this residence belongs to.' }]);
  const landlord = await getOrganisation(db, actor, organisationId).catch(() => undefined);
  if (landlord?.kind !== 'landlord') throw new ValidationError([{ path: 'organisationId', message: 'No landlord has this id.' }]);
  return landlord.id;
}

export async function createResidence(db: DbOrTx, actor: Actor, input: { name: string; shortName: string; communeCode: string; organisationId?: string }) {
  const organisationId = await landlordFor(db, actor, input.organisationId);
  checkCommune(input.communeCode);
  const [residence] = await db
    .insert(residences)
    .values({ organisationId, name: input.name, shortName: input.shortName, communeCode: input.communeCode })
    .onConflictDoNothing()
    .returning();
  if (!residence) throw new DomainError(409, 'residence_exists', `This landlord already has a residence named “${input.name}”.`);
  return residence;
}

export async function listResidences(db: DbOrTx, actor: Actor, filter: { organisationId?: string }) {
  return db
    .selectDistinct({ residence: residences })
    .from(residences)
    .leftJoin(buildings, eq(buildings.residenceId, residences.id))
    .leftJoin(deployments, eq(deployments.buildingId, buildings.id))
    .where(
      and(
        actor.role === 'landlord_manager' ? eq(residences.organisationId, actor.organisationId) : visibleBuildings(actor),
        filter.organisationId ? eq(residences.organisationId, filter.organisationId) : undefined,
      ),
    )
    .orderBy(asc(residences.name))
    .then((rows) => rows.map((row) => row.residence));
}

export type BuildingInput = { name: string; address: string; communeCode: string; floors: number };

/** A building of a residence; its deployment starts `planned` with it, so the rollout shows every building. */
export async function createBuilding(db: DbOrTx, actor: Actor, residenceId: string, input: BuildingInput) {
  const [residence] = await db.select().from(residences).where(eq(residences.id, residenceId));
  const mayManage = residence && (actor.role === 'admin' || (actor.role === 'landlord_manager' && actor.organisationId === residence.organisationId));
  if (!residence || !mayManage) throw notFound('This residence');
  checkCommune(input.communeCode);
  return db.transaction(async (tx) => {
    const [building] = await tx
      .insert(buildings)
      .values({ ...input, organisationId: residence.organisationId, residenceId })
      .onConflictDoNothing()
      .returning();
    if (!building) throw new DomainError(409, 'building_exists', `This residence already has a building named “${input.name}”.`);
    await tx.insert(deployments).values({ organisationId: residence.organisationId, buildingId: building.id });
    return building;
  });
}

export type ApartmentInput = { unit: string; floor: number };

/**
 * Adds apartments to a building, all or none: each item is checked (a floor the building has, a
 * unit reference not already used) and every problem is reported against its item.
 */
export async function addApartments(db: DbOrTx, actor: Actor, buildingId: string, items: ApartmentInput[], pathOf = (index: number) => `apartments.${index}`) {
  return db.transaction(async (tx) => {
    const { building } = await buildingFor(tx, actor, buildingId, 'manage');
    // One writer per building at a time: two uploads of the same list cannot both add it.
    await tx.select({ id: buildings.id }).from(buildings).where(eq(buildings.id, buildingId)).for('update');
    const existing = new Set(
      (await tx.select({ unit: apartments.unit }).from(apartments).where(eq(apartments.buildingId, buildingId))).map((row) => row.unit.toLowerCase()),
    );
    const seen = new Set<string>();
    const errors: FieldError[] = [];
    items.forEach((item, index) => {
      const key = item.unit.toLowerCase();
      if (item.floor >= building.floors)
        errors.push({
          path: pathOf(index),
          message: `Floor ${item.floor} does not exist: ${building.name} has floors 0 (ground floor) to ${building.floors - 1}.`,
        });
      if (existing.has(key)) errors.push({ path: pathOf(index), message: `Apartment ${item.unit} is already recorded in this building.` });
      else if (seen.has(key)) errors.push({ path: pathOf(index), message: `Apartment ${item.unit} appears twice in the list.` });
      seen.add(key);
    });
    if (errors.length > 0) throw new ValidationError(errors);
    const added = await tx
      .insert(apartments)
      .values(items.map((item) => ({ ...item, buildingId, organisationId: building.organisationId })))
      .returning();
    return added;
  });
}

const apartmentHeaders = {
  unit: ['unit', 'logement', 'numero', 'numerodelogement', 'reference', 'porte', 'appartement', 'lot'],
  floor: ['floor', 'etage', 'palier', 'niveau'],
};

/**
 * Reads an apartment list as landlords export it (`;` or `,`, French or English headers,
 * UTF-8 or Windows-1252): a `unit` and a `floor` column, "RDC" for the ground floor.
 * Each bad line is reported with its line number; nothing is added unless every line is right.
 */
export function parseApartmentsCsv(content: Uint8Array): { items: ApartmentInput[]; lines: number[] } {
  const table = readCsvTable(decodeUploadedText(content));
  if (!table.ok) throw new ValidationError([{ path: 'file', message: table.reason }]);
  const header = table.header.map(simplifyHeader);
  const unitColumn = header.findIndex((name) => apartmentHeaders.unit.includes(name));
  const floorColumn = header.findIndex((name) => apartmentHeaders.floor.includes(name));
  if (unitColumn < 0 || floorColumn < 0) {
    throw new ValidationError([{ path: 'file', message: 'The first line must name the columns: “logement” (or unit) and “étage” (or floor).' }]);
  }
  const errors: FieldError[] = [];
  const items: ApartmentInput[] = [];
  const lines: number[] = [];
  for (const { line, record } of table.rows) {
    const unit = (record[unitColumn] ?? '').trim();
    const floorCell = (record[floorColumn] ?? '').trim().toUpperCase();
    const floor = ['RDC', 'RC', 'R'].includes(floorCell) ? 0 : /^[0-9]{1,2}$/.test(floorCell) ? Number(floorCell) : undefined;
    if (!unit || unit.length > 40 || !isStorableText(unit))
      errors.push({ path: `line ${line}`, message: 'The apartment reference is empty or longer than 40 characters.' });
    if (floor === undefined) errors.push({ path: `line ${line}`, message: `“${floorCell}” is not a floor: write a number, or RDC for the ground floor.` });
    if (unit && floor !== undefined) {
      items.push({ unit, floor });
      lines.push(line);
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
  if (items.length === 0) throw new ValidationError([{ path: 'file', message: 'The file lists no apartment.' }]);
  return { items, lines };
}

export async function listApartments(db: DbOrTx, actor: Actor, buildingId: string) {
  await buildingFor(db, actor, buildingId, 'read');
  return db.select().from(apartments).where(eq(apartments.buildingId, buildingId)).orderBy(asc(apartments.floor), sql`${apartments.unit} collate "C"`);
}

/** The buildings the actor sees (the landlord's, the installer's assigned ones, all for the coordinator), with their deployment's step. */
export async function listBuildings(db: DbOrTx, actor: Actor, filter: { residenceId?: string }) {
  return db
    .select({ building: buildings, residenceName: residences.name, deploymentStatus: deployments.status })
    .from(buildings)
    .innerJoin(residences, eq(residences.id, buildings.residenceId))
    .leftJoin(deployments, eq(deployments.buildingId, buildings.id))
    .where(and(visibleBuildings(actor), filter.residenceId ? eq(buildings.residenceId, filter.residenceId) : undefined))
    .orderBy(asc(residences.name), asc(buildings.name))
    .then((rows) => rows.map((row) => ({ ...row.building, residenceName: row.residenceName, deploymentStatus: row.deploymentStatus! })));
}

export async function getBuilding(db: DbOrTx, actor: Actor, buildingId: string) {
  const { building, residence, deployment } = await buildingFor(db, actor, buildingId, 'read');
  return { ...building, residenceName: residence.name, deploymentStatus: deployment!.status };
}
