import type { ErrorCode } from './error-codes.ts';
import { fieldInFrench, type FieldRefusal } from './field-messages.ts';

/**
 * The one error type for refusals a user can act on. `message` is written for an operator at a
 * bench, `code` is stable for clients, `status` is the HTTP status the API answers with.
 */
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 415 | 422 | 429 | 503,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /**
     * The refusal in French, when its thrower words it (a guard naming the media, the landings);
     * otherwise the catalogue of src/http/problem-fr.ts does, by code.
     */
    readonly french?: { detail: string; details?: Record<string, unknown> },
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export type FieldError = { path: string; message: string };

/** A request that is well-formed JSON but whose fields are wrong; lists every bad field. */
export class ValidationError extends DomainError {
  constructor(
    readonly errors: FieldRefusal[],
    message = 'Some fields are missing or wrong.',
  ) {
    super(422, 'validation_failed', message);
    this.name = 'ValidationError';
  }

  /** Every bad field as the API answers it, in English. */
  inEnglish(): FieldError[] {
    return this.errors.map((field) => ({ path: field.path, message: field.message }));
  }

  /** Every bad field in French, for the pages and French-speaking clients. */
  inFrench(): FieldError[] {
    return this.errors.map(fieldInFrench);
  }
}

export const notFound = (what: string) => new DomainError(404, 'not_found', `${what} was not found.`);
export const forbidden = (message: string) => new DomainError(403, 'forbidden', message);

/** A referenced record that is missing (or not visible) makes the request's field wrong: a 422 naming it, not a 404. */
export const notFoundAsField =
  (path: string, message: string) =>
  (error: unknown): never => {
    if (error instanceof DomainError && error.status === 404) throw new ValidationError([{ path, message }]);
    throw error;
  };

/** A Postgres unique violation (SQLSTATE 23505), as drizzle wraps it: two writers raced for one value. */
export const isUniqueViolation = (error: unknown) => (error as { cause?: { code?: string } }).cause?.code === '23505';
