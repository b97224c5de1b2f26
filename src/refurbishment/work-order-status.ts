import { and, desc, eq, gte } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import type { devices } from '../devices/devices.schema.ts';
import type { Words } from '../status-machine.ts';
import { wipeGuard } from '../wiping/wipe-status.ts';
import { workOrders } from './refurbishment.schema.ts';
import { checklistProblemsInWords } from './rules.ts';

type Device = typeof devices.$inferSelect;

/** The `work_order_open` guard: refurbishing starts with a work order (opened by someone qualified). */
export async function workOrderGuard(db: DbOrTx, device: Device): Promise<Words | null> {
  const [open] = await db
    .select({ id: workOrders.id })
    .from(workOrders)
    .where(and(eq(workOrders.deviceId, device.id), eq(workOrders.status, 'open')));
  if (open) return null;
  return {
    en: 'Open a work order for this device (POST /api/devices/{code}/work-orders), by someone qualified for refurbishment.',
    fr: 'Ouvrez une fiche de reconditionnement pour cet équipement, par une personne habilitée au reconditionnement.',
  };
}

/**
 * The `refurbishment_complete` guard: a work order completed since the device last changed hands,
 * with a passed checklist, a grade and specs; and the wipe still holds. Null when all is well.
 */
export async function refurbishmentGuard(db: DbOrTx, device: Device): Promise<Words | null> {
  const [order] = await db
    .select()
    .from(workOrders)
    .where(and(eq(workOrders.deviceId, device.id), eq(workOrders.status, 'completed'), gte(workOrders.openedAt, device.custodySince)))
    .orderBy(desc(workOrders.closedAt))
    .limit(1);
  if (!order) {
    return {
      en: 'Complete the work order first (checklist, specs and grade).',
      fr: 'Terminez d’abord la fiche de reconditionnement (liste de contrôle, caractéristiques et grade).',
    };
  }
  const problems = checklistProblemsInWords(device.kind, order.checklist);
  if (problems.length > 0) {
    return {
      en: `The checklist did not pass: ${problems.map((problem) => problem.en).join(', ')}.`,
      fr: `La liste de contrôle n’est pas validée : ${problems.map((problem) => problem.fr).join(', ')}.`,
    };
  }
  if (!order.grade) return { en: 'Set a grade (A, B or C).', fr: 'Attribuez un grade (A, B ou C).' };
  if (!order.specs.ramGb && ['laptop', 'desktop', 'tablet', 'smartphone'].includes(device.kind)) {
    return { en: 'Record the specs (RAM, storage).', fr: 'Notez les caractéristiques (mémoire vive, stockage).' };
  }
  if (device.storageMedia.length > 0 || device.benchChecks.includes('storage_unknown')) return wipeGuard(db, device);
  return null;
}
