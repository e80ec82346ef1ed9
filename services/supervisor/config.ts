/** The supervisor's options: env SUPERVISOR_<NAME> or flag --<name>. Read once, in main.ts. */
import { hostname } from 'node:os';
import { env, loadConfig, type ConfigOf } from '../../lib/config.ts';
import { COMPRESSIONS } from '../../lib/snapshot/manifest.ts';
import { statusOptions } from '../../lib/status/status-config.ts';

const MINUTE = 60_000;

export const supervisorOptions = {
  ctldb: {
    schema: env.string(),
    description: 'Where to read the ledger: mysql://user:password@host:port/database, or sqlite:<path>.',
  },
  snapshotUrl: {
    schema: env.string(),
    description: 'Where snapshots go: s3://bucket/prefix, or a folder (file:///path) in the embedded mode.',
  },
  s3Endpoint: { schema: env.optional(), description: 'S3-compatible endpoint (unset for AWS S3).' },
  s3Region: { schema: env.optional(), description: 'S3 region (default us-east-1).' },
  s3AccessKeyId: { schema: env.optional(), description: 'S3 access key; else the AWS default chain.' },
  s3SecretAccessKey: { schema: env.optional(), description: 'S3 secret key; else the AWS default chain.' },
  redisUrl: {
    schema: env.optional(),
    description: 'Redis: ledger wake-ups and the snapshot slot claims shared by several supervisors.',
  },
  slotKeyPrefix: {
    schema: env.string('cuttle:snapshot'),
    description: 'Prefix of the Redis keys of snapshot claims (one per cuttle installation).',
  },
  ldbPath: { schema: env.string('.data/supervisor/ldb.db'), description: "The supervisor's private LDB." },
  workDir: {
    schema: env.optional(),
    description: 'Scratch folder for copies (default: <ldb folder>/snapshot-work, same disk).',
  },
  intervalMs: { schema: env.int(5 * MINUTE, 100), description: 'Snapshot interval, in ms.' },
  everyEntries: {
    schema: env.int(100_000, 0),
    description: 'Also snapshot once this many ledger entries arrived since the last one (0: off).',
  },
  minGapMs: {
    schema: env.int(30_000, 0),
    description: 'Least time between two entry-triggered snapshots of one supervisor, in ms.',
  },
  keep: { schema: env.int(10, 1), description: 'Snapshots to keep in the store.' },
  maxStalenessMs: {
    schema: env.int(10 * MINUTE, 0),
    description: 'Never publish a snapshot lacking a ledger entry committed longer ago than this, in ms.',
  },
  compression: { schema: env.oneOf(COMPRESSIONS, 'br'), description: 'br (brotli) or gzip.' },
  makerId: {
    schema: env.string(`${hostname()}-${process.pid}`),
    description: 'Name of this supervisor in manifests and slot claims.',
  },
  tickMs: { schema: env.int(1000, 10), description: 'How often the schedule is checked, in ms.' },
  lockTtlMs: {
    schema: env.int(10 * MINUTE, 1000),
    description: 'Longest one snapshot may take; its lock expires after this, in ms.',
  },
  pollIntervalMs: { schema: env.int(1000, 1), description: 'Ledger poll interval when idle, in ms.' },
  maxLagSeconds: {
    schema: env.int(60, 1),
    description: 'The follower is caught up (ready, allowed to claim) under this staleness, in s.',
  },
  checkpointBusyTimeoutMs: {
    schema: env.int(0, 0),
    description: 'How long a TRUNCATE checkpoint of the private LDB waits for readers (the copy), in ms.',
  },
  host: { schema: env.string('127.0.0.1'), description: 'Address of /health, /ready and /metrics.' },
  port: { schema: env.int(1332), description: 'Port of the HTTP endpoint (0 picks a free one).' },
  logLevel: { schema: env.string('info'), description: 'pino log level.' },
  ...statusOptions,
} as const;

export type SupervisorConfig = ConfigOf<typeof supervisorOptions>;

export function loadSupervisorConfig(
  environment: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): SupervisorConfig {
  return loadConfig('SUPERVISOR', supervisorOptions, environment, argv);
}
