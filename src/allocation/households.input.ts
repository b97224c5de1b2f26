import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { communeCode } from '../geography/commune-code.ts';
import { phoneNumber, text } from '../http/router.ts';

/** A programme's eligibility criterion: a short key such as child_in_college. */
export const criterion = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{1,59}$/,
    inBoth('A criterion is a short key such as child_in_college.', 'Un critère est une clé courte, par exemple child_in_college.'),
  );

/**
 * What a mediator records of a family, the minimum and nothing more: the API's body and the
 * page's form both read it with this schema.
 */
export const householdInput = z.object({
  reference: text(60),
  communeCode,
  size: z
    .number(inBoth('The number of people in the household, e.g. 4.', 'Indiquez le nombre de personnes du foyer.'))
    .int(inBoth('A whole number of people.', 'Un nombre entier de personnes.'))
    .min(1, inBoth('At least one person.', 'Au moins une personne.'))
    .max(30, inBoth('At most 30 people.', 'Au plus 30 personnes.')),
  contactPhone: phoneNumber.optional(),
  contactEmail: z.email(inBoth('An e-mail address, e.g. name@example.fr.', 'Une adresse e-mail, par exemple nom@exemple.fr.')).optional(),
  attestations: z.array(criterion).max(20),
  consent: z.literal(
    true,
    inBoth(
      'The family must have agreed that its data is kept for the request.',
      'La famille doit avoir accepté que ses données soient conservées pour la demande.',
    ),
  ),
});
