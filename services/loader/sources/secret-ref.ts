/**
 * Origin passwords are given as references, never as values: `env:VARIABLE` or
 * `file:/absolute/path.properties:key`. The connector gets the matching Kafka Connect config
 * provider placeholder (`${env:VARIABLE}`, `${file:/path:key}`), which each Connect worker resolves
 * when it starts the task, so the password is never written to Connect's config topic, to the
 * `cuttle.sources` row (which replicates to every LDB) or to a log. The CLI resolves the same
 * reference once, locally, only to read the origin tables' schema.
 *
 * Connect workers need `config.providers=env,file` (stack/config/connect/worker.properties).
 */
import { CuttleError } from '../../../lib/errors.ts';

export type SecretRef =
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'file'; readonly path: string; readonly key: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `key` as java.util.Properties reads it: no separators, no whitespace, no placeholder braces. */
const PROPERTY_KEY = /^[A-Za-z0-9_.-]+$/;

function invalid(text: string, why: string): CuttleError {
  return new CuttleError(
    'INVALID_SECRET_REF',
    `secret reference ${JSON.stringify(text)} ${why}; write env:VARIABLE or file:/absolute/path.properties:key`,
    { details: { reference: text } },
  );
}

export function parseSecretRef(text: string): SecretRef {
  if (text.startsWith('env:')) {
    const variable = text.slice('env:'.length);
    if (!ENV_NAME.test(variable)) throw invalid(text, 'does not name an environment variable');
    return { kind: 'env', variable };
  }
  if (text.startsWith('file:')) {
    const rest = text.slice('file:'.length);
    const colon = rest.lastIndexOf(':');
    const path = rest.slice(0, colon);
    const key = rest.slice(colon + 1);
    // Connect workers resolve the path themselves, on another host and working directory.
    if (colon <= 0 || !path.startsWith('/')) throw invalid(text, 'needs an absolute path and a key');
    if (/[{}]/.test(path)) throw invalid(text, 'has braces in its path');
    if (!PROPERTY_KEY.test(key)) throw invalid(text, 'has no valid key after the path');
    return { kind: 'file', path, key };
  }
  throw invalid(text, 'names no provider');
}

export function formatSecretRef(ref: SecretRef): string {
  return ref.kind === 'env' ? `env:${ref.variable}` : `file:${ref.path}:${ref.key}`;
}

/** The Kafka Connect config provider placeholder that resolves to the secret on the worker. */
export function connectPlaceholder(ref: SecretRef): string {
  return ref.kind === 'env' ? `\${env:${ref.variable}}` : `\${file:${ref.path}:${ref.key}}`;
}

/** A Kafka Connect config provider placeholder: not a secret, safe to show and store. */
export function isPlaceholder(value: string): boolean {
  return /^\$\{[a-z]+:[^}]+\}$/.test(value);
}

export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The file's text, or undefined when it does not exist. */
  readonly readFile: (path: string) => string | undefined;
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** A java.util.Properties value: `\uXXXX`, `\t`, `\n`, `\r`, `\f` and `\<c>` = `<c>`. */
function unescapeProperty(raw: string): string {
  return raw.replace(/\\(u[0-9A-Fa-f]{4}|.)/g, (_, c: string) =>
    c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (ESCAPES[c] ?? c),
  );
}

/**
 * The value of `key` in a java.util.Properties text (`key=value`, `key: value` or `key value`
 * lines), read as FileConfigProvider reads it (the last line for a key wins); undefined when
 * missing. A value continued on the next line (trailing backslash) is refused rather than guessed.
 */
function propertyValue(text: string, key: string): string | undefined {
  let value: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
    const match = /^([^=:\s]+)(?:\s*[=:]\s*|\s+)(.*)$/.exec(trimmed) ?? [trimmed, trimmed, ''];
    if (match[1] !== key) continue;
    const raw = match[2] ?? '';
    value = /(^|[^\\])(\\\\)*\\$/.test(raw) ? undefined : unescapeProperty(raw);
  }
  return value;
}

/** Resolves a reference here, as the Connect worker will there. */
export function resolveSecretRef(ref: SecretRef, sources: SecretSources): string {
  const unresolved = (why: string): CuttleError =>
    new CuttleError('SECRET_UNRESOLVED', `secret ${formatSecretRef(ref)}: ${why}`, {
      details: { reference: formatSecretRef(ref) },
    });
  if (ref.kind === 'env') {
    const value = sources.env[ref.variable];
    if (value === undefined) throw unresolved(`environment variable ${ref.variable} is not set`);
    return value;
  }
  const text = sources.readFile(ref.path);
  if (text === undefined) throw unresolved(`file ${ref.path} does not exist or cannot be read`);
  const value = propertyValue(text, ref.key);
  if (value === undefined)
    throw unresolved(`file ${ref.path} has no key ${ref.key} (or its value continues on the next line)`);
  return value;
}
