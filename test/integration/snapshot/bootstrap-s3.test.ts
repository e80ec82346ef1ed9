/**
 * Snapshots through a real S3 server (an in-process s3rver): publish, restore, and every way a
 * bootstrap must refuse a snapshot and fall back.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { S3SnapshotStore } from '../../../lib/snapshot/adapters/s3-store.ts';
import type { MakeResult } from '../../../lib/snapshot/make-snapshot.ts';
import {
  LATEST_MANIFEST_KEY,
  MANIFEST_PREFIX,
  manifestKeyFor,
  parseManifest,
  serializeManifest,
} from '../../../lib/snapshot/manifest.ts';
import { SnapshotTestContext } from './context.ts';
import { advanceTestLdb, createTestLdb, digestTestLdb, readTestLdb } from './fixtures.ts';
import { startTestS3, type TestS3Server } from './s3-server.ts';

let s3: TestS3Server;
let ctx: SnapshotTestContext;

beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3.stop();
});
beforeEach(async () => {
  ctx = await SnapshotTestContext.open(
    (prefix) =>
      new S3SnapshotStore({
        bucket: s3.bucket,
        prefix,
        endpoint: s3.endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        partSize: 5 * 1024 * 1024,
      }),
  );
});
afterEach(async () => {
  await ctx.dispose();
});

function published(result: MakeResult): Extract<MakeResult, { status: 'published' }> {
  if (result.status !== 'published') throw new Error(`expected a published snapshot, got ${result.status}`);
  return result;
}

/** Two snapshots (seq 10, then seq 15) of one LDB; returns both manifests' object keys. */
async function twoSnapshots(live: string): Promise<{ older: string; newer: string }> {
  createTestLdb(live, { seq: 10, rows: 200 });
  const older = published(await ctx.maker(live).make()).manifest.key;
  advanceTestLdb(live, 5);
  const newer = published(await ctx.maker(live).make()).manifest.key;
  return { older, newer };
}

async function objectBytes(key: string): Promise<Buffer> {
  return Buffer.from((await ctx.store.getBytes(key)) ?? new Uint8Array());
}

