import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { splitRanges } from '../../../lib/snapshot/download.ts';
import { parseStoreUrl } from '../../../lib/snapshot/open-store.ts';

describe('splitRanges', () => {
  it('covers the object exactly once with parts of at most partSize', () => {
    expect(splitRanges(10, 4)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
      { start: 8, end: 10 },
    ]);
    expect(splitRanges(8, 4)).toHaveLength(2);
    expect(splitRanges(0, 4)).toEqual([]);
  });
});

describe('parseStoreUrl', () => {
  it('reads bucket and prefix from s3 URLs', () => {
    expect(parseStoreUrl('s3://cuttle/prod/ldb')).toEqual({
      kind: 's3',
      bucket: 'cuttle',
      prefix: 'prod/ldb',
    });
    expect(parseStoreUrl('s3://cuttle')).toEqual({ kind: 's3', bucket: 'cuttle', prefix: '' });
  });

  it('reads folders from file URLs and absolute paths', () => {
    expect(parseStoreUrl('file:///var/lib/cuttle/snapshots')).toEqual({
      kind: 'folder',
      path: '/var/lib/cuttle/snapshots',
    });
    expect(parseStoreUrl('/data/snapshots')).toEqual({ kind: 'folder', path: '/data/snapshots' });
  });

  it('rejects anything else with CONFIG_INVALID naming the URL', () => {
    for (const url of ['http://x/y', 'relative/path', 's3:///nobucket']) {
      expect(() => parseStoreUrl(url)).toThrow(CuttleError);
      expect(() => parseStoreUrl(url)).toThrow(JSON.stringify(url));
    }
  });
});
