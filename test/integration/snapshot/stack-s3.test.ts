/**
 * Snapshots through the stack's S3 endpoint (`npm run stack:up`; address in stack-env.ts), under
 * a random prefix in the shared bucket that the test deletes afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSnapshotStore } from '../../../lib/snapshot/open-store.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { SnapshotTestContext } from './context.ts';
import { advanceTestLdb, createTestLdb, digestTestLdb } from './fixtures.ts';

let ctx: SnapshotTestContext;
beforeEach(async () => {
  ctx = await SnapshotTestContext.open((prefix) =>
    openSnapshotStore(`s3://${stackEnv.s3Bucket}/${prefix}`, {
      endpoint: stackEnv.s3Endpoint,
      accessKeyId: stackEnv.s3AccessKeyId,
      secretAccessKey: stackEnv.s3SecretAccessKey,
    }),
  );
});
afterEach(async () => {
  await ctx.dispose();
});

describe('snapshots on the stack S3', () => {
  it('publishes two snapshots and bootstraps a new host from the newest, then the previous when it is cut', async () => {
    const live = ctx.path('live.ldb');
    createTestLdb(live, { seq: 100, rows: 1000, blobBytes: 256 });
    await ctx.maker(live).make();
    advanceTestLdb(live, 20);
    const newest = await ctx.maker(live).make();
    expect(newest).toMatchObject({ status: 'published', manifest: { seq: 120 } });

    const first = await ctx.bootstrap(ctx.path('host-a.ldb'));
    expect(first).toMatchObject({ outcome: 'restored', seq: 120, rejected: [] });
    expect(digestTestLdb(ctx.path('host-a.ldb'))).toEqual(digestTestLdb(live));

    if (newest.status !== 'published') return;
    const bytes = (await ctx.store.getBytes(newest.manifest.key)) ?? new Uint8Array();
    await ctx.store.putBytes(newest.manifest.key, bytes.subarray(0, bytes.length - 1));
    const second = await ctx.bootstrap(ctx.path('host-b.ldb'));
    expect(second).toMatchObject({ outcome: 'restored', seq: 100 });
  });
});
