/**
 * Reading manifests from a store: the newest first, and the order in which a bootstrap tries them.
 */
import { isCuttleError } from '../errors.ts';
import {
  LATEST_MANIFEST_KEY,
  MANIFEST_PREFIX,
  compareNewestFirst,
  manifestKeyFor,
  parseManifest,
  type Manifest,
} from './manifest.ts';
import { stemOf } from './retention.ts';
import type { SnapshotStore } from './store.ts';

/** A manifest as found in the store, or why it could not be read. */
export type CatalogEntry =
  | { readonly ok: true; readonly manifestKey: string; readonly manifest: Manifest }
  | { readonly ok: false; readonly manifestKey: string; readonly reason: string };

export async function readManifest(store: SnapshotStore, manifestKey: string): Promise<CatalogEntry> {
  try {
    const bytes = await store.getBytes(manifestKey);
    if (bytes === undefined) return { ok: false, manifestKey, reason: 'manifest not found' };
    return { ok: true, manifestKey, manifest: parseManifest(bytes, manifestKey) };
  } catch (err) {
    if (isCuttleError(err)) return { ok: false, manifestKey, reason: err.message };
    throw err;
  }
}

export function readLatest(store: SnapshotStore): Promise<CatalogEntry> {
  return readManifest(store, LATEST_MANIFEST_KEY);
}

/** Per-snapshot manifest keys, newest first (key order is seq order; latest.json excluded). */
export async function listManifestKeys(store: SnapshotStore): Promise<string[]> {
  const keys = await store.list(MANIFEST_PREFIX);
  return keys
    .filter((k) => k !== LATEST_MANIFEST_KEY && stemOf(k) !== undefined)
    .sort()
    .reverse();
}

/** Every per-snapshot manifest, parsed (or with its reason), newest first. */
export async function listCatalog(store: SnapshotStore): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  for (const key of await listManifestKeys(store)) entries.push(await readManifest(store, key));
  return entries.sort((a, b) => (a.ok && b.ok ? compareNewestFirst(a.manifest, b.manifest) : 0));
}

/**
 * The per-snapshot manifests to try after latest.json, newest first, leaving out the one
 * latest.json is a copy of (it was already tried).
 */
export function fallbackOrder(latest: Manifest | undefined, manifestKeys: readonly string[]): string[] {
  const tried = latest === undefined ? undefined : manifestKeyFor(latest.key);
  return [...manifestKeys]
    .filter((k) => k !== LATEST_MANIFEST_KEY && k !== tried && stemOf(k) !== undefined)
    .sort()
    .reverse();
}
