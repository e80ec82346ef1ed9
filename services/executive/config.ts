/** The executive's options: env EXECUTIVE_<NAME> or flag --<name>. Read once, in main.ts. */
import { env, loadConfig, type ConfigOf } from '../../lib/config.ts';
import { statusOptions } from '../../lib/status/status-config.ts';
import { limitsOptions } from './limits/limits-config.ts';

export const executiveOptions = {
  host: { schema: env.string('127.0.0.1'), description: 'Address the HTTP API listens on.' },
  port: { schema: env.int(7070), description: 'Port the HTTP API listens on (0 picks a free port).' },
  ctldbDriver: {
    schema: env.oneOf(['mysql', 'sqlite'] as const, 'mysql'),
    description: 'ctldb driver: mysql (MySQL/MariaDB) or sqlite (embedded).',
  },
  ctldbUrl: {
    schema: env.optional(),
    description: 'mysql://user:password@host:port/database, for the mysql driver.',
  },
  ctldbPath: { schema: env.optional(), description: 'File of the SQLite ctldb, for the sqlite driver.' },
  ctldbConnections: { schema: env.int(10, 1), description: 'Size of the MySQL connection pool.' },
  adminToken: {
    schema: env.optional(),
    description: 'Bearer token for admin routes (schema, writers, limits). Required.',
  },
  redisUrl: {
    schema: env.optional(),
    description: 'Redis URL: ledger wake-ups and the heartbeat scheduler. Optional.',
  },
  maxBodyBytes: {
    schema: env.int(16 * 1024 * 1024, 1024),
    description: 'Largest request body accepted, in bytes.',
  },
  maxBatchMutations: { schema: env.int(10_000, 1), description: 'Most mutations in one request.' },
  maxValueBytes: { schema: env.int(1024 * 1024, 1), description: 'Largest text or binary value, in bytes.' },
  maxRowBytes: {
    schema: env.int(4 * 1024 * 1024, 1),
    description: 'Largest row (sum of its values), in bytes.',
  },
  metadataAccess: {
    schema: env.oneOf(['open', 'token'] as const, 'open'),
    description:
      'open: /metrics and the schema listings need no credential; token: they need the admin token or writer credentials (or the metrics token for /metrics).',
  },
  metricsToken: {
    schema: env.optional(),
    description: 'With metadataAccess=token, a bearer token that may read /metrics only (for a scraper).',
  },
  authFailureLimit: {
    schema: env.int(10, 1),
    description:
      'Failed authentications per writer name and window before its checks wait (429 AUTH_THROTTLED).',
  },
  authFailureWindowMs: {
    schema: env.int(60_000, 1000),
    description: 'Window of the failed-authentication count, in ms.',
  },
  authKeyPrefix: {
    schema: env.string('cuttle:auth'),
    description: 'Prefix of the failed-authentication counters in Redis (shared by every executive).',
  },
  heartbeatIntervalMs: {
    schema: env.int(15_000),
    description: 'Interval of heartbeat ledger entries in ms; 0 turns them off.',
  },
  deadLetterPrefix: {
    schema: env.string('bull'),
    description:
      "BullMQ prefix of the loaders' dead-letter queue in the executive's Redis, for the admin page (the loaders' LOADER_DEAD_LETTER_PREFIX).",
  },
  connectUrl: {
    schema: env.url().optional(),
    description:
      "Kafka Connect's REST URL: the admin page shows connector states and pauses/resumes connectors with their sources. Optional.",
  },
  logLevel: { schema: env.string('info'), description: 'pino log level.' },
  ...limitsOptions,
  ...statusOptions,
} as const;

export type ExecutiveConfig = ConfigOf<typeof executiveOptions>;

export function loadExecutiveConfig(
  environment: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): ExecutiveConfig {
  return loadConfig('EXECUTIVE', executiveOptions, environment, argv);
}
