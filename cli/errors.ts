/** How the CLI reports a failure: the stable code, the message, and what to do about it. */
import { isCuttleError, type ErrorCode } from '../lib/errors.ts';
import type { CliIo } from './context.ts';

const hints: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED:
    "pass --admin-token <token> or set CUTTLE_ADMIN_TOKEN (the executive's EXECUTIVE_ADMIN_TOKEN)",
  FORBIDDEN: 'check the admin token (--admin-token or CUTTLE_ADMIN_TOKEN)',
  UNAVAILABLE: 'is the executive running? point --executive or CUTTLE_EXECUTIVE_URL at it',
  FAMILY_NOT_FOUND: 'create it first: cuttle families create <family>',
  TABLE_NOT_FOUND: 'list the tables: cuttle tables show <family>',
  WRITER_NOT_FOUND: 'register it first: cuttle writers add <writer> --family <family>',
  WRITER_SCOPE_MISSING: 'name its families: --family <family> (repeatable), or --global for every family',
  FAMILY_OUT_OF_SCOPE: 'widen the scope: cuttle writers scope <writer> --family <family> ...',
  CONFIRMATION_REQUIRED: 'repeat the table as --confirm <family>.<table>',
  INVALID_NAME: 'names are lower-case a-z, 0-9 and _, starting with a letter',
  INVALID_FIELD_TYPE: 'field types: string, bytestring, integer, decimal, text, binary',
  INVALID_KEY: 'key fields must be declared fields of type string, bytestring or integer',
  TABLE_EXISTS: 'see it with: cuttle tables show <family> <table>',
  FIELD_EXISTS: 'see the table with: cuttle tables show <family> <table>',
  WRITER_EXISTS: 'to change its secret: cuttle writers rotate <writer>',
};

/** Prints the error and returns the exit code. */
export function reportError(err: unknown, io: CliIo, json: boolean): number {
  if (isCuttleError(err)) {
    // A source registration's refusals each say what to do already; the code's general hint would not fit.
    const hint = 'refusals' in err.details ? undefined : hints[err.code];
    if (json) io.err(JSON.stringify({ ...err.toJSON(), ...(hint === undefined ? {} : { hint }) }));
    else {
      io.err(`error ${err.code}: ${err.message}`);
      if (hint !== undefined) io.err(`  what to do: ${hint}`);
    }
    return 1;
  }
  io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}
