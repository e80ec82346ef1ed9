import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import {
  compareNewestFirst,
  keyStamp,
  manifestKeyFor,
  parseManifest,
  seqOfKey,
  serializeManifest,
  snapshotKey,
  type Manifest,
} from '../../../lib/snapshot/manifest.ts';

const createdAt = new Date('2026-03-04T05:06:07.089Z');

function manifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    formatVersion: 1,
    seq: 42,
    committedAt: 1_700_000_000_000,
    stalenessMs: 12,
    createdAt: createdAt.toISOString(),
    key: snapshotKey(42, createdAt, 'br'),
    compression: 'br',
    size: 4096,
    compressedSize: 1000,
    sha256: 'ab'.repeat(32),
    tables: ['_ldb_position', 'fam___tab'],
    makerId: 'supervisor-a',
    fencingToken: 7,
    trigger: 'interval:300000:5',
    ...overrides,
  };
}

function expectInvalid(fn: () => unknown, text: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CuttleError);
    expect((err as CuttleError).code).toBe('SNAPSHOT_INVALID');
    expect((err as CuttleError).message).toContain(text);
    return;
  }
  throw new Error('expected SNAPSHOT_INVALID');
}

describe('snapshot keys', () => {
  it('zero-pads the seq so that key order is seq order', () => {
    const keys = [
      snapshotKey(10, createdAt, 'br'),
      snapshotKey(9, createdAt, 'br'),
      snapshotKey(100, createdAt, 'gzip'),
    ];
    expect(keys[0]).toBe('snapshots/00000000000000000010-20260304T050607089Z.ldb.br');
    expect(keys[2]).toBe('snapshots/00000000000000000100-20260304T050607089Z.ldb.gz');
    expect([...keys].sort().map(seqOfKey)).toEqual([9, 10, 100]);
  });

  it('derives the per-snapshot manifest key from the object key', () => {
    expect(manifestKeyFor(snapshotKey(5, createdAt, 'gzip'))).toBe(
      'manifests/00000000000000000005-20260304T050607089Z.json',
    );
    expect(seqOfKey(manifestKeyFor(snapshotKey(5, createdAt, 'br')))).toBe(5);
  });

  it('does not read a seq out of foreign keys', () => {
    expect(seqOfKey('manifests/latest.json')).toBeUndefined();
    expect(seqOfKey('snapshots/12-x.ldb.br')).toBeUndefined();
    expect(keyStamp(createdAt)).toBe('20260304T050607089Z');
  });
});

describe('manifest parsing', () => {
  it('round-trips through its serialized form', () => {
    const m = manifest();
    expect(parseManifest(serializeManifest(m), 'm.json')).toEqual(m);
  });

  it('rejects bytes that are not JSON, naming the manifest', () => {
    expectInvalid(
      () => parseManifest(Buffer.from('{"seq": 4'), 'manifests/x.json'),
      'manifests/x.json is not JSON',
    );
  });

  it('rejects a manifest with a bad checksum, naming the field', () => {
    const bytes = Buffer.from(JSON.stringify({ ...manifest(), sha256: 'xyz' }));
    expectInvalid(() => parseManifest(bytes, 'm.json'), 'sha256');
  });

  it('rejects an unknown format version', () => {
    const bytes = Buffer.from(JSON.stringify({ ...manifest(), formatVersion: 2 }));
    expectInvalid(() => parseManifest(bytes, 'm.json'), 'formatVersion');
  });

  it('rejects a key outside the snapshots folder', () => {
    const bytes = Buffer.from(JSON.stringify({ ...manifest(), key: '../etc/passwd' }));
    expectInvalid(() => parseManifest(bytes, 'm.json'), 'key');
  });

  it('orders newest first by seq, then by creation time', () => {
    const a = manifest({ seq: 5, createdAt: '2026-01-01T00:00:00.000Z' });
    const b = manifest({ seq: 7, createdAt: '2025-01-01T00:00:00.000Z' });
    const c = manifest({ seq: 7, createdAt: '2026-01-02T00:00:00.000Z' });
    expect([a, b, c].sort(compareNewestFirst)).toEqual([c, b, a]);
  });
});
