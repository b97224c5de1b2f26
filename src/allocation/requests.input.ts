import { z } from 'zod';
import { deviceKinds } from '../devices/devices.types.ts';
import { inBoth } from '../field-messages.ts';
import { text } from '../http/router.ts';

/** What a family needs, as a request records it and matching reads it. */
export const needInput = z.object({
  kind: z.enum(deviceKinds, inBoth(`One of the kinds of device: ${deviceKinds.join(', ')}.`, 'Choisissez le type d’équipement.')),
  minRamGb: z
    .number(inBoth('The memory in GB, e.g. 4.', 'La mémoire vive en Go, par exemple 4.'))
    .positive(inBoth('The memory in GB, e.g. 4.', 'La mémoire vive en Go, par exemple 4.'))
    .max(1024, inBoth('At most 1024 GB.', 'Au plus 1024 Go.'))
    .optional(),
  minStorageGb: z.number().positive().max(100_000).optional(),
  notes: text(1000).optional(),
});

/** An equipment request filed for a family under a programme: the API's body and the mediator's form. */
export const requestInput = z.object({
  householdId: z.uuid(inBoth('The id of one of your families.', 'Choisissez la famille.')),
  programmeId: z.uuid(inBoth('The id of a programme.', 'Choisissez le dispositif.')),
  need: needInput,
});
