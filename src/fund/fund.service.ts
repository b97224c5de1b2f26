import { asc, eq, sql } from 'drizzle-orm';
import { programmes } from '../allocation/allocation.schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { forbidden, isUniqueViolation, ValidationError } from '../errors.ts';
import { lookUpTerritory, territoriesOf } from '../geography/communes.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import type { AllocationsInput, ContributionInput } from './fund.input.ts';
import { fundAllocations, fundContributions } from './fund.schema.ts';
import { requireFundRight } from './rights.ts';
import { solidarityPriceCaps } from './solidarity-prices.ts';

/** The funders of the network, for the coordinator's forms. */
export async function listFunders(db: DbOrTx) {
  return db
    .select({ id: organisations.id, name: organisations.name, shortName: organisations.shortName })
    .from(organisations)
    .where(eq(organisations.kind, 'funder'))
    .orderBy(organisations.name);
}

/** Records a funder's convention for a year; the same convention recorded twice (or at the same moment) is refused. */
export async function recordContribution(db: DbOrTx, actor: Actor, input: ContributionInput) {
  requireFundRight(actor, 'record_contributions');
  const [funder] = await db.select({ kind: organisations.kind }).from(organisations).where(eq(organisations.id, input.funderOrganisationId));
  if (funder?.kind !== 'funder') {
    throw new ValidationError([
      {
        path: 'funderOrganisationId',
        message: 'No funder organisation has this id.',
        french: 'Cette structure n’est pas un financeur : choisissez-en un dans la liste.',
      },
    ]);
  }
  try {
    const [contribution] = await db
      .insert(fundContributions)
      .values({ ...input, recordedByUserId: actor.userId })
      .returning();
    return contribution!;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ValidationError([
      {
        path: 'conventionReference',
        message: `This funder's convention ${input.conventionReference} for ${input.year} is already recorded.`,
        french: `La convention ${input.conventionReference} de ce financeur pour ${input.year} est déjà enregistrée.`,
      },
    ]);
  }
}

/**
 * Replaces the shares of a year's fund with the steering committee's decision. Decisions for one
 * year are taken one at a time (a lock on the year), so two recorded at once never mix.
 */
