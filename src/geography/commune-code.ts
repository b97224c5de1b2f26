import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { communeCodePattern } from './code-shapes.ts';
import { lookUpCommune } from './communes.ts';

export { communeCodePattern };

/**
 * An INSEE commune code as every body, form and file takes it: trimmed, in capitals, of the right
 * shape, and a current commune of the official geography (a merged one names the code to use).
 */
export const communeCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(communeCodePattern, {
    error: inBoth('An INSEE commune code has 5 characters, like 47001 or 2A004.', 'Le code INSEE de la commune a 5 caractères, par exemple 47001 ou 2A004.'),
    // A code of the wrong shape is not looked up.
    abort: true,
  })
  .superRefine((code, context) => {
    const lookup = lookUpCommune(code);
    if (!lookup.ok) context.addIssue({ code: 'custom', message: lookup.message, params: { french: lookup.french } });
  });
