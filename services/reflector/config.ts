/** The reflector's options: env REFLECTOR_<NAME> or flag --<name>. Read once, in main.ts. */
import { z } from 'zod';
import { env, loadConfig, type ConfigOf } from '../../lib/config.ts';
import { statusOptions } from '../../lib/status/status-config.ts';

const MiB = 1024 * 1024;

export const reflectorOptions = {
  ctldb: {
    schema: env.string(),
    description:
      'Where to read the ledger: mysql://user:password@host:port/database, or sqlite:<path> (embedded).',
  },
  ldbPath: {
    schema: env.string('.data/reflector/ldb.db'),
    description: 'The LDB file (created when missing).',
  },
  snapshotUrl: {
    schema: env.optional(),
    description:
      'Bootstrap a missing or damaged LDB from the newest valid snapshot here (s3://bucket/prefix or a folder). Optional.',
  },
  s3Endpoint: {
    schema: env.optional(),
    description: 'S3-compatible endpoint for snapshotUrl (unset for AWS S3).',
  },
  redisUrl: {
    schema: env.optional(),
    description: 'Redis URL for "ledger advanced" wake-ups. Without it the reflector only polls.',
  },
  pollIntervalMs: { schema: env.int(1000, 1), description: 'Poll interval when idle, in ms.' },
  pollJitter: {
    schema: z.coerce.number().min(0).max(1).default(0.25),
    description: 'Jitter coefficient of the poll interval (0.25 = ±25 %).',
  },
  queryTimeoutMs: { schema: env.int(5000, 1), description: 'Longest one ledger read may take, in ms.' },
  blockSize: { schema: env.int(1000, 1), description: 'Ledger entries per read.' },
  maxStalenessSeconds: {
    schema: env.int(60, 1),
    description: 'Readiness ("caught up") needs staleness below this many seconds.',
  },
  changelogPath: {
    schema: env.optional(),
    description: 'Write the change feed (NDJSON) to this file. Optional.',
  },
  changelogMaxBytes: { schema: env.int(64 * MiB, 1024), description: 'Rotate the changelog at this size.' },
  changelogKeep: { schema: env.int(4, 1), description: 'Rotated changelog files to keep.' },
  walPassiveBytes: {
    schema: env.int(4 * MiB, 1),
    description: 'PASSIVE checkpoint after the WAL grew by this much.',
  },
  walPassiveMs: {
    schema: env.int(1000, 1),
    description: 'PASSIVE checkpoint at least this often while applying, ms.',
  },
  walMaxBytes: {
    schema: env.int(64 * MiB, 1),
    description: 'Above this WAL size, escalate to a TRUNCATE checkpoint.',
  },
  host: {
    schema: env.string('127.0.0.1'),
    description: 'Address of the HTTP endpoint (health, metrics, sidecar).',
  },
  port: { schema: env.int(1331), description: 'Port of the HTTP endpoint (0 picks a free one).' },
  sidecar: { schema: env.bool(false), description: 'Serve the read API (sidecar) for non-Node services.' },
  sidecarMaxRows: { schema: env.int(10_000, 1), description: 'Most rows one sidecar prefix read returns.' },
  logLevel: { schema: env.string('info'), description: 'pino log level.' },
  ...statusOptions,
} as const;

export type ReflectorConfig = ConfigOf<typeof reflectorOptions>;

export function loadReflectorConfig(
  environment: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): ReflectorConfig {
  return loadConfig('REFLECTOR', reflectorOptions, environment, argv);
}
