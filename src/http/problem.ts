import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { frenchValidationDetail, prefersFrench, refusalInFrench } from './problem-fr.ts';
import type { ErrorCode } from '../error-codes.ts';
import { DomainError, ValidationError, type FieldError } from '../errors.ts';

/** RFC 9457 problem details, the body of every error this API answers. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
};

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict with the current state',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Invalid fields',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

// The codes of the refusals Hono itself raises, in the closed list.
const httpStatusCodes: Partial<Record<number, ErrorCode>> = {
  401: 'not_signed_in',
  403: 'forbidden',
  404: 'route_not_found',
  413: 'body_too_large',
  415: 'unsupported_media_type',
};

export function problemResponse(
  c: Context,
  status: number,
  body: { detail: string; code: ErrorCode; errors?: FieldError[]; [extension: string]: unknown },
): Response {
  // Extensions never override the standard members (RFC 9457 §3.2): `status` stays the HTTP status.
  const problem: Problem = {
    ...body,
    type: `about:blank`,
    title: titles[status] ?? 'Error',
    status,
    requestId: c.get('requestId') as string | undefined,
  };
  return c.body(JSON.stringify(problem), status as 400, { 'content-type': 'application/problem+json' });
}

// Postgres refuses NUL and invalid UTF-8 in text (SQLSTATE 22021, 22P05): the client's input, not our fault.
const untranslatableText = (error: Error): boolean => {
  const code = (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code;
  return code === '22021' || code === '22P05';
};

/** The one place where anything thrown becomes an answer; unknown errors are logged, never shown. */
export function handleError(error: Error, c: Context, logger: Logger): Response {
  const french = prefersFrench(c.req.header('accept-language'));
  if (error instanceof ValidationError) {
    return problemResponse(c, error.status, {
      detail: french ? frenchValidationDetail : error.message,
      code: error.code,
      errors: french ? error.inFrench() : error.inEnglish(),
    });
  }
  if (error instanceof DomainError) {
    const detail = french ? refusalInFrench(error) : error.message;
    if (typeof error.details?.retryAfterSeconds === 'number') c.header('retry-after', String(error.details.retryAfterSeconds));
    const details = (french && error.french?.details) || error.details;
    return problemResponse(c, error.status, { detail, code: error.code, ...details });
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const detail =
      status === 400 && /JSON/i.test(error.message) ? 'The request body is not valid JSON.' : error.message || titles[status] || 'Request refused.';
    return problemResponse(c, status, { detail, code: httpStatusCodes[status] ?? (status >= 500 ? 'internal_error' : 'malformed_request') });
  }
  if (untranslatableText(error)) {
    return problemResponse(c, 400, { detail: 'The request holds text that cannot be stored (a NUL or a broken character).', code: 'unstorable_text' });
  }
  // drizzle's own message repeats the query's parameters (token hashes, personal data): log the driver's error beneath it.
  const logged = error instanceof DrizzleQueryError && error.cause ? error.cause : error;
  logger.error({ err: logged, requestId: c.get('requestId') }, 'unhandled error');
  return problemResponse(c, 500, { detail: 'Something went wrong on our side. The error was logged.', code: 'internal_error' });
}
