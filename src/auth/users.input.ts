import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { text } from '../http/router.ts';
import { roles } from './roles.ts';

/** A password as Boucle takes it: long enough to resist guessing, bounded so hashing it stays cheap. */
export const passwordInput = z
  .string(inBoth('A password.', 'Indiquez le mot de passe.'))
  .min(12, inBoth('A password has at least 12 characters.', 'Le mot de passe a au moins 12 caractères.'))
  .max(1024, inBoth('At most 1024 characters.', '1024 caractères au plus.'));

/** An account in an organisation, with one role: the API's body and the coordinator's form. */
export const userInput = z.object({
  organisationId: z.uuid(inBoth('The id of an organisation.', 'Choisissez la structure de la personne.')),
  email: z.email(inBoth('Give a valid e-mail address.', 'Une adresse e-mail, par exemple nom@exemple.fr.')),
  displayName: text(200),
  role: z.enum(roles, inBoth(`One of the roles: ${roles.join(', ')}.`, 'Choisissez le rôle.')),
  password: passwordInput,
});
