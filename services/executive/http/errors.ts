/**
 * The one place where anything thrown while handling a request becomes an HTTP response:
 * `{ "error": { "code", "message", "details" } }` with the status of the code (lib/errors.ts).
 * Client mistakes caught by fastify itself (body too large, unsupported media type, malformed
 * headers) become 4xx with a stable code; a ctldb outage is 503 UNAVAILABLE (retriable); only a
 * real bug is 500 INTERNAL, and that is logged with its stack.
 */
import { CtldbError } from '../../../lib/ctldb/dialect.ts';
import { CuttleError, ensureError } from '../../../lib/errors.ts';

interface FastifyishError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly validation?: unknown;
  readonly message?: unknown;
}

export function toCuttleError(thrown: unknown): CuttleError {
  if (thrown instanceof CuttleError) return thrown;
  if (thrown instanceof CtldbError) {
    if (
      thrown.failure === 'unavailable' ||
      thrown.failure === 'deadlock' ||
      thrown.failure === 'lock-timeout'
    ) {
      return new CuttleError('UNAVAILABLE', `ctldb is busy or unreachable (${thrown.failure}); retry`, {
        cause: thrown,
        retryAfterSeconds: 1,
      });
    }
    return new CuttleError('INTERNAL', 'internal error in ctldb; see the executive log', { cause: thrown });
  }
  const err = (thrown ?? {}) as FastifyishError;
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  const message = typeof err.message === 'string' ? err.message : 'bad request';
  if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new CuttleError('BODY_TOO_LARGE', `request body too large: ${message}`, { cause: thrown });
  }
  if (err.validation !== undefined || (status >= 400 && status < 500)) {
    return new CuttleError('BAD_REQUEST', message, {
      cause: thrown,
      details: typeof err.code === 'string' ? { fastifyCode: err.code } : {},
    });
  }
  return new CuttleError('INTERNAL', 'internal error; see the executive log', { cause: ensureError(thrown) });
}
