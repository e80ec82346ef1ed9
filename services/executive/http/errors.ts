/**
 * The one place where anything thrown while handling a request becomes an HTTP response:
 * `{ "error": { "code", "message", "details" } }` with the status of the code (lib/errors.ts).
 * Client mistakes caught by fastify itself (body too large, unsupported media type, bad
 * percent-encoding, an over-long path parameter) become 4xx with a stable code; a ctldb outage is
 * 503 UNAVAILABLE (retriable); only a real bug is 500 INTERNAL, and that is logged with its stack.
 * Malformed HTTP that never becomes a request is answered by client-errors.ts, in the same shape.
 */
import { CtldbError } from '../../../lib/ctldb/dialect.ts';
import { CuttleError, ensureError, type ErrorCode } from '../../../lib/errors.ts';

interface FastifyishError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly validation?: unknown;
  readonly message?: unknown;
}

/** Fastify's own client errors whose meaning has a code of ours (the rest are BAD_REQUEST). */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'MALFORMED_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
};

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  413: 'BODY_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

/** Fastify's messages can quote the client's URL: keep them short. */
const MAX_MESSAGE_CHARS = 300;
const bounded = (message: string): string =>
  message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}…`;

function fromCtldb(thrown: CtldbError): CuttleError {
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

export function toCuttleError(thrown: unknown): CuttleError {
  if (thrown instanceof CuttleError) return thrown;
  if (thrown instanceof CtldbError) return fromCtldb(thrown);
  const err = (thrown ?? {}) as FastifyishError;
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  const message = bounded(typeof err.message === 'string' ? err.message : 'bad request');
  const fastifyCode = typeof err.code === 'string' ? err.code : undefined;
  const details = fastifyCode === undefined ? {} : { fastifyCode };
  const code = (fastifyCode === undefined ? undefined : FASTIFY_CODES[fastifyCode]) ?? STATUS_CODES[status];
  if (code !== undefined) return new CuttleError(code, message, { cause: thrown, details });
  if (err.validation !== undefined || (status >= 400 && status < 500)) {
    return new CuttleError('BAD_REQUEST', message, { cause: thrown, details });
  }
  return new CuttleError('INTERNAL', 'internal error; see the executive log', { cause: ensureError(thrown) });
}
