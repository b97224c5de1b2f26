import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
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
  500: 'Internal error',
  503: 'Service unavailable',
};

export function problemResponse(
  c: Context,
  status: number,
  body: { detail: string; code: string; errors?: FieldError[]; [extension: string]: unknown },
): Response {
  const problem: Problem = {
    type: `about:blank`,
    title: titles[status] ?? 'Error',
    status,
    ...body,
    requestId: c.get('requestId') as string | undefined,
  };
  return c.body(JSON.stringify(problem), status as 400, { 'content-type': 'application/problem+json' });
}

export function fieldErrorsFromZod(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

/** The one place where anything thrown becomes an answer; unknown errors are logged, never shown. */
export function handleError(error: Error, c: Context, logger: Logger): Response {
  if (error instanceof ValidationError) {
    return problemResponse(c, error.status, { detail: error.message, code: error.code, errors: error.errors });
  }
  if (error instanceof DomainError) {
    return problemResponse(c, error.status, { detail: error.message, code: error.code, ...error.details });
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const detail =
      status === 400 && /JSON/i.test(error.message)
        ? 'The request body is not valid JSON.'
        : error.message || titles[status] || 'Request refused.';
    return problemResponse(c, status, { detail, code: status === 400 ? 'malformed_request' : `http_${status}` });
  }
  logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
  return problemResponse(c, 500, { detail: 'Something went wrong on our side. The error was logged.', code: 'internal_error' });
}