export async function setFundAllocations(db: Db, actor: Actor, year: number, input: AllocationsInput) {
  requireFundRight(actor, 'decide_allocations');
  const ids = input.shares.map((share) => share.programmeId);
  const known = ids.length === 0 ? [] : await db.select({ id: programmes.id }).from(programmes).where(sql`${programmes.id} in ${ids}`);
  const missing = input.shares.flatMap((share, index) =>
    known.some((programme) => programme.id === share.programmeId)
      ? []
      : [{ path: `shares.${index}.programmeId`, message: 'No programme has this id.', french: 'Ce dispositif n’existe pas.' }],
  );
  if (missing.length > 0) throw new ValidationError(missing);
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('fund_allocations'), ${year})`);
    await tx.delete(fundAllocations).where(eq(fundAllocations.year, year));
    if (input.shares.length > 0) await tx.insert(fundAllocations).values(input.shares.map((share) => ({ ...share, year, decidedByUserId: actor.userId })));
  });
  return fundAllocationsOf(db, year);
}

export async function fundAllocationsOf(db: DbOrTx, year: number) {
  return db
    .select({ programmeId: fundAllocations.programmeId, programmeName: programmes.name, sharePercent: fundAllocations.sharePercent })
    .from(fundAllocations)
    .innerJoin(programmes, eq(programmes.id, fundAllocations.programmeId))
    .where(eq(fundAllocations.year, year))
    .orderBy(asc(programmes.name));
}

/** The programmes the fund financed in the years a funder contributed to it. */
export async function programmesFinancedBy(db: DbOrTx, funderId: string, years: { from: number; to: number }): Promise<string[]> {
  const rows = await db.execute<{ programme_id: string }>(sql`
    select distinct a.programme_id from fund_allocations a
    where a.year between ${years.from} and ${years.to}
      and exists (select 1 from fund_contributions c where c.funder_organisation_id = ${funderId} and c.year = a.year)`);
  return rows.map((row) => row.programme_id);
}

/** Whose part of the fund an actor reads: the coordinator any funder's (or the whole fund's), a funder its own. */
function scopedFunder(actor: Actor, asked: string | undefined): string | undefined {
  requireFundRight(actor, 'read_reports');
  if (actor.role === 'admin') return asked;
  if (asked !== undefined && asked !== actor.organisationId) throw forbidden('A funder reads its own report only.');
  return actor.organisationId;
}

type ProgrammeOutputs = { programmeId: string; communeCode: string; deviceKind: string; handedOver: number; solidarityCents: number };

/** Handovers of the year (Paris time), by programme, family commune and kind of device: counts only, never a family. */
async function handoversOfYear(db: DbOrTx, year: number): Promise<ProgrammeOutputs[]> {
  const rows = await db.execute<ProgrammeOutputs>(sql`
    select r.programme_id as "programmeId", h.commune_code as "communeCode", d.kind::text as "deviceKind",
           count(*)::int as "handedOver", coalesce(sum(ho.solidarity_price_cents), 0)::int as "solidarityCents"
    from handovers ho
    join equipment_requests r on r.id = ho.request_id
    join households h on h.id = r.household_id
    join devices d on d.id = ho.device_id
    where extract(year from ho.handed_over_at at time zone 'Europe/Paris') = ${year}
    group by 1, 2, 3`);
  return rows.map((row) => ({ ...row, handedOver: Number(row.handedOver), solidarityCents: Number(row.solidarityCents) }));
}

/** Families whose training was completed in the year, by programme and family commune. */
async function trainedOfYear(db: DbOrTx, year: number) {
  const rows = await db.execute<{ programmeId: string; communeCode: string; trained: number }>(sql`
    select r.programme_id as "programmeId", h.commune_code as "communeCode", count(distinct r.household_id)::int as trained
    from request_events e
    join equipment_requests r on r.id = e.request_id
    join households h on h.id = r.household_id
    where e.to_status = 'training_completed' and extract(year from e.occurred_at at time zone 'Europe/Paris') = ${year}
    group by 1, 2`);
  return rows.map((row) => ({ ...row, trained: Number(row.trained) }));
}

const departementOf = (communeCode: string) => territoriesOf(communeCode).find((territory) => territory.type === 'departement')?.code ?? '';
const oneDecimal = (value: number) => Math.round(value * 10) / 10;

/**
 * What the fund paid for in a year: the contributions, the programmes it financed with their
 * shares, and for each programme its money, the families it equipped and trained (by the
 * families' département), the devices by kind, the solidarity prices families paid, and the
 * cost per equipped family. For one funder, its part of each, in proportion to its share of the
 * fund. Counts only: no family is ever named.
 */
export async function fundReport(db: DbOrTx, actor: Actor, year: number, askedFunder?: string) {
  const funderId = scopedFunder(actor, askedFunder);
  const [contributions, allocations, handed, trained] = await Promise.all([
    db
      .select({
        id: fundContributions.id,
        funderOrganisationId: fundContributions.funderOrganisationId,
        funderName: organisations.name,
        amountCents: fundContributions.amountCents,
        conventionReference: fundContributions.conventionReference,
        signedOn: fundContributions.signedOn,
      })
      .from(fundContributions)
      .innerJoin(organisations, eq(organisations.id, fundContributions.funderOrganisationId))
      .where(eq(fundContributions.year, year))
      .orderBy(asc(organisations.name), asc(fundContributions.signedOn)),
    fundAllocationsOf(db, year),
    handoversOfYear(db, year),
    trainedOfYear(db, year),
  ]);
  const fundCents = contributions.reduce((sum, contribution) => sum + contribution.amountCents, 0);
  const funderCents = funderId
    ? contributions.filter((contribution) => contribution.funderOrganisationId === funderId).reduce((sum, contribution) => sum + contribution.amountCents, 0)
    : fundCents;
  const part = fundCents === 0 ? 0 : funderCents / fundCents;

  const programmesReport = allocations.map((allocation) => {
    const handedHere = handed.filter((row) => row.programmeId === allocation.programmeId);
    const trainedHere = trained.filter((row) => row.programmeId === allocation.programmeId);
    const familiesEquipped = handedHere.reduce((sum, row) => sum + row.handedOver, 0);
    const familiesTrained = trainedHere.reduce((sum, row) => sum + row.trained, 0);
    const fundedCents = Math.round((fundCents * allocation.sharePercent) / 100);
    const byDepartement = new Map<string, { familiesEquipped: number; familiesTrained: number }>();
    const at = (communeCode: string) => {
      const code = departementOf(communeCode);
      const entry = byDepartement.get(code) ?? { familiesEquipped: 0, familiesTrained: 0 };
      byDepartement.set(code, entry);
      return entry;
    };
    for (const row of handedHere) at(row.communeCode).familiesEquipped += row.handedOver;
    for (const row of trainedHere) at(row.communeCode).familiesTrained += row.trained;
    const devicesByKind: Record<string, number> = {};
    for (const row of handedHere) devicesByKind[row.deviceKind] = (devicesByKind[row.deviceKind] ?? 0) + row.handedOver;
    return {
      programmeId: allocation.programmeId,
      programmeName: allocation.programmeName,
      sharePercent: allocation.sharePercent,
      fundedCents,
      familiesEquipped,
      familiesTrained,
      devicesByKind,
      solidarityPricesCents: handedHere.reduce((sum, row) => sum + row.solidarityCents, 0),
      costPerEquippedFamilyCents: familiesEquipped === 0 ? null : Math.round(fundedCents / familiesEquipped),
      byDepartement: [...byDepartement.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, figures]) => {
          const name = code ? lookUpTerritory({ type: 'departement', code }) : undefined;
          return { code, name: name?.ok ? name.name : 'inconnu', ...figures };
        }),
      funderPart: {
        paidCents: Math.round(fundedCents * part),
        familiesEquipped: oneDecimal(familiesEquipped * part),
        familiesTrained: oneDecimal(familiesTrained * part),
      },
    };
  });
  const allocatedPercent = allocations.reduce((sum, allocation) => sum + allocation.sharePercent, 0);
  return {
    year,
    funderId: funderId ?? null,
    fundCents,
    unallocatedCents: Math.round((fundCents * (100 - allocatedPercent)) / 100),
    funderCents,
    funderSharePercent: oneDecimal(part * 100),
    // A funder sees its own conventions, the coordinator every one.
    contributions: contributions.filter((contribution) => actor.role === 'admin' || contribution.funderOrganisationId === funderId),
    programmes: programmesReport,
    solidarityPriceCaps,
  };
}
export type FundReport = Awaited<ReturnType<typeof fundReport>>;
