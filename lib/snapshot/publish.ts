/** Publishing a manifest and pruning what it supersedes. */
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging.ts';
import { readLatest } from './catalog.ts';
import {
  LATEST_MANIFEST_KEY,
  MANIFEST_PREFIX,
  SNAPSHOT_PREFIX,
  manifestKeyFor,
  serializeManifest,
  type Manifest,
} from './manifest.ts';
import { planRetention, type RetentionPlan } from './retention.ts';
import type { SnapshotStore } from './store.ts';

const JSON_TYPE = { contentType: 'application/json' };

/**
 * Writes the per-snapshot manifest, then latest.json unless a newer snapshot was published
 * meanwhile (latest.json never moves backwards). Returns the per-snapshot manifest key.
 */
export async function publishManifest(
  store: SnapshotStore,
  manifest: Manifest,
  log: Logger,
): Promise<string> {
  const manifestKey = manifestKeyFor(manifest.key);
  const body = serializeManifest(manifest);
  await store.putBytes(manifestKey, body, JSON_TYPE);
  const current = await readLatest(store);
  if (current.ok && current.manifest.seq > manifest.seq) {
    log.warn({ seq: manifest.seq, latestSeq: current.manifest.seq }, 'a newer snapshot is already latest');
    return manifestKey;
  }
  await store.putBytes(LATEST_MANIFEST_KEY, body, JSON_TYPE);
  return manifestKey;
}

/**
 * Applies the retention plan. The new snapshot is already published, so a failure here costs
 * only disk space until the next run; it is logged and reported, not thrown.
 */
export async function pruneSnapshots(
  store: SnapshotStore,
  publishedManifestKey: string,
  keep: number,
  log: Logger,
): Promise<RetentionPlan> {
  try {
    const [manifestKeys, snapshotKeys] = await Promise.all([
      store.list(MANIFEST_PREFIX),
      store.list(SNAPSHOT_PREFIX),
    ]);
    const plan = planRetention({ manifestKeys, snapshotKeys, publishedManifestKey, keep });
    if (plan.manifests.length > 0) await store.delete(plan.manifests);
    if (plan.snapshots.length > 0) await store.delete(plan.snapshots);
    return plan;
  } catch (err) {
    log.warn({ err: ensureError(err) }, 'pruning old snapshots failed; the next run retries');
    return { manifests: [], snapshots: [] };
  }
}
