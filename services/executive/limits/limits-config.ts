/**
 * The limiter's options, for the executive's option table (lib/config.ts): spread
 * `limitsOptions` into it and pass the loaded values to `createLimits`. Defaults apply to every
 * writer and table without an override; overrides live in ctldb and change at runtime.
 */
import { z } from 'zod';
import { env, type ConfigOf } from '../../../lib/config.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { validateRate, type LimitDefaults, type RateLimit } from './settings.ts';

const MiB = 1024 * 1024;
const nonNegative = (fallback: number) => z.coerce.number().min(0).default(fallback);

export const limitsOptions = {
  limitsMode: {
    schema: z.enum(['off', 'local', 'redis']).optional(),
    description:
      'redis: shared by every executive through Redis (the default when a Redis URL is set); local: enforced in this process only (embedded mode); off: no limits (the default without Redis, and otherwise an explicit choice)',
  },
  limitsRedisUrl: {
    schema: env.optional(),
    description: "Redis holding the shared limits in redis mode (default: the executive's redisUrl)",
  },
  limitsKeyPrefix: {
    schema: env.string('cuttle:limits'),
    description: 'Prefix (hash tag) of every limits key',
  },
  limitsWriterRatePerSecond: {
    schema: nonNegative(1000),
    description: 'Default mutations per second per writer (0: no default limit)',
  },
  limitsWriterBurst: { schema: env.int(1000, 1), description: 'Default burst per writer, in mutations' },
  limitsTableRatePerSecond: {
    schema: nonNegative(0),
    description: 'Default mutations per second per table (0: no default limit)',
  },
  limitsTableBurst: { schema: env.int(1000, 1), description: 'Default burst per table, in mutations' },
  limitsTableWarnBytes: {
    schema: env.int(50 * MiB),
    description: 'Default soft quota per table in estimated LDB bytes (0: none)',
  },
  limitsTableMaxBytes: {
    schema: env.int(100 * MiB),
    description: 'Default hard quota per table in estimated LDB bytes (0: none)',
  },
  limitsFallbackShare: {
    schema: env.int(2, 1),
    description: 'Expected executive count: while Redis is down each enforces 1/share of every limit',
  },
  limitsMeasureIntervalMs: {
    schema: env.int(10_000, 100),
    description: 'How often table sizes are measured (once per interval across all executives)',
  },
  limitsSettingsPollMs: {
    schema: env.int(1000, 50),
    description: 'Safety-net reload of limit settings from ctldb (changes are also announced on Redis)',
  },
  limitsRedisTimeoutMs: {
    schema: env.int(500, 10),
    description: 'A Redis command slower than this switches to the in-process fallback',
  },
} as const;

export type LimitsConfig = ConfigOf<typeof limitsOptions>;

/**
 * The mode in force: the one set, else `redis` whenever a Redis URL is configured (limits are on
 * wherever they can be shared), else `off`.
 */
export function limitsModeOf(
  config: Pick<LimitsConfig, 'limitsMode' | 'limitsRedisUrl'>,
  redisUrl: string | undefined,
): 'off' | 'local' | 'redis' {
  if (config.limitsMode !== undefined) return config.limitsMode;
  return (config.limitsRedisUrl ?? redisUrl) === undefined ? 'off' : 'redis';
}

/** A default rate, checked as an override is (settings.ts validateRate), named by its variables. */
function defaultRate(perSecond: number, burst: number, kind: 'WRITER' | 'TABLE'): RateLimit | null {
  if (perSecond <= 0) return null;
  try {
    return validateRate({ perSecond, burst }, {});
  } catch (err) {
    throw new CuttleError(
      'CONFIG_INVALID',
      `EXECUTIVE_LIMITS_${kind}_RATE_PER_SECOND and EXECUTIVE_LIMITS_${kind}_BURST: ${(err as Error).message}`,
      { cause: err, retriable: false },
    );
  }
}

export function limitDefaults(config: LimitsConfig): LimitDefaults {
  const rate = (perSecond: number, burst: number, kind: 'WRITER' | 'TABLE') =>
    defaultRate(perSecond, burst, kind);
  return {
    writerRate: rate(config.limitsWriterRatePerSecond, config.limitsWriterBurst, 'WRITER'),
    tableRate: rate(config.limitsTableRatePerSecond, config.limitsTableBurst, 'TABLE'),
    warnBytes: config.limitsTableWarnBytes > 0 ? config.limitsTableWarnBytes : null,
    maxBytes: config.limitsTableMaxBytes > 0 ? config.limitsTableMaxBytes : null,
  };
}
