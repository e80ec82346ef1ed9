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
  /** A decimal sent as a JSON number that a double cannot carry exactly; send it as a string. */
  DECIMAL_PRECISION_LOST: 400,
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
  /** The HTTP request itself is malformed (framing, header syntax, percent-encoding, method). */
  MALFORMED_REQUEST: 400,
  /** A JSON body nested deeper than any request of the API can be. */
  JSON_TOO_DEEP: 400,
  /** A writer registered without `families` and without `global: true`. */
  WRITER_SCOPE_MISSING: 400,
  /** An origin column holds values (or a definition) the pipeline cannot carry exactly. */
  UNCARRIABLE_VALUE: 400,
  /** `sources add` refused for reasons of several kinds; `details.refusals` gives each one's code. */
  SOURCE_REFUSED: 400,
  // 401/403: who you are.
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  /** The writer's scope does not include the family it writes or reads. */
  FAMILY_OUT_OF_SCOPE: 403,
  // 404: what you named does not exist.
  FAMILY_NOT_FOUND: 404,
  TABLE_NOT_FOUND: 404,
  WRITER_NOT_FOUND: 404,
  ROW_NOT_FOUND: 404,
  NOT_FOUND: 404,
  SNAPSHOT_NOT_FOUND: 404,
  /** No dead letter with that id in the queue (or no queue: the executive has no Redis). */
  DEAD_LETTER_NOT_FOUND: 404,
  /** No row of `cuttle.sources` with that name. */
  SOURCE_NOT_FOUND: 404,
  // 409: the state is not what you expected.
  FAMILY_EXISTS: 409,
  TABLE_EXISTS: 409,
  FIELD_EXISTS: 409,
  WRITER_EXISTS: 409,
  OFFSET_CONFLICT: 409,
  // 408: the client did not send its request in time.
  REQUEST_TIMEOUT: 408,
  // 410: what you asked for existed but is gone (a change feed position rotated away).
  CHANGELOG_OUT_OF_SYNC: 410,
  // 413: body larger than the server accepts.
  BODY_TOO_LARGE: 413,
  // 414 / 415 / 431: the request's form.
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  // 429 / 507: limits. Both say when to come back; neither drops anything.
  RATE_LIMITED: 429,
  /** Too many failed authentications for one writer name; retry after the given delay. */
  AUTH_THROTTLED: 429,
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

const PREVIEW_CHARS = 40;

/**
 * A short description of a client's value for an error message: its type, and for a scalar a
 * bounded preview. Never serialises a whole value: a client controls its size and depth (an
 * array nested 10,000 deep overflows JSON.stringify's stack).
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `the string ${previewText(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'object') {
    const custom = (value as { describe?: unknown }).describe;
    return typeof custom === 'function' ? String(custom.call(value)) : 'an object';
  }
  return typeof value;
}

/** A string quoted and cut to a few dozen characters, with its length when cut. */
export function previewText(text: string): string {
  if (text.length <= PREVIEW_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, PREVIEW_CHARS))}… (${text.length} characters)`;
}

/** A client's value made safe for `details`: short strings and scalars as they are, the rest described. */
export function detailValue(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string' && value.length <= 200) return value;
  return describeValue(value);
}

/** Narrows anything thrown into an Error, so `catch (e)` never has to guess. */
export function ensureError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'string') return new Error(err);
  try {
    return new Error(JSON.stringify(err));
  } catch {
    return new Error(describeValue(err));
  }
}
