import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
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

/** A partner organisation of the network: the API's body and the coordinator's form. */
export const organisationInput = z.object({
  name: text(200),
  shortName: text(24),
  kind: z.enum(organisationKinds, inBoth(`One of the kinds of organisation: ${organisationKinds.join(', ')}.`, 'Choisissez le type de structure.')),
  ...publicContactInput.shape,
});
