/**
 * Configuration from environment variables and flags, validated once at start-up.
 *
 * Each service declares an option table: name, zod schema, description. `loadConfig` reads
 * `<PREFIX>_<NAME>` from the environment (flags override), validates every option, and throws one
 * error listing every bad variable by name. Nothing below a service's main.ts reads process.env.
 */
import { z } from 'zod';
import { CuttleError } from './errors.ts';

export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly description: string;
}

export type OptionTable = Record<string, OptionSpec>;

export type ConfigOf<T extends OptionTable> = { readonly [K in keyof T]: z.output<T[K]['schema']> };

/** camelCase option name -> SCREAMING_SNAKE environment suffix. */
export function envName(prefix: string, option: string): string {
  return `${prefix}_${option.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** camelCase option name -> --kebab-case flag. */
export function flagName(option: string): string {
  return `--${option.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}

/** Parses `--name value` and `--name=value` pairs; anything else is left for the caller. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(0, eq), arg.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags.set(arg, next);
        i++;
      } else {
        flags.set(arg, 'true');
      }
    }
  }
  return flags;
}

export function loadConfig<T extends OptionTable>(
  prefix: string,
  options: T,
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): ConfigOf<T> {
  const flags = parseFlags(argv);
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [option, spec] of Object.entries(options)) {
    const variable = envName(prefix, option);
    const flag = flagName(option);
    const raw = flags.get(flag) ?? env[variable];
    const parsed = spec.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) {
      result[option] = parsed.data;
    } else {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(
        `${variable} (or ${flag}) ${raw === undefined ? 'is missing' : `= ${JSON.stringify(raw)} is invalid`}: ${why}. ${spec.description}`,
      );
    }
  }
  // A misspelt flag would otherwise be ignored and its option silently left at its default.
  const known = new Set(Object.keys(options).map(flagName));
  for (const flag of flags.keys())
    if (!known.has(flag)) problems.push(`${flag} is not an option (--help lists them)`);
  if (problems.length > 0) {
    throw new CuttleError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      details: { problems },
      retriable: false,
    });
  }
  return result as ConfigOf<T>;
}

/** Coercing schemas for values that arrive as strings. */
export const env = {
  string: (fallback?: string) =>
    fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback),
  int: (fallback?: number, min = 0) => {
    const s = z.coerce.number().int().min(min);
    return fallback === undefined ? s : s.default(fallback);
  },
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .prefault(fallback ? 'true' : 'false'),
  url: (fallback?: string) => (fallback === undefined ? z.url() : z.url().default(fallback)),
  list: (fallback: readonly string[] = []) =>
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      )
      .prefault(fallback.join(',')),
  optional: () => z.string().min(1).optional(),
  oneOf: <const V extends readonly [string, ...string[]]>(values: V, fallback: V[number]) =>
    z.enum(values).default(fallback as never),
};
