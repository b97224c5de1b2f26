import { z } from 'zod';
import { deviceKinds } from '../devices/devices.types.ts';
import { inBoth } from '../field-messages.ts';
import { lookUpTerritory } from '../geography/communes.ts';
import { text } from '../http/router.ts';
import { criterion } from './households.input.ts';

/** A territory a programme serves, which must exist in the official geography. */
export const territoryInput = z
  .object({
    type: z.enum(['commune', 'epci', 'departement'], inBoth('commune, epci or departement.', 'Une commune, un EPCI ou un département.')),
    code: z.string().trim().toUpperCase().min(2).max(9),
  })
  .superRefine((territory, context) => {
    const lookup = lookUpTerritory(territory);
    if (!lookup.ok) context.addIssue({ code: 'custom', path: ['code'], message: lookup.message, params: { french: lookup.french } });
  });

const reservationDays = inBoth('A whole number of days, from 1 to 365.', 'Un nombre entier de jours, de 1 à 365.');
const yearlyQuota = inBoth('A whole number of devices, from 1 to 1,000,000.', 'Un nombre entier d’équipements, de 1 à 1 000 000.');
const ramGb = inBoth('A memory size in GB, e.g. 4.', 'Une quantité en Go, par exemple 4.');

/** A programme the coordinator sets up: the API's body and the « Nouveau dispositif » form. */
export const programmeInput = z.object({
  name: text(200),
  eligibilityCriteria: z
    .array(criterion)
    .min(1, inBoth('At least one criterion to attest.', 'Cochez au moins un critère à attester.'))
    .max(20, inBoth('At most 20 criteria.', '20 critères au plus.')),
  deviceKinds: z.array(z.enum(deviceKinds)).min(1, inBoth('At least one kind of device.', 'Cochez au moins un type d’équipement.')),
  minimumSpecs: z
    .object({
      ramGb: z.number(ramGb).positive(ramGb).max(1024, inBoth('At most 1024 GB.', 'Au plus 1024 Go.')).optional(),
      storageGb: z.number().positive().max(100_000).optional(),
    })
    .default({}),
  trainingModuleId: z.uuid(inBoth('The id of a training module.', 'Choisissez une formation dans la liste.')).optional(),
  trainingValidForLaterRequests: z.boolean().default(true),
  reservationDays: z.number(reservationDays).int(reservationDays).min(1, reservationDays).max(365, reservationDays),
  territories: z
    .array(territoryInput)
    .min(1, inBoth('At least one territory: a département, a commune or an EPCI.', 'Indiquez au moins un territoire : un département, une commune ou un EPCI.'))
    .max(500, inBoth('At most 500 territories.', '500 territoires au plus.')),
  yearlyQuota: z.number(yearlyQuota).int(yearlyQuota).min(1, yearlyQuota).max(1_000_000, yearlyQuota).optional(),
});
export type ProgrammeInput = z.output<typeof programmeInput>;
