import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { sirenPattern } from '../geography/code-shapes.ts';
import { communeCode } from '../geography/commune-code.ts';
import { phoneNumber, text } from '../http/router.ts';
import { organisationKinds, siteKinds } from './organisations.types.ts';

/** A contact to publish on the public card of the devices an organisation or a site holds; null withdraws it. */
export const publicContactInput = z.object({
  publicPhone: phoneNumber.nullable().optional(),
  publicEmail: z
    .email(inBoth('An e-mail address, e.g. contact@atelier.fr.', 'Une adresse e-mail, par exemple contact@atelier.fr.'))
    .max(254)
    .nullable()
    .optional(),
});

/** A site of an organisation (collection point, workshop, storage, mediation place): the API's body and the coordinator's form. */
export const siteInput = z.object({
  name: text(200),
  kind: z.enum(siteKinds, inBoth(`One of the kinds of place: ${siteKinds.join(', ')}.`, 'Choisissez le type de lieu.')),
  address: text(500),
  postalCode: z
    .string()
    .trim()
    .regex(/^[0-9]{5}$/, inBoth('A postal code has 5 digits.', 'Le code postal a 5 chiffres, par exemple 47000.'))
    .optional(),
  communeCode,
  ...publicContactInput.shape,
});

/** The Luhn check the INSEE gives every SIREN: a mistyped digit, or two swapped, is refused. */
export function sirenCheckHolds(siren: string): boolean {
  let sum = 0;
  for (const [index, digit] of [...siren].reverse().entries()) {
    const value = Number(digit) * (index % 2 === 1 ? 2 : 1);
    sum += value > 9 ? value - 9 : value;
  }
  return sum % 10 === 0;
}

const sirenMessage = inBoth(
  'A SIREN has 9 digits and passes its check (Luhn), e.g. 214700015.',
  'Un numéro SIREN a 9 chiffres et une clé de contrôle valide, par exemple 214700015 : vérifiez-le sur l’avis de situation INSEE.',
);

/** An organisation's SIREN, its 9 digits written together. */
export const siren = z.string(sirenMessage).regex(sirenPattern, sirenMessage).refine(sirenCheckHolds, sirenMessage);

/** A partner organisation of the network: the API's body and the coordinator's form. */
export const organisationInput = z
  .object({
    name: text(200),
    shortName: text(24),
    kind: z.enum(organisationKinds, inBoth(`One of the kinds of organisation: ${organisationKinds.join(', ')}.`, 'Choisissez le type de structure.')),
    siren: siren.optional(),
    // A public body (town hall, EPCI, département): as a donor, it gets a yearly reuse attestation (loi REEN).
    publicBody: z.boolean(inBoth('true or false.', 'Oui ou non.')).optional(),
    ...publicContactInput.shape,
  })
  .refine((organisation) => !organisation.publicBody || organisation.siren !== undefined, {
    path: ['siren'],
    message: inBoth('A public body is identified by its SIREN.', 'Une personne publique est identifiée par son numéro SIREN : indiquez-le.'),
  });
