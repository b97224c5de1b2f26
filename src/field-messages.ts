import { z } from 'zod';

/**
 * A field's message in Boucle's two languages: the API answers in English, the pages (and a
 * client that asks with Accept-Language: fr) in French. A rule's own message is written once,
 * where the rule is declared, with `inBoth`; zod's own messages get their French from the issue
 * itself (its code, bounds and format), in plain words for the checks people meet on forms and
 * from zod's French locale for the rest. Nothing is read back from English text.
 */
const frenchOf = new Map<string, string>();

/**
 * A constant message in both languages: it returns the English (what zod and the API carry) and
 * keeps the French beside it (one English message has one French one: a second, different French
 * for the same English is refused). For a message built from input at run time, give the French to the
 * field error itself instead (`{ path, message, french }`), so that nothing grows with requests.
 */
export function inBoth(english: string, french: string): string {
  const known = frenchOf.get(english);
  // The French is found by the English: one English message cannot have two French ones.
  if (known !== undefined && known !== french) throw new Error(`inBoth: "${english}" already reads "${known}" in French, not "${french}"`);
  frenchOf.set(english, french);
  return english;
}

/** What a refused field says: `message` in English, `french` when it was written with the rule. */
export type FieldRefusal = { path: string; message: string; french?: string };

type Issue = z.core.$ZodIssue | z.core.$ZodRawIssue;

const typesInFrench: Record<string, string> = {
  string: 'Un texte est attendu.',
  number: 'Un nombre est attendu.',
  int: 'Un nombre entier est attendu.',
  boolean: 'Oui ou non (true ou false) est attendu.',
  array: 'Une liste est attendue.',
  object: 'Un objet est attendu.',
};

const formatsInFrench: Record<string, string> = {
  uuid: 'Identifiant invalide.',
  email: 'Adresse e-mail invalide.',
  datetime: 'Date et heure invalides (par exemple 2026-01-31T14:00:00Z).',
  date: 'Date invalide (par exemple 2026-01-31).',
};

const zodFrench = z.locales.fr().localeError;

/** zod's own message for an issue, in French: plain words for the common checks, zod's locale otherwise. */
function frenchOfZodIssue(issue: Issue): string {
  // While it is raised, an issue still holds the input: a field left out is simply to be filled in.
  const missing = 'input' in issue && issue.input === undefined;
  switch (issue.code) {
    case 'invalid_type':
      return missing ? 'À renseigner.' : (typesInFrench[issue.expected] ?? 'Cette valeur n’est pas du type attendu.');
    case 'invalid_value':
      return missing ? 'À renseigner.' : 'Choisissez une des valeurs proposées.';
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'Ne peut pas être vide.' : `${issue.minimum} caractères au moins.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Au moins ${issue.minimum} élément(s).`;
      return `Au moins ${issue.minimum}.`;
    case 'too_big':
      if (issue.origin === 'string') return `${issue.maximum} caractères au plus.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Au plus ${issue.maximum} élément(s).`;
      return `Au plus ${issue.maximum}.`;
    case 'invalid_format':
      if (Object.hasOwn(formatsInFrench, issue.format)) return formatsInFrench[issue.format]!;
      break;
    case 'unrecognized_keys':
      return `Champ inconnu : ${issue.keys.join(', ')}.`;
  }
  const words = zodFrench(issue as z.core.$ZodRawIssue);
  return (typeof words === 'string' ? words : words?.message) ?? 'Valeur invalide.';
}

/** The French of a field refusal: its own, the rule's, or else `otherwise` (by default, the issue's words). */
function frenchOfIssue(issue: z.core.$ZodIssue, otherwise?: string): string {
  const own = issue.code === 'custom' ? (issue.params as { french?: unknown } | undefined)?.french : undefined;
  return typeof own === 'string' ? own : (frenchOf.get(issue.message) ?? otherwise ?? frenchOfZodIssue(issue));
}

/**
 * A form's fields parsed on a page, every refused one in French. zod's defaults are worded in
 * French as they are raised (the issue still holds the input then); a rule's own message is
 * turned into its French afterwards.
 */
export function parseInFrench<T extends z.ZodType>(
  schema: T,
  input: unknown,
): { ok: true; value: z.output<T> } | { ok: false; errors: { path: string; message: string }[] } {
  const result = schema.safeParse(input, { error: (issue) => frenchOfZodIssue(issue) });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: frenchOfIssue(issue, issue.message) })) };
}

/** A zod failure as field refusals, English and French, under `prefix` (the query, the params...). */
export function fieldRefusals(error: z.ZodError, prefix?: string): FieldRefusal[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
    french: frenchOfIssue(issue),
  }));
}

/** A field refusal in French, for the pages and French-speaking clients; a message nobody translated stays as it is. */
export const fieldInFrench = (field: FieldRefusal) => ({ path: field.path, message: field.french ?? frenchOf.get(field.message) ?? field.message });
