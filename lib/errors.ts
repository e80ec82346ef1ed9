/**
 * Typed errors with stable codes. Every error that crosses a process boundary (HTTP, CLI exit,
 * dead-letter reason) carries one of these codes; the HTTP status is derived from the code in one
 * place so that no client mistake can turn into a 5xx by accident.
 */

/** Stable error codes, grouped by the HTTP status they map to. Never rename one: clients match on them. */
export const ErrorCodes = {
  // 400: the request itself is wrong.
  BAD_REQUEST: 400,
  INVALID_NAME: 400,
  INVALID_FIELD_TYPE: 400,
  INVALID_KEY: 400,
  UNKNOWN_FIELD: 400,
  MISSING_KEY_FIELD: 400,
  WRONG_VALUE_TYPE: 400,
  INTEGER_OUT_OF_RANGE: 400,
  INTEGER_PRECISION_LOST: 400,
  INVALID_DECIMAL: 400,
  INVALID_BASE64: 400,
  INVALID_UTF8: 400,
  NUL_IN_TEXT: 400,
  VALUE_TOO_LARGE: 400,
  ROW_TOO_LARGE: 400,
  BATCH_TOO_LARGE: 400,
  EMPTY_BATCH: 400,
  CONFIRMATION_REQUIRED: 400,
  INVALID_OFFSETS: 400,
  /** A secret reference is not `env:VARIABLE` or `file:/path:key`, or a password was written in plain. */
  INVALID_SECRET_REF: 400,
  /** A secret reference names a variable, file or key that does not exist here. */
  SECRET_UNRESOLVED: 400,
  /** An origin column holds values (or a definition) the pipeline cannot carry exactly. */
  UNCARRIABLE_VALUE: 400,
  // 401/403: who you are.
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  // 404: what you named does not exist.
  FAMILY_NOT_FOUND: 404,
  TABLE_NOT_FOUND: 404,
  WRITER_NOT_FOUND: 404,
  ROW_NOT_FOUND: 404,
  NOT_FOUND: 404,
  SNAPSHOT_NOT_FOUND: 404,
  // 409: the state is not what you expected.
  FAMILY_EXISTS: 409,
  TABLE_EXISTS: 409,
  FIELD_EXISTS: 409,
  WRITER_EXISTS: 409,
  OFFSET_CONFLICT: 409,
  // 410: what you asked for existed but is gone (a change feed position rotated away).
  CHANGELOG_OUT_OF_SYNC: 410,
  // 413: body larger than the server accepts.
  BODY_TOO_LARGE: 413,
  // 429 / 507: limits. Both say when to come back; neither drops anything.
  RATE_LIMITED: 429,
  TABLE_FULL: 507,
  // 5xx: our side. Retriable unless stated.
  UNAVAILABLE: 503,
  LEDGER_GAP: 500,
  INTERNAL: 500,
  CONFIG_INVALID: 500,
  /** A snapshot's data is older than the publishing bound; retriable once the follower catches up. */
  SNAPSHOT_STALE: 503,
  /** A snapshot object or manifest failed verification (size, checksum, integrity, seq). */
  SNAPSHOT_INVALID: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface CuttleErrorOptions {
  /** Structured context for clients and logs: family, table, field, row index, stored offsets. */
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
  /** Overrides the default (true for 5xx and 429, false otherwise). */
  readonly retriable?: boolean;
  /** Seconds after which a retry may succeed (429, 503). */
  readonly retryAfterSeconds?: number;
}

export class CuttleError extends Error {
  override readonly name = 'CuttleError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: CuttleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ErrorCodes[code];
    this.retriable = options.retriable ?? (this.status >= 500 || this.status === 429);
    this.details = options.details ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The JSON body every HTTP error response carries. */
  toJSON(): { error: { code: ErrorCode; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function isCuttleError(err: unknown): err is CuttleError {
  return err instanceof CuttleError;
}

/** Narrows anything thrown into an Error, so `catch (e)` never has to guess. */
export function ensureError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}
