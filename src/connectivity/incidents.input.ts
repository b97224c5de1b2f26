import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { unstorable } from '../http/router.ts';
import { isStorableText } from '../text.ts';
import { incidentCategories } from './incidents.rules.ts';

/** An incident reported on a building, one of its apartments or access points: the API's body and the building page's form. */
export const incidentInput = z
  .object({
    buildingId: z.uuid(),
    apartmentId: z.uuid(inBoth('The id of an apartment of the building.', 'Choisissez un logement de la liste.')).optional(),
    networkDeviceId: z.uuid(inBoth('The id of an equipment of the building.', 'Choisissez un équipement de la liste.')).optional(),
    category: z.enum(incidentCategories, inBoth(`One of the categories: ${incidentCategories.join(', ')}.`, 'Choisissez le type de problème.')),
    description: z
      .string(inBoth('Describe the problem.', 'Décrivez le problème : depuis quand, où, ce que voient les locataires.'))
      .trim()
      .min(
        1,
        inBoth('Describe the problem: since when, where, what the tenants see.', 'Décrivez le problème : depuis quand, où, ce que voient les locataires.'),
      )
      .max(2000, inBoth('At most 2000 characters.', '2000 caractères au plus.'))
      .refine(isStorableText, unstorable),
  })
  .strict();
