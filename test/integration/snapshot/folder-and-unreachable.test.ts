/**
 * The local-folder store (embedded mode) end to end, and a bootstrap whose store is unreachable.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { FolderSnapshotStore } from '../../../lib/snapshot/adapters/folder-store.ts';
import { S3SnapshotStore } from '../../../lib/snapshot/adapters/s3-store.ts';
import { LATEST_MANIFEST_KEY, manifestKeyFor } from '../../../lib/snapshot/manifest.ts';
import { SnapshotTestContext } from './context.ts';
import { advanceTestLdb, createTestLdb, digestTestLdb } from './fixtures.ts';

let ctx: SnapshotTestContext | undefined;
afterEach(async () => {
  await ctx?.dispose();
  ctx = undefined;
});

describe('folder snapshot store', () => {
  it('publishes, prunes, and restores the newest good snapshot', async () => {
    let root = '';
    ctx = await SnapshotTestContext.open((prefix) => {
      root = join(tmpdir(), `cuttle-folder-store-${prefix}`);
      return new FolderSnapshotStore(root);
    });
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const live = ctx.path('live.ldb');
    createTestLdb(live, { seq: 1, rows: 50 });
    const maker = ctx.maker(live, { keep: 2, compression: 'gzip' });
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const made = await maker.make();
      if (made.status === 'published') keys.push(made.manifest.key);
      advanceTestLdb(live, 2);
    }
    expect(keys.map((k) => k.endsWith('.ldb.gz'))).toEqual([true, true, true]);
    expect(await ctx.store.list('')).toEqual(
      [LATEST_MANIFEST_KEY, ...keys.slice(1).map(manifestKeyFor), ...keys.slice(1)].sort(),
    );
    expect(readdirSync(join(root, 'snapshots')).some((f) => f.includes('.tmp-'))).toBe(false);

    await ctx.store.putBytes(keys[2] ?? '', Buffer.from('broken'));
    const result = await ctx.bootstrap(ctx.path('host.ldb'));
    expect(result).toMatchObject({ outcome: 'restored', seq: 3 });
    expect(digestTestLdb(ctx.path('host.ldb')).seq).toBe(3);
  });
});

describe('unreachable store', () => {
  it('says to rebuild from the ledger, naming the store failure, and leaves no file', async () => {
    ctx = await SnapshotTestContext.open(
      (prefix) =>
        new S3SnapshotStore({
          bucket: 'nowhere',
          prefix,
          endpoint: 'http://127.0.0.1:9', // discard port: connection refused
          credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        }),
    );
    const target = ctx.path('host.ldb');
    const result = await ctx.bootstrap(target);
    expect(result.outcome).toBe('rebuild');
    if (result.outcome !== 'rebuild') return;
    expect(result.reason).toMatch(/^snapshot store unreachable: S3 get of manifests\/latest.json failed/);
    expect(existsSync(target)).toBe(false);
    await ctx.disposeLocal(); // the store does not exist, so there is nothing to clean in it
    ctx = undefined;
  });
});
