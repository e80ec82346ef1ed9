/**
 * The status record every cuttle process publishes about itself (see publisher.ts): who it is,
 * whether it is ready and why not, and a few figures of its role. Records travel as JSON (Redis,
 * `GET /fleet`), so they are parsed back with a schema at every boundary.
 */
import { z } from 'zod';

export const ROLES = ['executive', 'loader', 'reflector', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

const count = z.number().int().nonnegative();
const nullableNumber = z.number().nullable();

export const executiveFiguresSchema = z.object({
  /** Base URL of its API. */
  url: z.string().nullable(),
  /** HTTP requests per second over the last publishing interval. */
  requestsPerSecond: z.number().nonnegative(),
  /** off, local, redis, or fallback (redis mode running on its in-process fallback). */
  limiterMode: z.string(),
});

export const reflectorFiguresSchema = z.object({
  state: z.string(),
  ldbSeq: count,
  /** Ledger head seen at the last poll (null before the first). */
  ledgerHead: count.nullable(),
  lagEntries: count.nullable(),
  /** Age of the newest applied entry while behind the head, else 0 (null before the first poll). */
  lagMs: nullableNumber,
  /** Seconds since the newest applied ledger entry was committed (null: nothing applied yet). */
  stalenessSeconds: nullableNumber,
  /** The reflector's own readiness bound, which the fleet summary also uses. */
  maxStalenessSeconds: z.number().positive(),
});

export const loaderPartitionSchema = z.object({
  source: z.string(),
  topic: z.string(),
  partition: count,
  /** Records in the partition not yet in ctldb (null until the high watermark is known). */
  lag: count.nullable(),
  /** Age of the oldest event not yet applied, when the loader knows it (null otherwise). */
  oldestUnappliedAgeMs: nullableNumber,
  halted: z.string().nullable(),
});

export const loaderFiguresSchema = z.object({
  partitions: z.array(loaderPartitionSchema),
  /** Dead letters waiting in the queue (null when the queue could not be read). */
  deadLetters: count.nullable(),
});

export const supervisorFiguresSchema = z.object({
  ldbSeq: count,
  /** Newest published snapshot known to this supervisor (null: none yet). */
  snapshotSeq: count.nullable(),
  snapshotAgeMs: nullableNumber,
  /** Size of the snapshot's LDB, and of the compressed object in the store. */
  snapshotBytes: count.nullable(),
  snapshotCompressedBytes: count.nullable(),
  /** Its snapshot interval: the summary calls a snapshot older than two intervals too old. */
  intervalMs: z.number().positive(),
  lastOutcome: z.string(),
});

const baseSchema = {
  /** Unique per process: `<host>:<pid>` unless configured. */
  id: z.string().min(1),
  host: z.string(),
  pid: count,
  version: z.string(),
  /** ISO timestamps. */
  startedAt: z.string(),
  publishedAt: z.string(),
  /** The record lapses (the process is shown as gone) this long after publishedAt. */
  ttlMs: z.number().int().positive(),
  ready: z.boolean(),
  /** Why the process is not ready (null when ready). */
  reason: z.string().nullable(),
};

export const statusRecordSchema = z.discriminatedUnion('role', [
  z.object({ ...baseSchema, role: z.literal('executive'), figures: executiveFiguresSchema }),
  z.object({ ...baseSchema, role: z.literal('loader'), figures: loaderFiguresSchema }),
  z.object({ ...baseSchema, role: z.literal('reflector'), figures: reflectorFiguresSchema }),
  z.object({ ...baseSchema, role: z.literal('supervisor'), figures: supervisorFiguresSchema }),
]);

export type StatusRecord = z.infer<typeof statusRecordSchema>;
export type ExecutiveFigures = z.infer<typeof executiveFiguresSchema>;
export type ReflectorFigures = z.infer<typeof reflectorFiguresSchema>;
export type LoaderFigures = z.infer<typeof loaderFiguresSchema>;
export type LoaderPartitionFigures = z.infer<typeof loaderPartitionSchema>;
export type SupervisorFigures = z.infer<typeof supervisorFiguresSchema>;

/** What a role reports each interval; the publisher adds the identity and timestamps. */
export type RoleReport =
  | {
      readonly role: 'executive';
      readonly ready: boolean;
      readonly reason: string | null;
      readonly figures: ExecutiveFigures;
    }
  | {
      readonly role: 'loader';
      readonly ready: boolean;
      readonly reason: string | null;
      readonly figures: LoaderFigures;
    }
  | {
      readonly role: 'reflector';
      readonly ready: boolean;
      readonly reason: string | null;
      readonly figures: ReflectorFigures;
    }
  | {
      readonly role: 'supervisor';
      readonly ready: boolean;
      readonly reason: string | null;
      readonly figures: SupervisorFigures;
    };

/** Parses a stored record; undefined when it is not one (an older or foreign writer). */
export function parseStatusRecord(value: unknown): StatusRecord | undefined {
  const parsed = statusRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A finite number or null (JSON has no Infinity). */
export function finiteOrNull(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}
