import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../auth/actor.ts';
import { errorCodes, type ErrorCode } from '../error-codes.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { isStorableText } from '../text.ts';
import { fieldRefusals, inBoth } from '../field-messages.ts';

export type AppEnv = { Variables: { actor: Actor | null; requestId: string } };

/** Every router validates the same way: a zod failure becomes a 422 naming each bad field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const prefix = result.target === 'json' ? undefined : result.target;
        throw new ValidationError(fieldRefusals(result.error, prefix));
      }
    },
  });
}

/** Requests that may change something (what CSRF checks and Idempotency-Key apply to), as HTTP defines safe methods. */
export const changesState = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/** The signed-in user, or a 401 for routes that need one. */
export function actorOf(c: Context<AppEnv>): Actor {
  const actor = c.get('actor');
  if (!actor) throw new DomainError(401, 'not_signed_in', 'Sign in first, or send an API token (Authorization: Bearer ...).');
  return actor;
}

type Jsonified<T> = T extends Date ? string : T extends (infer Item)[] ? Jsonified<Item>[] : T extends object ? { [Key in keyof T]: Jsonified<T[Key]> } : T;

/**
 * Domain data typed as it travels in JSON (dates become ISO strings), so the response schema can
 * check it. Only the type changes: c.json serialises the value itself, once; so give it straight
 * to c.json, never read it back.
 */
export const asJson = <T>(value: T) => value as Jsonified<T>;

const errorCodeList = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(errorCodeList).openapi({
      description: `What refused the request, from a closed list:\n${errorCodeList.map((code) => `- \`${code}\`: ${errorCodes[code]}`).join('\n')}`,
    }),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    // A refused status change (transition_not_allowed, guard_failed), whatever moved (src/status-machine.ts).
    currentStatus: z.string().optional(),
    allowedNextStatuses: z.array(z.string()).optional(),
    failedGuards: z.array(z.object({ guard: z.string(), reason: z.string() })).optional(),
  })
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: problemSchema } };

/** The error answers a route may give, described once for the OpenAPI document. */
export const problems = (...statuses: (400 | 401 | 403 | 404 | 409 | 415 | 422 | 429)[]) =>
  Object.fromEntries(statuses.map((status) => [status, { description: problemDescriptions[status], content: problemContent }]));

const problemDescriptions = {
  400: 'The request is malformed (bad JSON, a misread code).',
  401: 'Not signed in.',
  403: 'Signed in, but this role may not do this.',
  404: 'Not found, or not visible to this organisation.',
  409: 'Refused in the current state; the body says why and what is possible.',
  415: 'The body is not of a type this route reads.',
  422: 'Some fields are wrong; each is listed in `errors`.',
  429: 'Too many attempts; the Retry-After header says how many seconds to wait.',
};

/** A calendar day (YYYY-MM-DD) within what people mean: Postgres has no year 0, and nobody means year 9999. */
export const calendarDate = (message = 'A date like 2026-01-31.') =>
  // A string that is no date is not also said to be out of range.
  z.iso.date({ error: message, abort: true }).refine((day) => day >= '1900-01-01' && day <= '2199-12-31', 'A date between 1900 and 2199.');

export const idParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
export const timestamp = z.string().openapi({ format: 'date-time' });
export const bearerSecurity: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

export const unstorable = inBoth(
  'Contains a character that cannot be stored (a NUL or a broken character).',
  'Ce texte contient un caractère illisible (un NUL ou un caractère abîmé).',
);

/** A required text field, trimmed, for names, addresses and notes. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, inBoth('Cannot be empty.', 'Ne peut pas être vide.'))
    .max(max, inBoth(`At most ${max} characters.`, `${max} caractères au plus.`))
    .refine(isStorableText, unstorable);

/** A phone number as people write it in France: 06 12 34 56 78, +33 6 12 34 56 78, 05.53.00.00.00. */
export const phonePattern = /^\+?[0-9 .-]{6,20}$/;
export const phoneNumber = z
  .string()
  .regex(phonePattern, inBoth('A phone number, e.g. 06 12 34 56 78.', 'Un numéro de téléphone, par exemple 06 12 34 56 78.'));

/** Every key and string inside a JSON value is storable text. */
export function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (value && typeof value === 'object') {
    return Object.entries(value).every(([key, inner]) => isStorableText(key) && isStorableJson(inner));
  }
  return true;
}
/** A required JSON request body. */
export const json = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
/** A JSON request body whose every field is optional: sending none at all means "the defaults". */
export const optionalJson = <T extends z.ZodType>(schema: T) => ({ required: false, content: { 'application/json': { schema } } });
/** A JSON answer. */
export const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});
