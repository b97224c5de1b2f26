import type { Actor } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { ValidationError } from '../errors.ts';
import { thisDeviceInFrench, weeeChannelLabels } from '../pages/fr.ts';
import type { AnyGuard } from '../status-machine.ts';
import type { devices } from './devices.schema.ts';
import type { GuardName } from './lifecycle.ts';
import { handoverGuard, releaseGuard, reservationGuard } from '../allocation/reservation-status.ts';
import { refurbishmentGuard, workOrderGuard } from '../refurbishment/work-order-status.ts';
import { describeMedium, wipeGuard } from '../wiping/wipe-status.ts';
import { namesWeeeChannel, weeeChannelProblems, weeeChannels } from './weee-channels.ts';

export type GuardContext = {
  tx: Tx;
  actor: Actor;
  device: typeof devices.$inferSelect;
  siteId?: string;
  note?: string;
  payload: Record<string, unknown>;
};

/** Each guard answers null when it holds, otherwise the reason, in words for the operator at the bench. */
export const guards: Record<GuardName, AnyGuard<GuardContext>> = {
  no_storage_to_wipe: ({ device }) => {
    if (device.benchChecks.includes('storage_unknown')) {
      return {
        en: `Nobody has recorded yet what storage this ${device.kind} has: open it and record its disks first.`,
        fr: `Personne n’a encore noté quels supports de stockage a ${thisDeviceInFrench(device.kind)} : ouvrez-le et notez ses disques d’abord.`,
      };
    }
    if (device.storageMedia.length === 0) return null;
    const media = device.storageMedia.map(describeMedium).join(', ');
    return {
      en: `This ${device.kind} has storage to wipe first (${media}).`,
      fr: `Il reste d’abord à effacer les supports de stockage de ${thisDeviceInFrench(device.kind)} : ${media}.`,
    };
  },
  wipe_records_passed: ({ tx, device }) => wipeGuard(tx, device),
  work_order_open: ({ tx, device }) => workOrderGuard(tx, device),
  refurbishment_complete: ({ tx, device }) => refurbishmentGuard(tx, device),
  // Set-wise, for the matching round's batches: every context of one batch shares its transaction.
  reserved_for_request: { forEach: (contexts) => (contexts.length === 0 ? Promise.resolve([]) : reservationGuard(contexts[0]!.tx, contexts)) },
  reservation_released: ({ tx, device }) => releaseGuard(tx, device),
  training_completed_and_handed_over: ({ tx, device }) => handoverGuard(tx, device),
  return_site_given: ({ siteId }) =>
    siteId ? null : { en: 'Say at which site the device was brought back (siteId).', fr: 'Indiquez le site où l’équipement a été rapporté.' },
  fault_described: ({ note }) =>
    note?.trim() ? null : { en: 'Describe the fault found on the shelf (note).', fr: 'Décrivez la panne constatée sur l’équipement en stock.' },
  // A channel not given is a step not yet possible (409); one given outside the list is a wrong field (422).
  recycling_channel_given: ({ payload }) => {
    if (!namesWeeeChannel(payload)) {
      return {
        en: `Name the WEEE (DEEE) channel that takes the device (payload.deeeChannel: ${weeeChannels.join(', ')}).`,
        fr: `Indiquez la filière DEEE qui reprend l’équipement (${weeeChannels.map((channel) => weeeChannelLabels[channel]).join(' ; ')}).`,
      };
    }
    const problems = weeeChannelProblems(payload);
    if (problems.length > 0) throw new ValidationError(problems);
    return null;
  },
};