describe('snapshot to S3 and bootstrap from it', () => {
  it('publishes object, per-snapshot manifest and latest.json, and restores the same content', async () => {
    const live = ctx.path('live.ldb');
    createTestLdb(live, { seq: 41, rows: 500 });
    const made = published(await ctx.maker(live, { makerId: 'sup-1' }).make({ fencingToken: 3 }));
    expect(made.manifest).toMatchObject({ seq: 41, makerId: 'sup-1', fencingToken: 3, compression: 'br' });
    const listed = await ctx.store.list('');
    expect(listed).toEqual(
      [LATEST_MANIFEST_KEY, manifestKeyFor(made.manifest.key), made.manifest.key].sort(),
    );
    const stored = await ctx.store.stat(made.manifest.key);
    expect(stored?.size).toBe(made.manifest.compressedSize);
    expect(stored?.metadata.sha256).toBe(made.manifest.sha256);

    const target = ctx.path('host/new.ldb');
    const result = await ctx.bootstrap(target);
    expect(result).toMatchObject({ outcome: 'restored', seq: 41, rejected: [] });
    expect(readdirSync(ctx.path('host'))).toEqual(['new.ldb']); // no temporary file left behind
    const restored = readTestLdb(target);
    expect(restored.journalMode).toBe('wal');
    expect(restored).toEqual({ ...readTestLdb(live), journalMode: 'wal' });
  });

  it('uploads a large snapshot in parts and downloads it with parallel ranged reads', async () => {
    const live = ctx.path('big.ldb');
    createTestLdb(live, { seq: 7, rows: 3000, blobBytes: 4096 }); // ~12 MiB of random bytes
    const made = published(await ctx.maker(live).make());
    expect(made.manifest.compressedSize).toBeGreaterThan(10 * 1024 * 1024);
    const result = await ctx.bootstrap(ctx.path('big-copy.ldb'));
    expect(result.outcome).toBe('restored');
    expect(digestTestLdb(ctx.path('big-copy.ldb'))).toEqual(digestTestLdb(live));
  });

  it('rejects a truncated newest snapshot and restores the previous one', async () => {
    const { newer } = await twoSnapshots(ctx.path('live.ldb'));
    const bytes = await objectBytes(newer);
    await ctx.store.putBytes(newer, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result).toMatchObject({ outcome: 'restored', seq: 10 });
    if (result.outcome !== 'restored') return;
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.manifestKey).toBe(LATEST_MANIFEST_KEY);
    expect(result.rejected[0]?.reason).toMatch(/object is \d+ bytes, manifest says \d+/);
    expect(readTestLdb(ctx.path('host.ldb')).seq).toBe(10);
  });

  it('rejects an altered newest snapshot (same size, one byte changed) and restores the previous one', async () => {
    const { newer } = await twoSnapshots(ctx.path('live.ldb'));
    const bytes = await objectBytes(newer);
    const middle = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x01, middle);
    await ctx.store.putBytes(newer, bytes);
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result).toMatchObject({ outcome: 'restored', seq: 10 });
    if (result.outcome !== 'restored') return;
    expect(result.rejected.map((r) => r.reason).join()).toMatch(
      /SHA-256 [0-9a-f]{64} differs|cannot be decompressed/,
    );
  });

  it('rejects a snapshot whose manifest checksum does not match its object, trying it only once', async () => {
    const { newer } = await twoSnapshots(ctx.path('live.ldb'));
    const manifest = parseManifest(
      (await ctx.store.getBytes(LATEST_MANIFEST_KEY)) ?? new Uint8Array(),
      'latest',
    );
    const forged = serializeManifest({ ...manifest, sha256: '0'.repeat(64) });
    await ctx.store.putBytes(LATEST_MANIFEST_KEY, forged);
    await ctx.store.putBytes(manifestKeyFor(newer), forged);
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result).toMatchObject({ outcome: 'restored', seq: 10 });
    if (result.outcome !== 'restored') return;
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.reason).toContain(`differs from the manifest's ${'0'.repeat(64)}`);
  });

  it('restores the newest snapshot from its own manifest when only latest.json is forged', async () => {
    await twoSnapshots(ctx.path('live.ldb'));
    const manifest = parseManifest(
      (await ctx.store.getBytes(LATEST_MANIFEST_KEY)) ?? new Uint8Array(),
      'latest',
    );
    await ctx.store.putBytes(
      LATEST_MANIFEST_KEY,
      serializeManifest({ ...manifest, size: manifest.size + 1 }),
    );
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result).toMatchObject({ outcome: 'restored', seq: 15 });
    if (result.outcome !== 'restored') return;
    expect(result.rejected[0]?.reason).toMatch(/decompressed to \d+ bytes, manifest says \d+/);
  });

  it('uses an older per-snapshot manifest when latest.json is unreadable', async () => {
    await twoSnapshots(ctx.path('live.ldb'));
    await ctx.store.putBytes(LATEST_MANIFEST_KEY, Buffer.from('{ not json'));
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result).toMatchObject({ outcome: 'restored', seq: 15 });
  });

  it('falls back to the ledger when no manifest exists, even if snapshot objects do', async () => {
    await twoSnapshots(ctx.path('live.ldb'));
    await ctx.store.delete(await ctx.store.list(MANIFEST_PREFIX));
    expect((await ctx.store.list('snapshots/')).length).toBe(2);
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result).toEqual({
      outcome: 'rebuild',
      seq: 0,
      reason: `no snapshot manifest in ${ctx.store.location}`,
      rejected: [],
    });
    expect(existsSync(ctx.path('host.ldb'))).toBe(false);
  });

  it('falls back to the ledger, with every reason, when every snapshot is bad', async () => {
    const { older, newer } = await twoSnapshots(ctx.path('live.ldb'));
    await ctx.store.putBytes(older, Buffer.from('nonsense'));
    await ctx.store.putBytes(newer, Buffer.from('nonsense'));
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result.outcome).toBe('rebuild');
    if (result.outcome !== 'rebuild') return;
    expect(result.reason).toContain('2 rejected');
    expect(result.rejected.map((r) => r.manifestKey)).toEqual([LATEST_MANIFEST_KEY, manifestKeyFor(older)]);
    expect(readdirSync(ctx.dir).filter((f) => f.startsWith('host'))).toEqual([]);
  });

  it('keeps a healthy existing LDB and replaces a damaged one, keeping the damaged file aside', async () => {
    await twoSnapshots(ctx.path('live.ldb'));
    const host = ctx.path('host.ldb');
    createTestLdb(host, { seq: 99, rows: 3 });
    expect(await ctx.bootstrap(host)).toEqual({ outcome: 'existing', seq: 99 });

    const { writeFileSync } = await import('node:fs');
    writeFileSync(host, Buffer.alloc(8192, 7));
    const result = await ctx.bootstrap(host);
    expect(result).toMatchObject({ outcome: 'restored', seq: 15 });
    expect(readdirSync(ctx.dir).some((f) => f.startsWith('host.ldb.corrupt-'))).toBe(true);
  });

  it('refuses to publish stale data, uploading nothing', async () => {
    const live = ctx.path('live.ldb');
    createTestLdb(live, { seq: 3, rows: 10 });
    const maker = ctx.maker(live, { staleness: () => Promise.resolve(120_000), maxStalenessMs: 60_000 });
    const error = await maker.make().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CuttleError);
    expect(error).toMatchObject({ code: 'SNAPSHOT_STALE', details: { seq: 3, stalenessMs: 120_000 } });
    expect(await ctx.store.list('')).toEqual([]);
  });

  it('does not publish again when the seq has not moved, and keeps only the last N', async () => {
    const live = ctx.path('live.ldb');
    createTestLdb(live, { seq: 1, rows: 10 });
    const maker = ctx.maker(live, { keep: 2 });
    const seqs: number[] = [];
    for (let i = 0; i < 4; i++) {
      seqs.push(published(await maker.make()).manifest.seq);
      expect(await maker.make()).toEqual({ status: 'unchanged', seq: seqs[i] });
      advanceTestLdb(live, 1);
    }
    const manifests = await ctx.store.list(MANIFEST_PREFIX);
    const snapshots = await ctx.store.list('snapshots/');
    expect(snapshots.map((k) => Number(k.slice('snapshots/'.length, 30)))).toEqual([3, 4]);
    expect(manifests).toEqual([...snapshots.map(manifestKeyFor), LATEST_MANIFEST_KEY].sort());
    expect(seqs).toEqual([1, 2, 3, 4]);
  });
});
