/**
 * A writer's scope: the families it may write and read through the executive, set by an admin.
 * A ctlstore-style global writer (every family) exists but must be asked for explicitly:
 *
 *   { "families": ["flags", "routing"] }   only these families
 *   { "global": true }                     every family
 *
 * One exception for reads: the `cuttle` family holds cuttle's own metadata (the sources registry,
 * which every loader reads at start-up), so any writer may read it; writing it needs the scope.
 */
import { CuttleError, describeValue, detailValue } from '../../../lib/errors.ts';
import { validateFamilyName } from '../../../lib/schema/names.ts';

export type WriterScope = { readonly global: true } | { readonly families: readonly string[] };

/** The family every writer may read (see above). */
export const METADATA_FAMILY = 'cuttle';
/** More families than this in one scope is a mistake, not a configuration. */
export const MAX_SCOPE_FAMILIES = 1000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function scopeError(message: string, writer: string): CuttleError {
  return new CuttleError('BAD_REQUEST', message, { details: { writer } });
}

/**
 * The scope given in a request body (`families` or `global: true`); `undefined` when the body
 * names neither, for the caller to refuse with WRITER_SCOPE_MISSING.
 */
export function scopeFromBody(body: Record<string, unknown>, writer: string): WriterScope | undefined {
  const { families, global } = body;
  if (global !== undefined && global !== true && global !== false) {
    throw scopeError(`"global" must be true or false, got ${describeValue(global)}`, writer);
  }
  if (global === true && families !== undefined) {
    throw scopeError('give either "families" or "global": true, not both', writer);
  }
  if (global === true) return { global: true };
  if (families === undefined) return undefined;
  if (!Array.isArray(families) || families.length === 0 || families.length > MAX_SCOPE_FAMILIES) {
    throw scopeError(
      `"families" must be a non-empty array of at most ${MAX_SCOPE_FAMILIES} family names, got ${describeValue(families)}`,
      writer,
    );
  }
  return { families: [...new Set(families.map((f: unknown) => validateFamilyName(f)))].sort() };
}

/** The scope a request body must give; WRITER_SCOPE_MISSING when it gives none. */
export function requireScope(body: unknown, writer: string): WriterScope {
  const scope = isObject(body) ? scopeFromBody(body, writer) : undefined;
  if (scope === undefined) {
    throw new CuttleError(
      'WRITER_SCOPE_MISSING',
      `writer ${writer} needs a scope: "families": ["family", ...] or, for a writer of every family, "global": true`,
      { details: { writer } },
    );
  }
  return scope;
}

export function scopeToJson(scope: WriterScope): string {
  return JSON.stringify(scope);
}

/** A scope as stored; anything unreadable is read as "no family" (deny, never allow). */
export function scopeFromJson(text: unknown): WriterScope {
  try {
    const parsed = JSON.parse(String(text)) as unknown;
    if (isObject(parsed) && parsed.global === true) return { global: true };
    if (isObject(parsed) && Array.isArray(parsed.families))
      return { families: parsed.families.filter((f): f is string => typeof f === 'string') };
  } catch {
    // fall through: deny
  }
  return { families: [] };
}

export function sameScope(a: WriterScope, b: WriterScope): boolean {
  return scopeToJson(a) === scopeToJson(b);
}

function allows(scope: WriterScope, family: string): boolean {
  return 'global' in scope || scope.families.includes(family);
}

/** Throws FAMILY_OUT_OF_SCOPE unless the writer may write `family`. */
export function requireWriteScope(writer: string, scope: WriterScope, family: unknown): void {
  if (typeof family === 'string' && allows(scope, family)) return;
  throw outOfScope(writer, family, 'write');
}

/** Throws FAMILY_OUT_OF_SCOPE unless the writer may read `family`. */
export function requireReadScope(writer: string, scope: WriterScope, family: unknown): void {
  if (typeof family === 'string' && (family === METADATA_FAMILY || allows(scope, family))) return;
  throw outOfScope(writer, family, 'read');
}

function outOfScope(writer: string, family: unknown, what: 'write' | 'read'): CuttleError {
  const name = detailValue(family);
  return new CuttleError(
    'FAMILY_OUT_OF_SCOPE',
    `writer ${writer} may not ${what} family ${String(name)}: it is not in the writer's scope (cuttle writers scope ${writer} --family ...)`,
    { details: { writer, family: name } },
  );
}
