/**
 * Snapshot manifests and the store's key layout.
 *
 * ```
 * snapshots/<seq, 20 digits>-<UTC stamp>.ldb.<br|gz>   the compressed LDB
 * manifests/<seq, 20 digits>-<UTC stamp>.json           one manifest per snapshot, never rewritten
 * manifests/latest.json                                 a copy of the newest manifest
 * ```
 *
 * Zero-padded seqs make lexicographic key order equal seq order, so a listing is already sorted.
 * A snapshot object is uploaded before its manifest, and a manifest is the only thing a
 * bootstrapping host trusts: an object without a manifest is never used.
 */
import { z } from 'zod';
import { CuttleError } from '../errors.ts';

export const MANIFEST_FORMAT_VERSION = 1;
export const SNAPSHOT_PREFIX = 'snapshots/';
export const MANIFEST_PREFIX = 'manifests/';
export const LATEST_MANIFEST_KEY = `${MANIFEST_PREFIX}latest.json`;

export const COMPRESSIONS = ['br', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];
const EXTENSION: Record<Compression, string> = { br: 'br', gzip: 'gz' };

const manifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  /** Ledger position of the snapshot: every entry up to and including it is applied. */
  seq: z.number().int().min(0),
  /** Commit time (ms since the epoch) of the last entry applied, null for an empty LDB. */
  committedAt: z.number().int().nullable(),
  /** How old the data was when the copy was taken (see position.ts for the definition). */
  stalenessMs: z.number().int().min(0),
  createdAt: z.iso.datetime(),
  key: z.string().startsWith(SNAPSHOT_PREFIX),
  compression: z.enum(COMPRESSIONS),
  /** Bytes of the uncompressed LDB. */
  size: z.number().int().min(0),
  /** Bytes of the object in the store. */
  compressedSize: z.number().int().min(0),
  /** SHA-256 (hex) of the object in the store, i.e. of the compressed bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Tables in the LDB (its schema at that seq). */
  tables: z.array(z.string()),
  /** Which supervisor made it, the fencing token of its claim, and the trigger it answered. */
  makerId: z.string(),
  fencingToken: z.number().int().min(0).nullable(),
  trigger: z.string().nullable(),
});

export type Manifest = z.output<typeof manifestSchema>;

export function parseManifest(bytes: Uint8Array, source: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new CuttleError('SNAPSHOT_INVALID', `manifest ${source} is not JSON`, {
      details: { manifest: source },
      cause: err,
      retriable: false,
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new CuttleError('SNAPSHOT_INVALID', `manifest ${source} is invalid: ${why}`, {
      details: { manifest: source },
      retriable: false,
    });
  }
  return parsed.data;
}

export function serializeManifest(manifest: Manifest): Uint8Array {
  return Buffer.from(`${JSON.stringify(manifestSchema.parse(manifest), null, 2)}\n`, 'utf8');
}

/** `20260101T120000123Z`: sortable, and safe in any object-store key. */
export function keyStamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function stem(seq: number, createdAt: Date): string {
  return `${String(seq).padStart(20, '0')}-${keyStamp(createdAt)}`;
}

export function snapshotKey(seq: number, createdAt: Date, compression: Compression): string {
  return `${SNAPSHOT_PREFIX}${stem(seq, createdAt)}.ldb.${EXTENSION[compression]}`;
}

/** The per-snapshot manifest that belongs to a snapshot object key. */
export function manifestKeyFor(snapshotObjectKey: string): string {
  const name = snapshotObjectKey.slice(SNAPSHOT_PREFIX.length).replace(/\.ldb\.[a-z]+$/, '');
  return `${MANIFEST_PREFIX}${name}.json`;
}

/** The seq a snapshot or manifest key names, or undefined for keys that are not ours. */
export function seqOfKey(key: string): number | undefined {
  const match = /^(?:snapshots|manifests)\/(\d{20})-\d{8}T\d{9}Z(?:\.json|\.ldb\.[a-z]+)$/.exec(key);
  if (match?.[1] === undefined) return undefined;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) ? seq : undefined;
}

/** Newest first: higher seq, then later creation. */
export function compareNewestFirst(a: Manifest, b: Manifest): number {
  if (a.seq !== b.seq) return b.seq - a.seq;
  return b.createdAt.localeCompare(a.createdAt);
}
