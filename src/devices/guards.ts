import type { Actor } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { ValidationError } from '../errors.ts';
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

/** Null when the guard holds, otherwise the reason, in words for the operator at the bench. */
type Guard = (context: GuardContext) => Promise<string | null> | string | null;

export const guards: Record<GuardName, Guard> = {
  no_storage_to_wipe: ({ device }) => {
    if (device.benchChecks.includes('storage_unknown')) {
      return `Nobody has recorded yet what storage this ${device.kind} has: open it and record its disks first.`;
    }
    return device.storageMedia.length === 0
      ? null
      : `This ${device.kind} has storage to wipe first (${device.storageMedia.map(describeMedium).join(', ')}).`;
  },
  wipe_records_passed: ({ tx, device }) => wipeGuard(tx, device),
  work_order_open: ({ tx, device }) => workOrderGuard(tx, device),
  refurbishment_complete: ({ tx, device }) => refurbishmentGuard(tx, device),
  reserved_for_request: ({ tx, device, payload }) => reservationGuard(tx, device, payload),
  reservation_released: ({ tx, device }) => releaseGuard(tx, device),
  training_completed_and_handed_over: ({ tx, device }) => handoverGuard(tx, device),
  return_site_given: ({ siteId }) => (siteId ? null : 'Say at which site the device was brought back (siteId).'),
  fault_described: ({ note }) => (note?.trim() ? null : 'Describe the fault found on the shelf (note).'),
  // A channel not given is a step not yet possible (409); one given outside the list is a wrong field (422).
  recycling_channel_given: ({ payload }) => {
    if (!namesWeeeChannel(payload)) {
      return `Name the WEEE (DEEE) channel that takes the device (payload.deeeChannel: ${weeeChannels.join(', ')}).`;
    }
    const problems = weeeChannelProblems(payload);
    if (problems.length > 0) throw new ValidationError(problems);
    return null;
  },
};
