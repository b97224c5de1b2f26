/**
 * The one error type for refusals a user can act on. `message` is written for an operator at a
 * bench, `code` is stable for clients, `status` is the HTTP status the API answers with.
 */
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 415 | 422 | 429 | 503,
    readonly code: string,
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
    readonly errors: FieldError[],
    message = 'Some fields are missing or wrong.',
  ) {
    super(422, 'validation_failed', message);
    this.name = 'ValidationError';
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
