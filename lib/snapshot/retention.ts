/**
 * Which snapshots to delete: a pure decision over the keys a listing returned.
 *
 * Rules, in order of importance:
 * 1. Nothing is deleted unless the manifest just published is in the listing (it proves the
 *    listing is at least as new as our own publication, so we never prune on a stale view).
 * 2. The newest `keep` per-snapshot manifests stay, with their objects. `latest.json` always
 *    points at the newest one, so it never loses its object.
 * 3. Older manifests go first, then their objects, so no manifest ever names a missing object
 *    for longer than one delete call (and a bootstrap that races it falls back anyway).
 * 4. An object without a manifest (an upload whose publication failed, or one still being
 *    published by another supervisor) is deleted only when it is older than every kept snapshot.
 */
import { LATEST_MANIFEST_KEY, MANIFEST_PREFIX, SNAPSHOT_PREFIX } from './manifest.ts';

export interface RetentionInput {
  /** Keys under `manifests/` (latest.json included or not; it is ignored). */
  readonly manifestKeys: readonly string[];
  /** Keys under `snapshots/`. */
  readonly snapshotKeys: readonly string[];
  /** Per-snapshot manifest key that was just published. */
  readonly publishedManifestKey: string;
  /** How many snapshots to keep (at least 1). */
  readonly keep: number;
}

export interface RetentionPlan {
  /** Delete these first. */
  readonly manifests: readonly string[];
  /** Then these. */
  readonly snapshots: readonly string[];
}

const NOTHING: RetentionPlan = { manifests: [], snapshots: [] };

/** `manifests/<stem>.json` or `snapshots/<stem>.ldb.<ext>` → `<stem>`. */
export function stemOf(key: string): string | undefined {
  if (key.startsWith(MANIFEST_PREFIX) && key.endsWith('.json')) {
    return key.slice(MANIFEST_PREFIX.length, -'.json'.length);
  }
  const match = /^(.+)\.ldb\.[a-z]+$/.exec(key.slice(SNAPSHOT_PREFIX.length));
  return key.startsWith(SNAPSHOT_PREFIX) ? match?.[1] : undefined;
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const keep = Math.max(1, Math.floor(input.keep));
  const manifests = input.manifestKeys
    .filter((k) => k !== LATEST_MANIFEST_KEY && stemOf(k) !== undefined)
    .sort()
    .reverse();
  if (!manifests.includes(input.publishedManifestKey)) return NOTHING;
  const kept = manifests.slice(0, keep);
  const keptStems = new Set(kept.map((k) => stemOf(k)));
  const oldestKeptStem = stemOf(kept[kept.length - 1] ?? '') ?? '';
  const manifestStems = new Set(manifests.map((k) => stemOf(k)));
  const snapshots = input.snapshotKeys.filter((key) => {
    const stem = stemOf(key);
    if (stem === undefined || keptStems.has(stem)) return false;
    return manifestStems.has(stem) || stem < oldestKeptStem;
  });
  return { manifests: manifests.slice(keep), snapshots: snapshots.sort() };
}
