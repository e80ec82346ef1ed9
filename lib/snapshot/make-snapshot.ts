/**
 * Making one snapshot: copy, check, compress, upload, then publish, then prune.
 *
 * The order is the safety argument. The object is complete in the store before any manifest
 * names it; the per-snapshot manifest is written before latest.json; older snapshots are deleted
 * only after the newer manifest is readable (retention.ts). A crash between any two steps leaves
 * at worst an unreferenced object, which a later run prunes.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CuttleError } from '../errors.ts';
import type { Logger } from '../logging.ts';
import { readLatest } from './catalog.ts';
import { compressFile, type CompressedFile } from './codec.ts';
import { removeQuietly, siblingTempPath } from './fs-util.ts';
import type { LdbFacts, LdbFiles } from './ldb-files.ts';
import { MANIFEST_FORMAT_VERSION, snapshotKey, type Compression, type Manifest } from './manifest.ts';
import type { LdbPositionSpec, StalenessProbe } from './position.ts';
import { pruneSnapshots, publishManifest } from './publish.ts';
import type { RetentionPlan } from './retention.ts';
import type { SnapshotStore } from './store.ts';

export interface SnapshotMakerDeps {
  readonly store: SnapshotStore;
  readonly files: LdbFiles;
  readonly log: Logger;
  /** @defaultValue Date.now */
  readonly now?: () => number;
}

export interface SnapshotMakerOptions {
  /** The live LDB (a follower keeps writing to it). */
  readonly ldbPath: string;
  /** Scratch folder for the copy and the compressed file; same disk as the LDB is fastest. */
  readonly workDir: string;
  readonly position: LdbPositionSpec;
  readonly staleness: StalenessProbe;
  /** Refuse to publish a snapshot whose data is older than this. */
  readonly maxStalenessMs: number;
  /** Snapshots to keep. */
  readonly keep: number;
  /** @defaultValue 'br' */
  readonly compression?: Compression;
  readonly makerId: string;
}

export interface MakeTimings {
  readonly copyMs: number;
  readonly compressMs: number;
  readonly uploadMs: number;
  readonly totalMs: number;
}

export interface MakeOptions {
  /** The fencing token of the claim under which this snapshot is made (recorded in the manifest). */
  readonly fencingToken?: number | null;
  /** What caused this snapshot (a schedule slot name), recorded in the manifest. */
  readonly trigger?: string;
  /** Abandons the snapshot at the next step (the copy and compression stop at once). */
  readonly signal?: AbortSignal;
  /** Runs after the upload, before the manifest is published; throw to abandon publication. */
  readonly beforePublish?: () => Promise<void>;
}

export type MakeResult =
  | {
      readonly status: 'published';
      readonly manifest: Manifest;
      readonly timings: MakeTimings;
      readonly pruned: RetentionPlan;
    }
  | { readonly status: 'unchanged'; readonly seq: number };

export class SnapshotMaker {
  readonly #deps: SnapshotMakerDeps;
  readonly #options: SnapshotMakerOptions;
  readonly #now: () => number;

  constructor(deps: SnapshotMakerDeps, options: SnapshotMakerOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#now = deps.now ?? Date.now;
  }

  /** Makes and publishes a snapshot, unless the newest published one already has this seq. */
  async make(options: MakeOptions = {}): Promise<MakeResult> {
    const started = performance.now();
    const latest = await readLatest(this.#deps.store);
    const latestSeq = latest.ok ? latest.manifest.seq : -1;
    if ((await this.#liveSeq()) <= latestSeq) return { status: 'unchanged', seq: latestSeq };
    await mkdir(this.#options.workDir, { recursive: true });
    const copyPath = siblingTempPath(join(this.#options.workDir, 'snapshot'), 'copy');
    const compressedPath = `${copyPath}.compressed`;
    try {
      const facts = await this.#deps.files.compactCopy(
        this.#options.ldbPath,
        copyPath,
        this.#options.position,
        options.signal,
      );
      if (facts.position.seq <= latestSeq) return { status: 'unchanged', seq: latestSeq };
      const stalenessMs = await this.#checkStaleness(facts);
      const copied = performance.now();
      const compression = this.#options.compression ?? 'br';
      const compressed = await compressFile(
        copyPath,
        compressedPath,
        compression,
        (await stat(copyPath)).size,
        options.signal,
      );
      const manifest = this.#manifest(facts, stalenessMs, compression, compressed, options);
      const compressedAt = performance.now();
      await this.#deps.store.putFile(manifest.key, compressedPath, {
        contentType: 'application/octet-stream',
        metadata: { sha256: manifest.sha256, seq: String(manifest.seq) },
      });
      const uploaded = performance.now();
      options.signal?.throwIfAborted();
      await options.beforePublish?.();
      const manifestKey = await publishManifest(this.#deps.store, manifest, this.#deps.log);
      const pruned = await pruneSnapshots(this.#deps.store, manifestKey, this.#options.keep, this.#deps.log);
      const timings = {
        copyMs: copied - started,
        compressMs: compressedAt - copied,
        uploadMs: uploaded - compressedAt,
        totalMs: performance.now() - started,
      };
      return { status: 'published', manifest, timings, pruned };
    } finally {
      await removeQuietly(copyPath, compressedPath);
    }
  }

  #manifest(
    facts: LdbFacts,
    stalenessMs: number,
    compression: Compression,
    compressed: CompressedFile,
    options: MakeOptions,
  ): Manifest {
    const createdAt = new Date(this.#now());
    return {
      formatVersion: MANIFEST_FORMAT_VERSION,
      seq: facts.position.seq,
      committedAt: facts.position.committedAt,
      stalenessMs,
      createdAt: createdAt.toISOString(),
      key: snapshotKey(facts.position.seq, createdAt, compression),
      compression,
      ...compressed,
      tables: [...facts.tables],
      makerId: this.#options.makerId,
      fencingToken: options.fencingToken ?? null,
      trigger: options.trigger ?? null,
    };
  }

  async #liveSeq(): Promise<number> {
    const live = await this.#deps.files.inspect(this.#options.ldbPath, this.#options.position, {
      check: 'none',
    });
    if (!live.ok) {
      throw new CuttleError(
        'INTERNAL',
        `cannot read the position of ${this.#options.ldbPath}: ${live.problem}`,
      );
    }
    return live.position.seq;
  }

  async #checkStaleness(facts: LdbFacts): Promise<number> {
    const stalenessMs = await this.#options.staleness(facts.position, this.#now());
    if (!Number.isFinite(stalenessMs) || stalenessMs > this.#options.maxStalenessMs) {
      throw new CuttleError(
        'SNAPSHOT_STALE',
        `snapshot at seq ${facts.position.seq} is ${Number.isFinite(stalenessMs) ? `${Math.round(stalenessMs)} ms` : 'of unknown age'} stale, over the ${this.#options.maxStalenessMs} ms bound; not publishing`,
        { details: { seq: facts.position.seq, stalenessMs, maxStalenessMs: this.#options.maxStalenessMs } },
      );
    }
    return Math.round(stalenessMs);
  }
}
