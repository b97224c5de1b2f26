import { eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { formatAssetCode } from '../devices/asset-code.ts';
import { devices } from '../devices/devices.schema.ts';
import { assetCodeFromInput } from '../devices/devices.service.ts';
import { transitionDevice } from '../devices/transitions.service.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { solidarityPriceCapCents, solidarityPriceCaps } from '../fund/solidarity-prices.ts';
import { euros } from '../text.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { handovers } from './allocation.schema.ts';
import { moveRequest, onBehalfOf, requestForActor } from './requests.service.ts';
import { requireAllocationRight } from './rights.ts';

/**
 * The handover at the table: refused unless the family completed the mandatory training and the
 * device scanned is the one reserved for it. The device becomes `allocated`, the request
 * `handed_over`, and a worker prints the receipt, all from one transaction.
 */
export async function handOver(
  db: DbOrTx,
  actor: Actor,
  requestId: string,
  input: { deviceCode: string; receivedBy: string; termsAccepted: true; solidarityPriceCents?: number },
) {
  requireAllocationRight(actor, 'hand_over');
  const code = assetCodeFromInput(input.deviceCode);
  return db.transaction(async (tx) => {
    const request = await requestForActor(tx, actor, requestId, { lock: true });
    if (request.status !== 'training_completed') {
      throw new DomainError(409, 'training_not_completed', `The family has not completed the mandatory training yet: the request is ${request.status}.`, {
        currentStatus: request.status,
      });
    }
    const [reserved] = await tx
      .select({ id: devices.id, code: devices.assetCode, kind: devices.kind })
      .from(devices)
      .where(eq(devices.id, request.reservedDeviceId!));
    if (reserved!.code !== code) {
      throw new DomainError(409, 'not_the_reserved_device', `This is not the device reserved for this family: scan ${formatAssetCode(reserved!.code)}.`);
    }
    const price = input.solidarityPriceCents ?? 0;
    const cap = solidarityPriceCapCents(reserved!.kind);
    if (price > cap) {
      throw new ValidationError([
        {
          path: 'solidarityPriceCents',
          message: `At most ${cap / 100} € for this kind of device (${solidarityPriceCaps.source}).`,
          french: `Au plus ${euros(cap)} pour ce type d’équipement (${solidarityPriceCaps.source}).`,
        },
      ]);
    }
    const [handover] = await tx
      .insert(handovers)
      .values({
        requestId: request.id,
        deviceId: reserved!.id,
        receivedByName: input.receivedBy,
        termsAcceptedAt: new Date(),
        handedOverByUserId: actor.userId,
        solidarityPriceCents: price,
      })
      .returning();
    const change = await transitionDevice(
      tx,
      actor,
      { code, to: 'allocated', payload: { requestId: request.id } },
      new Date(),
      onBehalfOf(request, reserved!.id),
    );
    const updated = await moveRequest(tx, request, 'handed_over', { actorUserId: actor.userId, payload: { deviceCode: change.device.code } });
    await enqueueInOutbox(tx, 'handover-receipts', [{ name: 'handover-receipt.render', payload: { handoverId: handover!.id } }]);
    return { handover: handover!, request: updated, device: change.device };
  });
}
