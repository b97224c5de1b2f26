import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { lookUpTerritory, type Territory, territoryOfCode } from '../geography/communes.ts';
import { placeNeeds, placeServices, type PlaceNeed } from './places.types.ts';

/**
 * What a visitor of `/lieux` narrows the places to: a need (give, get, learn), a service of the
 * national schema, a territory (a commune, an EPCI or a département, by its code) and whether it
 * must be open now. Every value is checked: a bad one is refused with its field, never a 500.
 */
export const placeFilterInput = z.object({
  need: z
    .enum(Object.keys(placeNeeds) as [PlaceNeed, ...PlaceNeed[]], inBoth('A need: give, get or learn.', 'Choisissez : donner, obtenir ou se former.'))
    .optional(),
  service: z.enum(placeServices, inBoth('A service of the national schema.', 'Choisissez un service de la liste.')).optional(),
  territory: z
    .string()
    .trim()
    .transform((code, context): Territory => {
      const territory = territoryOfCode(code);
      if (!territory || !lookUpTerritory(territory).ok) {
        context.addIssue({
          code: 'custom',
          message: inBoth(
            'A commune (INSEE code), an EPCI (SIREN) or a département code.',
            'Choisissez une commune ou une intercommunalité de la liste (code INSEE, SIREN de l’EPCI ou numéro de département).',
          ),
        });
        return z.NEVER;
      }
      return territory;
    })
    .optional(),
  openNow: z.boolean().default(false),
});
export type PlaceFilterInput = z.input<typeof placeFilterInput>;

/** The filters a read of places applies; `openAt` keeps the places open at that instant (in Paris). */
export type PlaceFilter = { need?: PlaceNeed; service?: (typeof placeServices)[number]; territory?: Territory; openAt?: Date };
