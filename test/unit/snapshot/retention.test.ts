import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fallbackOrder, sameManifest } from '../../../lib/snapshot/catalog.ts';
import { manifestKeyFor, snapshotKey, type Manifest } from '../../../lib/snapshot/manifest.ts';
import { planRetention, stemOf } from '../../../lib/snapshot/retention.ts';

const at = (i: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, i));
const object = (seq: number, i = seq): string => snapshotKey(seq, at(i), 'br');
const manifestOf = (seq: number, i = seq): string => manifestKeyFor(object(seq, i));

describe('retention', () => {
  it('keeps the newest N snapshots and deletes older manifests and their objects', () => {
    const seqs = [10, 20, 30, 40, 50];
    const plan = planRetention({
      manifestKeys: ['manifests/latest.json', ...seqs.map((s) => manifestOf(s))],
      snapshotKeys: seqs.map((s) => object(s)),
      publishedManifestKey: manifestOf(50),
      keep: 3,
    });
    expect(plan.manifests).toEqual([manifestOf(20), manifestOf(10)]);
    expect(plan.snapshots).toEqual([object(10), object(20)]);
  });

  it('deletes nothing when the listing does not show the manifest just published', () => {
    const plan = planRetention({
      manifestKeys: [manifestOf(10), manifestOf(20)],
      snapshotKeys: [object(10), object(20)],
      publishedManifestKey: manifestOf(30),
      keep: 1,
    });
    expect(plan).toEqual({ manifests: [], snapshots: [] });
  });

  it('deletes an object without manifest only when it is older than every kept snapshot', () => {
    const plan = planRetention({
      manifestKeys: [manifestOf(10), manifestOf(30), manifestOf(50)],
      snapshotKeys: [object(5), object(10), object(30), object(40), object(50), object(60)],
      publishedManifestKey: manifestOf(50),
      keep: 2,
    });
    // 40 (between kept ones) and 60 (maybe still being published elsewhere) stay.
    expect(plan.snapshots).toEqual([object(5), object(10)]);
    expect(plan.manifests).toEqual([manifestOf(10)]);
  });

  it('treats keep below 1 as 1: the published snapshot is never deleted', () => {
    const plan = planRetention({
      manifestKeys: [manifestOf(1), manifestOf(2)],
      snapshotKeys: [object(1), object(2)],
      publishedManifestKey: manifestOf(2),
      keep: 0,
    });
    expect(plan).toEqual({ manifests: [manifestOf(1)], snapshots: [object(1)] });
  });

  it('never deletes a kept snapshot, its manifest, or anything newer than the oldest kept (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 30 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 10 }),
        fc.integer({ min: 1, max: 8 }),
        (published, orphans, keep) => {
          const manifestKeys = published.map((s) => manifestOf(s));
          const snapshotKeys = [...published, ...orphans.filter((o) => !published.includes(o))].map((s) =>
            object(s),
          );
          const newest = Math.max(...published);
          const plan = planRetention({
            manifestKeys,
            snapshotKeys,
            publishedManifestKey: manifestOf(newest),
            keep,
          });
          const kept = [...published].sort((a, b) => b - a).slice(0, keep);
          const oldestKept = Math.min(...kept);
          expect(plan.manifests.length).toBe(published.length - kept.length);
          for (const s of kept) {
            expect(plan.manifests).not.toContain(manifestOf(s));
            expect(plan.snapshots).not.toContain(object(s));
          }
          for (const key of plan.snapshots)
            expect((stemOf(key) ?? '') < (stemOf(object(oldestKept)) ?? '')).toBe(true);
          for (const key of plan.manifests)
            expect(plan.snapshots).toContain(
              key.replace('manifests/', 'snapshots/').replace('.json', '.ldb.br'),
            );
        },
      ),
    );
  });
});

describe('bootstrap fallback order', () => {
  it('tries the per-snapshot manifests newest first', () => {
    const keys = [manifestOf(10), 'manifests/latest.json', manifestOf(30), manifestOf(20), manifestOf(25)];
    expect(fallbackOrder(keys)).toEqual([manifestOf(30), manifestOf(25), manifestOf(20), manifestOf(10)]);
  });

  it('orders two snapshots of one seq by creation time', () => {
    expect(fallbackOrder([manifestOf(7, 1), manifestOf(7, 9), manifestOf(6, 50)])).toEqual([
      manifestOf(7, 9),
      manifestOf(7, 1),
      manifestOf(6, 50),
    ]);
  });

  it('ignores keys that are not per-snapshot manifests', () => {
    expect(fallbackOrder(['manifests/notes.txt', 'manifests/latest.json'])).toEqual([]);
  });

  it('recognises a per-snapshot manifest that latest.json is a copy of', () => {
    const a = { seq: 1, key: object(1) } as Manifest;
    expect(sameManifest(a, { seq: 1, key: object(1) } as Manifest)).toBe(true);
    expect(sameManifest(a, { seq: 1, key: object(1, 2) } as Manifest)).toBe(false);
  });
});
