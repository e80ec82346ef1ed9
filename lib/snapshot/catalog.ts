/**
 * Reading manifests from a store: the newest first, and the order in which a bootstrap tries them.
 */
import { isCuttleError } from '../errors.ts';
import {
  LATEST_MANIFEST_KEY,
  MANIFEST_PREFIX,
  compareNewestFirst,
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
    // A manifest that does not parse is a bad candidate; a store that fails is everyone's problem.
    if (isCuttleError(err) && err.code === 'SNAPSHOT_INVALID')
      return { ok: false, manifestKey, reason: err.message };
    throw err;
  }
}

export function readLatest(store: SnapshotStore): Promise<CatalogEntry> {
  return readManifest(store, LATEST_MANIFEST_KEY);
}

/** Per-snapshot manifest keys, newest first (key order is seq order; latest.json excluded). */
export async function listManifestKeys(store: SnapshotStore): Promise<string[]> {
  return fallbackOrder(await store.list(MANIFEST_PREFIX));
}

/** Every per-snapshot manifest, parsed (or with its reason), newest first. */
export async function listCatalog(store: SnapshotStore): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  for (const key of await listManifestKeys(store)) entries.push(await readManifest(store, key));
  return entries.sort((a, b) => (a.ok && b.ok ? compareNewestFirst(a.manifest, b.manifest) : 0));
}

/**
 * The per-snapshot manifests to try after latest.json, newest first. The one latest.json is a
 * copy of comes first: if only latest.json was damaged, its original still holds.
 */
export function fallbackOrder(manifestKeys: readonly string[]): string[] {
  return manifestKeys
    .filter((k) => k !== LATEST_MANIFEST_KEY && stemOf(k) !== undefined)
    .sort()
    .reverse();
}

/** The same manifest (byte-equal content): already tried, no use trying it again. */
export function sameManifest(a: Manifest, b: Manifest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
